-- Per UTC day, what the rewards engine withheld and why: marts.fct_reward_suppressions_daily (per
-- rule and reason, kind 'suppression') and marts.fct_reward_rg_breaks_daily (break messages to
-- players at risk per jurisdiction, kind 'break'). Counts stay counts: the page sums the period.
select 'suppression' as kind, activity_date, rule_id, reason, null::varchar as jurisdiction, is_responsible_gaming,
       suppressions, players, rule_grants,
       null::bigint as break_messages, null::bigint as players_messaged, null::bigint as rapid_losses, null::bigint as limit_hit,
       null::bigint as cool_off_ended, null::bigint as rg_risk_segment, null::bigint as promotions_withheld, null::bigint as players_at_risk
from marts.fct_reward_suppressions_daily
union all
select 'break', activity_date, null, null, jurisdiction, true,
       null, null, null,
       break_messages, players_messaged, rapid_losses, limit_hit, cool_off_ended, rg_risk_segment, promotions_withheld, players_at_risk
from marts.fct_reward_rg_breaks_daily
