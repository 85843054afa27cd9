-- Lifetime value per player as of the run's day (@end_ds): what the player has been worth so far
-- (historical), and what they are expected to be worth at the horizon (predicted), by cohort and
-- acquisition source.
--
-- Value = NGR in EUR = GGR - bonus cost (fct_player_daily via intermediate.int_ltv_player_periods),
-- since registration. GGR is the player's own money; bonus cost includes what the player's free
-- bets paid (docs/rewards.md "Cash-like rewards"), so a player who mostly won on free bets is
-- worth what those wins cost the operator less. Deposits, withdrawals and net deposits are beside it, not part of it (money a
-- player brings in is not revenue until it is lost at play).
--
-- Prediction (chain ladder, intermediate.int_ltv_development_factors at cutoff 0):
--   i     = the player's cohort_index (periods of period_days counted back from as_of_date; the
--           cohort's latest complete age)
--   C     = the cohort-and-source's cumulative NGR through age i (EUR), n its registered players
--   CDF   = product of the source's factors f(k) for k = i .. horizon_periods - 2 (develops age i to
--           age horizon_periods - 1, i.e. horizon_periods periods of life); a factor with no data
--           (no older cohort reached k + 1) is 1: no development is assumed beyond the history
--   expected_remaining = C / n * (CDF - 1) when C > 0, else 0 (a multiplicative factor on a
--                        non-positive base means nothing; such a cohort is not projected)
--   predicted_ltv      = historical NGR + expected_remaining
-- So the predicted LTVs of a cohort-source sum to C * CDF, the chain-ladder ultimate at the horizon,
-- while each player keeps their own history. What it ignores: which players are still active (a
-- churned player gets the cohort's average remaining development like everyone else), seasonality
-- and calendar effects (all cohorts develop alike), changes in the mix of games or bonus policy,
-- development beyond the oldest cohort's age (tail factor 1), and any uncertainty band.
--
-- FULL, every 15 minutes: like its inputs, every row is relative to as_of_date.
MODEL (
  name marts.player_ltv,
  kind FULL,
  cron '*/15 * * * *',
  grain [player_id],
  owner data,
  tags [marts, players, ltv, money],
  description 'One row per registered player as of @end_ds: historical LTV (cumulative NGR = GGR - bonus cost since registration, EUR), deposits, withdrawals, net deposits, active days and periods, tenure; and predicted LTV at horizon_periods periods: historical NGR + the cohort-and-source''s expected remaining development by chain-ladder factors (intermediate.int_ltv_development_factors, cutoff 0).',
  column_descriptions (
    as_of_date = 'The day LTV is computed for (@end_ds)',
    player_id = 'The player',
    acquisition_source = 'Marketing source of the registration, or (unknown)',
    brand = 'Brand the player registered with',
    jurisdiction = 'Licensing jurisdiction of the player',
    currency = 'Wallet currency: the *_minor columns are in its minor units',
    currency_exponent = 'Minor-unit exponent of currency',
    registered_at = 'When the player registered (UTC)',
    first_deposit_at = 'When the first completed deposit completed (UTC); NULL if none',
    cohort_index = 'Periods (of period_days days, counted back from as_of_date) between the registration block and now; the cohort''s latest complete age',
    cohort_start = 'First day of the cohort''s block of period_days days',
    period_days = 'Length of a period in days (intermediate.int_ltv_player_periods)',
    tenure_days = 'Days from the registration day to as_of_date',
    active_days = 'Days with any activity (marts.fct_player_daily) since registration',
    active_periods = 'Periods of the player''s life with at least one active day (months active, for period_days 30)',
    ngr_minor = 'Cumulative NGR since registration, minor units of currency',
    ggr_minor = 'Cumulative GGR (stakes - wins), minor units',
    bonus_cost_minor = 'Cumulative bonus-funded stakes, minor units',
    deposits = 'Deposits completed since registration',
    deposits_minor = 'Amount of completed deposits, minor units',
    withdrawals = 'Withdrawals paid since registration',
    withdrawals_minor = 'Amount of paid withdrawals, minor units',
    net_deposits_minor = 'deposits_minor - withdrawals_minor',
    historical_ltv_eur = 'Historical LTV: cumulative NGR in EUR at each day''s seeds.fx_rates rate, DECIMAL(18,2)',
    deposits_eur = 'Deposits in EUR, DECIMAL(18,2)',
    withdrawals_eur = 'Withdrawals in EUR, DECIMAL(18,2)',
    net_deposits_eur = 'Net deposits in EUR, DECIMAL(18,2)',
    cohort_players = 'Registered players of the same cohort and acquisition source (n)',
    cohort_ngr_eur_per_player = 'C / n: the cohort-and-source''s cumulative NGR per registered player, EUR, DECIMAL(18,2)',
    horizon_periods = 'The named constant: LTV horizon in periods of life (12 = a year for period_days 30)',
    development_factor = 'CDF: product of the age-to-age factors from age cohort_index to horizon_periods - 1 (1 when the cohort reached the horizon), DECIMAL(18,6)',
    factors_source = 'Factors in the CDF fitted on the player''s own source',
    factors_pooled = 'Factors in the CDF pooled over all sources (the source had too few players or a non-positive base)',
    factors_none = 'Steps of the CDF with no data (no older cohort reached that age), taken as 1',
    expected_remaining_eur = 'C / n * (CDF - 1) when C > 0, else 0; EUR, DECIMAL(18,2)',
    predicted_ltv_eur = 'historical_ltv_eur + expected_remaining_eur (at horizon_periods periods of life), DECIMAL(18,2)'
  ),
  audits (
    not_null(columns := [as_of_date, player_id, acquisition_source, cohort_index, cohort_start, tenure_days, active_days, active_periods, ngr_minor, deposits_minor, withdrawals_minor, net_deposits_minor, historical_ltv_eur, cohort_players, development_factor, expected_remaining_eur, predicted_ltv_eur]),
    unique_values(columns := [player_id]),
    accepted_range(column := tenure_days, min_v := 0),
    accepted_range(column := cohort_players, min_v := 1),
    accepted_range(column := deposits_minor, min_v := 0),
    accepted_range(column := withdrawals_minor, min_v := 0),
    forall(criteria := [
      net_deposits_minor = deposits_minor - withdrawals_minor,
      active_periods <= cohort_index + 1,
      active_days <= tenure_days + 1,
      cohort_index = tenure_days // period_days,
      factors_source + factors_pooled + factors_none = greatest(horizon_periods - 1 - cohort_index, 0),
      predicted_ltv_eur = historical_ltv_eur + expected_remaining_eur,
      development_factor < 1 OR cohort_ngr_eur_per_player <= 0 OR expected_remaining_eur >= 0,
      cohort_index < horizon_periods - 1 OR expected_remaining_eur = 0
    ])
  )
);

WITH t AS (
  SELECT 12 AS horizon_periods    -- LTV at 12 periods of life: a year for period_days 30
),
player AS (
  SELECT
    player_id,
    any_value(as_of_date) AS as_of_date, any_value(period_days) AS period_days,
    any_value(acquisition_source) AS acquisition_source, any_value(brand) AS brand,
    any_value(jurisdiction) AS jurisdiction, any_value(currency) AS currency,
    any_value(currency_exponent) AS currency_exponent, any_value(registered_at) AS registered_at,
    any_value(cohort_index) AS cohort_index, any_value(cohort_start) AS cohort_start,
    sum(active_days) AS active_days,
    count(*) FILTER (WHERE active_days > 0) AS active_periods,
    sum(ngr_minor) AS ngr_minor, sum(ggr_minor) AS ggr_minor, sum(bonus_cost_minor) AS bonus_cost_minor,
    sum(deposits) AS deposits, sum(deposits_minor) AS deposits_minor,
    sum(withdrawals) AS withdrawals, sum(withdrawals_minor) AS withdrawals_minor,
    sum(ngr_eur) AS ngr_eur, sum(deposits_eur) AS deposits_eur, sum(withdrawals_eur) AS withdrawals_eur
  FROM intermediate.int_ltv_player_periods
  GROUP BY player_id
),
cohort AS (
  -- C and n of each cohort and source (through its latest age: the whole history)
  SELECT cohort_index, acquisition_source, count(*) AS players, sum(ngr_eur) AS cum_ngr_eur
  FROM player
  GROUP BY cohort_index, acquisition_source
),
cdf AS (
  -- the live factors (cutoff 0) from the cohort's age to the horizon
  SELECT
    c.cohort_index, c.acquisition_source,
    coalesce(product(f.factor), 1) AS development_factor,
    count(*) FILTER (WHERE f.factor_basis = 'source') AS factors_source,
    count(*) FILTER (WHERE f.factor_basis = 'pooled') AS factors_pooled
  FROM cohort AS c
  CROSS JOIN t
  LEFT JOIN intermediate.int_ltv_development_factors AS f
    ON f.cutoff_periods = 0 AND f.acquisition_source = c.acquisition_source
    AND f.age_periods >= c.cohort_index AND f.age_periods <= t.horizon_periods - 2
  GROUP BY c.cohort_index, c.acquisition_source
),
projected AS (
  SELECT
    p.*,
    c.players AS cohort_players,
    c.cum_ngr_eur / c.players AS cohort_per_player,
    d.development_factor, d.factors_source, d.factors_pooled,
    greatest(t.horizon_periods - 1 - p.cohort_index, 0) - d.factors_source - d.factors_pooled AS factors_none,
    t.horizon_periods,
    CAST(round(CASE WHEN c.cum_ngr_eur > 0 THEN c.cum_ngr_eur / c.players * (d.development_factor - 1) ELSE 0 END, 2) AS DECIMAL(18, 2)) AS expected_remaining_eur
  FROM player AS p
  CROSS JOIN t
  JOIN cohort AS c ON c.cohort_index = p.cohort_index AND c.acquisition_source = p.acquisition_source
  JOIN cdf AS d ON d.cohort_index = p.cohort_index AND d.acquisition_source = p.acquisition_source
)
SELECT
  p.as_of_date,
  p.player_id,
  p.acquisition_source,
  p.brand,
  p.jurisdiction,
  p.currency,
  p.currency_exponent,
  p.registered_at,
  dp.first_deposit_at,
  p.cohort_index,
  p.cohort_start,
  p.period_days,
  CAST(p.as_of_date - CAST(p.registered_at AS DATE) AS INTEGER) AS tenure_days,
  CAST(p.active_days AS BIGINT) AS active_days,
  CAST(p.active_periods AS BIGINT) AS active_periods,
  CAST(p.ngr_minor AS BIGINT) AS ngr_minor,
  CAST(p.ggr_minor AS BIGINT) AS ggr_minor,
  CAST(p.bonus_cost_minor AS BIGINT) AS bonus_cost_minor,
  CAST(p.deposits AS BIGINT) AS deposits,
  CAST(p.deposits_minor AS BIGINT) AS deposits_minor,
  CAST(p.withdrawals AS BIGINT) AS withdrawals,
  CAST(p.withdrawals_minor AS BIGINT) AS withdrawals_minor,
  CAST(p.deposits_minor - p.withdrawals_minor AS BIGINT) AS net_deposits_minor,
  CAST(round(p.ngr_eur, 2) AS DECIMAL(18, 2)) AS historical_ltv_eur,
  CAST(round(p.deposits_eur, 2) AS DECIMAL(18, 2)) AS deposits_eur,
  CAST(round(p.withdrawals_eur, 2) AS DECIMAL(18, 2)) AS withdrawals_eur,
  CAST(round(p.deposits_eur - p.withdrawals_eur, 2) AS DECIMAL(18, 2)) AS net_deposits_eur,
  CAST(p.cohort_players AS BIGINT) AS cohort_players,
  CAST(round(p.cohort_per_player, 2) AS DECIMAL(18, 2)) AS cohort_ngr_eur_per_player,
  p.horizon_periods,
  CAST(p.development_factor AS DECIMAL(18, 6)) AS development_factor,
  CAST(p.factors_source AS BIGINT) AS factors_source,
  CAST(p.factors_pooled AS BIGINT) AS factors_pooled,
  CAST(p.factors_none AS BIGINT) AS factors_none,
  p.expected_remaining_eur,
  CAST(round(p.ngr_eur, 2) AS DECIMAL(18, 2)) + p.expected_remaining_eur AS predicted_ltv_eur
FROM projected AS p
LEFT JOIN marts.dim_players AS dp ON dp.player_id = p.player_id
