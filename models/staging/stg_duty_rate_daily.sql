-- The duty rate effective on each day per jurisdiction, duty and game type: the seed's ranges
-- expanded to days, so a monthly return joins its daily GGR on (day, jurisdiction, game_type)
-- and applies the rate of each day (the UK remote gaming duty changes on 2026-04-01 mid-period).
-- Days run from the warehouse's first day (2026-01-01) to the range's end, an open range to
-- 2027-12-31 (extend the horizon when the reports need later days).
MODEL (
  name staging.stg_duty_rate_daily,
  kind VIEW,
  grain [rate_date, jurisdiction, duty_name, game_type],
  owner data,
  tags [finance, regulatory],
  description 'Gaming duty rate effective on each day per jurisdiction, duty and game type (from seeds.gaming_duty_rates).',
  column_descriptions (
    rate_date = 'The day (UTC) the rate applies to',
    jurisdiction = 'Licensing jurisdiction id',
    duty_name = 'The duty or tax',
    game_type = 'What the rate applies to',
    base = 'ggr, ngr or stakes',
    rate = 'Rate as a fraction; NULL when unknown',
    verified = 'Whether the rate was confirmed from its official source'
  ),
  audits (
    not_null(columns := [rate_date, jurisdiction, duty_name, game_type, base, verified]),
    unique_combination_of_columns(columns := [rate_date, jurisdiction, duty_name, game_type])
  )
);

WITH rates AS (
  SELECT * FROM seeds.gaming_duty_rates
),

days AS (
  SELECT
    jurisdiction, duty_name, game_type, base, rate, verified,
    unnest(generate_series(
      greatest(effective_from, DATE '2026-01-01'),
      coalesce(effective_to, DATE '2027-12-31'),
      INTERVAL 1 DAY
    )) AS rate_ts
  FROM rates
  WHERE coalesce(effective_to, DATE '2027-12-31') >= DATE '2026-01-01'
),

final AS (
  SELECT
    CAST(rate_ts AS DATE) AS rate_date,
    jurisdiction,
    duty_name,
    game_type,
    base,
    CAST(rate AS DECIMAL(9, 6)) AS rate,
    verified
  FROM days
)

SELECT * FROM final
