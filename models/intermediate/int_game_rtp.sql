-- The RTP block of the performance marts, written once: per UTC day, for each game (every bet
-- source) and for each live table (table bets only), handle (stakes), payouts and hold in EUR, and
-- observed RTP (payouts / handle) next to the declared (theoretical) RTP of the catalog with the
-- reason when it is NULL. marts.fct_game_performance reads the 'game' rows, fct_table_performance
-- the 'table' rows; each adds its own counts (rounds, bets, free bets, players).
-- Handle and payouts are the players' own money, as GGR: a free bet (docs/rewards.md "Cash-like
-- rewards"; int_gaming_activity's free_bet rows have no stake or win) is in neither.
--
-- EUR: each currency's minor-unit sums are converted at the day's seeds.fx_rates rate
-- (macros.minor_to_eur: exact DECIMAL, unrounded), then added; observed RTP comes from the unrounded EUR sums, so it is not the ratio of
-- the rounded columns. A VIEW: it holds nothing and has no intervals of its own; each mart filters
-- its own interval (activity_date) and DuckDB pushes that filter into int_gaming_activity.
--
-- The two scopes keep the notes their marts always had: the table mart's note names the module
-- that computes the best bet's RTP (domain/fairness/theoretical-rtp.ts), the game mart's does not.
MODEL (
  name intermediate.int_game_rtp,
  kind VIEW,
  grain [rtp_scope, activity_date, game_id, table_id],
  owner data,
  tags [intermediate, gaming, fairness],
  description 'One row per UTC day and game (rtp_scope game: every bet source) or live table (rtp_scope table: table bets only): handle, payouts, hold in EUR (DECIMAL(18,2)), observed RTP and theoretical RTP (declared rtp_bp of seeds.games / 10000) with theoretical_rtp_note. Built from intermediate.int_gaming_activity.',
  column_descriptions (
    rtp_scope = 'game (one row per game and day, table_id NULL) or table (one row per live table and day)',
    activity_date = 'UTC day (settlement of a table bet, debit of a provider bet, credit of a provider win)',
    game_id = 'Game of the catalog (for a table: the game it runs)',
    table_id = 'Live table (rtp_scope table only)',
    bet_source = 'table or provider',
    handle_eur = 'Stakes of the players'' money in EUR (not free bets), DECIMAL(18,2)',
    payouts_eur = 'Paid back to players on their stakes in EUR (stake included for table bets; not what free bets paid), DECIMAL(18,2)',
    hold_eur = 'handle - payouts in EUR (= GGR), DECIMAL(18,2)',
    observed_rtp = 'payouts / handle, DECIMAL(9,6); NULL when the handle is 0 (wins of bets placed another day, a day of free bets only)',
    theoretical_rtp = 'Declared RTP of the game (seeds.games rtp_bp / 10000), DECIMAL(9,6); NULL if unknown',
    theoretical_rtp_note = 'Where theoretical_rtp comes from, or why it is NULL',
    rtp_gap = 'observed_rtp - theoretical_rtp (noise on a small handle: a day is few rounds)'
  ),
  audits (
    not_null(columns := [rtp_scope, activity_date, handle_eur, payouts_eur, hold_eur, theoretical_rtp_note]),
    accepted_values(column := rtp_scope, is_in := ('game', 'table'))
  )
);

WITH scoped AS (
  -- each counted stake and win once per scope: under its game, and (table bets) under its table
  SELECT CAST('game' AS VARCHAR) AS rtp_scope, game_id AS scope_key, *
  FROM intermediate.int_gaming_activity
  UNION ALL
  SELECT CAST('table' AS VARCHAR) AS rtp_scope, table_id AS scope_key, *
  FROM intermediate.int_gaming_activity
  WHERE bet_source = 'table'
),
per_currency AS (
  SELECT
    s.rtp_scope, s.scope_key, s.activity_date, s.currency,
    sum(s.stake_minor) AS stakes_minor,
    sum(s.win_minor) AS wins_minor,
    any_value(s.currency_exponent) AS currency_exponent
  FROM scoped AS s
  GROUP BY ALL
),
eur AS (
  SELECT
    p.rtp_scope, p.scope_key, p.activity_date,
    sum(macros.minor_to_eur(p.stakes_minor, p.currency_exponent, fx.rate_to_eur)) AS handle,
    sum(macros.minor_to_eur(p.wins_minor, p.currency_exponent, fx.rate_to_eur)) AS payouts
  FROM per_currency AS p
  LEFT JOIN seeds.fx_rates AS fx ON fx.rate_date = p.activity_date AND fx.currency = p.currency
  GROUP BY ALL
),
scopes AS (
  SELECT
    rtp_scope, scope_key, activity_date,
    any_value(game_id) AS game_id,
    any_value(bet_source) AS bet_source
  FROM scoped
  GROUP BY ALL
)
SELECT
  s.rtp_scope,
  s.activity_date,
  s.game_id,
  CAST(CASE WHEN s.rtp_scope = 'table' THEN s.scope_key END AS VARCHAR) AS table_id,
  s.bet_source,
  CAST(round(e.handle, 2) AS DECIMAL(18, 2)) AS handle_eur,
  CAST(round(e.payouts, 2) AS DECIMAL(18, 2)) AS payouts_eur,
  CAST(round(e.handle - e.payouts, 2) AS DECIMAL(18, 2)) AS hold_eur,
  macros.observed_rtp(e.payouts, e.handle) AS observed_rtp,
  CAST(g.rtp_bp / 10000 AS DECIMAL(9, 6)) AS theoretical_rtp,
  CAST(CASE
    WHEN g.game_id IS NULL THEN 'unknown: game not in seeds.games (config/games.json); a game added through the operator API is not in the seed'
    WHEN s.rtp_scope = 'table' THEN 'declared rtp_bp of config/games.json: the payout table''s best bet (domain/fairness/theoretical-rtp.ts); the bet mix can make the expected RTP lower (baccarat tie, player)'
    WHEN s.bet_source = 'table' THEN 'declared rtp_bp of config/games.json: the payout table''s best bet; the bet mix can make the expected RTP lower (baccarat tie)'
    ELSE 'declared rtp_bp of config/games.json (provider''s certified RTP)'
  END AS VARCHAR) AS theoretical_rtp_note,
  macros.observed_rtp(e.payouts, e.handle) - CAST(g.rtp_bp / 10000 AS DECIMAL(9, 6)) AS rtp_gap
FROM scopes AS s
JOIN eur AS e ON e.rtp_scope = s.rtp_scope AND e.scope_key = s.scope_key AND e.activity_date = s.activity_date
LEFT JOIN seeds.games AS g ON g.game_id = s.game_id
