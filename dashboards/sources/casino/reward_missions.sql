-- marts.fct_reward_missions and fct_reward_mission_funnel (as of the run's day, all-time): each
-- mission of the live rule set per player currency and its '(all)' roll-up (starts, completions,
-- the completion reward's cost per completion, dead; reward_cost_reserved_*: the part of the cost
-- that is unspun wheel spins' reservations, the rest is known), and its steps (kind 'step': reached,
-- finished, last progress, dead step). One source for both so the page's mission list and funnel
-- come from one snapshot query each. DECIMALs as doubles (Evidence's formats).
select 'mission' as kind, mission_id, mission_name, null::integer as step_index, null::varchar as step_name, currency,
       players_started, players_completed, completions, completion_rate::double as completion_rate_pct, expirations,
       reward_grants, reward_cost_minor, reward_cost_eur::double as reward_cost_eur,
       reward_cost_reserved_minor, reward_cost_reserved_eur::double as reward_cost_reserved_eur,
       cost_per_completion_minor, cost_per_completion_eur::double as cost_per_completion_eur,
       null::bigint as players_reached, null::bigint as players_finished, null::double as step_completion_rate_pct, null::double as conversion_from_start_pct,
       last_progress_at, days_since_progress, is_dead
from marts.fct_reward_missions
union all
select 'step', mission_id, mission_name, step_index, step_name, '(all)',
       null, null, null, null, null, null, null, null, null, null, null, null,
       players_reached, players_finished, step_completion_rate::double, conversion_from_start::double,
       last_progress_at, days_since_progress, dead_step
from marts.fct_reward_mission_funnel
