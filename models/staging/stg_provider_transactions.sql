-- The provider games' seamless-wallet transactions (PlayerDO), every provider.* event: bets
-- debited, wins credited, bets rolled back, and rollbacks of bets we never saw. The edge emits no
-- provider round events; a provider round is the transactions sharing (provider_id,
-- provider_round_id). Bets and wins are also in stg_bets and stg_wins; this model is the provider's
-- own ledger, for RTP per provider game and for reconciling with the provider.
MODEL (
  name staging.stg_provider_transactions,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [provider_id, tx_id, step],
  owner data,
  tags [staging, gaming, providers, money],
  description 'One row per provider transaction and step: provider.bet.debited, provider.win.credited, provider.bet.rolled_back, provider.rollback.unmatched. tx_id is the provider''s id of the bet or win the event is about (for a rollback, the bet rolled back). Deduplicated on (provider_id, tx_id, step), keeping the first event (by occurred_at, event_id), also across midnight: a provider retrying a call with the same tx_id is one transaction. Money in integer minor units of currency.',
  column_descriptions (
    event_id = 'The event kept for this transaction',
    event_type = 'provider.bet.debited, provider.win.credited, provider.bet.rolled_back or provider.rollback.unmatched',
    step = 'bet_debited, win_credited, bet_rolled_back or rollback_unmatched',
    occurred_at = 'When the wallet committed the movement (UTC)',
    event_date = 'UTC day of occurred_at',
    player_id = 'The player',
    jurisdiction = 'Licensing jurisdiction of the player',
    provider_id = 'Game provider',
    game_id = 'Provider game',
    provider_round_id = 'The provider''s round id: a provider round is its transactions',
    tx_id = 'The provider''s id of the bet or win (for rollbacks: of the bet rolled back)',
    bet_tx_id = 'The bet a win pays (win_credited only)',
    rollback_tx_id = 'The provider''s id of the rollback (rollbacks only)',
    hold_id = 'The wallet hold of the stake (bet_debited only)',
    amount_minor = 'Money that moved: stake, win, stake given back; 0 for an unmatched rollback. Minor units',
    real_minor = 'Part of the stake from real money (bet_debited only)',
    bonus_minor = 'Part of the stake from bonus money (bet_debited only)',
    balance_after_minor = 'Balance after the movement (not for unmatched rollbacks)',
    currency = 'Currency of the transaction',
    currency_exponent = 'Minor-unit exponent of currency (seeds.currencies)'
  ),
  audits (
    not_null(columns := [event_id, step, occurred_at, event_date, player_id, provider_id, game_id, provider_round_id, tx_id, amount_minor, currency, currency_exponent]),
    unique_combination_of_columns(columns := [provider_id, tx_id, step]),
    accepted_values(column := step, is_in := ('bet_debited', 'win_credited', 'bet_rolled_back', 'rollback_unmatched')),
    accepted_range(column := amount_minor, min_v := 0),
    accepted_range(column := balance_after_minor, min_v := 0),
    forall(criteria := [step <> 'rollback_unmatched' OR amount_minor = 0])
  )
);

WITH events AS (
  -- the interval and the day before it, so a retry that crossed midnight is seen as a repeat
  SELECT *
  FROM staging.stg_events
  WHERE macros.dedupe_window(event_date, @start_ds, @end_ds)
    AND event_type IN ('provider.bet.debited', 'provider.win.credited', 'provider.bet.rolled_back', 'provider.rollback.unmatched')
),
typed AS (
  SELECT
    event_id,
    event_type,
    macros.event_type_part(event_type, 2) || '_' || macros.event_type_part(event_type, 3) AS step,
    occurred_at,
    event_date,
    player_id,
    jurisdiction,
    macros.payload_text(payload, 'provider_id') AS provider_id,
    macros.payload_text(payload, 'game_id') AS game_id,
    macros.payload_text(payload, 'round_id') AS provider_round_id,
    macros.payload_text(payload, 'tx_id') AS tx_id,
    macros.payload_text(payload, 'bet_tx_id') AS bet_tx_id,
    macros.payload_text(payload, 'rollback_tx_id') AS rollback_tx_id,
    macros.payload_text(payload, 'hold_id') AS hold_id,
    macros.payload_bigint(payload, 'amount_minor') AS amount_minor,
    macros.payload_bigint(payload, 'real_minor') AS real_minor,
    macros.payload_bigint(payload, 'bonus_minor') AS bonus_minor,
    macros.payload_bigint(payload, 'balance_after_minor') AS balance_after_minor,
    currency,
    currency_exponent
  FROM events
),
deduped AS (
  SELECT *
  FROM typed
  QUALIFY row_number() OVER (PARTITION BY provider_id, tx_id, step ORDER BY occurred_at, event_id) = 1
),
final AS (
  SELECT *
  FROM deduped
  WHERE event_date BETWEEN @start_ds AND @end_ds
)
SELECT * FROM final
