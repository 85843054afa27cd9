-- Effective-dated rates must not overlap: on any day, one jurisdiction, duty and game type has at
-- most one rate, so "the rate effective on a day" is a single row. Returns each pair of rows
-- whose [effective_from, effective_to] ranges share a day (effective_to NULL = open-ended).
AUDIT (name no_overlapping_duty_rates);
SELECT a.jurisdiction, a.duty_name, a.game_type,
       a.effective_from AS a_from, a.effective_to AS a_to,
       b.effective_from AS b_from, b.effective_to AS b_to
FROM @this_model AS a
JOIN @this_model AS b
  ON a.jurisdiction = b.jurisdiction
 AND a.duty_name = b.duty_name
 AND a.game_type = b.game_type
 AND a.effective_from < b.effective_from
WHERE a.effective_to IS NULL OR a.effective_to >= b.effective_from
