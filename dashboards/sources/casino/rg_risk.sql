-- marts.rg_risk: each player's risk score per active day, the fired signals as text, and the brand.
select r.player_id, r.activity_date, p.brand, r.jurisdiction, r.currency, r.risk_score,
       r.rapid_loss, r.loss_chasing, r.long_session, r.night_play, r.limit_hit, r.limit_raise, r.reversed_withdrawal,
       array_to_string(r.reasons, '; ') as reasons
from marts.rg_risk r
left join marts.dim_players p using (player_id)
