-- Exactly one row has the boolean column true (e.g. the one default brand). Returns the count
-- of true rows when it is not 1.
AUDIT (name exactly_one_true);
SELECT count(*) FILTER (WHERE @column) AS true_rows
FROM @this_model
HAVING count(*) FILTER (WHERE @column) <> 1
