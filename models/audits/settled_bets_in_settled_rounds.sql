-- Every settled table bet belongs to a settled round (TARGETS.md R4): a bet with a game result
-- (win, lose, push) needs its round settled; a bet given back by a void needs its round settled or
-- voided. A bet whose hold expired (result expired) was never played and needs neither. Returns
-- the bets that break this, with what their round lacks. Reads the columns of
-- intermediate.int_settled_table_bets.
AUDIT (name settled_bets_in_settled_rounds);
SELECT bet_id, round_id, table_id, result, bet_settled_at, round_settled_at, round_voided_at,
       CASE WHEN result = 'void' THEN 'round neither settled nor voided' ELSE 'round not settled' END AS problem
FROM @this_model
WHERE (result IN ('win', 'lose', 'push') AND round_settled_at IS NULL)
   OR (result = 'void' AND round_settled_at IS NULL AND round_voided_at IS NULL)
   OR (result IS NULL AND round_settled_at IS NULL AND round_voided_at IS NULL)
