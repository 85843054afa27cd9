-- Every counted stake and win, once, in one shape: the building block of fct_ggr_daily,
-- fct_player_daily and the game / table performance marts, so their totals agree by construction.
--   * table bet: its settlement (table.bet.settled with result win, lose or push) is one row with
--     the stake and what it returned; a void or expired bet gave the stake back without a game and
--     is not counted, and a bet not yet settled is not counted yet. Dated on the settlement.
--   * free bet: a table bet staked with a free bet (free_bet_id, docs/rewards.md "Cash-like
--     rewards") is a row of its own kind (activity_kind free_bet), with no stake and no win: GGR is
--     the players' stakes minus the players' wins, and the stake was the operator's money, not the
--     player's. It carries the token's value (free_bet_stake_minor) and what the wallet paid on it
--     (free_bet_win_minor: the return without the stake, nothing on a loss or a push), the
--     operator's cost of the free bet, which the marts report as bonus cost (so NGR = GGR - bonus
--     cost is what the operator really lost or kept: 0 on a loss, minus the payout on a win).
--     Counted at its settlement like any table bet (a voided or expired one was not played). The
--     wallet never held the stake (a hold of 0), so the balance reconciliations over
--     int_wallet_movements see only that win.
--   * provider bet: its debit is one row with the stake (bonus part from the debit), dated on the
--     debit, unless the bet was rolled back (then the stake was given back: not counted at all).
--   * provider win: the provider's own transaction (stg_wins win_source provider), one row, dated
--     on the credit. The wallet's copy of the same win (win_source wallet, hold prov:...) is NOT
--     read: reading both would count the win twice.
MODEL (
  name intermediate.int_gaming_activity,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column activity_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [activity_kind, bet_source, activity_id],
  owner data,
  tags [intermediate, gaming, money],
  description 'One row per counted stake or win: a settled table bet (stake and return together), a settled free bet (no stake or win of the player''s; the token''s value and the payout, the operator''s cost), a provider debit not rolled back (stake), a provider win transaction (win). Voided / expired table bets and rolled-back provider bets are left out; a rollback later than the 2-day lookback is not seen (the debit stays counted). Money in integer minor units of currency.',
  column_descriptions (
    activity_kind = 'bet (a stake of the player''s money, with the table bet''s return when settled), free_bet (a settled table bet staked with a free bet: the operator''s money) or win (a provider win transaction)',
    bet_source = 'table (live table) or provider (third-party game)',
    activity_id = 'Table bet id, provider bet tx id, or provider win tx id',
    event_id = 'The staging event the row comes from',
    occurred_at = 'When the settlement, debit or win happened (UTC)',
    activity_date = 'UTC day of occurred_at: the day the row counts on',
    player_id = 'The player',
    jurisdiction = 'Licensing jurisdiction of the player',
    table_id = 'Live table (table rows only)',
    provider_id = 'Game provider (edge-studio for live tables, from seeds.games)',
    game_id = 'Game of the catalog',
    round_id = 'Table round id or the provider''s round id',
    hold_id = 'The wallet hold of the stake (bet rows)',
    currency = 'Currency of the money',
    currency_exponent = 'Minor-unit exponent of currency',
    is_bet = '1 for a counted bet of the player''s money, 0 for a free bet or a win row',
    stake_minor = 'Stake of the player''s money counted, minor units (0 on free bet and win rows)',
    win_minor = 'Paid back to the player, stake included for a winning or pushed table bet, minor units (0 on free bet rows: see free_bet_win_minor)',
    bonus_stake_minor = 'Part of the stake funded by the player''s bonus money (from the hold''s reservation or the provider debit), minor units',
    free_bet_stake_minor = 'A free bet''s stake: the token''s value, the operator''s money (0 on other rows), minor units',
    free_bet_win_minor = 'What the wallet paid on a free bet, the return without the stake (0 on a loss or a push, and on other rows): the operator''s cost of the free bet, minor units'
  ),
  audits (
    not_null(columns := [activity_kind, bet_source, activity_id, occurred_at, activity_date, player_id, game_id, currency, currency_exponent, stake_minor, win_minor, bonus_stake_minor, free_bet_stake_minor, free_bet_win_minor]),
    unique_combination_of_columns(columns := [activity_kind, bet_source, activity_id]),
    accepted_range(column := stake_minor, min_v := 0),
    accepted_range(column := win_minor, min_v := 0),
    accepted_values(column := activity_kind, is_in := ('bet', 'free_bet', 'win')),
    forall(criteria := [bonus_stake_minor BETWEEN 0 AND stake_minor, free_bet_win_minor >= 0, activity_kind <> 'free_bet' OR (stake_minor = 0 AND win_minor = 0 AND bonus_stake_minor = 0 AND is_bet = 0), activity_kind = 'free_bet' OR (free_bet_stake_minor = 0 AND free_bet_win_minor = 0)])
  )
);

WITH table_holds AS (
  -- the reservation of a table stake: its real / bonus split (reserved at most a few days before settling)
  SELECT hold_id, real_minor, bonus_minor
  FROM staging.stg_holds
  WHERE event_date BETWEEN CAST(@start_ds AS DATE) - 3 AND @end_ds
    AND step = 'reserved' AND hold_origin = 'table'
),
rolled_back AS (
  -- rollbacks of the interval and after it: a debit of the interval rolled back later is not a stake
  SELECT DISTINCT bet_id
  FROM staging.stg_bets
  WHERE event_date >= @start_ds AND bet_source = 'provider' AND step = 'rolled_back'
),
counted_bets AS (
  -- a table bet counts at its settlement with a game result; a provider bet at its debit, unless rolled back
  SELECT *
  FROM staging.stg_bets
  WHERE event_date BETWEEN @start_ds AND @end_ds
    AND (
      (bet_source = 'table' AND step = 'settled' AND result IN ('win', 'lose', 'push'))
      OR (bet_source = 'provider' AND step = 'debited' AND bet_id NOT IN (SELECT bet_id FROM rolled_back))
    )
),
bet_rows AS (
  SELECT
    -- a free bet is the operator's stake: its own kind, neither the player's stake nor win (GGR)
    CAST(CASE WHEN b.free_bet_id IS NOT NULL THEN 'free_bet' ELSE 'bet' END AS VARCHAR) AS activity_kind,
    b.bet_source,
    b.bet_id AS activity_id,
    b.event_id,
    b.occurred_at,
    b.event_date AS activity_date,
    b.player_id,
    b.jurisdiction,
    b.table_id,
    -- our live tables are the studio's games; a provider bet names its provider
    CAST(CASE WHEN b.bet_source = 'table' THEN coalesce(g.provider_id, 'edge-studio') ELSE b.provider_id END AS VARCHAR) AS provider_id,
    b.game_id,
    b.round_id,
    b.hold_id,
    b.currency,
    b.currency_exponent,
    CASE WHEN b.free_bet_id IS NOT NULL THEN 0 ELSE 1 END AS is_bet,
    CASE WHEN b.free_bet_id IS NOT NULL THEN CAST(0 AS BIGINT) ELSE b.amount_minor END AS stake_minor,
    -- a table settlement carries what it returned (stake included); a provider's win is its own row below
    CASE
      WHEN b.bet_source <> 'table' OR b.free_bet_id IS NOT NULL THEN CAST(0 AS BIGINT)
      ELSE coalesce(b.returned_minor, 0)
    END AS win_minor,
    -- the bonus part of the stake: the table hold's split, the provider debit's own
    CASE
      WHEN b.free_bet_id IS NOT NULL THEN CAST(0 AS BIGINT)
      WHEN b.bet_source = 'table' THEN least(coalesce(h.bonus_minor, 0), b.amount_minor)
      ELSE coalesce(b.bonus_minor, 0)
    END AS bonus_stake_minor,
    CASE WHEN b.free_bet_id IS NOT NULL THEN b.amount_minor ELSE CAST(0 AS BIGINT) END AS free_bet_stake_minor,
    -- a free bet paid the return without the stake (the stake was the operator's), as real money
    CASE
      WHEN b.free_bet_id IS NOT NULL THEN greatest(coalesce(b.returned_minor, 0) - b.amount_minor, 0)
      ELSE CAST(0 AS BIGINT)
    END AS free_bet_win_minor
  FROM counted_bets AS b
  -- only a table bet looks up its hold and game: the key is NULL for the others (no match). Written
  -- as an equality on a key, not `b.bet_source = 'table' AND h.hold_id = b.hold_id`: a predicate on b
  -- alone inside a LEFT JOIN's ON makes DuckDB use a nested-loop join (bets x holds: quadratic, the
  -- 10M-event W2 build's slowest model; same lesson as marts.rg_risk)
  LEFT JOIN table_holds AS h ON h.hold_id = CASE WHEN b.bet_source = 'table' THEN b.hold_id END
  LEFT JOIN seeds.games AS g ON g.game_id = CASE WHEN b.bet_source = 'table' THEN b.game_id END
),
provider_wins AS (
  SELECT
    CAST('win' AS VARCHAR) AS activity_kind,
    CAST('provider' AS VARCHAR) AS bet_source,
    w.win_id AS activity_id,
    w.event_id,
    w.occurred_at,
    w.event_date AS activity_date,
    w.player_id,
    w.jurisdiction,
    CAST(NULL AS VARCHAR) AS table_id,
    w.provider_id,
    w.game_id,
    w.provider_round_id AS round_id,
    CAST(NULL AS VARCHAR) AS hold_id,
    w.currency,
    w.currency_exponent,
    0 AS is_bet,
    CAST(0 AS BIGINT) AS stake_minor,
    w.amount_minor AS win_minor,
    CAST(0 AS BIGINT) AS bonus_stake_minor,
    CAST(0 AS BIGINT) AS free_bet_stake_minor,
    CAST(0 AS BIGINT) AS free_bet_win_minor
  FROM staging.stg_wins AS w
  WHERE w.event_date BETWEEN @start_ds AND @end_ds
    AND w.win_source = 'provider'
)
SELECT * FROM bet_rows
UNION ALL
SELECT * FROM provider_wins
