-- Each registered player's value, period by period of their life, as of the run's day (@end_ds):
-- the cells of the LTV development triangle (marts.player_ltv, marts.player_ltv_backtest).
--
-- Periods are blocks of `period_days` (30: a "month") counted BACK from as_of_date, not calendar
-- months: block 0 = the last 30 days up to and including as_of_date, block 1 the 30 before, ...
-- So every block is complete (no half-observed current month at the end of the triangle), and a
-- back-test cutoff "m periods ago" falls on a block boundary. A player's cohort is the block they
-- registered in (cohort_index); age k is the k-th block of the cohort's life (age 0 = the
-- registration block), so the cohort of index i has ages 0..i observed, all complete. Calendar
-- labels move every day (cohort_start is as_of_date - (i + 1) * period_days + 1): read cohorts by
-- cohort_start, not by month name.
-- Dense: one row per player and age 0..cohort_index, zeros where the player did nothing, so
-- cohort sizes (players) and cumulative sums are plain group-bys downstream.
--
-- Value = NGR = GGR - bonus cost (docs/models.md "Definitions"): marts.fct_player_daily's
-- ggr_minor - bonus_stakes_minor - free_bet_wins_minor (the bonus-funded part of the counted
-- stakes and what the player's free bets paid: the same rows as fct_ggr_daily's bonus_cost_minor).
-- A free bet is not in GGR (its stake was the operator's), but what it paid is real money the
-- operator gave the player, so it lowers the player's value. EUR at seeds.fx_rates of each day (macros.minor_to_eur, exact),
-- summed exactly, then stored as DECIMAL(38, 10) (the one rounding here, at 10 decimals; the marts
-- round to cents). Minor units in the player's wallet currency (fct_player_daily: one wallet).
--
-- FULL, every 15 minutes: every row is relative to as_of_date (the blocks move with the day), so
-- nothing of yesterday's table can be kept; the rebuild reads fct_player_daily once (cheap at this
-- size). 15 minutes, like player_segments: LTV feeds acquisition budgets, read daily at most.
MODEL (
  name intermediate.int_ltv_player_periods,
  kind FULL,
  cron '*/15 * * * *',
  grain [player_id, age_periods],
  owner data,
  tags [intermediate, players, ltv, money],
  description 'One row per registered player (marts.dim_players) and age period 0..cohort_index as of @end_ds: periods are period_days-day blocks counted back from as_of_date, the cohort is the block of registration; NGR (GGR - bonus cost), GGR, bonus cost, deposits and withdrawals of the player in that period, in wallet-currency minor units and in EUR (unrounded).',
  column_descriptions (
    as_of_date = 'The day the triangle is computed for (@end_ds); block 0 ends on it',
    period_days = 'Length of a period in days (the named constant; 30 = a month)',
    player_id = 'The player',
    acquisition_source = 'Marketing source of the registration, or (unknown) (marts.dim_players)',
    brand = 'Brand the player registered with',
    jurisdiction = 'Licensing jurisdiction of the player',
    currency = 'Wallet currency (marts.dim_players)',
    currency_exponent = 'Minor-unit exponent of currency (seeds.currencies)',
    registered_at = 'When the player registered (UTC)',
    cohort_index = 'Block of the registration day counted back from as_of_date: floor((as_of_date - registration day) / period_days); also the cohort''s latest observed age',
    cohort_start = 'First day of the cohort''s block: as_of_date - (cohort_index + 1) * period_days + 1',
    age_periods = 'Age of the row: 0 = the registration block, k = the k-th block after it',
    period_start = 'First day of this age''s block',
    period_end = 'Last day of this age''s block (as_of_date for the newest)',
    active_days = 'Days with a row in marts.fct_player_daily in the period, on or after registration',
    ngr_minor = 'NGR = ggr_minor - bonus_cost_minor in the period, minor units of currency',
    ggr_minor = 'GGR (stakes - wins) in the period, minor units',
    bonus_cost_minor = 'Bonus-funded stakes and what free bets paid in the period (fct_ggr_daily''s bonus cost), minor units',
    deposits = 'Deposits completed in the period',
    deposits_minor = 'Amount of completed deposits, minor units',
    withdrawals = 'Withdrawals paid in the period',
    withdrawals_minor = 'Amount of paid withdrawals, minor units',
    ngr_eur = 'NGR in EUR at each day''s seeds.fx_rates rate, unrounded DECIMAL(38,10); NULL (and the audit fails) when a day of the period moved money in a currency the seed has no rate for that day',
    deposits_eur = 'Deposits in EUR, unrounded',
    withdrawals_eur = 'Withdrawals in EUR, unrounded'
  ),
  audits (
    not_null(columns := [as_of_date, player_id, acquisition_source, cohort_index, cohort_start, age_periods, period_start, period_end, active_days, ngr_minor, ggr_minor, bonus_cost_minor, deposits, deposits_minor, withdrawals, withdrawals_minor, ngr_eur, deposits_eur, withdrawals_eur]),
    unique_combination_of_columns(columns := [player_id, age_periods]),
    accepted_range(column := age_periods, min_v := 0),
    accepted_range(column := deposits_minor, min_v := 0),
    accepted_range(column := withdrawals_minor, min_v := 0),
    forall(criteria := [age_periods <= cohort_index, ngr_minor = ggr_minor - bonus_cost_minor, active_days BETWEEN 0 AND period_days, period_end - period_start = period_days - 1, period_end <= as_of_date, CAST(registered_at AS DATE) BETWEEN cohort_start AND cohort_start + period_days - 1])
  )
);

WITH t AS (
  SELECT
    CAST(@end_ds AS DATE) AS as_of_date,
    30 AS period_days                -- a "month"; 7 for weekly cohorts when the history is short
),
players AS (
  SELECT
    p.player_id, p.acquisition_source, p.brand, p.jurisdiction, p.currency, c.exponent AS currency_exponent,
    p.registered_at,
    CAST((t.as_of_date - CAST(p.registered_at AS DATE)) // t.period_days AS INTEGER) AS cohort_index
  FROM marts.dim_players AS p
  CROSS JOIN t
  LEFT JOIN seeds.currencies AS c ON c.code = p.currency
  WHERE CAST(p.registered_at AS DATE) <= t.as_of_date
),
ages AS (
  -- every age 0..cohort_index of every player (dense)
  SELECT p.*, CAST(unnest(range(p.cohort_index + 1)) AS INTEGER) AS age_periods
  FROM players AS p
),
daily AS (
  -- each day's money with its age; activity before registration (none expected) is left out
  SELECT
    d.player_id,
    CAST(p.cohort_index - (t.as_of_date - d.activity_date) // t.period_days AS INTEGER) AS age_periods,
    d.ggr_minor, d.bonus_stakes_minor + d.free_bet_wins_minor AS bonus_cost_minor,
    d.deposits, d.deposits_minor, d.withdrawals, d.withdrawals_minor,
    macros.minor_to_eur(d.ggr_minor - d.bonus_stakes_minor - d.free_bet_wins_minor, d.currency_exponent, fx.rate_to_eur) AS ngr_eur,
    macros.minor_to_eur(d.deposits_minor, d.currency_exponent, fx.rate_to_eur) AS deposits_eur,
    macros.minor_to_eur(d.withdrawals_minor, d.currency_exponent, fx.rate_to_eur) AS withdrawals_eur,
    -- a day that moved money in a currency without a rate: the period's EUR sums become NULL (and
    -- the not_null audit stops the build) rather than silently leaving that day out
    d.currency IS NULL OR fx.rate_to_eur IS NOT NULL AS rate_known
  FROM marts.fct_player_daily AS d
  CROSS JOIN t
  JOIN players AS p ON p.player_id = d.player_id
  LEFT JOIN seeds.fx_rates AS fx ON fx.rate_date = d.activity_date AND fx.currency = d.currency
  WHERE d.activity_date <= t.as_of_date AND d.activity_date >= CAST(p.registered_at AS DATE)
),
per_age AS (
  SELECT
    player_id, age_periods,
    count(*) AS active_days,
    sum(ggr_minor) AS ggr_minor, sum(bonus_cost_minor) AS bonus_cost_minor,
    sum(deposits) AS deposits, sum(deposits_minor) AS deposits_minor,
    sum(withdrawals) AS withdrawals, sum(withdrawals_minor) AS withdrawals_minor,
    CASE WHEN bool_and(rate_known) THEN coalesce(sum(ngr_eur), 0) END AS ngr_eur,
    CASE WHEN bool_and(rate_known) THEN coalesce(sum(deposits_eur), 0) END AS deposits_eur,
    CASE WHEN bool_and(rate_known) THEN coalesce(sum(withdrawals_eur), 0) END AS withdrawals_eur
  FROM daily
  GROUP BY ALL
)
SELECT
  t.as_of_date,
  t.period_days,
  a.player_id,
  a.acquisition_source,
  a.brand,
  a.jurisdiction,
  a.currency,
  a.currency_exponent,
  a.registered_at,
  a.cohort_index,
  CAST(t.as_of_date - (a.cohort_index + 1) * t.period_days + 1 AS DATE) AS cohort_start,
  a.age_periods,
  CAST(t.as_of_date - (a.cohort_index - a.age_periods + 1) * t.period_days + 1 AS DATE) AS period_start,
  CAST(t.as_of_date - (a.cohort_index - a.age_periods) * t.period_days AS DATE) AS period_end,
  CAST(coalesce(m.active_days, 0) AS BIGINT) AS active_days,
  CAST(coalesce(m.ggr_minor, 0) - coalesce(m.bonus_cost_minor, 0) AS BIGINT) AS ngr_minor,
  CAST(coalesce(m.ggr_minor, 0) AS BIGINT) AS ggr_minor,
  CAST(coalesce(m.bonus_cost_minor, 0) AS BIGINT) AS bonus_cost_minor,
  CAST(coalesce(m.deposits, 0) AS BIGINT) AS deposits,
  CAST(coalesce(m.deposits_minor, 0) AS BIGINT) AS deposits_minor,
  CAST(coalesce(m.withdrawals, 0) AS BIGINT) AS withdrawals,
  CAST(coalesce(m.withdrawals_minor, 0) AS BIGINT) AS withdrawals_minor,
  CAST(CASE WHEN m.player_id IS NULL THEN 0 ELSE m.ngr_eur END AS DECIMAL(38, 10)) AS ngr_eur,
  CAST(CASE WHEN m.player_id IS NULL THEN 0 ELSE m.deposits_eur END AS DECIMAL(38, 10)) AS deposits_eur,
  CAST(CASE WHEN m.player_id IS NULL THEN 0 ELSE m.withdrawals_eur END AS DECIMAL(38, 10)) AS withdrawals_eur
FROM ages AS a
CROSS JOIN t
LEFT JOIN per_age AS m ON m.player_id = a.player_id AND m.age_periods = a.age_periods
