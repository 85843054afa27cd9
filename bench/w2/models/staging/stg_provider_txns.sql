MODEL (
  name staging.stg_provider_txns,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    batch_size 31
  ),
  cron '@daily',
  grain [event_id],
  start '2026-10-22',
  owner 'games',
  tags [staging, slots],
  description 'Provider seamless-wallet transactions (slots): bets debited, wins credited, rollbacks'
);

SELECT
  event_id,
  replace(event_type, 'provider.', '') AS txn_type,
  player_id,
  jurisdiction,
  currency,
  occurred_at,
  event_date,
  payload->>'$.provider_id' AS provider_id,
  payload->>'$.game_id' AS game_id,
  payload->>'$.tx_id' AS tx_id,
  payload->>'$.round_id' AS provider_round_id,
  payload->>'$.bet_tx_id' AS bet_tx_id,
  payload->>'$.rollback_tx_id' AS rollback_tx_id,
  (payload->>'$.amount_minor')::BIGINT AS amount_minor,
  (payload->>'$.real_minor')::BIGINT AS real_minor,
  (payload->>'$.bonus_minor')::BIGINT AS bonus_minor,
  (payload->>'$.balance_after_minor')::BIGINT AS balance_after_minor
FROM raw.events
WHERE event_type IN ('provider.bet.debited', 'provider.win.credited', 'provider.bet.rolled_back', 'provider.rollback.unmatched')
  AND event_date BETWEEN @start_ds AND @end_ds
