MODEL (
  name intermediate.int_slot_rounds,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column settled_date
  ),
  cron '@daily',
  grain [bet_tx_id],
  start '2026-10-22',
  owner 'games',
  tags [intermediate, slots],
  description 'One row per closed slot round: the provider bet and the win or rollback that closed it'
);

WITH bets AS (
  SELECT tx_id, player_id, jurisdiction, currency, provider_id, game_id, provider_round_id,
    amount_minor AS stake_minor, occurred_at AS bet_at
  FROM staging.stg_provider_txns
  WHERE txn_type = 'bet.debited'
    AND event_date BETWEEN CAST(@start_ds AS DATE) - INTERVAL 1 DAY AND @end_ds
),
closes AS (
  SELECT
    coalesce(bet_tx_id, tx_id) AS bet_tx_id,
    txn_type,
    amount_minor,
    occurred_at,
    event_date
  FROM staging.stg_provider_txns
  WHERE txn_type IN ('win.credited', 'bet.rolled_back')
    AND event_date BETWEEN @start_ds AND @end_ds
)
SELECT
  c.bet_tx_id,
  b.player_id,
  b.jurisdiction,
  b.currency,
  b.provider_id,
  b.game_id,
  b.provider_round_id,
  b.stake_minor,
  CASE WHEN c.txn_type = 'win.credited' THEN c.amount_minor ELSE 0 END AS win_minor,
  c.txn_type = 'bet.rolled_back' AS rolled_back,
  CASE WHEN c.txn_type = 'bet.rolled_back' THEN 0 ELSE b.stake_minor - c.amount_minor END AS ggr_minor,
  b.bet_at,
  c.occurred_at AS settled_at,
  c.event_date AS settled_date
FROM closes AS c
JOIN bets AS b ON b.tx_id = c.bet_tx_id
