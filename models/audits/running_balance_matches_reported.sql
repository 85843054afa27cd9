-- Where the source reported a running balance, the warehouse's own running sum of the movements
-- must equal it: a lost, doubled or mis-signed movement shows up at the next reported balance.
-- Returns every checked row whose reported balance differs from the running sum. Rows without a
-- reported balance, and rows where `checked` is false (e.g. their order among simultaneous
-- movements is unknown), are not checked.
AUDIT (name running_balance_matches_reported, defaults (checked = TRUE));
SELECT *, @running - @balance AS delta_minor
FROM @this_model
WHERE @balance IS NOT NULL AND (@checked) AND @running <> @balance
