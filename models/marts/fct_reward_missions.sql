-- Missions as a whole (issue 17, "Warehouse"): how many players start and complete each mission
-- of the live rule set, what its completion reward costs per completion, and whether it is dead
-- (nobody progressed in it for dead_after_days). One row per mission and player currency, plus a
-- roll-up row per mission with currency '(all)' (counts over every currency, cost in EUR only),
-- which every mission has even when nobody ever started it.
--
-- Cost: the cost_minor of the grants made through the mission (via = 'mission:<id>': its
-- completion reward) as intermediate.int_reward_grant_costs knows it, in the player's currency; in
-- EUR at the grant day's seeds.fx_rates rate (macros.minor_to_eur, exact, rounded once). Points, XP
-- and badges cost 0 in money; a free bet or cashback its value; a wheel spin what its prize paid
-- once spun, and until then its reservation (the wheel's largest cash-like prize), shown apart in
-- reward_cost_reserved_* so the known part of the cost is reward_cost - reward_cost_reserved.
--
-- Kind FULL, like fct_reward_mission_funnel: the dead flag moves with the day.
MODEL (
  name marts.fct_reward_missions,
  kind FULL,
  cron '*/15 * * * *',
  grain [mission_id, currency],
  owner marketing,
  tags [marts, rewards, crm],
  description 'One row per mission of the live rule set and player currency with activity, plus a ''(all)'' row per mission: players who started (progress at step 0) and completed it, completions, completion rate, expirations, the completion rewards'' cost (minor units per currency; EUR everywhere; a wheel spin at what it paid, or its reservation while unspun, that part shown apart) and cost per completion, the last progress and the dead flag (no progress within dead_after_days, as of the run''s day).',
  column_descriptions (
    mission_id = 'Mission (seeds.reward_missions)',
    mission_name = 'Display name of the mission',
    steps = 'Steps of the mission',
    currency = 'The players'' currency, or ''(all)'' for the mission''s roll-up',
    as_of_date = 'The day the row is computed for (@end_ds)',
    players_started = 'Distinct players with progress at step 0',
    players_completed = 'Distinct players who completed the mission',
    completions = 'Completions (a repeatable mission can be completed more than once per player)',
    completion_rate = 'players_completed / players_started, DECIMAL(9,6); NULL when nobody started',
    expirations = 'Missions that ran out unfinished and started again (rewards.mission_expired)',
    reward_grants = 'Grants made through the mission (via mission:<id>: its completion reward)',
    reward_cost_minor = 'Their cost, minor units of currency (intermediate.int_reward_grant_costs: a spun wheel spin what its prize paid, an unspun one its reservation); NULL on the (all) row',
    currency_exponent = 'Minor-unit exponent of currency; NULL on the (all) row',
    reward_cost_eur = 'Their cost in EUR, DECIMAL(18,2)',
    reward_cost_reserved_minor = 'The part of reward_cost_minor that is unspun wheel spins'' reservations (their wheels'' largest cash-like prizes): an upper bound, which can only fall once they are spun; NULL on the (all) row',
    reward_cost_reserved_eur = 'The same part of reward_cost_eur, DECIMAL(18,2)',
    cost_per_completion_minor = 'reward_cost_minor / completions, minor units (integer division, rounded down); NULL without completions or on the (all) row',
    cost_per_completion_eur = 'reward_cost_eur / completions, DECIMAL(18,2); NULL without completions',
    last_progress_at = 'Latest progress in the mission by anyone (UTC), all currencies; NULL if never',
    days_since_progress = 'as_of_date - the day of last_progress_at; NULL if never',
    dead_after_days = 'The threshold (7 days)',
    is_dead = 'The mission is live and nobody progressed in it within dead_after_days (or ever): a mission to fix or retire'
  ),
  audits (
    not_null(columns := [mission_id, currency, as_of_date, players_started, players_completed, completions, expirations, reward_grants, reward_cost_eur, reward_cost_reserved_eur, is_dead]),
    unique_combination_of_columns(columns := [mission_id, currency]),
    accepted_range(column := completion_rate, min_v := 0, max_v := 1),
    accepted_range(column := reward_cost_eur, min_v := 0),
    accepted_range(column := reward_cost_reserved_eur, min_v := 0),
    forall(criteria := [
      players_completed <= completions,
      (currency = '(all)') = (reward_cost_minor IS NULL),
      (currency = '(all)') = (reward_cost_reserved_minor IS NULL),
      reward_cost_reserved_minor <= reward_cost_minor,
      reward_cost_reserved_eur <= reward_cost_eur
    ])
  )
);

WITH t AS (
  SELECT CAST(@end_ds AS DATE) AS as_of_date, 7 AS dead_after_days
),
missions AS (
  SELECT mission_id, any_value(mission_name) AS mission_name, any_value(steps) AS steps
  FROM seeds.reward_missions
  GROUP BY ALL
),
grants AS (
  SELECT g.*
  FROM staging.stg_reward_grants AS g
  WHERE g.event_date <= (SELECT as_of_date FROM t) AND (g.kind IN ('mission_progress', 'mission_completed') OR g.via LIKE 'mission:%')
),
expired AS (
  SELECT o.mission_id, o.player_id, p.currency
  FROM staging.stg_reward_outcomes AS o
  -- the player's currency: that of their grants (an outcome carries none of its own money)
  LEFT JOIN (SELECT player_id, any_value(currency) AS currency FROM grants GROUP BY ALL) AS p ON p.player_id = o.player_id
  WHERE o.outcome = 'mission_expired' AND o.event_date <= (SELECT as_of_date FROM t)
),
costed AS (
  -- each grant's cost as far as it is known (a wheel spin: paid once spun, else reserved)
  SELECT CAST(substr(c.via, 9) AS VARCHAR) AS mission_id, c.currency, c.currency_exponent, c.cost_minor, c.reserved_cost_minor,
    macros.minor_to_eur(c.cost_minor, c.currency_exponent, fx.rate_to_eur) AS cost_eur,
    macros.minor_to_eur(c.reserved_cost_minor, c.currency_exponent, fx.rate_to_eur) AS reserved_cost_eur
  FROM intermediate.int_reward_grant_costs AS c
  LEFT JOIN seeds.fx_rates AS fx ON fx.rate_date = c.event_date AND fx.currency = c.currency
  WHERE c.via LIKE 'mission:%' AND c.event_date <= (SELECT as_of_date FROM t)
),
by_currency AS (
  SELECT mission_id, currency,
    count(DISTINCT player_id) FILTER (WHERE kind = 'mission_progress' AND step_index = 0) AS players_started,
    count(DISTINCT player_id) FILTER (WHERE kind = 'mission_completed') AS players_completed,
    count(*) FILTER (WHERE kind = 'mission_completed') AS completions
  FROM grants
  WHERE kind IN ('mission_progress', 'mission_completed')
  GROUP BY GROUPING SETS ((mission_id, currency), (mission_id))
),
cost_by_currency AS (
  SELECT mission_id, currency, count(*) AS reward_grants, sum(cost_minor) AS reward_cost_minor, any_value(currency_exponent) AS currency_exponent, sum(cost_eur) AS cost_eur,
    sum(reserved_cost_minor) AS reward_cost_reserved_minor, sum(reserved_cost_eur) AS reserved_cost_eur
  FROM costed
  GROUP BY GROUPING SETS ((mission_id, currency), (mission_id))
),
expired_by_currency AS (
  SELECT mission_id, currency, count(*) AS expirations
  FROM expired
  GROUP BY GROUPING SETS ((mission_id, currency), (mission_id))
),
last_progress AS (
  SELECT mission_id, max(occurred_at) AS last_progress_at FROM grants WHERE kind = 'mission_progress' GROUP BY ALL
),
keys AS (
  SELECT mission_id, '(all)' AS currency FROM missions
  UNION
  SELECT mission_id, currency FROM by_currency WHERE currency IS NOT NULL AND mission_id IN (SELECT mission_id FROM missions)
  UNION
  SELECT mission_id, currency FROM cost_by_currency WHERE currency IS NOT NULL AND mission_id IN (SELECT mission_id FROM missions)
)
SELECT
  k.mission_id,
  m.mission_name,
  m.steps,
  CAST(k.currency AS VARCHAR) AS currency,
  t.as_of_date,
  coalesce(b.players_started, 0) AS players_started,
  coalesce(b.players_completed, 0) AS players_completed,
  coalesce(b.completions, 0) AS completions,
  CAST(b.players_completed / nullif(b.players_started, 0) AS DECIMAL(9, 6)) AS completion_rate,
  coalesce(x.expirations, 0) AS expirations,
  coalesce(c.reward_grants, 0) AS reward_grants,
  CASE WHEN k.currency <> '(all)' THEN coalesce(c.reward_cost_minor, 0) END AS reward_cost_minor,
  CASE WHEN k.currency <> '(all)' THEN coalesce(c.currency_exponent, cur.exponent) END AS currency_exponent,
  CAST(round(coalesce(c.cost_eur, 0), 2) AS DECIMAL(18, 2)) AS reward_cost_eur,
  CASE WHEN k.currency <> '(all)' THEN coalesce(c.reward_cost_reserved_minor, 0) END AS reward_cost_reserved_minor,
  CAST(round(coalesce(c.reserved_cost_eur, 0), 2) AS DECIMAL(18, 2)) AS reward_cost_reserved_eur,
  CASE WHEN k.currency <> '(all)' AND b.completions > 0 THEN CAST(coalesce(c.reward_cost_minor, 0) // b.completions AS BIGINT) END AS cost_per_completion_minor,
  CAST(round(coalesce(c.cost_eur, 0) / nullif(b.completions, 0), 2) AS DECIMAL(18, 2)) AS cost_per_completion_eur,
  l.last_progress_at,
  CAST(t.as_of_date - CAST(l.last_progress_at AS DATE) AS INTEGER) AS days_since_progress,
  t.dead_after_days,
  l.last_progress_at IS NULL OR t.as_of_date - CAST(l.last_progress_at AS DATE) >= t.dead_after_days AS is_dead
FROM keys AS k
CROSS JOIN t
JOIN missions AS m ON m.mission_id = k.mission_id
LEFT JOIN by_currency AS b ON b.mission_id = k.mission_id AND coalesce(b.currency, '(all)') = k.currency
LEFT JOIN cost_by_currency AS c ON c.mission_id = k.mission_id AND coalesce(c.currency, '(all)') = k.currency
LEFT JOIN expired_by_currency AS x ON x.mission_id = k.mission_id AND coalesce(x.currency, '(all)') = k.currency
LEFT JOIN last_progress AS l ON l.mission_id = k.mission_id
LEFT JOIN seeds.currencies AS cur ON cur.code = k.currency
