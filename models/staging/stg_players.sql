-- What happens to a player's account: registration, status changes (locks, self-exclusion,
-- closing) and VIP changes. One row per event; KYC has its own model (stg_kyc).
MODEL (
  name staging.stg_players,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [event_id],
  owner data,
  tags [staging, players],
  description 'One row per player.registered, player.status.changed and player.vip.changed event. A player registers once: a repeated registration of the same player_id keeps the first (by occurred_at, event_id), also across midnight. Status and VIP changes are facts each, unique on event_id (raw.events already is).',
  column_descriptions (
    event_id = 'The event',
    event_type = 'player.registered, player.status.changed or player.vip.changed',
    change = 'registered, status_changed or vip_changed',
    occurred_at = 'When the player object committed the change (UTC)',
    event_date = 'UTC day of occurred_at',
    player_id = 'The player',
    jurisdiction = 'Licensing jurisdiction of the player',
    currency = 'The player''s wallet currency',
    brand = 'Brand the player registered with (registered only)',
    country = 'Country of residence, ISO 3166 alpha-2 (registered only)',
    birth_year = 'Year of birth; no full birth date is kept (registered only)',
    acquisition_source = 'Marketing source of the registration, e.g. ppc.google (registered only; NULL if unknown)',
    config_version = 'Brand configuration version at registration (registered only)',
    from_status = 'Status before (status_changed only): active, locked, self_excluded, closed',
    to_status = 'Status after (status_changed only)',
    from_vip = 'VIP before (vip_changed only)',
    to_vip = 'VIP after (vip_changed only)',
    reason = 'Reason given for a status change (may be NULL)',
    actor = 'Who made the change: player, system, operator:<id> (status_changed, vip_changed)'
  ),
  audits (
    not_null(columns := [event_id, change, occurred_at, event_date, player_id]),
    unique_values(columns := [event_id]),
    unique_combination_of_columns(columns := [player_id], condition := change = 'registered'),
    accepted_values(column := change, is_in := ('registered', 'status_changed', 'vip_changed')),
    accepted_values(column := from_status, is_in := ('active', 'locked', 'self_excluded', 'closed')),
    accepted_values(column := to_status, is_in := ('active', 'locked', 'self_excluded', 'closed')),
    accepted_range(column := birth_year, min_v := 1900, max_v := 2100),
    forall(criteria := [change <> 'registered' OR (brand IS NOT NULL AND country IS NOT NULL AND birth_year IS NOT NULL)])
  )
);

WITH events AS (
  -- the interval and the day before it, so a registration repeated across midnight is seen
  SELECT *
  FROM staging.stg_events
  WHERE macros.dedupe_window(event_date, @start_ds, @end_ds)
    AND event_type IN ('player.registered', 'player.status.changed', 'player.vip.changed')
),
typed AS (
  SELECT
    event_id,
    event_type,
    CAST(CASE event_type
      WHEN 'player.registered' THEN 'registered'
      WHEN 'player.status.changed' THEN 'status_changed'
      ELSE 'vip_changed'
    END AS VARCHAR) AS change,
    occurred_at,
    event_date,
    player_id,
    jurisdiction,
    currency,
    macros.payload_text(payload, 'brand') AS brand,
    macros.payload_text(payload, 'country') AS country,
    macros.payload_int(payload, 'birth_year') AS birth_year,
    macros.payload_text(payload, 'acquisition_source') AS acquisition_source,
    macros.payload_text(payload, 'config_version') AS config_version,
    CAST(CASE WHEN event_type = 'player.status.changed' THEN macros.payload_text(payload, 'from') END AS VARCHAR) AS from_status,
    CAST(CASE WHEN event_type = 'player.status.changed' THEN macros.payload_text(payload, 'to') END AS VARCHAR) AS to_status,
    CAST(CASE WHEN event_type = 'player.vip.changed' THEN macros.payload_text(payload, 'from') END AS BOOLEAN) AS from_vip,
    CAST(CASE WHEN event_type = 'player.vip.changed' THEN macros.payload_text(payload, 'to') END AS BOOLEAN) AS to_vip,
    macros.payload_text(payload, 'reason') AS reason,
    macros.payload_text(payload, 'actor') AS actor
  FROM events
),
deduped AS (
  SELECT *
  FROM typed
  QUALIFY row_number() OVER (
    PARTITION BY CASE WHEN change = 'registered' THEN player_id ELSE event_id END, change
    ORDER BY occurred_at, event_id
  ) = 1
)
SELECT *
FROM deduped
WHERE event_date BETWEEN @start_ds AND @end_ds
