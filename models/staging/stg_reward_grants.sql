-- Rewards granted by the player objects' rules engine (docs/rewards.md "Wiring"): one row per
-- grant, from rewards.granted. A grant id is deterministic (<source event id>:<rule id>:<action
-- index>), so a redelivered or re-emitted grant is one row. Cash-like grants (free_bet, cashback)
-- carry their value and cost in the envelope currency; XP, points, badges, messages and mission
-- progress cost nothing in money (cost_minor 0) and a wheel spin is charged its largest cash-like
-- prize: a reservation, an upper bound; what a spun spin paid is staging.stg_reward_wheel_spins, and
-- intermediate.int_reward_grant_costs is what the marts cost a grant at.
MODEL (
  name staging.stg_reward_grants,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [grant_id],
  owner marketing,
  tags [staging, rewards],
  description 'One row per rewards.granted event: the grant, the rule and version that fired (and its A/B variant), what was given (kind, amount, badge, mission step and progress, wheel, value, message) and its cost in minor units of the player''s currency. Deduplicated on grant_id, keeping the first (by occurred_at, event_id), also across midnight.',
  column_descriptions (
    event_id = 'The event kept for this grant',
    grant_id = 'The grant: <source_event_id>:<rule_id>:<action index> (mission and level rewards name their own rule)',
    occurred_at = 'When the player object granted it (UTC): the time of the bet, deposit or login it came from',
    event_date = 'UTC day of occurred_at',
    player_id = 'The player',
    jurisdiction = 'Licensing jurisdiction of the player',
    table_id = 'Live table of the event that earned it (table events only)',
    round_id = 'Round of that event (table and provider events)',
    rule_id = 'The rule that fired (level:<n> for a level''s reward)',
    rule_version = 'Version of the rule (the rule set''s version for a level''s reward)',
    variant = 'A/B variant the player was in for this rule; NULL when the rule has no variants',
    via = 'mission:<id> for a mission''s completion and its reward, level:<n> for a level''s reward; NULL otherwise',
    source_event_id = 'The engine event that earned it: bet-placed:<hold>, bet-settled:<hold>, provider-bet:<provider>:<tx>, provider-win:..., deposit:<id>, login:<session>',
    source_kind = 'The kind of that event: the part of source_event_id before the first colon',
    kind = 'xp, points, badge, mission_progress, mission_completed, wheel_spin, free_bet, cashback, shout_out or message',
    amount = 'XP or points given (those kinds only)',
    badge_id = 'Badge given (badge only)',
    mission_id = 'Mission advanced or completed (mission_progress, mission_completed)',
    step_index = 'Step of the mission the progress counted towards, 0 first (mission_progress)',
    progress = 'Progress on that step after this grant (mission_progress)',
    target = 'The step''s target (mission_progress); progress = target completes the step',
    wheel_id = 'Wheel of a spin (wheel_spin)',
    value_minor = 'Value of a cash-like offer (free_bet, cashback), minor units',
    expires_at = 'When a cash-like offer expires (UTC)',
    template = 'Message text (message, shout_out)',
    cost_minor = 'What the grant charged, minor units (cash-like value; a wheel spin its largest cash-like prize, a reservation: what it paid once spun is in stg_reward_wheel_spins, int_reward_grant_costs; 0 otherwise)',
    cash_like = 'free_bet or cashback',
    paid = 'The offer reached the wallet (false in this slice: offers are recorded, not paid)',
    currency = 'The player''s currency (value_minor, cost_minor)',
    currency_exponent = 'Minor-unit exponent of currency (seeds.currencies)'
  ),
  audits (
    not_null(columns := [event_id, grant_id, occurred_at, event_date, player_id, rule_id, rule_version, source_event_id, kind, cost_minor, cash_like, currency]),
    unique_values(columns := [grant_id]),
    accepted_values(column := kind, is_in := ('xp', 'points', 'badge', 'mission_progress', 'mission_completed', 'wheel_spin', 'free_bet', 'cashback', 'shout_out', 'message')),
    accepted_range(column := cost_minor, min_v := 0),
    accepted_range(column := amount, min_v := 0),
    forall(criteria := [
      kind NOT IN ('xp', 'points') OR amount IS NOT NULL,
      kind <> 'mission_progress' OR (mission_id IS NOT NULL AND step_index IS NOT NULL AND progress BETWEEN 1 AND target),
      cash_like = (kind IN ('free_bet', 'cashback')),
      NOT cash_like OR (value_minor IS NOT NULL AND cost_minor = value_minor)
    ])
  )
);

WITH events AS (
  -- the interval and the day before it, so a grant re-emitted across midnight is seen as a repeat
  SELECT *
  FROM staging.stg_events
  WHERE macros.dedupe_window(event_date, @start_ds, @end_ds)
    AND event_type = 'rewards.granted'
),
typed AS (
  SELECT
    event_id,
    macros.payload_text(payload, 'grant_id') AS grant_id,
    occurred_at,
    event_date,
    player_id,
    jurisdiction,
    table_id,
    round_id,
    macros.payload_text(payload, 'rule_id') AS rule_id,
    macros.payload_int(payload, 'rule_version') AS rule_version,
    macros.payload_text(payload, 'variant') AS variant,
    macros.payload_text(payload, 'via') AS via,
    macros.payload_text(payload, 'source_event_id') AS source_event_id,
    CAST(split_part(macros.payload_text(payload, 'source_event_id'), ':', 1) AS VARCHAR) AS source_kind,
    macros.payload_text(payload, 'kind') AS kind,
    macros.payload_bigint(payload, 'amount') AS amount,
    macros.payload_text(payload, 'badge_id') AS badge_id,
    macros.payload_text(payload, 'mission_id') AS mission_id,
    macros.payload_int(payload, 'step_index') AS step_index,
    macros.payload_int(payload, 'progress') AS progress,
    macros.payload_int(payload, 'target') AS target,
    macros.payload_text(payload, 'wheel_id') AS wheel_id,
    macros.payload_bigint(payload, 'value_minor') AS value_minor,
    macros.payload_ts(payload, 'expires_at') AS expires_at,
    macros.payload_text(payload, 'template') AS template,
    macros.payload_bigint(payload, 'cost_minor') AS cost_minor,
    macros.payload_bool(payload, 'cash_like') AS cash_like,
    macros.payload_bool(payload, 'paid') AS paid,
    currency,
    currency_exponent
  FROM events
),
deduped AS (
  SELECT *
  FROM typed
  QUALIFY row_number() OVER (PARTITION BY grant_id ORDER BY occurred_at, event_id) = 1
),
final AS (
  SELECT *
  FROM deduped
  WHERE event_date BETWEEN @start_ds AND @end_ds
)
SELECT * FROM final
