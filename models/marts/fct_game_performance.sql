-- How each game paid out each UTC day against what it should: rounds, bets, handle (stakes),
-- payouts, hold (handle - payouts) and observed RTP (payouts / handle) next to the declared
-- (theoretical) RTP of the catalog. Amounts in EUR (several currencies play one game): each
-- currency's minor-unit sums are converted at the day's seeds.fx_rates rate, in DECIMAL, then
-- added; observed RTP is computed from the unrounded EUR sums. Same rows as marts.fct_ggr_daily
-- (intermediate.int_gaming_activity), so handle = stakes and hold = GGR there.
MODEL (
  name marts.fct_game_performance,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column activity_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [activity_date, game_id],
  owner data,
  tags [marts, gaming, fairness],
  description 'One row per UTC day and game (provider games and live-table games): rounds, bets, handle, payouts, hold in EUR (DECIMAL(18,2)), observed RTP (payouts / handle) and theoretical RTP (declared rtp_bp of seeds.games / 10000; NULL with theoretical_rtp_note when the game is not in the catalog seed).',
  column_descriptions (
    activity_date = 'UTC day (settlement of a table bet, debit of a provider bet, credit of a provider win)',
    game_id = 'Game of the catalog',
    provider_id = 'Game provider (edge-studio for live tables)',
    bet_source = 'table (our live tables) or provider (third-party games)',
    rounds = 'Distinct rounds with a counted bet or win (table round id, provider round id)',
    bets = 'Bets counted (settled table bets, provider debits not rolled back)',
    players = 'Distinct players',
    currencies = 'Distinct currencies played',
    handle_eur = 'Stakes in EUR, DECIMAL(18,2)',
    payouts_eur = 'Paid back to players in EUR (stake included for table bets), DECIMAL(18,2)',
    hold_eur = 'handle - payouts in EUR (= GGR), DECIMAL(18,2)',
    observed_rtp = 'payouts / handle, DECIMAL(9,6); NULL when the handle is 0 (wins of bets placed another day)',
    theoretical_rtp = 'Declared RTP of the game (seeds.games rtp_bp / 10000), DECIMAL(9,6); NULL if unknown',
    theoretical_rtp_note = 'Where theoretical_rtp comes from, or why it is NULL',
    rtp_gap = 'observed_rtp - theoretical_rtp (noise on a small handle: a day is few rounds)'
  ),
  audits (
    not_null(columns := [activity_date, game_id, provider_id, bet_source, rounds, bets, handle_eur, payouts_eur, hold_eur, theoretical_rtp_note]),
    unique_combination_of_columns(columns := [activity_date, game_id]),
    accepted_range(column := handle_eur, min_v := 0),
    accepted_range(column := payouts_eur, min_v := 0),
    accepted_range(column := observed_rtp, min_v := 0),
    accepted_range(column := theoretical_rtp, min_v := 0.8, max_v := 1),
    forall(criteria := [abs(hold_eur - (handle_eur - payouts_eur)) <= 0.01])
  )
);

WITH activity AS (
  SELECT *
  FROM intermediate.int_gaming_activity
  WHERE activity_date BETWEEN @start_ds AND @end_ds
),
per_currency AS (
  SELECT
    a.activity_date, a.game_id, a.currency,
    sum(a.stake_minor) AS stakes_minor,
    sum(a.win_minor) AS wins_minor,
    any_value(a.currency_exponent) AS currency_exponent
  FROM activity AS a
  GROUP BY ALL
),
eur AS (
  SELECT
    p.activity_date, p.game_id,
    sum(CAST(p.stakes_minor AS DECIMAL(20, 0)) * CAST(CASE p.currency_exponent WHEN 0 THEN 1 WHEN 2 THEN 0.01 WHEN 3 THEN 0.001 WHEN 8 THEN 0.00000001 END AS DECIMAL(18, 8)) * fx.rate_to_eur) AS handle,
    sum(CAST(p.wins_minor AS DECIMAL(20, 0)) * CAST(CASE p.currency_exponent WHEN 0 THEN 1 WHEN 2 THEN 0.01 WHEN 3 THEN 0.001 WHEN 8 THEN 0.00000001 END AS DECIMAL(18, 8)) * fx.rate_to_eur) AS payouts
  FROM per_currency AS p
  LEFT JOIN seeds.fx_rates AS fx ON fx.rate_date = p.activity_date AND fx.currency = p.currency
  GROUP BY ALL
),
counts AS (
  SELECT
    activity_date, game_id,
    any_value(provider_id) AS provider_id,
    any_value(bet_source) AS bet_source,
    count(DISTINCT round_id) AS rounds,
    CAST(sum(is_bet) AS BIGINT) AS bets,
    count(DISTINCT player_id) AS players,
    count(DISTINCT currency) AS currencies
  FROM activity
  GROUP BY ALL
)
SELECT
  c.activity_date,
  c.game_id,
  c.provider_id,
  c.bet_source,
  c.rounds,
  c.bets,
  c.players,
  c.currencies,
  CAST(round(e.handle, 2) AS DECIMAL(18, 2)) AS handle_eur,
  CAST(round(e.payouts, 2) AS DECIMAL(18, 2)) AS payouts_eur,
  CAST(round(e.handle - e.payouts, 2) AS DECIMAL(18, 2)) AS hold_eur,
  CAST(CASE WHEN e.handle > 0 THEN e.payouts / e.handle END AS DECIMAL(9, 6)) AS observed_rtp,
  CAST(g.rtp_bp / 10000 AS DECIMAL(9, 6)) AS theoretical_rtp,
  CAST(CASE
    WHEN g.game_id IS NULL THEN 'unknown: game not in seeds.games (config/games.json); a game added through the operator API is not in the seed'
    WHEN c.bet_source = 'table' THEN 'declared rtp_bp of config/games.json: the payout table''s best bet; the bet mix can make the expected RTP lower (baccarat tie)'
    ELSE 'declared rtp_bp of config/games.json (provider''s certified RTP)'
  END AS VARCHAR) AS theoretical_rtp_note,
  CAST(CASE WHEN e.handle > 0 THEN e.payouts / e.handle END AS DECIMAL(9, 6)) - CAST(g.rtp_bp / 10000 AS DECIMAL(9, 6)) AS rtp_gap
FROM counts AS c
JOIN eur AS e ON e.activity_date = c.activity_date AND e.game_id = c.game_id
LEFT JOIN seeds.games AS g ON g.game_id = c.game_id
