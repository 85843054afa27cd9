-- Each player's balance per currency as the warehouse knows it: the sum of the balance movements
-- (intermediate.int_wallet_movements) per bucket, and what is held by holds still pending. The
-- same shape as the edge's wallet view (durable/player/wallet.ts balances(): real, bonus, held,
-- available), so `wh reconcile` compares the two field by field. A view, not a FULL table: it is as
-- current as the staging models it reads (a FULL table waits for its own cron tick, and a
-- reconcile right after a run would compare the edge with the previous minute's balances).
MODEL (
  name marts.player_balances,
  kind VIEW,
  grain [player_id, currency],
  owner data,
  tags [marts, wallet, money, reconciliation],
  description 'One row per player and currency that ever moved money: real_minor and bonus_minor are the sums of the movements of each bucket (holds included, as the wallet''s balance), held_minor what pending holds reserve, available_minor = real + bonus - held. The *_last_reported_minor columns are the last balance the wallet reported for the bucket and *_sum_at_last_report_minor the sum of the movements up to that report: equal when nothing was lost (audited). Money in integer minor units.',
  column_descriptions (
    player_id = 'The player',
    currency = 'Wallet currency',
    real_minor = 'Real-money balance: sum of the real bucket''s movements',
    bonus_minor = 'Bonus balance: sum of the bonus bucket''s movements',
    held_minor = 'Reserved by holds still pending (reserved, not yet posted, voided or expired), both buckets',
    available_minor = 'real_minor + bonus_minor - held_minor, as the edge''s available_minor',
    movements = 'Number of balance movements (both buckets)',
    real_last_reported_minor = 'The last real balance the wallet reported (balance_after_minor), NULL if none',
    real_sum_at_last_report_minor = 'Sum of the real movements up to and including that report',
    bonus_last_reported_minor = 'The last bonus balance the wallet reported, NULL if none',
    bonus_sum_at_last_report_minor = 'Sum of the bonus movements up to and including that report',
    last_movement_at = 'When the last balance movement happened (UTC)',
    last_wallet_event_at = 'When the last wallet event of this player and currency happened (holds included, UTC): the watermark reconcile compares with the edge'
  ),
  audits (
    not_null(columns := [player_id, currency, real_minor, bonus_minor, held_minor, available_minor]),
    unique_combination_of_columns(columns := [player_id, currency]),
    accepted_range(column := held_minor, min_v := 0),
    last_balance_is_sum_of_movements(last_balance := real_last_reported_minor, movements_sum := real_sum_at_last_report_minor),
    last_balance_is_sum_of_movements(last_balance := bonus_last_reported_minor, movements_sum := bonus_sum_at_last_report_minor)
  )
);

WITH by_bucket AS (
  SELECT
    player_id,
    currency,
    sum(amount_minor) FILTER (WHERE bucket = 'real') AS real_sum,
    sum(amount_minor) FILTER (WHERE bucket = 'bonus') AS bonus_sum,
    count(*) AS movements,
    arg_max(balance_after_minor, movement_seq) FILTER (WHERE bucket = 'real' AND balance_after_minor IS NOT NULL) AS real_last_reported_minor,
    arg_max(running_balance_minor, movement_seq) FILTER (WHERE bucket = 'real' AND balance_after_minor IS NOT NULL) AS real_sum_at_last_report_minor,
    arg_max(balance_after_minor, movement_seq) FILTER (WHERE bucket = 'bonus' AND balance_after_minor IS NOT NULL) AS bonus_last_reported_minor,
    arg_max(running_balance_minor, movement_seq) FILTER (WHERE bucket = 'bonus' AND balance_after_minor IS NOT NULL) AS bonus_sum_at_last_report_minor,
    max(occurred_at) AS last_movement_at
  FROM intermediate.int_wallet_movements
  GROUP BY player_id, currency
),
hold_state AS (
  SELECT
    hold_id,
    any_value(player_id) AS player_id,
    any_value(currency) AS currency,
    max(amount_minor) FILTER (WHERE step = 'reserved') AS reserved_minor,
    bool_or(step IN ('posted', 'voided', 'expired')) AS resolved,
    max(occurred_at) AS last_at
  FROM staging.stg_holds
  GROUP BY hold_id
),
held AS (
  SELECT
    player_id,
    currency,
    coalesce(sum(reserved_minor) FILTER (WHERE NOT resolved), 0) AS held_minor,
    max(last_at) AS last_hold_at
  FROM hold_state
  GROUP BY player_id, currency
)
SELECT
  coalesce(b.player_id, h.player_id) AS player_id,
  coalesce(b.currency, h.currency) AS currency,
  coalesce(b.real_sum, 0) AS real_minor,
  coalesce(b.bonus_sum, 0) AS bonus_minor,
  coalesce(h.held_minor, 0) AS held_minor,
  coalesce(b.real_sum, 0) + coalesce(b.bonus_sum, 0) - coalesce(h.held_minor, 0) AS available_minor,
  coalesce(b.movements, 0) AS movements,
  b.real_last_reported_minor,
  b.real_sum_at_last_report_minor,
  b.bonus_last_reported_minor,
  b.bonus_sum_at_last_report_minor,
  b.last_movement_at,
  greatest(b.last_movement_at, h.last_hold_at) AS last_wallet_event_at
FROM by_bucket AS b
FULL OUTER JOIN held AS h ON h.player_id = b.player_id AND h.currency = b.currency
