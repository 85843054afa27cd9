-- Ratios the marts report, written once (call them as macros.<name>(...)).
--
-- Both are DECIMAL(9, 6) (six decimals: 0.994000 is 99.4 %), and NULL when there is nothing to
-- divide by, never 0: "no stakes" and "paid back nothing" are different answers for an analyst.

-- Observed return to player: what was paid back (stakes included) over what was staked, from
-- unrounded sums (round the handle and payouts for display, never before dividing).
CREATE MACRO observed_rtp(payouts, handle) AS
  CAST(CASE WHEN handle > 0 THEN payouts / handle END AS DECIMAL(9, 6));

-- The share of `whole` that `part` is (a natural per box dealt, a bust per hand): NULL for an empty whole.
CREATE MACRO rate(part, whole) AS
  CAST(part / nullif(whole, 0) AS DECIMAL(9, 6));
