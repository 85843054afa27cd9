-- Why rules that applied gave nothing (issue 17, "Warehouse"): per UTC day, rule and reason, the
-- suppressions the player objects logged (rewards.suppressed). The reasons are the engine's own
-- (docs/rewards.md "Evaluation"): player_at_risk (responsible gaming), holdout (A/B), rule_cap,
-- cooldown, pacing, daily_points_cap, daily_xp_cap, daily_cash_cap, budget_exhausted,
-- no_value_in_currency. A rule mostly suppressed by its caps is tuned too generously for its
-- event; one suppressed by player_at_risk mostly reaches players the RG rules protect.
MODEL (
  name marts.fct_reward_suppressions_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column activity_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [activity_date, rule_id, reason],
  owner marketing,
  tags [marts, rewards, responsible_gaming],
  description 'One row per UTC day, rule and suppression reason: suppressions logged (rewards.suppressed), distinct players, suppressions of a single action (the rest suppressed the whole rule), and the rule''s grants that day for scale.',
  column_descriptions (
    activity_date = 'UTC day of the suppressions',
    rule_id = 'The rule that applied and gave nothing',
    reason = 'Why: player_at_risk, holdout, rule_cap, cooldown, pacing, daily_points_cap, daily_xp_cap, daily_cash_cap, budget_exhausted, no_value_in_currency, ...',
    is_responsible_gaming = 'reason = player_at_risk: withheld from a player at risk',
    suppressions = 'Suppressions logged',
    players = 'Distinct players suppressed',
    action_suppressions = 'Suppressions of one action of the rule (caps, budgets); the others withheld the whole rule',
    rule_grants = 'Grants of the same rule that day (all reasons'' rows of the rule carry the same figure)'
  ),
  audits (
    not_null(columns := [activity_date, rule_id, reason, is_responsible_gaming, suppressions, players, action_suppressions, rule_grants]),
    unique_combination_of_columns(columns := [activity_date, rule_id, reason]),
    forall(criteria := [players <= suppressions, action_suppressions <= suppressions])
  )
);

WITH suppressed AS (
  SELECT event_date AS activity_date, rule_id, reason,
    count(*) AS suppressions, count(DISTINCT player_id) AS players, count(action) AS action_suppressions
  FROM staging.stg_reward_outcomes
  WHERE event_date BETWEEN @start_ds AND @end_ds AND outcome = 'suppressed'
  GROUP BY ALL
),
granted AS (
  SELECT event_date AS activity_date, rule_id, count(*) AS rule_grants
  FROM staging.stg_reward_grants
  WHERE event_date BETWEEN @start_ds AND @end_ds
  GROUP BY ALL
)
SELECT
  s.activity_date,
  s.rule_id,
  s.reason,
  s.reason = 'player_at_risk' AS is_responsible_gaming,
  s.suppressions,
  s.players,
  s.action_suppressions,
  coalesce(g.rule_grants, 0) AS rule_grants
FROM suppressed AS s
LEFT JOIN granted AS g ON g.activity_date = s.activity_date AND g.rule_id = s.rule_id
