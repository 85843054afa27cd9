-- Wins, from the two ledgers that record them. A provider win shows up twice at the edge: as the
-- provider's transaction (provider.win.credited, also when it wins nothing) and, when it pays
-- something, as the wallet's credit (wallet.win.credited, win_id prov:<provider>:<tx>). Both are
-- kept, told apart by win_source: sum one source, never both. A tournament's prize is a wallet credit
-- without a stake (hold_id NULL, win_id tournament:<id>:rank:<n>, docs/tournaments.md): win_origin
-- tournament, a promotional cost rather than a gaming win (docs/models.md "Wallet movements").
-- A free bet's win (docs/rewards.md "Cash-like rewards": the return without the stake, on a hold of
-- 0) names its free bet (free_bet_id): real money, but the operator's promotional cost, not a
-- player's win in GGR; int_wallet_movements calls it free_bet_win.
MODEL (
  name staging.stg_wins,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [win_source, win_id],
  owner data,
  tags [staging, gaming, money],
  description 'One row per win credit: win_source wallet = every wallet.win.credited (table and provider wins that paid > 0, and tournament prizes; the balance''s view), win_source provider = every provider.win.credited (the provider''s transactions, zero wins included). A provider win that paid appears once per source. Deduplicated on (win_source, win_id), keeping the first event (by occurred_at, event_id), also across midnight. Money in integer minor units of currency.',
  column_descriptions (
    event_id = 'The event kept for this win',
    event_type = 'wallet.win.credited or provider.win.credited',
    win_source = 'wallet (wallet.win.credited) or provider (provider.win.credited)',
    win_origin = 'table or provider: which kind of game the win comes from (for wallet rows, from the hold id prefix); tournament: a tournament prize (wallet row without a hold, win id tournament:<id>:rank:<n>), not a game''s win; other: a wallet win without a known origin',
    occurred_at = 'When the wallet committed the credit (UTC)',
    event_date = 'UTC day of occurred_at',
    player_id = 'The winning player',
    jurisdiction = 'Licensing jurisdiction of the player',
    win_id = 'The wallet''s win id (wallet), or the provider''s transaction id of the win (provider)',
    hold_id = 'The hold of the stake that won (wallet rows; NULL for a win without a stake)',
    bet_tx_id = 'The provider''s transaction id of the bet that won (provider rows)',
    provider_id = 'Game provider (provider rows)',
    game_id = 'Provider game (provider rows)',
    provider_round_id = 'The provider''s round id (provider rows)',
    bucket = 'real or bonus: the balance credited (wallet rows)',
    amount_minor = 'Amount credited, minor units (0 for a provider round that won nothing)',
    balance_after_minor = 'Balance after the credit, minor units',
    currency = 'Currency of the win',
    currency_exponent = 'Minor-unit exponent of currency (seeds.currencies)',
    free_bet_id = 'The free bet (its grant id) whose win this is (wallet rows of a table bet staked with a free bet: the return without the stake); NULL otherwise'
  ),
  audits (
    not_null(columns := [event_id, win_source, win_origin, occurred_at, event_date, player_id, win_id, amount_minor, currency, currency_exponent]),
    unique_combination_of_columns(columns := [win_source, win_id]),
    accepted_values(column := win_source, is_in := ('wallet', 'provider')),
    accepted_values(column := win_origin, is_in := ('table', 'provider', 'tournament', 'other')),
    accepted_values(column := bucket, is_in := ('real', 'bonus')),
    accepted_range(column := amount_minor, min_v := 0),
    accepted_range(column := balance_after_minor, min_v := 0)
  )
);

WITH events AS (
  -- the interval and the day before it, so a retry that crossed midnight is seen as a repeat
  SELECT *
  FROM staging.stg_events
  WHERE macros.dedupe_window(event_date, @start_ds, @end_ds)
    AND event_type IN ('wallet.win.credited', 'provider.win.credited')
),
typed AS (
  SELECT
    event_id,
    event_type,
    CAST(CASE event_type WHEN 'wallet.win.credited' THEN 'wallet' ELSE 'provider' END AS VARCHAR) AS win_source,
    CAST(CASE
      WHEN event_type = 'provider.win.credited' THEN 'provider'
      WHEN split_part(macros.payload_text(payload, 'hold_id'), ':', 1) = 'table' THEN 'table'
      WHEN split_part(macros.payload_text(payload, 'hold_id'), ':', 1) = 'prov' THEN 'provider'
      WHEN macros.payload_text(payload, 'hold_id') IS NULL AND split_part(macros.payload_text(payload, 'win_id'), ':', 1) = 'tournament' THEN 'tournament'
      ELSE 'other'
    END AS VARCHAR) AS win_origin,
    occurred_at,
    event_date,
    player_id,
    jurisdiction,
    coalesce(macros.payload_text(payload, 'win_id'), macros.payload_text(payload, 'tx_id')) AS win_id,
    macros.payload_text(payload, 'hold_id') AS hold_id,
    macros.payload_text(payload, 'bet_tx_id') AS bet_tx_id,
    macros.payload_text(payload, 'provider_id') AS provider_id,
    macros.payload_text(payload, 'game_id') AS game_id,
    macros.payload_text(payload, 'round_id') AS provider_round_id,
    macros.payload_text(payload, 'bucket') AS bucket,
    macros.payload_bigint(payload, 'amount_minor') AS amount_minor,
    macros.payload_bigint(payload, 'balance_after_minor') AS balance_after_minor,
    currency,
    currency_exponent,
    macros.payload_text(payload, 'free_bet_id') AS free_bet_id
  FROM events
),
deduped AS (
  SELECT *
  FROM typed
  QUALIFY row_number() OVER (PARTITION BY win_source, win_id ORDER BY occurred_at, event_id) = 1
),
final AS (
  SELECT *
  FROM deduped
  WHERE event_date BETWEEN @start_ds AND @end_ds
)
SELECT * FROM final
