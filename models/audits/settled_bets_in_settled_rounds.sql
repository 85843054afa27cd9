-- Every settled table bet belongs to a settled round (TARGETS.md R4): a bet with a game result
-- (win, lose, push) needs its round settled; a bet given back by a void needs its round settled or
-- voided. A bet whose hold expired (result expired) was never played and needs neither. Returns
-- the bets that break this, with what their round lacks. Reads the columns of
-- intermediate.int_settled_table_bets.
--
-- A round still settling is not a break: the table settles its bets one by one and marks the round
-- settled after the last, and a player's object it cannot reach keeps the round open until that
-- bet's hold expires (HOLD_TTL_MAX_MS, 24 h, domain/money.ts). So bets settled in the last
-- @grace_hours before the newest settlement the warehouse holds are not judged yet (default 25:
-- the 24 h plus the settlement's own minutes); older ones are.
AUDIT (name settled_bets_in_settled_rounds, defaults (grace_hours = 25));
SELECT bet_id, round_id, table_id, result, bet_settled_at, round_settled_at, round_voided_at,
       CASE WHEN result = 'void' THEN 'round neither settled nor voided' ELSE 'round not settled' END AS problem
FROM @this_model
WHERE bet_settled_at <= (SELECT max(bet_settled_at) FROM @this_model) - to_hours(CAST(@grace_hours AS BIGINT))
  AND ((result IN ('win', 'lose', 'push') AND round_settled_at IS NULL)
    OR (result = 'void' AND round_settled_at IS NULL AND round_voided_at IS NULL)
    OR (result IS NULL AND round_settled_at IS NULL AND round_voided_at IS NULL))
