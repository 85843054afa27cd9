-- Each A/B variant of a rewards rule against the rule's holdout (issue 17, "Warehouse"): did the
-- reward move play, and did it cost more than it earned? The player objects assign a player to a
-- variant or the holdout once per rule, stickily, by a hash (rewards.assigned, docs/rewards.md
-- "A/B"); holdout players are treated alike for caps and pacing but get nothing. Both arms are
-- measured the same way: per player, the play of the window_days UTC days from the day of the
-- assignment (that day included; days after the run's day are not there yet) in
-- marts.fct_player_daily: handle (stakes), GGR (stakes - wins) in EUR at each day's
-- seeds.fx_rates rate, and sessions. Both of the player's own money: a free bet the rule gave
-- (docs/rewards.md "Cash-like rewards") is not play it moved, so its stake is in neither (counted,
-- a free-bet variant showed its own tokens as handle uplift); its cost is the grant's, below.
--
-- Uplift = the variant's mean per player - the holdout's. The significance is Welch's two-sample
-- z: se = sqrt(var_v / n_v + var_h / n_h) (sample variances), z = uplift / se, the 95% interval
-- uplift +- 1.96 se; with the counts beside it an analyst sees how far to trust it (n < 30 per
-- arm: read the z as indicative). Cost: the cost_minor of the rule's grants to the variant's
-- players as intermediate.int_reward_grant_costs knows it (EUR at the grant day's rate), per player
-- of the arm: a wheel spin at what its prize paid, not at the largest prize its grant reserved, so
-- a wheel rule is not called over-generous for prizes it never paid; an unspun spin still counts
-- its reservation (an upper bound), shown apart in reserved_cost_eur. over_generous when that cost
-- per player is above the GGR uplift per player: the reward gives away more than it brings in.
--
-- Kind FULL: the windows end at the run's day and move with it.
MODEL (
  name marts.fct_reward_ab_uplift,
  kind FULL,
  cron '*/15 * * * *',
  grain [rule_id, variant],
  owner marketing,
  tags [marts, rewards, crm, experiments],
  description 'One row per rewards rule with A/B variants and per variant (holdout excluded) as of the run''s day: players in the variant and the holdout, handle, GGR and sessions per player over the window_days from assignment for each arm, the uplift of each (variant - holdout) with Welch''s z and a 95% interval, the rule''s cost per player of the variant, net uplift (GGR uplift - cost) and over_generous (cost above the GGR uplift). Cost counts a spun wheel spin at what its prize paid, an unspun one at its reservation (reserved_cost_eur). Money in EUR.',
  column_descriptions (
    rule_id = 'The rule',
    variant = 'The variant (rewards.assigned); the holdout is the comparison, not a row',
    as_of_date = 'The day the row is computed for (@end_ds); windows are cut there',
    window_days = 'Days of play measured per player from the day of the assignment (7)',
    players = 'Players assigned to the variant',
    holdout_players = 'Players assigned to the rule''s holdout',
    handle_per_player_eur = 'Mean stakes per player of the variant over the window, EUR, DECIMAL(18,2)',
    holdout_handle_per_player_eur = 'The same for the holdout, DECIMAL(18,2)',
    handle_uplift_eur = 'handle_per_player_eur - holdout_handle_per_player_eur (unrounded means), DECIMAL(18,2)',
    handle_z = 'Welch z of the handle uplift, DECIMAL(9,3); NULL when an arm has fewer than 2 players or no variance',
    ggr_per_player_eur = 'Mean GGR (stakes - wins) per player of the variant over the window, EUR, DECIMAL(18,2)',
    holdout_ggr_per_player_eur = 'The same for the holdout, DECIMAL(18,2)',
    ggr_uplift_eur = 'ggr_per_player_eur - holdout_ggr_per_player_eur (unrounded means), DECIMAL(18,2)',
    ggr_z = 'Welch z of the GGR uplift, DECIMAL(9,3)',
    ggr_uplift_ci95_low_eur = 'Lower end of the 95% interval of the GGR uplift (uplift - 1.96 se), DECIMAL(18,2)',
    ggr_uplift_ci95_high_eur = 'Upper end, DECIMAL(18,2)',
    sessions_per_player = 'Mean sessions per player of the variant over the window, DECIMAL(9,3)',
    holdout_sessions_per_player = 'The same for the holdout, DECIMAL(9,3)',
    sessions_uplift = 'sessions_per_player - holdout_sessions_per_player, DECIMAL(9,3)',
    sessions_z = 'Welch z of the sessions uplift, DECIMAL(9,3)',
    significant = '|ggr_z| >= 1.96 (two-sided 5%); NULL without a z',
    grants = 'Grants of the rule to the variant''s players',
    cost_eur = 'Their cost in EUR (int_reward_grant_costs.cost_minor: a spun wheel spin what its prize paid, an unspun one its reservation), DECIMAL(18,2)',
    reserved_cost_eur = 'The part of cost_eur that is unspun wheel spins'' reservations (their wheels'' largest cash-like prizes): an upper bound, which can only fall once they are spun, DECIMAL(18,2)',
    cost_per_player_eur = 'cost_eur / players, DECIMAL(18,4)',
    net_uplift_per_player_eur = 'ggr_uplift - cost per player (unrounded), DECIMAL(18,2); NULL without a holdout',
    over_generous = 'The rule''s cost per player of the variant is above its GGR uplift per player; NULL without a holdout'
  ),
  audits (
    not_null(columns := [rule_id, variant, as_of_date, players, holdout_players, grants, cost_eur, reserved_cost_eur]),
    unique_combination_of_columns(columns := [rule_id, variant]),
    accepted_range(column := players, min_v := 1),
    accepted_range(column := cost_eur, min_v := 0),
    accepted_range(column := reserved_cost_eur, min_v := 0),
    forall(criteria := [variant <> 'holdout', ggr_uplift_ci95_low_eur <= ggr_uplift_ci95_high_eur, (holdout_players = 0) = (over_generous IS NULL), reserved_cost_eur <= cost_eur])
  )
);

WITH t AS (
  SELECT CAST(@end_ds AS DATE) AS as_of_date, 7 AS window_days, 1.959964 AS z95
),
assigned AS (
  -- sticky: the first assignment of a player to a rule (a re-assignment after a variant was removed is not compared)
  SELECT rule_id, player_id, arg_min(variant, occurred_at) AS variant, CAST(min(occurred_at) AS DATE) AS assigned_date
  FROM staging.stg_reward_outcomes
  WHERE outcome = 'assigned' AND event_date <= (SELECT as_of_date FROM t)
  GROUP BY ALL
),
play AS (
  SELECT
    a.rule_id, a.player_id, a.variant,
    coalesce(sum(macros.minor_to_eur(d.stakes_minor, d.currency_exponent, fx.rate_to_eur)), 0) AS handle_eur,
    coalesce(sum(macros.minor_to_eur(d.ggr_minor, d.currency_exponent, fx.rate_to_eur)), 0) AS ggr_eur,
    coalesce(sum(d.sessions), 0) AS sessions
  FROM assigned AS a
  CROSS JOIN t
  LEFT JOIN marts.fct_player_daily AS d
    ON d.player_id = a.player_id AND d.activity_date >= a.assigned_date AND d.activity_date < a.assigned_date + t.window_days AND d.activity_date <= t.as_of_date
  LEFT JOIN seeds.fx_rates AS fx ON fx.rate_date = d.activity_date AND fx.currency = d.currency
  GROUP BY ALL
),
costs AS (
  SELECT g.rule_id, g.player_id, count(*) AS grants,
    sum(macros.minor_to_eur(g.cost_minor, g.currency_exponent, fx.rate_to_eur)) AS cost_eur,
    sum(macros.minor_to_eur(g.reserved_cost_minor, g.currency_exponent, fx.rate_to_eur)) AS reserved_cost_eur
  FROM intermediate.int_reward_grant_costs AS g
  LEFT JOIN seeds.fx_rates AS fx ON fx.rate_date = g.event_date AND fx.currency = g.currency
  WHERE g.variant IS NOT NULL AND g.event_date <= (SELECT as_of_date FROM t)
  GROUP BY ALL
),
arms AS (
  SELECT
    p.rule_id, p.variant,
    count(*) AS players,
    avg(p.handle_eur) AS handle_mean, var_samp(p.handle_eur) AS handle_var,
    avg(p.ggr_eur) AS ggr_mean, var_samp(p.ggr_eur) AS ggr_var,
    avg(p.sessions) AS sessions_mean, var_samp(p.sessions) AS sessions_var,
    coalesce(sum(c.grants), 0) AS grants,
    coalesce(sum(c.cost_eur), 0) AS cost_eur,
    coalesce(sum(c.reserved_cost_eur), 0) AS reserved_cost_eur
  FROM play AS p
  LEFT JOIN costs AS c ON c.rule_id = p.rule_id AND c.player_id = p.player_id
  GROUP BY ALL
),
compared AS (
  SELECT
    v.rule_id, v.variant, v.players, coalesce(h.players, 0) AS holdout_players,
    v.handle_mean, h.handle_mean AS h_handle_mean, v.handle_mean - h.handle_mean AS handle_uplift,
    sqrt(v.handle_var / v.players + h.handle_var / h.players) AS handle_se,
    v.ggr_mean, h.ggr_mean AS h_ggr_mean, v.ggr_mean - h.ggr_mean AS ggr_uplift,
    sqrt(v.ggr_var / v.players + h.ggr_var / h.players) AS ggr_se,
    v.sessions_mean, h.sessions_mean AS h_sessions_mean, v.sessions_mean - h.sessions_mean AS sessions_uplift,
    sqrt(v.sessions_var / v.players + h.sessions_var / h.players) AS sessions_se,
    v.grants, v.cost_eur, v.reserved_cost_eur, v.cost_eur / v.players AS cost_pp
  FROM arms AS v
  LEFT JOIN arms AS h ON h.rule_id = v.rule_id AND h.variant = 'holdout'
  WHERE v.variant <> 'holdout'
)
SELECT
  c.rule_id,
  c.variant,
  t.as_of_date,
  t.window_days,
  c.players,
  c.holdout_players,
  CAST(round(c.handle_mean, 2) AS DECIMAL(18, 2)) AS handle_per_player_eur,
  CAST(round(c.h_handle_mean, 2) AS DECIMAL(18, 2)) AS holdout_handle_per_player_eur,
  CAST(round(c.handle_uplift, 2) AS DECIMAL(18, 2)) AS handle_uplift_eur,
  CAST(c.handle_uplift / nullif(c.handle_se, 0) AS DECIMAL(9, 3)) AS handle_z,
  CAST(round(c.ggr_mean, 2) AS DECIMAL(18, 2)) AS ggr_per_player_eur,
  CAST(round(c.h_ggr_mean, 2) AS DECIMAL(18, 2)) AS holdout_ggr_per_player_eur,
  CAST(round(c.ggr_uplift, 2) AS DECIMAL(18, 2)) AS ggr_uplift_eur,
  CAST(c.ggr_uplift / nullif(c.ggr_se, 0) AS DECIMAL(9, 3)) AS ggr_z,
  CAST(round(c.ggr_uplift - t.z95 * c.ggr_se, 2) AS DECIMAL(18, 2)) AS ggr_uplift_ci95_low_eur,
  CAST(round(c.ggr_uplift + t.z95 * c.ggr_se, 2) AS DECIMAL(18, 2)) AS ggr_uplift_ci95_high_eur,
  CAST(c.sessions_mean AS DECIMAL(9, 3)) AS sessions_per_player,
  CAST(c.h_sessions_mean AS DECIMAL(9, 3)) AS holdout_sessions_per_player,
  CAST(c.sessions_uplift AS DECIMAL(9, 3)) AS sessions_uplift,
  CAST(c.sessions_uplift / nullif(c.sessions_se, 0) AS DECIMAL(9, 3)) AS sessions_z,
  abs(c.ggr_uplift / nullif(c.ggr_se, 0)) >= t.z95 AS significant,
  c.grants,
  CAST(round(c.cost_eur, 2) AS DECIMAL(18, 2)) AS cost_eur,
  CAST(round(c.reserved_cost_eur, 2) AS DECIMAL(18, 2)) AS reserved_cost_eur,
  CAST(round(c.cost_pp, 4) AS DECIMAL(18, 4)) AS cost_per_player_eur,
  CAST(round(c.ggr_uplift - c.cost_pp, 2) AS DECIMAL(18, 2)) AS net_uplift_per_player_eur,
  CASE WHEN c.holdout_players > 0 THEN c.cost_pp > c.ggr_uplift END AS over_generous
FROM compared AS c
CROSS JOIN t
