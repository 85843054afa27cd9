-- marts.fct_reward_ab_uplift: each A/B variant of a rewards rule against the rule's holdout (per
-- player over 7 days from the assignment, EUR): GGR, handle and sessions uplift with Welch's z and
-- the 95% interval of the GGR uplift, the rule's cost per player (a wheel spin at what it paid, an
-- unspun one at its reservation: reserved_cost_eur), over_generous. DECIMALs as doubles.
select rule_id, variant, rule_id || ' / ' || variant as arm, players, holdout_players,
       handle_per_player_eur::double as handle_per_player_eur, holdout_handle_per_player_eur::double as holdout_handle_per_player_eur,
       handle_uplift_eur::double as handle_uplift_eur, handle_z::double as handle_z,
       ggr_per_player_eur::double as ggr_per_player_eur, holdout_ggr_per_player_eur::double as holdout_ggr_per_player_eur,
       ggr_uplift_eur::double as ggr_uplift_eur, ggr_z::double as ggr_z,
       ggr_uplift_ci95_low_eur::double as ggr_uplift_ci95_low_eur, ggr_uplift_ci95_high_eur::double as ggr_uplift_ci95_high_eur,
       sessions_per_player::double as sessions_per_player, holdout_sessions_per_player::double as holdout_sessions_per_player,
       sessions_uplift::double as sessions_uplift, sessions_z::double as sessions_z, significant,
       grants, cost_eur::double as cost_eur, reserved_cost_eur::double as reserved_cost_eur, cost_per_player_eur::double as cost_per_player_eur,
       net_uplift_per_player_eur::double as net_uplift_per_player_eur, over_generous
from marts.fct_reward_ab_uplift
