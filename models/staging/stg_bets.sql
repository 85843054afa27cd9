-- Every bet, live table or provider game, in one shape: one row per bet and step. Table bets are
-- placed then settled (TableDO); provider bets are debited and sometimes rolled back (PlayerDO's
-- seamless wallet). The stake's money movement itself is in staging.stg_holds.
MODEL (
  name staging.stg_bets,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [bet_source, bet_id, step],
  owner data,
  tags [staging, gaming, money],
  description 'One row per bet and step: table.bet.placed / table.bet.settled (bet_source table, bet_id the table bet id) and provider.bet.debited / provider.bet.rolled_back (bet_source provider, bet_id the provider''s tx_id of the bet). Deduplicated on (bet_source, bet_id, step), keeping the first event (by occurred_at, event_id), also across midnight: a provider retrying a debit or a rollback with the same tx_id is one bet. Money in integer minor units of currency.',
  column_descriptions (
    event_id = 'The event kept for this bet and step',
    event_type = 'table.bet.placed, table.bet.settled, provider.bet.debited or provider.bet.rolled_back',
    bet_source = 'table (live table, TableDO) or provider (third-party game, seamless wallet)',
    step = 'placed, settled (table); debited, rolled_back (provider)',
    occurred_at = 'When the owning object committed the step (UTC)',
    event_date = 'UTC day of occurred_at',
    player_id = 'The betting player',
    jurisdiction = 'Licensing jurisdiction of the player',
    bet_id = 'Table bet id, or the provider''s transaction id of the bet',
    hold_id = 'The wallet hold of the stake (placed, debited)',
    round_id = 'Table round id (table), or the provider''s round id (provider)',
    table_id = 'Live table (table bets only)',
    provider_id = 'Game provider (provider bets only)',
    game = 'roulette, baccarat or blackjack (table bets only)',
    game_id = 'Game of the catalog (table game or provider game)',
    spot = 'Where the chips lie, e.g. straight:27, banker; for blackjack the stake component, as bet_type (table bets only)',
    bet_type = 'Bet type of the spot, e.g. straight, red, banker; for blackjack the stake component, one bet per stake: main, split, double, insurance, behind, perfect_pairs, twenty_one_plus_three, hot_3 (table bets only)',
    amount_minor = 'Stake (placed, settled, debited) or the stake given back (rolled_back), minor units',
    returned_minor = 'What the settlement paid back, stake included (table settled only), minor units',
    result = 'win, lose, push, void or expired (table settled only); void and expired returned the stake without a game result',
    real_minor = 'Part of the stake from real money (provider debited only)',
    bonus_minor = 'Part of the stake from bonus money (provider debited only)',
    balance_after_minor = 'Balance after the movement (provider debited and rolled_back only)',
    rollback_tx_id = 'The provider''s id of the rollback (rolled_back only)',
    currency = 'Currency of the bet',
    currency_exponent = 'Minor-unit exponent of currency (seeds.currencies)',
    free_bet_id = 'The free bet (its grant id) that staked a table bet (placed, settled): the stake was the operator''s, not the player''s, and a win paid the return without the stake (docs/rewards.md "Cash-like rewards"); NULL for a bet of the player''s money'
  ),
  audits (
    not_null(columns := [event_id, bet_source, step, occurred_at, event_date, player_id, bet_id, round_id, game_id, amount_minor, currency, currency_exponent]),
    unique_combination_of_columns(columns := [bet_source, bet_id, step]),
    accepted_values(column := bet_source, is_in := ('table', 'provider')),
    accepted_values(column := step, is_in := ('placed', 'settled', 'debited', 'rolled_back')),
    accepted_values(column := result, is_in := ('win', 'lose', 'push', 'void', 'expired')),
    accepted_values(column := game, is_in := ('roulette', 'baccarat', 'blackjack')),
    accepted_range(column := amount_minor, min_v := 0),
    accepted_range(column := returned_minor, min_v := 0),
    forall(criteria := [(bet_source = 'table') = (table_id IS NOT NULL), (bet_source = 'provider') = (provider_id IS NOT NULL)])
  )
);

WITH events AS (
  -- the interval and the day before it, so a retry that crossed midnight is seen as a repeat
  SELECT *
  FROM staging.stg_events
  WHERE macros.dedupe_window(event_date, @start_ds, @end_ds)
    AND event_type IN ('table.bet.placed', 'table.bet.settled', 'provider.bet.debited', 'provider.bet.rolled_back')
),
typed AS (
  SELECT
    event_id,
    event_type,
    macros.event_type_part(event_type, 1) AS bet_source,
    macros.event_type_part(event_type, 3) AS step,
    occurred_at,
    event_date,
    player_id,
    jurisdiction,
    coalesce(macros.payload_text(payload, 'bet_id'), macros.payload_text(payload, 'tx_id')) AS bet_id,
    macros.payload_text(payload, 'hold_id') AS hold_id,
    coalesce(round_id, macros.payload_text(payload, 'round_id')) AS round_id,
    table_id,
    macros.payload_text(payload, 'provider_id') AS provider_id,
    macros.payload_text(payload, 'game') AS game,
    macros.payload_text(payload, 'game_id') AS game_id,
    macros.payload_text(payload, 'spot') AS spot,
    macros.payload_text(payload, 'bet_type') AS bet_type,
    macros.payload_bigint(payload, 'amount_minor') AS amount_minor,
    macros.payload_bigint(payload, 'returned_minor') AS returned_minor,
    macros.payload_text(payload, 'result') AS result,
    macros.payload_bigint(payload, 'real_minor') AS real_minor,
    macros.payload_bigint(payload, 'bonus_minor') AS bonus_minor,
    macros.payload_bigint(payload, 'balance_after_minor') AS balance_after_minor,
    macros.payload_text(payload, 'rollback_tx_id') AS rollback_tx_id,
    currency,
    currency_exponent,
    macros.payload_text(payload, 'free_bet_id') AS free_bet_id
  FROM events
),
deduped AS (
  SELECT *
  FROM typed
  QUALIFY row_number() OVER (PARTITION BY bet_source, bet_id, step ORDER BY occurred_at, event_id) = 1
),
final AS (
  SELECT *
  FROM deduped
  WHERE event_date BETWEEN @start_ds AND @end_ds
)
SELECT * FROM final
