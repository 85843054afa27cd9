-- The rewards engine's other outcomes (docs/rewards.md "Wiring"), one row per event: a rule that
-- applied and gave nothing, and why (rewards.suppressed: player_at_risk, holdout, rule_cap,
-- pacing, daily caps, budget_exhausted, ...); a player's first, sticky A/B assignment to a rule's
-- variant or its holdout (rewards.assigned); a level reached (rewards.level_up); a mission that
-- ran out and started again (rewards.mission_expired); and a break suggested to a player at risk
-- instead of promotions (rewards.break_suggested). Only the columns of each type are set.
MODEL (
  name staging.stg_reward_outcomes,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [event_id],
  owner marketing,
  tags [staging, rewards, responsible_gaming],
  description 'One row per rewards.suppressed, rewards.assigned, rewards.level_up, rewards.mission_expired and rewards.break_suggested event, with the engine event it came from. The player objects emit each outcome once (under its engine event''s idempotency); events are unique on event_id (raw.events).',
  column_descriptions (
    event_id = 'The event',
    event_type = 'rewards.suppressed, rewards.assigned, rewards.level_up, rewards.mission_expired or rewards.break_suggested',
    outcome = 'suppressed, assigned, level_up, mission_expired or break_suggested',
    occurred_at = 'When the player object evaluated the event (UTC)',
    event_date = 'UTC day of occurred_at',
    player_id = 'The player',
    jurisdiction = 'Licensing jurisdiction of the player',
    table_id = 'Live table of the source event (table events only)',
    round_id = 'Round of the source event',
    source_event_id = 'The engine event evaluated: bet-placed:<hold>, bet-settled:<hold>, provider-bet:..., deposit:<id>, login:<session>',
    source_kind = 'The part of source_event_id before the first colon',
    rule_id = 'The rule (suppressed, assigned)',
    rule_version = 'Its version (suppressed, assigned)',
    variant = 'A/B variant or holdout (assigned: the assignment; suppressed: the player''s variant of the rule, if any)',
    reason = 'Why nothing was given (suppressed): player_at_risk, holdout, rule_cap, cooldown, pacing, daily_points_cap, daily_xp_cap, daily_cash_cap, budget_exhausted, no_value_in_currency, ...',
    action = 'The action suppressed, when one action of the rule was (suppressed)',
    detail = 'More on the reason, e.g. the risk reasons of player_at_risk (suppressed)',
    from_level = 'Level before (level_up; NULL on the first placement)',
    to_level = 'Level reached (level_up)',
    level_name = 'Name of the level reached (level_up)',
    tier = 'Tier of the level reached (level_up)',
    mission_id = 'Mission that expired (mission_expired)',
    step_index = 'Step it had reached (mission_expired)',
    progress = 'Progress it had on that step (mission_expired)',
    template = 'The break message sent (break_suggested)',
    risk_reasons = 'Why the player was at risk, comma-joined: rapid_losses, limit_hit, cool_off_ended, rg_risk_segment (break_suggested)'
  ),
  audits (
    not_null(columns := [event_id, event_type, outcome, occurred_at, event_date, player_id, source_event_id]),
    unique_values(columns := [event_id]),
    accepted_values(column := outcome, is_in := ('suppressed', 'assigned', 'level_up', 'mission_expired', 'break_suggested')),
    forall(criteria := [
      outcome NOT IN ('suppressed', 'assigned') OR (rule_id IS NOT NULL AND rule_version IS NOT NULL),
      outcome <> 'suppressed' OR reason IS NOT NULL,
      outcome <> 'assigned' OR variant IS NOT NULL,
      outcome <> 'level_up' OR to_level IS NOT NULL,
      outcome <> 'break_suggested' OR risk_reasons IS NOT NULL
    ])
  )
);

SELECT
  event_id,
  event_type,
  macros.event_type_part(event_type, 2) AS outcome,
  occurred_at,
  event_date,
  player_id,
  jurisdiction,
  table_id,
  round_id,
  macros.payload_text(payload, 'source_event_id') AS source_event_id,
  CAST(split_part(macros.payload_text(payload, 'source_event_id'), ':', 1) AS VARCHAR) AS source_kind,
  macros.payload_text(payload, 'rule_id') AS rule_id,
  macros.payload_int(payload, 'rule_version') AS rule_version,
  macros.payload_text(payload, 'variant') AS variant,
  macros.payload_text(payload, 'reason') AS reason,
  macros.payload_text(payload, 'action') AS action,
  macros.payload_text(payload, 'detail') AS detail,
  macros.payload_int(payload, 'from_level') AS from_level,
  macros.payload_int(payload, 'to_level') AS to_level,
  macros.payload_text(payload, 'name') AS level_name,
  macros.payload_text(payload, 'tier') AS tier,
  macros.payload_text(payload, 'mission_id') AS mission_id,
  macros.payload_int(payload, 'step_index') AS step_index,
  macros.payload_int(payload, 'progress') AS progress,
  macros.payload_text(payload, 'template') AS template,
  macros.payload_text(payload, 'reasons') AS risk_reasons
FROM staging.stg_events
WHERE event_date BETWEEN @start_ds AND @end_ds
  AND event_type IN ('rewards.suppressed', 'rewards.assigned', 'rewards.level_up', 'rewards.mission_expired', 'rewards.break_suggested')
