-- What each player did each UTC day: sessions and logins (by device), deposits, withdrawals,
-- stakes, wins and GGR, first and last activity, and how much of it was at night.
-- Grain player x day. Money is in the player's wallet currency: a player has one wallet, so every
-- amount of a player's day is in one currency (if that ever stopped holding, the join below would
-- give two rows for the player-day and the unique audit on the grain would fail, not sum currencies).
-- Stakes, wins and GGR come from intermediate.int_gaming_activity, the same rows as
-- marts.fct_ggr_daily, so the two agree per currency and day: the player's own money. A free bet
-- (docs/rewards.md "Cash-like rewards") was the operator's stake: not in bets, stakes, wins or GGR
-- (a free bet recipient's turnover is what they staked themselves), but in free_bets and
-- free_bet_wins_minor (what it paid, real money: the operator's bonus cost, which NGR-based
-- figures such as int_ltv_player_periods subtract). A free bet is activity: it makes an active day.
MODEL (
  name marts.fct_player_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column activity_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [player_id, activity_date],
  owner data,
  tags [marts, players, gaming, money],
  description 'One row per player and UTC day with any login, session end, deposit, withdrawal, bet or win: sessions, logins by device, deposits and withdrawals (completed / paid), stakes, wins, GGR in the wallet currency''s minor units, first and last activity, night-time share (UTC 00:00-05:59).',
  column_descriptions (
    player_id = 'The player',
    activity_date = 'UTC day',
    jurisdiction = 'Licensing jurisdiction of the player',
    currency = 'The currency of the day''s money (the player''s wallet currency); NULL on a day without money',
    currency_exponent = 'Minor-unit exponent of currency',
    sessions = 'Sessions started that day (successful logins, distinct session_id)',
    logins_failed = 'Failed login attempts',
    logins_mobile = 'Successful logins from a mobile browser',
    logins_desktop = 'Successful logins from a desktop browser',
    logins_tablet = 'Successful logins from a tablet',
    logins_app = 'Successful logins from the app',
    logins_unknown = 'Successful logins without a known device (events before the device field, 2026-12)',
    session_minutes = 'Length of the sessions that ended that day, minutes (2 decimals)',
    deposits = 'Deposits completed',
    deposits_minor = 'Amount of completed deposits, minor units',
    withdrawals = 'Withdrawals paid',
    withdrawals_minor = 'Amount of paid withdrawals, minor units',
    bets = 'Bets of the player''s money counted (settled table bets, provider debits not rolled back; free bets are free_bets)',
    stakes_minor = 'Stakes of the player''s money, minor units (as in fct_ggr_daily; a free bet''s stake is the operator''s, not in it)',
    wins_minor = 'Wins paid on the player''s stakes, stake included for table bets, minor units (not what free bets paid)',
    ggr_minor = 'stakes_minor - wins_minor (the operator''s gross win from this player)',
    bonus_stakes_minor = 'Bonus-funded part of the stakes, minor units',
    free_bets = 'Free bets settled (win, lose or push)',
    free_bet_wins_minor = 'What the free bets paid, the return without the stake (real money; a bonus cost in fct_ggr_daily), minor units',
    first_activity_at = 'First login, session end, deposit, withdrawal, bet or win of the day (UTC)',
    last_activity_at = 'Last such activity of the day (UTC)',
    activity_events = 'Activities counted for the night share (logins, session ends, deposits, withdrawals, bets, free bets, wins)',
    night_share = 'Share of activity_events between 00:00 and 05:59 UTC (no player time zone is known), DECIMAL(5,4)'
  ),
  audits (
    not_null(columns := [player_id, activity_date, sessions, logins_failed, deposits, deposits_minor, withdrawals, withdrawals_minor, bets, stakes_minor, wins_minor, ggr_minor, free_bets, free_bet_wins_minor, first_activity_at, last_activity_at, activity_events, night_share]),
    unique_combination_of_columns(columns := [player_id, activity_date]),
    accepted_range(column := night_share, min_v := 0, max_v := 1),
    accepted_range(column := stakes_minor, min_v := 0),
    accepted_range(column := deposits_minor, min_v := 0),
    ggr_is_stakes_minus_wins(ggr := ggr_minor, stakes := stakes_minor, wins := wins_minor),
    forall(criteria := [first_activity_at <= last_activity_at, sessions = logins_mobile + logins_desktop + logins_tablet + logins_app + logins_unknown, (stakes_minor + wins_minor + free_bet_wins_minor + deposits_minor + withdrawals_minor = 0) OR currency IS NOT NULL])
  )
);

WITH sessions AS (
  SELECT *
  FROM staging.stg_sessions
  WHERE event_date BETWEEN @start_ds AND @end_ds
),
deposits AS (
  SELECT *
  FROM staging.stg_deposits
  WHERE event_date BETWEEN @start_ds AND @end_ds AND step = 'completed'
),
withdrawals AS (
  SELECT *
  FROM staging.stg_withdrawals
  WHERE event_date BETWEEN @start_ds AND @end_ds AND step = 'paid'
),
gaming AS (
  SELECT *
  FROM intermediate.int_gaming_activity
  WHERE activity_date BETWEEN @start_ds AND @end_ds
),
-- every activity of the day, for first / last / night share and the player's jurisdiction
activity AS (
  SELECT player_id, event_date AS activity_date, occurred_at, jurisdiction FROM sessions WHERE step IN ('login_succeeded', 'login_failed', 'session_ended')
  UNION ALL
  SELECT player_id, event_date, occurred_at, jurisdiction FROM deposits
  UNION ALL
  SELECT player_id, event_date, occurred_at, jurisdiction FROM withdrawals
  UNION ALL
  SELECT player_id, activity_date, occurred_at, jurisdiction FROM gaming
),
activity_daily AS (
  SELECT
    player_id,
    activity_date,
    max(jurisdiction) AS jurisdiction,
    min(occurred_at) AS first_activity_at,
    max(occurred_at) AS last_activity_at,
    count(*) AS activity_events,
    CAST(count(*) FILTER (WHERE hour(occurred_at) < 6) / count(*) AS DECIMAL(5, 4)) AS night_share
  FROM activity
  GROUP BY player_id, activity_date
),
session_daily AS (
  SELECT
    player_id,
    event_date AS activity_date,
    count(DISTINCT session_id) FILTER (WHERE step = 'login_succeeded') AS sessions,
    count(*) FILTER (WHERE step = 'login_failed') AS logins_failed,
    count(*) FILTER (WHERE step = 'login_succeeded' AND device = 'mobile') AS logins_mobile,
    count(*) FILTER (WHERE step = 'login_succeeded' AND device = 'desktop') AS logins_desktop,
    count(*) FILTER (WHERE step = 'login_succeeded' AND device = 'tablet') AS logins_tablet,
    count(*) FILTER (WHERE step = 'login_succeeded' AND device = 'app') AS logins_app,
    count(*) FILTER (WHERE step = 'login_succeeded' AND coalesce(device, 'unknown') NOT IN ('mobile', 'desktop', 'tablet', 'app')) AS logins_unknown,
    CAST(round(coalesce(sum(duration_ms) FILTER (WHERE step = 'session_ended'), 0) / 60000.0, 2) AS DECIMAL(12, 2)) AS session_minutes
  FROM sessions
  GROUP BY player_id, event_date
),
money AS (
  -- one row per player, day and currency of the money that moved
  SELECT player_id, activity_date, currency, any_value(currency_exponent) AS currency_exponent,
    CAST(sum(deposits) AS BIGINT) AS deposits, CAST(sum(deposits_minor) AS BIGINT) AS deposits_minor,
    CAST(sum(withdrawals) AS BIGINT) AS withdrawals, CAST(sum(withdrawals_minor) AS BIGINT) AS withdrawals_minor,
    CAST(sum(bets) AS BIGINT) AS bets, CAST(sum(stakes_minor) AS BIGINT) AS stakes_minor,
    CAST(sum(wins_minor) AS BIGINT) AS wins_minor, CAST(sum(bonus_stakes_minor) AS BIGINT) AS bonus_stakes_minor,
    CAST(sum(free_bets) AS BIGINT) AS free_bets, CAST(sum(free_bet_wins_minor) AS BIGINT) AS free_bet_wins_minor
  FROM (
    SELECT player_id, event_date AS activity_date, currency, currency_exponent, 1 AS deposits, amount_minor AS deposits_minor, 0 AS withdrawals, 0 AS withdrawals_minor, 0 AS bets, 0 AS stakes_minor, 0 AS wins_minor, 0 AS bonus_stakes_minor, 0 AS free_bets, 0 AS free_bet_wins_minor FROM deposits
    UNION ALL
    SELECT player_id, event_date, currency, currency_exponent, 0, 0, 1, amount_minor, 0, 0, 0, 0, 0, 0 FROM withdrawals
    UNION ALL
    SELECT player_id, activity_date, currency, currency_exponent, 0, 0, 0, 0, is_bet, stake_minor, win_minor, bonus_stake_minor,
      CASE WHEN activity_kind = 'free_bet' THEN 1 ELSE 0 END, free_bet_win_minor
    FROM gaming
  ) AS m
  GROUP BY player_id, activity_date, currency
)
SELECT
  a.player_id,
  a.activity_date,
  a.jurisdiction,
  m.currency,
  m.currency_exponent,
  coalesce(s.sessions, 0) AS sessions,
  coalesce(s.logins_failed, 0) AS logins_failed,
  coalesce(s.logins_mobile, 0) AS logins_mobile,
  coalesce(s.logins_desktop, 0) AS logins_desktop,
  coalesce(s.logins_tablet, 0) AS logins_tablet,
  coalesce(s.logins_app, 0) AS logins_app,
  coalesce(s.logins_unknown, 0) AS logins_unknown,
  coalesce(s.session_minutes, 0) AS session_minutes,
  coalesce(m.deposits, 0) AS deposits,
  coalesce(m.deposits_minor, 0) AS deposits_minor,
  coalesce(m.withdrawals, 0) AS withdrawals,
  coalesce(m.withdrawals_minor, 0) AS withdrawals_minor,
  coalesce(m.bets, 0) AS bets,
  coalesce(m.stakes_minor, 0) AS stakes_minor,
  coalesce(m.wins_minor, 0) AS wins_minor,
  coalesce(m.stakes_minor, 0) - coalesce(m.wins_minor, 0) AS ggr_minor,
  coalesce(m.bonus_stakes_minor, 0) AS bonus_stakes_minor,
  coalesce(m.free_bets, 0) AS free_bets,
  coalesce(m.free_bet_wins_minor, 0) AS free_bet_wins_minor,
  a.first_activity_at,
  a.last_activity_at,
  a.activity_events,
  a.night_share
FROM activity_daily AS a
LEFT JOIN session_daily AS s ON s.player_id = a.player_id AND s.activity_date = a.activity_date
LEFT JOIN money AS m ON m.player_id = a.player_id AND m.activity_date = a.activity_date
