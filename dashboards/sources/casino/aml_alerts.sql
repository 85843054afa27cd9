-- marts.aml_alerts with the operators' decisions (marts.rpt_suspicious_activity) and the player's brand.
select a.alert_id, a.rule, a.player_id, p.brand, a.jurisdiction, a.currency, a.alert_date, a.severity, a.summary,
       coalesce(s.status, 'open') as status, s.decision
from marts.aml_alerts a
left join marts.dim_players p using (player_id)
left join marts.rpt_suspicious_activity s using (alert_id)
