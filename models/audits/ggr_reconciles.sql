-- Reconciliation: on every row, GGR = stakes - wins in minor units. Returns the rows where it does
-- not hold (used by the marts that carry stakes_minor, wins_minor and ggr_minor).
AUDIT (name ggr_reconciles);
SELECT *
FROM @this_model
WHERE ggr_minor IS DISTINCT FROM stakes_minor - wins_minor
