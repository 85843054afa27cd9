-- Responsible gaming: limits set, applied (a pending raise taking effect) and refused breaches,
-- reality checks, cool-offs and self-exclusions. One row per rg.* event.
MODEL (
  name staging.stg_limits,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [event_id],
  owner data,
  tags [staging, responsible_gaming],
  description 'One row per rg.* event (limit.set, limit.applied, limit.breach_refused, reality_check.due, cool_off.started / ended, self_exclusion.started / ended). Each is a fact of its own with no business id, unique on event_id as raw.events already is: nothing further to deduplicate. Money limits (deposit, loss, wager) are integer minor units of currency; session_time and reality_check limits are minutes (limit_unit says which).',
  column_descriptions (
    event_id = 'The event',
    event_type = 'rg.<step>',
    step = 'limit_set, limit_applied, limit_breach_refused, reality_check_due, cool_off_started, cool_off_ended, self_exclusion_started or self_exclusion_ended',
    occurred_at = 'When the player object committed it (UTC)',
    event_date = 'UTC day of occurred_at',
    player_id = 'The player',
    jurisdiction = 'Licensing jurisdiction of the player',
    limit_kind = 'deposit, loss, wager, session_time or reality_check (limit steps)',
    limit_period = 'day, week, month or session (limit steps)',
    limit_unit = 'minor (money limits, in minor units of currency) or minutes (session_time, reality_check)',
    limit_value = 'The limit now (limit_set: requested; limit_applied: in force; breach_refused: the limit hit); NULL = no limit',
    previous_value = 'The limit before (limit_set only; NULL = none)',
    effective_at = 'When a set limit takes effect: now when lowered, after the cooling period when raised (limit_set only)',
    is_pending = 'True when the set limit waits for its cooling period (limit_set only)',
    attempted_minor = 'What the refused action would have taken, minor units (breach_refused only)',
    session_id = 'The session (reality_check_due only)',
    session_elapsed_ms = 'Time into the session, ms (reality_check_due only)',
    until_at = 'End of the cool-off or self-exclusion (started steps; NULL = indefinite self-exclusion)',
    cool_off_hours = 'Cool-off length in hours (cool_off_started only)',
    self_exclusion_months = 'Self-exclusion length in months (self_exclusion_started only; NULL = indefinite)',
    currency = 'The player''s wallet currency (money limits)',
    currency_exponent = 'Minor-unit exponent of currency (seeds.currencies)'
  ),
  audits (
    not_null(columns := [event_id, step, occurred_at, event_date, player_id]),
    unique_values(columns := [event_id]),
    accepted_values(column := step, is_in := ('limit_set', 'limit_applied', 'limit_breach_refused', 'reality_check_due', 'cool_off_started', 'cool_off_ended', 'self_exclusion_started', 'self_exclusion_ended')),
    accepted_values(column := limit_kind, is_in := ('deposit', 'loss', 'wager', 'session_time', 'reality_check')),
    accepted_values(column := limit_period, is_in := ('day', 'week', 'month', 'session')),
    accepted_values(column := limit_unit, is_in := ('minor', 'minutes')),
    accepted_range(column := limit_value, min_v := 0),
    accepted_range(column := previous_value, min_v := 0),
    accepted_range(column := attempted_minor, min_v := 0),
    accepted_range(column := cool_off_hours, min_v := 1),
    forall(criteria := [limit_unit <> 'minor' OR currency_exponent IS NOT NULL, (step LIKE 'limit%') = (limit_kind IS NOT NULL)])
  )
);

WITH events AS (
  SELECT *
  FROM staging.stg_events
  WHERE event_date BETWEEN @start_ds AND @end_ds
    AND event_type LIKE 'rg.%'
),
typed AS (
  SELECT
    event_id,
    event_type,
    CAST(replace(substr(event_type, length('rg.') + 1), '.', '_') AS VARCHAR) AS step,
    occurred_at,
    event_date,
    player_id,
    jurisdiction,
    macros.payload_text(payload, 'kind') AS limit_kind,
    macros.payload_text(payload, 'period') AS limit_period,
    CAST(CASE
      WHEN macros.payload_text(payload, 'kind') IN ('deposit', 'loss', 'wager') THEN 'minor'
      WHEN macros.payload_text(payload, 'kind') IN ('session_time', 'reality_check') THEN 'minutes'
    END AS VARCHAR) AS limit_unit,
    CAST(coalesce(macros.payload_text(payload, 'value'), macros.payload_text(payload, 'limit')) AS BIGINT) AS limit_value,
    macros.payload_bigint(payload, 'previous') AS previous_value,
    macros.payload_ts(payload, 'effective_at') AS effective_at,
    macros.payload_bool(payload, 'pending') AS is_pending,
    macros.payload_bigint(payload, 'attempted_minor') AS attempted_minor,
    macros.payload_text(payload, 'session_id') AS session_id,
    macros.payload_bigint(payload, 'session_elapsed_ms') AS session_elapsed_ms,
    macros.payload_ts(payload, 'until') AS until_at,
    macros.payload_int(payload, 'hours') AS cool_off_hours,
    macros.payload_int(payload, 'months') AS self_exclusion_months,
    currency,
    currency_exponent
  FROM events
),
final AS (
  SELECT * FROM typed
)
SELECT * FROM final
