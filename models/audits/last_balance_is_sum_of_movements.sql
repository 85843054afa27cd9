-- Per row (e.g. a player and currency), the last balance the source reported equals the sum of the
-- movements up to that report. Returns the rows where they differ; rows without a reported
-- balance (the source never reported one) pass.
AUDIT (name last_balance_is_sum_of_movements);
SELECT *, @movements_sum - @last_balance AS delta_minor
FROM @this_model
WHERE @last_balance IS NOT NULL AND @movements_sum IS DISTINCT FROM @last_balance
