-- Back-test of the LTV method of marts.player_ltv on held-out periods: for each cutoff m periods
-- before as_of_date (m >= 1, the cutoffs at which at least one factor could be fitted),
-- the chain ladder is fitted on the cells known at the cutoff only
-- (intermediate.int_ltv_development_factors at cutoff_periods m, with the same source / pooled /
-- none fallback), each cohort that existed then is projected from its age at the cutoff (i - m) to
-- its age now (i), and the projection is compared with what actually happened in the m held-out
-- periods. Projection rule as in player_ltv: predicted = C(i - m) * product of f(k), k = i - m ..
-- i - 1 (1 for a step with no data), when C(i - m) > 0; else predicted = C(i - m).
-- Rows per source and one '(all)' row per cutoff and cohort (the sum of the sources' predictions and
-- actuals), each with the error measures of its cutoff and source over the cohorts:
--   WAPE  = sum |predicted - actual| / sum |actual|
--   bias  = sum (predicted - actual) / sum |actual| (negative: the method under-predicts)
--   MAPE  = mean over cohorts of |predicted - actual| / |actual| (cohorts with actual 0 left out)
--   naive WAPE = the same for "no further development" (predicted = C(i - m)), the baseline to beat.
-- FULL, every 15 minutes: rebuilt with the factors it tests.
MODEL (
  name marts.player_ltv_backtest,
  kind FULL,
  cron '*/15 * * * *',
  grain [cutoff_periods, acquisition_source, cohort_index],
  owner data,
  tags [marts, players, ltv],
  description 'Back-test of marts.player_ltv''s chain ladder: per cutoff m periods before @end_ds, acquisition source (and (all)) and cohort registered by the cutoff, the cumulative NGR (EUR) the method predicts for the cohort''s latest age from data known at the cutoff, the actual, the error, and per cutoff and source WAPE, bias, MAPE and the naive (no development) WAPE.',
  column_descriptions (
    as_of_date = 'The day the back-test is computed for (@end_ds): the actuals end on it',
    cutoff_periods = 'm: periods held out (the fit knew data up to cutoff_date only)',
    cutoff_date = 'Last day of data the fit used: as_of_date - m * period_days',
    acquisition_source = 'Marketing source, or (all) for the sum over sources',
    cohort_index = 'The cohort (periods back from as_of_date, intermediate.int_ltv_player_periods)',
    cohort_start = 'First day of the cohort''s block',
    players = 'Registered players of the cohort (and source)',
    base_age = 'The cohort''s latest complete age at the cutoff: cohort_index - m',
    actual_age = 'Its latest age now: cohort_index',
    base_ngr_eur = 'Cumulative NGR through base_age (known at the cutoff), EUR, DECIMAL(18,2)',
    development_factor = 'Product of the factors fitted at the cutoff from base_age to actual_age (for (all): predicted / base), DECIMAL(18,6)',
    factors_none = 'Steps with no data at the cutoff, taken as 1 (for (all): the most of any source)',
    predicted_ngr_eur = 'Predicted cumulative NGR through actual_age, EUR, DECIMAL(18,2)',
    actual_ngr_eur = 'Actual cumulative NGR through actual_age, EUR, DECIMAL(18,2)',
    error_eur = 'predicted - actual, EUR, DECIMAL(18,2)',
    pct_error = '(predicted - actual) / |actual|, DECIMAL(12,4); NULL when actual is 0',
    wape = 'Of the cutoff and source: sum |predicted - actual| / sum |actual| over its cohorts, DECIMAL(12,4)',
    bias = 'Of the cutoff and source: sum (predicted - actual) / sum |actual|, DECIMAL(12,4)',
    mape = 'Of the cutoff and source: mean |pct_error| over its cohorts with actual <> 0, DECIMAL(12,4)',
    naive_wape = 'WAPE of predicting no development (predicted = base), the baseline, DECIMAL(12,4)',
    cohorts = 'Cohorts behind the cutoff and source''s measures'
  ),
  audits (
    not_null(columns := [as_of_date, cutoff_periods, cutoff_date, acquisition_source, cohort_index, players, base_age, actual_age, base_ngr_eur, development_factor, factors_none, predicted_ngr_eur, actual_ngr_eur, error_eur, cohorts]),
    unique_combination_of_columns(columns := [cutoff_periods, acquisition_source, cohort_index]),
    accepted_range(column := cutoff_periods, min_v := 1),
    accepted_range(column := players, min_v := 1),
    accepted_range(column := wape, min_v := 0),
    forall(criteria := [base_age = cohort_index - cutoff_periods, base_age >= 0, cutoff_date < as_of_date, error_eur = predicted_ngr_eur - actual_ngr_eur, acquisition_source = '(all)' OR base_ngr_eur > 0 OR predicted_ngr_eur = base_ngr_eur, factors_none BETWEEN 0 AND cutoff_periods])
  )
);

WITH cells AS (
  -- cohort x source x age: players and cumulative NGR through the age (as in the factors' model)
  SELECT
    cohort_index, acquisition_source, age_periods,
    any_value(as_of_date) AS as_of_date, any_value(period_days) AS period_days, any_value(cohort_start) AS cohort_start,
    count(*) AS players,
    sum(sum(ngr_eur)) OVER (PARTITION BY cohort_index, acquisition_source ORDER BY age_periods) AS cum_ngr_eur
  FROM intermediate.int_ltv_player_periods
  GROUP BY cohort_index, acquisition_source, age_periods
),
cutoffs AS (
  -- the past cutoffs at which at least one factor could be fitted (source or pooled); at the
  -- others the method would have predicted "no development" everywhere, which tests nothing
  SELECT DISTINCT CAST(cutoff_periods AS INTEGER) AS cutoff_periods
  FROM intermediate.int_ltv_development_factors
  WHERE cutoff_periods >= 1 AND factor_basis <> 'none'
),
cases AS (
  -- each cohort and source that existed at the cutoff: its cumulative then (base) and now (actual)
  SELECT
    m.cutoff_periods, b.as_of_date, b.period_days, b.cohort_index, b.cohort_start, b.acquisition_source, b.players,
    b.age_periods AS base_age, a.age_periods AS actual_age,
    b.cum_ngr_eur AS base_eur, a.cum_ngr_eur AS actual_eur
  FROM cutoffs AS m
  JOIN cells AS b ON b.age_periods = b.cohort_index - m.cutoff_periods
  JOIN cells AS a ON a.cohort_index = b.cohort_index AND a.acquisition_source = b.acquisition_source AND a.age_periods = a.cohort_index
),
projected AS (
  SELECT
    c.cutoff_periods, c.cohort_index, c.acquisition_source,
    coalesce(product(f.factor) FILTER (WHERE f.factor_basis <> 'none'), 1) AS development_factor,
    c.cutoff_periods - count(f.factor) FILTER (WHERE f.factor_basis <> 'none') AS factors_none
  FROM cases AS c
  LEFT JOIN intermediate.int_ltv_development_factors AS f
    ON f.cutoff_periods = c.cutoff_periods AND f.acquisition_source = c.acquisition_source
    AND f.age_periods >= c.base_age AND f.age_periods < c.actual_age
  GROUP BY c.cutoff_periods, c.cohort_index, c.acquisition_source
),
by_source AS (
  SELECT
    c.*, p.development_factor, p.factors_none,
    CASE WHEN c.base_eur > 0 THEN c.base_eur * p.development_factor ELSE c.base_eur END AS predicted_eur
  FROM cases AS c
  JOIN projected AS p USING (cutoff_periods, cohort_index, acquisition_source)
),
all_sources AS (
  SELECT
    cutoff_periods, any_value(as_of_date) AS as_of_date, any_value(period_days) AS period_days,
    cohort_index, any_value(cohort_start) AS cohort_start, '(all)' AS acquisition_source, sum(players) AS players,
    any_value(base_age) AS base_age, any_value(actual_age) AS actual_age,
    sum(base_eur) AS base_eur, sum(actual_eur) AS actual_eur,
    CASE WHEN sum(base_eur) <> 0 THEN sum(predicted_eur) / sum(base_eur) ELSE 1 END AS development_factor,
    max(factors_none) AS factors_none,
    sum(predicted_eur) AS predicted_eur
  FROM by_source
  GROUP BY cutoff_periods, cohort_index
),
outcomes AS (
  SELECT cutoff_periods, as_of_date, period_days, cohort_index, cohort_start, acquisition_source, players, base_age, actual_age,
    base_eur, actual_eur, development_factor, factors_none, predicted_eur
  FROM by_source
  UNION ALL
  SELECT cutoff_periods, as_of_date, period_days, cohort_index, cohort_start, acquisition_source, players, base_age, actual_age,
    base_eur, actual_eur, development_factor, factors_none, predicted_eur
  FROM all_sources
),
measured AS (
  SELECT
    r.*,
    sum(abs(predicted_eur - actual_eur)) OVER w AS sum_abs_error,
    sum(predicted_eur - actual_eur) OVER w AS sum_error,
    sum(abs(actual_eur)) OVER w AS sum_abs_actual,
    sum(abs(base_eur - actual_eur)) OVER w AS sum_abs_naive_error,
    avg(CASE WHEN actual_eur <> 0 THEN abs(predicted_eur - actual_eur) / abs(actual_eur) END) OVER w AS mape,
    count(*) OVER w AS cohorts
  FROM outcomes AS r
  WINDOW w AS (PARTITION BY cutoff_periods, acquisition_source)
)
SELECT
  as_of_date,
  cutoff_periods,
  CAST(as_of_date - cutoff_periods * period_days AS DATE) AS cutoff_date,
  acquisition_source,
  cohort_index,
  cohort_start,
  CAST(players AS BIGINT) AS players,
  CAST(base_age AS INTEGER) AS base_age,
  CAST(actual_age AS INTEGER) AS actual_age,
  CAST(round(base_eur, 2) AS DECIMAL(18, 2)) AS base_ngr_eur,
  CAST(development_factor AS DECIMAL(18, 6)) AS development_factor,
  CAST(factors_none AS INTEGER) AS factors_none,
  CAST(round(predicted_eur, 2) AS DECIMAL(18, 2)) AS predicted_ngr_eur,
  CAST(round(actual_eur, 2) AS DECIMAL(18, 2)) AS actual_ngr_eur,
  CAST(round(predicted_eur, 2) AS DECIMAL(18, 2)) - CAST(round(actual_eur, 2) AS DECIMAL(18, 2)) AS error_eur,
  CAST(CASE WHEN actual_eur <> 0 THEN (predicted_eur - actual_eur) / abs(actual_eur) END AS DECIMAL(12, 4)) AS pct_error,
  CAST(CASE WHEN sum_abs_actual > 0 THEN sum_abs_error / sum_abs_actual END AS DECIMAL(12, 4)) AS wape,
  CAST(CASE WHEN sum_abs_actual > 0 THEN sum_error / sum_abs_actual END AS DECIMAL(12, 4)) AS bias,
  CAST(mape AS DECIMAL(12, 4)) AS mape,
  CAST(CASE WHEN sum_abs_actual > 0 THEN sum_abs_naive_error / sum_abs_actual END AS DECIMAL(12, 4)) AS naive_wape,
  CAST(cohorts AS BIGINT) AS cohorts
FROM measured
