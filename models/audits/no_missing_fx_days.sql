-- A rate for every currency on every day between the table's first and last day: a join to the
-- FX seed must never silently drop a day's money. Returns each missing (day, currency).
AUDIT (name no_missing_fx_days);
WITH currencies AS (
  SELECT DISTINCT currency FROM @this_model
),
days AS (
  SELECT CAST(unnest(generate_series(min(rate_date), max(rate_date), INTERVAL 1 DAY)) AS DATE) AS rate_date
  FROM @this_model
)
SELECT d.rate_date, c.currency
FROM days AS d
CROSS JOIN currencies AS c
ANTI JOIN @this_model AS m ON m.rate_date = d.rate_date AND m.currency = c.currency
