-- A "previous period" column holds what the row of the earlier period says: per group `by`, the
-- value of `previous` on the row of `period` equals `value` on the row of `period - lag`, or
-- `missing` (default 0) when that row does not exist, i.e. nothing happened then (give
-- `missing := NULL` for a ratio, which has no value without activity). Rows whose earlier period falls
-- before the model's first period must carry NULL (not known, not 0). Returns the rows that
-- disagree. The lookup is a RANGE window, so no join keys need spelling out and `by` may be a list:
--   equals_earlier_period(value := ggr_minor, previous := ggr_minor_prev_day, period := report_date,
--                         by := [brand, currency], lag := INTERVAL 1 DAY)
-- Only meaningful on a table that holds every period (a FULL model): an incremental batch sees
-- only its own interval, so its earlier rows are not there.
AUDIT (name equals_earlier_period, defaults (missing = 0));
SELECT *
FROM (
  SELECT
    m.*,
    max(@value) OVER (
      PARTITION BY @by ORDER BY @period
      RANGE BETWEEN @lag PRECEDING AND @lag PRECEDING
    ) AS earlier_value,
    count(*) OVER (
      PARTITION BY @by ORDER BY @period
      RANGE BETWEEN @lag PRECEDING AND @lag PRECEDING
    ) AS earlier_rows,
    min(@period) OVER () AS first_period
  FROM @this_model AS m
) AS t
WHERE CASE
  WHEN @period - @lag < first_period THEN @previous IS NOT NULL
  WHEN earlier_rows = 0 THEN @previous IS DISTINCT FROM @missing
  ELSE @previous IS DISTINCT FROM earlier_value
END
