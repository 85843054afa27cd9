-- Chain-ladder age-to-age development factors of cumulative NGR (EUR), per acquisition source,
-- for every cutoff: what the LTV method (marts.player_ltv) would have fitted knowing only the data
-- up to cutoff_date. cutoff_periods 0 is now (marts.player_ltv uses it); 1, 2, ... are the
-- back-test's cutoffs (marts.player_ltv_backtest), one period (block of
-- intermediate.int_ltv_player_periods) earlier each.
--
-- Method (volume-weighted chain ladder, as actuaries use for claims triangles):
--   C(c, s, k) = cumulative NGR in EUR of cohort c, source s, through age k (all registered players
--                of the cohort count, depositors or not)
--   at cutoff m, a cell (c, k) is known when its block ended by cutoff_date: k <= c - m
--   f(s, k) at m = sum over cohorts c with k + 1 <= c - m of C(c, s, k + 1) / sum of C(c, s, k)
-- Fallback (state it wherever a factor is used): the source's own factor when its contributing
-- cohorts hold >= min_source_players players and their base sum C(k) is > 0 (a ratio to a
-- non-positive base means nothing); else the factor pooled over all sources (same cohorts, again
-- >= min_source_players players and base > 0: a factor from a handful of players, such as the
-- partial oldest cohort when history starts mid-period, is noise); else basis 'none' and factor 1 (no development assumed; the consumers also use 1 for an age
-- beyond any cohort's history, for which there is no row at all).
--
-- FULL, every 15 minutes: refitted from the whole triangle whenever it moves (the triangle is
-- relative to the run's day); a few hundred rows.
MODEL (
  name intermediate.int_ltv_development_factors,
  kind FULL,
  cron '*/15 * * * *',
  grain [cutoff_periods, acquisition_source, age_periods],
  owner data,
  tags [intermediate, players, ltv],
  description 'Chain-ladder age-to-age factors of cumulative NGR in EUR (age k -> k+1) per acquisition source, for each cutoff m periods before @end_ds (m = 0: now; m >= 1: back-test), fitted only on cells known at the cutoff; the source''s own factor when >= min_source_players players and a positive base, else pooled over sources (same two conditions), else 1 (none).',
  column_descriptions (
    as_of_date = 'The day the triangle is computed for (@end_ds)',
    cutoff_periods = 'm: the cutoff is m periods before as_of_date (0 = now, the live fit)',
    cutoff_date = 'Last day of data the fit may use: as_of_date - m * period_days',
    acquisition_source = 'Marketing source (marts.dim_players), or (unknown)',
    age_periods = 'k: the factor develops cumulative NGR from the end of age k to the end of age k + 1',
    source_cohorts = 'Cohorts of this source whose ages k and k + 1 were known at the cutoff',
    source_players = 'Players in those cohorts of this source',
    source_base_eur = 'Sum of their cumulative NGR through age k, EUR (unrounded); NULL when none',
    source_next_eur = 'Sum of their cumulative NGR through age k + 1, EUR (unrounded); NULL when none',
    pooled_cohorts = 'Cohorts (any source) whose ages k and k + 1 were known at the cutoff',
    pooled_players = 'Players in those cohorts, all sources',
    pooled_base_eur = 'Their cumulative NGR through age k, all sources, EUR',
    pooled_next_eur = 'Their cumulative NGR through age k + 1, all sources, EUR',
    factor = 'The factor used: source_next_eur / source_base_eur (basis source), pooled_next_eur / pooled_base_eur (pooled) or 1 (none), DECIMAL(18,6)',
    factor_basis = 'source, pooled or none (see the model header for the rule)',
    min_source_players = 'The named constant: fewest players behind a factor (source or pooled)'
  ),
  audits (
    not_null(columns := [as_of_date, cutoff_periods, cutoff_date, acquisition_source, age_periods, source_cohorts, source_players, pooled_cohorts, pooled_players, factor, factor_basis]),
    unique_combination_of_columns(columns := [cutoff_periods, acquisition_source, age_periods]),
    accepted_values(column := factor_basis, is_in := ('source', 'pooled', 'none')),
    accepted_range(column := cutoff_periods, min_v := 0),
    forall(criteria := [source_players <= pooled_players, source_cohorts <= pooled_cohorts, factor_basis <> 'source' OR (source_players >= min_source_players AND source_base_eur > 0), factor_basis <> 'pooled' OR (pooled_players >= min_source_players AND pooled_base_eur > 0), factor_basis <> 'none' OR factor = 1])
  )
);

WITH t AS (
  SELECT 30 AS min_source_players    -- fewer players behind a factor: too noisy (source: pool; pooled: none)
),
cells AS (
  -- cohort x source x age: its players and cumulative NGR through that age
  SELECT
    cohort_index, acquisition_source, age_periods,
    any_value(as_of_date) AS as_of_date, any_value(period_days) AS period_days,
    count(*) AS players,
    sum(sum(ngr_eur)) OVER (PARTITION BY cohort_index, acquisition_source ORDER BY age_periods) AS cum_ngr_eur
  FROM intermediate.int_ltv_player_periods
  GROUP BY cohort_index, acquisition_source, age_periods
),
pairs AS (
  -- each cohort-source's development from age k to k + 1
  SELECT a.cohort_index, a.acquisition_source, a.age_periods, a.players, a.cum_ngr_eur AS base_eur, b.cum_ngr_eur AS next_eur
  FROM cells AS a
  JOIN cells AS b ON b.cohort_index = a.cohort_index AND b.acquisition_source = a.acquisition_source AND b.age_periods = a.age_periods + 1
),
cutoffs AS (
  -- 0 .. the oldest cohort (every cutoff, also when no one registered in some period)
  SELECT CAST(unnest(range(max(cohort_index) + 1)) AS INTEGER) AS cutoff_periods,
    any_value(as_of_date) AS as_of_date, any_value(period_days) AS period_days
  FROM cells
),
known AS (
  -- the pairs known at each cutoff: age k + 1 of the cohort ended by the cutoff date
  SELECT c.cutoff_periods, c.as_of_date, c.period_days, p.*
  FROM cutoffs AS c
  JOIN pairs AS p ON p.age_periods + 1 <= p.cohort_index - c.cutoff_periods
),
pooled AS (
  SELECT cutoff_periods, any_value(as_of_date) AS as_of_date, any_value(period_days) AS period_days, age_periods,
    count(DISTINCT cohort_index) AS pooled_cohorts, sum(players) AS pooled_players,
    sum(base_eur) AS pooled_base_eur, sum(next_eur) AS pooled_next_eur
  FROM known
  GROUP BY cutoff_periods, age_periods
),
by_source AS (
  SELECT cutoff_periods, acquisition_source, age_periods,
    count(*) AS source_cohorts, sum(players) AS source_players,
    sum(base_eur) AS source_base_eur, sum(next_eur) AS source_next_eur
  FROM known
  GROUP BY cutoff_periods, acquisition_source, age_periods
),
sources AS (
  SELECT DISTINCT acquisition_source FROM cells
),
chosen AS (
  SELECT
    p.as_of_date, p.period_days, p.cutoff_periods, s.acquisition_source, p.age_periods,
    coalesce(b.source_cohorts, 0) AS source_cohorts, coalesce(b.source_players, 0) AS source_players,
    b.source_base_eur, b.source_next_eur,
    p.pooled_cohorts, p.pooled_players, p.pooled_base_eur, p.pooled_next_eur,
    CASE
      WHEN coalesce(b.source_players, 0) >= t.min_source_players AND b.source_base_eur > 0 THEN 'source'
      WHEN p.pooled_players >= t.min_source_players AND p.pooled_base_eur > 0 THEN 'pooled'
      ELSE 'none'
    END AS factor_basis,
    t.min_source_players
  FROM pooled AS p
  CROSS JOIN sources AS s
  CROSS JOIN t
  LEFT JOIN by_source AS b ON b.cutoff_periods = p.cutoff_periods AND b.age_periods = p.age_periods AND b.acquisition_source = s.acquisition_source
)
SELECT
  as_of_date,
  cutoff_periods,
  CAST(as_of_date - cutoff_periods * period_days AS DATE) AS cutoff_date,
  acquisition_source,
  age_periods,
  CAST(source_cohorts AS BIGINT) AS source_cohorts,
  CAST(source_players AS BIGINT) AS source_players,
  source_base_eur,
  source_next_eur,
  CAST(pooled_cohorts AS BIGINT) AS pooled_cohorts,
  CAST(pooled_players AS BIGINT) AS pooled_players,
  pooled_base_eur,
  pooled_next_eur,
  CAST(CASE factor_basis
    WHEN 'source' THEN source_next_eur / source_base_eur
    WHEN 'pooled' THEN pooled_next_eur / pooled_base_eur
    ELSE 1
  END AS DECIMAL(18, 6)) AS factor,
  factor_basis,
  min_source_players
FROM chosen
