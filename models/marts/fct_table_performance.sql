-- How each live table paid out each UTC day against what it should: rounds, bets, handle (stakes),
-- payouts, hold (handle - payouts) and observed RTP (payouts / handle) next to the declared
-- (theoretical) RTP of the catalog. Amounts in EUR (several currencies play at one table): each
-- currency's minor-unit sums are converted at the day's seeds.fx_rates rate, in DECIMAL, then
-- added; observed RTP is computed from the unrounded EUR sums. Same rows as marts.fct_ggr_daily
-- (intermediate.int_gaming_activity, table bets only), so handle = stakes and hold = GGR there:
-- the players' own money. A free bet (docs/rewards.md "Cash-like rewards") was the operator's
-- stake: it counts in free_bets (and rounds, players), not in bets, handle, payouts or hold; what
-- it paid is fct_ggr_daily's bonus cost. Its stake-not-returned payout would also skew the
-- observed RTP, which compares the game's payouts with the stakes that bought them.
-- rounds_settled counts every round the table settled (stg_table_rounds), with or without bets.
-- The money and RTP columns come from intermediate.int_game_rtp (rtp_scope table), shared with
-- fct_game_performance.
MODEL (
  name marts.fct_table_performance,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column activity_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [activity_date, table_id],
  owner data,
  tags [marts, gaming, fairness, tables],
  description 'One row per UTC day and live table with a settled bet: rounds, bets, handle, payouts, hold in EUR (DECIMAL(18,2)), observed RTP (payouts / handle) and theoretical RTP (declared rtp_bp of seeds.games / 10000; NULL with theoretical_rtp_note when the game is not in the catalog seed).',
  column_descriptions (
    activity_date = 'UTC day (settlement of a table bet, debit of a provider bet, credit of a provider win)',
    table_id = 'Live table',
    game_id = 'Game of the catalog the table runs',
    game = 'roulette, baccarat or blackjack',
    rounds = 'Distinct rounds with a counted (settled, not void) bet or free bet',
    rounds_settled = 'Rounds the table settled that day, with or without bets (stg_table_rounds)',
    bets = 'Settled bets of the players'' money counted (result win, lose or push; free bets are free_bets); blackjack counts one per stake (main, split, double, insurance, behind, each side bet)',
    free_bets = 'Free bets settled (win, lose or push): the operator''s stakes, in no handle, payout or hold (docs/rewards.md "Cash-like rewards"; what they paid is fct_ggr_daily''s bonus cost)',
    players = 'Distinct players (free bets included)',
    currencies = 'Distinct currencies played',
    handle_eur = 'Stakes of the players'' money in EUR (not free bets), DECIMAL(18,2)',
    payouts_eur = 'Paid back to players on their stakes in EUR (stake included for table bets; not what free bets paid), DECIMAL(18,2)',
    hold_eur = 'handle - payouts in EUR (= GGR), DECIMAL(18,2)',
    observed_rtp = 'payouts / handle, DECIMAL(9,6); NULL when the handle is 0',
    theoretical_rtp = 'Declared RTP of the game (seeds.games rtp_bp / 10000), DECIMAL(9,6); NULL if unknown',
    theoretical_rtp_note = 'Where theoretical_rtp comes from, or why it is NULL',
    rtp_gap = 'observed_rtp - theoretical_rtp (noise on a small handle: a day is few rounds)'
  ),
  audits (
    not_null(columns := [activity_date, table_id, game_id, rounds, rounds_settled, bets, handle_eur, payouts_eur, hold_eur, theoretical_rtp_note]),
    unique_combination_of_columns(columns := [activity_date, table_id]),
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
  WHERE activity_date BETWEEN @start_ds AND @end_ds AND bet_source = 'table'
),
bet_games AS (
  SELECT bet_id, any_value(game) AS game
  FROM staging.stg_bets
  WHERE event_date BETWEEN @start_ds AND @end_ds AND bet_source = 'table' AND step = 'settled'
  GROUP BY bet_id
),
settled_rounds AS (
  SELECT event_date AS activity_date, table_id, count(DISTINCT round_id) AS rounds_settled
  FROM staging.stg_table_rounds
  WHERE event_date BETWEEN @start_ds AND @end_ds AND step = 'settled'
  GROUP BY ALL
),
counts AS (
  SELECT
    activity_date, table_id,
    any_value(b.game) AS game,
    count(DISTINCT round_id) AS rounds,
    CAST(sum(is_bet) AS BIGINT) AS bets,
    count(*) FILTER (WHERE activity_kind = 'free_bet') AS free_bets,
    count(DISTINCT player_id) AS players,
    count(DISTINCT currency) AS currencies
  FROM activity
  LEFT JOIN bet_games AS b ON b.bet_id = activity.activity_id
  GROUP BY ALL
),
rtp AS (
  -- handle, payouts, hold and RTP per table and day: the block this mart shares with fct_game_performance
  SELECT *
  FROM intermediate.int_game_rtp
  WHERE rtp_scope = 'table' AND activity_date BETWEEN @start_ds AND @end_ds
)
SELECT
  c.activity_date,
  c.table_id,
  r.game_id,
  c.game,
  c.rounds,
  coalesce(s.rounds_settled, 0) AS rounds_settled,
  c.bets,
  c.free_bets,
  c.players,
  c.currencies,
  r.handle_eur,
  r.payouts_eur,
  r.hold_eur,
  r.observed_rtp,
  r.theoretical_rtp,
  r.theoretical_rtp_note,
  r.rtp_gap
FROM counts AS c
JOIN rtp AS r ON r.activity_date = c.activity_date AND r.table_id = c.table_id
LEFT JOIN settled_rounds AS s ON s.activity_date = c.activity_date AND s.table_id = c.table_id
