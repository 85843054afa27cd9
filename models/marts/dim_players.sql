-- One row per player as of now: who they are (brand, jurisdiction, country, acquisition source,
-- registration), their first deposit, and their current KYC status, account status and VIP flag,
-- the devices they logged in from and their last active day.
-- FULL, rebuilt every minute: "now" attributes are the last change of a player's whole history,
-- which a by-day incremental model cannot keep (a status change today rewrites a player who
-- registered months ago). Rebuilding reads each player's full history in staging; at 300 players
-- that is milliseconds, at millions an INCREMENTAL_BY_UNIQUE_KEY on player_id would be the next step.
MODEL (
  name marts.dim_players,
  kind FULL,
  cron '*/1 * * * *',
  grain [player_id],
  owner data,
  tags [marts, players],
  description 'One row per registered player (staging.stg_players registration): brand, jurisdiction, country, acquisition source, registered_at, first deposit, current KYC, account status and VIP, devices used, last active day.',
  column_descriptions (
    player_id = 'The player',
    brand = 'Brand the player registered with',
    jurisdiction = 'Licensing jurisdiction of the player',
    country = 'Country of residence at registration, ISO 3166 alpha-2',
    currency = 'Wallet currency',
    birth_year = 'Year of birth',
    acquisition_source = 'Marketing source of the registration, or (unknown)',
    registered_at = 'When the player registered (UTC)',
    first_deposit_at = 'When the first completed deposit completed (UTC); NULL if none',
    first_deposit_minor = 'Amount of the first completed deposit, minor units of currency',
    kyc_status = 'KYC status now: the to_status of the last player.kyc.changed, none if never changed',
    kyc_changed_at = 'When the KYC status last changed (UTC)',
    account_status = 'Account status now: the to_status of the last player.status.changed, active if never changed',
    status_changed_at = 'When the account status last changed (UTC)',
    is_vip = 'VIP now: the to of the last player.vip.changed, false if never changed',
    devices = 'Devices of the player''s successful logins, sorted (unknown for logins before the device field)',
    last_active_date = 'Last UTC day with any activity in marts.fct_player_daily; NULL if none'
  ),
  audits (
    not_null(columns := [player_id, brand, registered_at, kyc_status, account_status, is_vip]),
    unique_values(columns := [player_id]),
    accepted_values(column := kyc_status, is_in := ('none', 'pending', 'verified', 'rejected')),
    accepted_values(column := account_status, is_in := ('active', 'locked', 'self_excluded', 'closed')),
    accepted_range(column := first_deposit_minor, min_v := 0),
    forall(criteria := [first_deposit_at IS NULL OR first_deposit_at >= registered_at])
  )
);

WITH registered AS (
  SELECT *
  FROM staging.stg_players
  WHERE change = 'registered'
  QUALIFY row_number() OVER (PARTITION BY player_id ORDER BY occurred_at, event_id) = 1
),
last_status AS (
  SELECT player_id, to_status, occurred_at
  FROM staging.stg_players
  WHERE change = 'status_changed'
  QUALIFY row_number() OVER (PARTITION BY player_id ORDER BY occurred_at DESC, event_id DESC) = 1
),
last_vip AS (
  SELECT player_id, to_vip
  FROM staging.stg_players
  WHERE change = 'vip_changed'
  QUALIFY row_number() OVER (PARTITION BY player_id ORDER BY occurred_at DESC, event_id DESC) = 1
),
last_kyc AS (
  SELECT player_id, to_status, occurred_at
  FROM staging.stg_kyc
  QUALIFY row_number() OVER (PARTITION BY player_id ORDER BY occurred_at DESC, event_id DESC) = 1
),
first_deposit AS (
  SELECT player_id, occurred_at, amount_minor
  FROM staging.stg_deposits
  WHERE step = 'completed'
  QUALIFY row_number() OVER (PARTITION BY player_id ORDER BY occurred_at, event_id) = 1
),
devices AS (
  SELECT player_id, list_sort(list(DISTINCT device)) AS devices
  FROM staging.stg_sessions
  WHERE step = 'login_succeeded'
  GROUP BY player_id
),
last_active AS (
  SELECT player_id, max(activity_date) AS last_active_date
  FROM marts.fct_player_daily
  GROUP BY player_id
)
SELECT
  r.player_id,
  r.brand,
  r.jurisdiction,
  r.country,
  r.currency,
  r.birth_year,
  coalesce(r.acquisition_source, '(unknown)') AS acquisition_source,
  r.occurred_at AS registered_at,
  fd.occurred_at AS first_deposit_at,
  fd.amount_minor AS first_deposit_minor,
  coalesce(k.to_status, 'none') AS kyc_status,
  k.occurred_at AS kyc_changed_at,
  coalesce(s.to_status, 'active') AS account_status,
  s.occurred_at AS status_changed_at,
  coalesce(v.to_vip, false) AS is_vip,
  coalesce(d.devices, CAST([] AS VARCHAR[])) AS devices,
  la.last_active_date
FROM registered AS r
LEFT JOIN last_status AS s ON s.player_id = r.player_id
LEFT JOIN last_vip AS v ON v.player_id = r.player_id
LEFT JOIN last_kyc AS k ON k.player_id = r.player_id
LEFT JOIN first_deposit AS fd ON fd.player_id = r.player_id
LEFT JOIN devices AS d ON d.player_id = r.player_id
LEFT JOIN last_active AS la ON la.player_id = r.player_id
