-- The duty line of the monthly return: per UTC month, licensing jurisdiction and currency, the
-- duty PAYABLE. rpt_gaming_revenue_monthly splits the return by game type, and each of its rows
-- carries that game type's signed share of the duty (a game type the players won on lowers the
-- total): duties are charged on the period's profits across all games, so the payable figure is
-- the sum of the shares, computed here once, and never below zero. A month whose sum is negative
-- pays nothing and shows the negative amount as duty_credit_minor: some laws let a loss be carried
-- into the next period (UK remote gaming duty does), which is not applied here: a regulator pack
-- states it, the next month's figure does not silently absorb it.
-- GGR and NGR are rpt_gaming_revenue_monthly's: the players' own money, a free bet's stake in
-- neither and what it paid a bonus cost (in NGR only; see that model for the duty consequence).
--
-- Kind FULL, hourly, like the model it reads (a handful of rows per month).
MODEL (
  name marts.rpt_gaming_duty_monthly,
  kind FULL,
  cron '@hourly',
  grain [report_month, jurisdiction, currency],
  owner compliance,
  tags [marts, regulatory, finance, money, rpt],
  description 'Regulator return, duty line: per UTC month, licensing jurisdiction and currency, the GGR, NGR and duty base of all game types together (marts.rpt_gaming_revenue_monthly), the exact duty (sum of the game types'' daily duties), the duty payable (rounded once half away from zero, never below 0) and the credit of a losing month (not carried forward).',
  column_descriptions (
    report_month = 'First day of the UTC calendar month',
    jurisdiction = 'Licensing jurisdiction of the players, or (none)',
    currency = 'Currency of the amounts',
    currency_exponent = 'Minor-unit exponent of currency',
    game_types = 'Game types with play in the month (rows of rpt_gaming_revenue_monthly)',
    stakes_minor = 'Stakes of all game types, minor units',
    wins_minor = 'Wins of all game types, minor units',
    ggr_minor = 'GGR = stakes_minor - wins_minor',
    ngr_minor = 'NGR = GGR - bonus cost',
    duty_name = 'The duty applied (seeds.gaming_duty_rates), NULL without a rate row',
    duty_base = 'ggr, ngr or stakes, per the seed',
    duty_base_minor = 'The month''s base, minor units (can be negative)',
    duty_rate_min = 'Lowest daily rate applied in the month',
    duty_rate_max = 'Highest daily rate applied in the month',
    rate_verified = 'Every rate applied has a verified legal source in the seed',
    days_without_rate = 'Game-type activity days with no known rate: > 0 makes the duty NULL',
    duty_exact_minor = 'Sum of the daily duties, fractional minor units, DECIMAL(38,6); NULL when a day has no rate',
    duty_payable_minor = 'greatest(0, duty_exact_minor rounded half away from zero to the minor unit); NULL when a day has no rate',
    duty_credit_minor = 'The rounded duty when it is negative (players won on the base), else 0: not payable, not carried forward here; NULL when a day has no rate',
    duty_payable_eur = 'The game types'' duty_owed_eur summed when duty_payable_minor > 0, else 0; NULL when a day has no rate'
  ),
  audits (
    not_null(columns := [report_month, jurisdiction, currency, currency_exponent, game_types, stakes_minor, wins_minor, ggr_minor, ngr_minor, days_without_rate]),
    unique_combination_of_columns(columns := [report_month, jurisdiction, currency]),
    accepted_range(column := duty_payable_minor, min_v := 0),
    accepted_range(column := duty_credit_minor, max_v := 0),
    ggr_is_stakes_minus_wins(ggr := ggr_minor, stakes := stakes_minor, wins := wins_minor),
    forall(criteria := [
      (duty_payable_minor IS NULL) = (days_without_rate > 0),
      duty_payable_minor IS NULL OR duty_payable_minor = 0 OR duty_credit_minor = 0,
      duty_exact_minor IS NULL OR abs(duty_exact_minor - (duty_payable_minor + duty_credit_minor)) <= 0.5
    ])
  )
);

WITH monthly AS (
  SELECT
    report_month, jurisdiction, currency,
    CAST(any_value(currency_exponent) AS INTEGER) AS currency_exponent,
    count(*) AS game_types,
    CAST(sum(stakes_minor) AS BIGINT) AS stakes_minor,
    CAST(sum(wins_minor) AS BIGINT) AS wins_minor,
    CAST(sum(ggr_minor) AS BIGINT) AS ggr_minor,
    CAST(sum(ngr_minor) AS BIGINT) AS ngr_minor,
    string_agg(DISTINCT duty_name, ', ' ORDER BY duty_name) AS duty_name,
    string_agg(DISTINCT duty_base, ', ' ORDER BY duty_base) AS duty_base,
    CAST(sum(duty_base_minor) AS BIGINT) AS duty_base_minor,
    CAST(min(duty_rate_min) AS DECIMAL(9, 6)) AS duty_rate_min,
    CAST(max(duty_rate_max) AS DECIMAL(9, 6)) AS duty_rate_max,
    bool_and(rate_verified) AS rate_verified,
    CAST(sum(days_without_rate) AS BIGINT) AS days_without_rate,
    -- sum() skips NULLs: the CASE keeps a month with any unknown rate NULL, never a partial sum
    CASE WHEN sum(days_without_rate) = 0 THEN CAST(sum(duty_exact_minor) AS DECIMAL(38, 6)) END AS duty_exact_minor,
    CASE WHEN sum(days_without_rate) = 0 THEN sum(duty_owed_eur) END AS duty_eur
  FROM marts.rpt_gaming_revenue_monthly
  GROUP BY report_month, jurisdiction, currency
)
SELECT
  report_month, jurisdiction, currency, currency_exponent, game_types,
  stakes_minor, wins_minor, ggr_minor, ngr_minor,
  duty_name, duty_base, duty_base_minor, duty_rate_min, duty_rate_max, rate_verified, days_without_rate,
  duty_exact_minor,
  -- greatest / least skip NULL in DuckDB (greatest(NULL, 0) = 0): the CASE keeps an unknown duty NULL
  CASE WHEN duty_exact_minor IS NOT NULL THEN CAST(greatest(round(duty_exact_minor, 0), 0) AS BIGINT) END AS duty_payable_minor,
  CASE WHEN duty_exact_minor IS NOT NULL THEN CAST(least(round(duty_exact_minor, 0), 0) AS BIGINT) END AS duty_credit_minor,
  CASE WHEN duty_exact_minor IS NULL THEN NULL
       WHEN round(duty_exact_minor, 0) > 0 THEN CAST(duty_eur AS DECIMAL(18, 2))
       ELSE CAST(0 AS DECIMAL(18, 2)) END AS duty_payable_eur
FROM monthly
