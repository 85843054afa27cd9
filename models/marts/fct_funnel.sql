-- The acquisition funnel: registration -> KYC verified -> first deposit -> active -> redeposit,
-- per registration cohort (ISO week), acquisition source, brand and jurisdiction.
-- A strict funnel: a player counts at a step only if they also count at every step before it
-- (a depositor who never reached KYC 'verified' counts as registered only), so each step is a
-- subset of the previous one and the step rates lie in 0..1. The order in time is not required:
-- KYC verified after the first deposit still counts, as the step is "reached", not "reached first".
--   kyc_verified  = some staging.stg_kyc change to 'verified' (ever; a later rejection does not undo it)
--   first_deposit = a completed deposit (marts.dim_players.first_deposit_at)
--   active        = a counted bet of the player's money (intermediate.int_gaming_activity, is_bet = 1) at
--                   or after the first deposit; a free bet (docs/rewards.md "Cash-like rewards") is
--                   the operator's stake, not the depositor playing their money: it does not count
--   redeposit     = a second completed deposit (staging.stg_deposits, step completed)
-- Weekly cohorts, not monthly: the simulator's default history is a few weeks, which is one or two
-- months and too few cohorts to compare; a week is also how acquisition campaigns are read. Monthly
-- is a sum of these rows (counts only; recompute the rates and the median from players).
-- FULL, not incremental by day: a cohort keeps converting long after its week (a KYC or a redeposit
-- today changes a cohort from months ago), which a by-day model cannot rewrite. Every 15 minutes:
-- funnels are read per week, not per minute; at this size the rebuild is milliseconds.
MODEL (
  name marts.fct_funnel,
  kind FULL,
  cron '*/15 * * * *',
  grain [cohort_week, acquisition_source, brand, jurisdiction],
  owner data,
  tags [marts, players, acquisition],
  description 'One row per registration cohort (ISO week, Monday, UTC), acquisition source, brand and jurisdiction: players registered, then (strict funnel, each a subset of the previous) KYC verified, first deposit, active (a counted bet after the first deposit), redeposit (a second completed deposit); each step''s conversion from the previous step and from registration; median hours from registration to first deposit.',
  column_descriptions (
    cohort_week = 'Monday (UTC) of the ISO week the players registered in',
    acquisition_source = 'Marketing source of the registration, or (unknown) (marts.dim_players)',
    brand = 'Brand the players registered with',
    jurisdiction = 'Licensing jurisdiction of the players',
    registered = 'Players who registered in the cohort',
    kyc_verified = 'Registered players whose KYC reached verified at any time',
    first_deposit = 'KYC-verified players with a completed deposit',
    active = 'First-deposit players with a counted bet of their own money at or after their first deposit (a free bet does not count)',
    redeposit = 'Active players with a second completed deposit',
    kyc_rate = 'kyc_verified / registered, DECIMAL(5,4)',
    first_deposit_rate = 'first_deposit / kyc_verified (NULL if no one reached KYC), DECIMAL(5,4)',
    active_rate = 'active / first_deposit (NULL if no first deposit), DECIMAL(5,4)',
    redeposit_rate = 'redeposit / active (NULL if no one active), DECIMAL(5,4)',
    kyc_rate_from_registration = 'kyc_verified / registered, DECIMAL(5,4) (the same as kyc_rate: the first step)',
    first_deposit_rate_from_registration = 'first_deposit / registered, DECIMAL(5,4)',
    active_rate_from_registration = 'active / registered, DECIMAL(5,4)',
    redeposit_rate_from_registration = 'redeposit / registered, DECIMAL(5,4)',
    median_hours_to_first_deposit = 'Median hours from registration to first deposit over the players counted in first_deposit, DECIMAL(10,2); NULL if none'
  ),
  audits (
    not_null(columns := [cohort_week, acquisition_source, brand, jurisdiction, registered, kyc_verified, first_deposit, active, redeposit, kyc_rate, kyc_rate_from_registration, first_deposit_rate_from_registration, active_rate_from_registration, redeposit_rate_from_registration]),
    unique_combination_of_columns(columns := [cohort_week, acquisition_source, brand, jurisdiction]),
    forall(criteria := [registered > 0, kyc_verified <= registered, first_deposit <= kyc_verified, active <= first_deposit, redeposit <= active, median_hours_to_first_deposit IS NULL OR median_hours_to_first_deposit >= 0]),
    accepted_range(column := kyc_rate, min_v := 0, max_v := 1),
    accepted_range(column := first_deposit_rate, min_v := 0, max_v := 1),
    accepted_range(column := active_rate, min_v := 0, max_v := 1),
    accepted_range(column := redeposit_rate, min_v := 0, max_v := 1),
    accepted_range(column := kyc_rate_from_registration, min_v := 0, max_v := 1),
    accepted_range(column := first_deposit_rate_from_registration, min_v := 0, max_v := 1),
    accepted_range(column := active_rate_from_registration, min_v := 0, max_v := 1),
    accepted_range(column := redeposit_rate_from_registration, min_v := 0, max_v := 1)
  )
);

WITH players AS (
  SELECT player_id, brand, jurisdiction, acquisition_source, registered_at, first_deposit_at
  FROM marts.dim_players
),
kyc AS (
  SELECT DISTINCT player_id
  FROM staging.stg_kyc
  WHERE to_status = 'verified'
),
deposits AS (
  SELECT player_id, count(*) AS completed_deposits
  FROM staging.stg_deposits
  WHERE step = 'completed'
  GROUP BY player_id
),
bets AS (
  SELECT player_id, max(occurred_at) AS last_bet_at
  FROM intermediate.int_gaming_activity
  WHERE is_bet = 1
  GROUP BY player_id
),
steps AS (
  SELECT
    CAST(date_trunc('week', p.registered_at) AS DATE) AS cohort_week,
    p.acquisition_source,
    p.brand,
    p.jurisdiction,
    p.registered_at,
    p.first_deposit_at,
    k.player_id IS NOT NULL AS is_kyc,
    k.player_id IS NOT NULL AND p.first_deposit_at IS NOT NULL AS is_first_deposit,
    k.player_id IS NOT NULL AND p.first_deposit_at IS NOT NULL
      AND coalesce(b.last_bet_at >= p.first_deposit_at, false) AS is_active,
    k.player_id IS NOT NULL AND p.first_deposit_at IS NOT NULL
      AND coalesce(b.last_bet_at >= p.first_deposit_at, false)
      AND coalesce(d.completed_deposits, 0) >= 2 AS is_redeposit
  FROM players AS p
  LEFT JOIN kyc AS k ON k.player_id = p.player_id
  LEFT JOIN deposits AS d ON d.player_id = p.player_id
  LEFT JOIN bets AS b ON b.player_id = p.player_id
),
counts AS (
  SELECT
    cohort_week,
    acquisition_source,
    brand,
    jurisdiction,
    count(*) AS registered,
    count(*) FILTER (WHERE is_kyc) AS kyc_verified,
    count(*) FILTER (WHERE is_first_deposit) AS first_deposit,
    count(*) FILTER (WHERE is_active) AS active,
    count(*) FILTER (WHERE is_redeposit) AS redeposit,
    median(epoch(first_deposit_at - registered_at) / 3600.0) FILTER (WHERE is_first_deposit) AS median_hours
  FROM steps
  GROUP BY cohort_week, acquisition_source, brand, jurisdiction
)
SELECT
  cohort_week,
  acquisition_source,
  brand,
  jurisdiction,
  registered,
  kyc_verified,
  first_deposit,
  active,
  redeposit,
  CAST(kyc_verified::DECIMAL(18,4) / registered AS DECIMAL(5,4)) AS kyc_rate,
  CAST(first_deposit::DECIMAL(18,4) / nullif(kyc_verified, 0) AS DECIMAL(5,4)) AS first_deposit_rate,
  CAST(active::DECIMAL(18,4) / nullif(first_deposit, 0) AS DECIMAL(5,4)) AS active_rate,
  CAST(redeposit::DECIMAL(18,4) / nullif(active, 0) AS DECIMAL(5,4)) AS redeposit_rate,
  CAST(kyc_verified::DECIMAL(18,4) / registered AS DECIMAL(5,4)) AS kyc_rate_from_registration,
  CAST(first_deposit::DECIMAL(18,4) / registered AS DECIMAL(5,4)) AS first_deposit_rate_from_registration,
  CAST(active::DECIMAL(18,4) / registered AS DECIMAL(5,4)) AS active_rate_from_registration,
  CAST(redeposit::DECIMAL(18,4) / registered AS DECIMAL(5,4)) AS redeposit_rate_from_registration,
  CAST(median_hours AS DECIMAL(10,2)) AS median_hours_to_first_deposit
FROM counts
