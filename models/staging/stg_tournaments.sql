-- Tournaments as their objects report them (durable/tournament/, docs/tournaments.md): one row per
-- tournament and step, from tournament.created, tournament.cancelled and tournament.ended. The
-- players' side (joins, prizes paid) is staging.stg_tournament_players.
MODEL (
  name staging.stg_tournaments,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [tournament_id, step],
  owner marketing,
  tags [staging, tournaments, money],
  description 'One row per tournament and step (created, cancelled, ended). created carries the definition (brand, name, window, prizes, prize pool, creator); ended the frozen result (entrants, scored, awards, awarded and unawarded amounts); cancelled the operator and reason. Deduplicated on (tournament_id, step), keeping the first event (by occurred_at, event_id), also across midnight. Money in integer minor units of the tournament''s currency.',
  column_descriptions (
    event_id = 'The event kept for this tournament and step',
    event_type = 'tournament.created, tournament.cancelled or tournament.ended',
    step = 'created, cancelled or ended',
    occurred_at = 'When the tournament object committed the step (UTC)',
    event_date = 'UTC day of occurred_at',
    tournament_id = 'The tournament',
    brand = 'Brand the tournament runs in (created)',
    tournament_name = 'Its name (created)',
    starts_at = 'Start of the scoring window, UTC (created)',
    ends_at = 'End of the scoring window, UTC (created)',
    prizes = 'Number of prizes (ranks paid) (created)',
    prize_pool_minor = 'Sum of the prizes, minor units (created)',
    actor = 'Operator who created (created) or cancelled (cancelled) it',
    cancel_reason = 'Why it was cancelled (cancelled)',
    entrants = 'Players who joined (ended)',
    scored = 'Players with a positive score (ended)',
    awards = 'Prizes awarded (ended)',
    awarded_minor = 'Sum of the prizes awarded, minor units (ended)',
    unawarded_minor = 'Prize pool not awarded for lack of scoring players, minor units (ended)',
    currency = 'The tournament''s currency',
    currency_exponent = 'Minor-unit exponent of currency (seeds.currencies)'
  ),
  audits (
    not_null(columns := [event_id, step, occurred_at, event_date, tournament_id]),
    unique_combination_of_columns(columns := [tournament_id, step]),
    accepted_values(column := step, is_in := ('created', 'cancelled', 'ended')),
    accepted_range(column := prize_pool_minor, min_v := 0),
    accepted_range(column := awarded_minor, min_v := 0),
    accepted_range(column := unawarded_minor, min_v := 0)
  )
);

WITH events AS (
  -- the interval and the day before it, so a retry that crossed midnight is seen as a repeat
  SELECT *
  FROM staging.stg_events
  WHERE macros.dedupe_window(event_date, @start_ds, @end_ds)
    AND event_type IN ('tournament.created', 'tournament.cancelled', 'tournament.ended')
),
typed AS (
  SELECT
    event_id,
    event_type,
    macros.event_type_part(event_type, 2) AS step,
    occurred_at,
    event_date,
    macros.payload_text(payload, 'tournament_id') AS tournament_id,
    macros.payload_text(payload, 'brand') AS brand,
    macros.payload_text(payload, 'name') AS tournament_name,
    macros.payload_ts(payload, 'starts_at') AS starts_at,
    macros.payload_ts(payload, 'ends_at') AS ends_at,
    macros.payload_int(payload, 'prizes') AS prizes,
    macros.payload_bigint(payload, 'prize_pool_minor') AS prize_pool_minor,
    macros.payload_text(payload, 'actor') AS actor,
    macros.payload_text(payload, 'reason') AS cancel_reason,
    macros.payload_int(payload, 'entrants') AS entrants,
    macros.payload_int(payload, 'scored') AS scored,
    macros.payload_int(payload, 'awards') AS awards,
    macros.payload_bigint(payload, 'awarded_minor') AS awarded_minor,
    macros.payload_bigint(payload, 'unawarded_minor') AS unawarded_minor,
    currency,
    currency_exponent
  FROM events
),
deduped AS (
  SELECT *
  FROM typed
  QUALIFY row_number() OVER (PARTITION BY tournament_id, step ORDER BY occurred_at, event_id) = 1
),
final AS (
  SELECT *
  FROM deduped
  WHERE event_date BETWEEN @start_ds AND @end_ds
)
SELECT * FROM final
