-- Every movement of a player's balance, per currency and bucket (real, bonus), with its signed
-- amount, the running balance it leaves, and the balance the wallet reported after it. The rule
-- table (which event moves which bucket by how much) is in docs/models.md ("Wallet movements"); it
-- follows durable/player/wallet.ts: a balance (the ledger's balance_minor, holds included) moves
-- only on a completed deposit, a posted hold (a bet's stake or a paid withdrawal), a credited win,
-- a tournament prize (a wallet win without a stake: movement prize, not win), a reward paid as
-- money (a cashback: wallet.reward.credited, movement reward), what a free bet won (a wallet win
-- naming its free bet: movement free_bet_win, docs/rewards.md "Cash-like rewards"; its hold of 0
-- moved nothing), an applied adjustment (manual, or a
-- bet's correction) and a dispute's void. Prizes, rewards and free-bet wins are the operator's
-- promotional cost, never a player's gaming win (GGR): kept apart from win so a report can tell
-- them from game returns on the player's own stakes. Reserving, voiding
-- and expiring a hold move money between available and held, never the balance: they are in
-- marts.player_balances' held_minor, not here.
MODEL (
  name intermediate.int_wallet_movements,
  kind VIEW,
  grain [event_id, bucket],
  owner data,
  tags [intermediate, wallet, money],
  description 'One row per balance movement and bucket, ordered per player, currency and bucket by (occurred_at, event_id); running_balance_minor is the sum of the movements so far (the warehouse''s own balance); balance_after_minor the balance the wallet reported, where it reports the bucket''s balance (NULL for a posted hold, which reports the available total, and a dispute''s void, which reports none). Money in integer minor units.',
  column_descriptions (
    event_id = 'The event of the movement (a posted hold split over real and bonus gives two rows)',
    event_type = 'The event type the movement comes from',
    movement = 'deposit, stake, withdrawal, win (a game''s return on the player''s stake), free_bet_win (what a free bet paid: the return without the stake), prize (a tournament prize), reward (a cash-like reward such as a cashback), adjustment or dispute_void',
    occurred_at = 'When the wallet committed it (UTC)',
    event_date = 'UTC day of occurred_at',
    player_id = 'The player',
    currency = 'Wallet currency',
    bucket = 'real or bonus',
    ref = 'deposit_id, hold_id, win_id (a prize''s too), grant_id, adjustment_id or dispute_id',
    amount_minor = 'Signed movement of the bucket''s balance (credit > 0, debit < 0), minor units',
    balance_after_minor = 'The bucket''s balance the wallet reported after the movement (NULL where the event reports something else)',
    running_balance_minor = 'Sum of this player, currency and bucket''s movements up to and including this one',
    movement_seq = 'Position of the movement in its player, currency and bucket (1 = first; within a millisecond, stake before its win)',
    order_is_certain = 'False when the millisecond holds movements of several bets or references of this bucket, whose order the events do not tell'
  ),
  audits (
    not_null(columns := [event_id, movement, occurred_at, player_id, currency, bucket, amount_minor, running_balance_minor]),
    unique_combination_of_columns(columns := [event_id, bucket]),
    accepted_values(column := bucket, is_in := ('real', 'bonus')),
    accepted_values(column := movement, is_in := ('deposit', 'stake', 'withdrawal', 'win', 'free_bet_win', 'prize', 'reward', 'adjustment', 'dispute_void')),
    running_balance_matches_reported(balance := balance_after_minor, running := running_balance_minor, checked := order_is_certain)
  )
);

WITH reserved AS (
  SELECT hold_id, real_minor, bonus_minor
  FROM staging.stg_holds
  WHERE step = 'reserved'
),
applied_adjustments AS (
  SELECT case_id
  FROM staging.stg_adjustments
  WHERE case_type = 'adjustment' AND step = 'applied'
),
posted AS (
  -- the stake leaves the balance, real first as it was reserved; released_minor never left it
  SELECT
    h.event_id, h.event_type, h.occurred_at, h.event_date, h.player_id, h.currency, h.hold_id, h.hold_origin,
    least(coalesce(r.real_minor, h.amount_minor), h.amount_minor) AS real_taken,
    h.amount_minor - least(coalesce(r.real_minor, h.amount_minor), h.amount_minor) AS bonus_taken
  FROM staging.stg_holds AS h
  LEFT JOIN reserved AS r ON r.hold_id = h.hold_id
  WHERE h.step = 'posted'
),
moves AS (
  SELECT event_id, event_type, CAST('deposit' AS VARCHAR) AS movement, occurred_at, event_date, player_id, currency,
         CAST('real' AS VARCHAR) AS bucket, deposit_id AS ref, deposit_id AS order_key, 1 AS order_rank, amount_minor, balance_after_minor
  FROM staging.stg_deposits
  WHERE step = 'completed'
  UNION ALL
  SELECT event_id, event_type, CASE hold_origin WHEN 'withdrawal' THEN 'withdrawal' ELSE 'stake' END, occurred_at, event_date, player_id, currency,
         'real', hold_id, hold_id, 0, -real_taken, CAST(NULL AS BIGINT)
  FROM posted
  WHERE real_taken > 0
  UNION ALL
  SELECT event_id, event_type, CASE hold_origin WHEN 'withdrawal' THEN 'withdrawal' ELSE 'stake' END, occurred_at, event_date, player_id, currency,
         'bonus', hold_id, hold_id, 0, -bonus_taken, CAST(NULL AS BIGINT)
  FROM posted
  WHERE bonus_taken > 0
  UNION ALL
  -- a tournament prize is credited as a win without a hold (docs/tournaments.md): movement prize;
  -- a free bet's win names its free bet: movement free_bet_win
  SELECT event_id, event_type,
         CASE WHEN win_origin = 'tournament' THEN 'prize' WHEN free_bet_id IS NOT NULL THEN 'free_bet_win' ELSE 'win' END,
         occurred_at, event_date, player_id, currency,
         bucket, win_id, coalesce(hold_id, win_id), 1, amount_minor, balance_after_minor
  FROM staging.stg_wins
  WHERE win_source = 'wallet'
  UNION ALL
  SELECT event_id, event_type, 'reward', occurred_at, event_date, player_id, currency,
         bucket, grant_id, grant_id, 1, amount_minor, balance_after_minor
  FROM staging.stg_reward_credits
  UNION ALL
  SELECT event_id, event_type, 'adjustment', occurred_at, event_date, player_id, currency,
         bucket, case_id, case_id, 1, amount_minor, balance_after_minor
  FROM staging.stg_adjustments
  WHERE case_type = 'adjustment' AND step = 'applied'
  UNION ALL
  -- a void applied at once (a provider's rollback, or a void that takes money back) has no
  -- adjustment.applied of its own: its net amount goes to the real balance (see docs/models.md)
  SELECT d.event_id, d.event_type, 'dispute_void', d.occurred_at, d.event_date, d.player_id, d.currency,
         'real', d.case_id, d.case_id, 1, d.amount_minor, CAST(NULL AS BIGINT)
  FROM staging.stg_adjustments AS d
  ANTI JOIN applied_adjustments AS a ON a.case_id = d.case_id
  WHERE d.case_type = 'dispute' AND d.resolution = 'void'
),
ordered AS (
  -- Within one millisecond the events do not say their order (event ids are UUIDv7 with random
  -- low bits): a bet's stake is put before its win (same order_key, stake first), the rest by
  -- order_key. Where one millisecond holds movements of more than one order_key (a table settling
  -- several bets of the player at once), the true order is unknown and the running balance of
  -- those rows is not comparable with the reported one: order_is_certain says so.
  SELECT
    *,
    count(DISTINCT order_key) OVER (PARTITION BY player_id, currency, bucket, occurred_at) = 1 AS order_is_certain
  FROM moves
)
SELECT
  event_id, event_type, movement, occurred_at, event_date, player_id, currency, bucket, ref, amount_minor, balance_after_minor,
  sum(amount_minor) OVER w AS running_balance_minor,
  row_number() OVER w AS movement_seq,
  order_is_certain
FROM ordered
WINDOW w AS (PARTITION BY player_id, currency, bucket ORDER BY occurred_at, order_key, order_rank, event_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
