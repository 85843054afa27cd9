-- Rows split finer than a control total add up to it: per group `by`, the sum of `part` equals the
-- `control` column, which carries the same total on every row of the group (read from the source
-- without the joins that split it). Returns each group where the parts do not add up, where the
-- control differs between its rows, or where it is missing; a join that fans out (a duplicated
-- key) or drops rows shows up here. Usage:
--   sums_to_control_total(part := ggr_minor, control := control_ggr_minor, by := [report_month, jurisdiction, currency])
AUDIT (name sums_to_control_total);
SELECT @by, sum(@part) AS parts_total, min(@control) AS control_total, max(@control) AS control_max,
       count(*) AS group_rows, count(@control) AS rows_with_control
FROM @this_model
GROUP BY @by
HAVING sum(coalesce(@part, 0)) IS DISTINCT FROM min(@control)
    OR min(@control) IS DISTINCT FROM max(@control)
    OR count(@control) <> count(*)
