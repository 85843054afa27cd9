-- Know-your-customer status changes of a player: none -> pending -> verified / rejected.
MODEL (
  name staging.stg_kyc,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [event_id],
  owner data,
  tags [staging, players, compliance],
  description 'One row per player.kyc.changed event. A KYC change has no business id and the player object changes the status in the same transaction that emits the event, so a retry cannot repeat a transition: unique on event_id, as raw.events already is; nothing further to deduplicate (a heuristic on time would drop real re-submissions).',
  column_descriptions (
    event_id = 'The event',
    occurred_at = 'When the player object committed the change (UTC)',
    event_date = 'UTC day of occurred_at',
    player_id = 'The player',
    jurisdiction = 'Licensing jurisdiction of the player',
    from_status = 'KYC status before: none, pending, verified or rejected',
    to_status = 'KYC status after',
    reason = 'Reason given (may be NULL)',
    actor = 'Who changed it: player, system or operator:<id>'
  ),
  audits (
    not_null(columns := [event_id, occurred_at, event_date, player_id, from_status, to_status, actor]),
    unique_values(columns := [event_id]),
    accepted_values(column := from_status, is_in := ('none', 'pending', 'verified', 'rejected')),
    accepted_values(column := to_status, is_in := ('none', 'pending', 'verified', 'rejected'))
  )
);

WITH events AS (
  SELECT *
  FROM staging.stg_events
  WHERE event_date BETWEEN @start_ds AND @end_ds
    AND event_type = 'player.kyc.changed'
),
final AS (
  SELECT
    event_id,
    occurred_at,
    event_date,
    player_id,
    jurisdiction,
    macros.payload_text(payload, 'from') AS from_status,
    macros.payload_text(payload, 'to') AS to_status,
    macros.payload_text(payload, 'reason') AS reason,
    macros.payload_text(payload, 'actor') AS actor
  FROM events
)
SELECT * FROM final
