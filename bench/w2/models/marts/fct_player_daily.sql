MODEL (
  name marts.fct_player_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date
  ),
  cron '@daily',
  grain [event_date, player_id],
  start '2026-10-22',
  owner 'analytics',
  tags [marts, players],
  description 'One row per player and active day: play, payments and sessions'
);

WITH spine AS (
  SELECT event_date, player_id FROM intermediate.int_player_wagering_daily WHERE event_date BETWEEN @start_ds AND @end_ds
  UNION
  SELECT event_date, player_id FROM intermediate.int_player_deposits_daily WHERE event_date BETWEEN @start_ds AND @end_ds
  UNION
  SELECT event_date, player_id FROM intermediate.int_player_withdrawals_daily WHERE event_date BETWEEN @start_ds AND @end_ds
  UNION
  SELECT event_date, player_id FROM intermediate.int_player_sessions_daily WHERE event_date BETWEEN @start_ds AND @end_ds
)
SELECT
  k.event_date,
  k.player_id,
  coalesce(w.jurisdiction, d.jurisdiction, x.jurisdiction) AS jurisdiction,
  coalesce(w.currency, d.currency, x.currency) AS currency,
  coalesce(w.rounds, 0) AS rounds,
  coalesce(w.table_stake_minor, 0) AS table_stake_minor,
  coalesce(w.slot_stake_minor, 0) AS slot_stake_minor,
  coalesce(w.stake_minor, 0) AS stake_minor,
  coalesce(w.ggr_minor, 0) AS ggr_minor,
  coalesce(d.deposits_completed, 0) AS deposits,
  coalesce(d.deposits_failed, 0) AS deposits_failed,
  coalesce(d.deposited_minor, 0) AS deposited_minor,
  coalesce(x.withdrawals_paid, 0) AS withdrawals_paid,
  coalesce(x.withdrawn_minor, 0) AS withdrawn_minor,
  coalesce(d.deposited_minor, 0) - coalesce(x.withdrawn_minor, 0) AS net_deposits_minor,
  coalesce(s.sessions, 0) AS sessions,
  round(coalesce(s.session_ms, 0) / 60000.0, 1) AS session_minutes,
  coalesce(s.failed_logins, 0) AS failed_logins
FROM spine AS k
LEFT JOIN intermediate.int_player_wagering_daily AS w
  ON w.event_date = k.event_date AND w.player_id = k.player_id AND w.event_date BETWEEN @start_ds AND @end_ds
LEFT JOIN intermediate.int_player_deposits_daily AS d
  ON d.event_date = k.event_date AND d.player_id = k.player_id AND d.event_date BETWEEN @start_ds AND @end_ds
LEFT JOIN intermediate.int_player_withdrawals_daily AS x
  ON x.event_date = k.event_date AND x.player_id = k.player_id AND x.event_date BETWEEN @start_ds AND @end_ds
LEFT JOIN intermediate.int_player_sessions_daily AS s
  ON s.event_date = k.event_date AND s.player_id = k.player_id AND s.event_date BETWEEN @start_ds AND @end_ds
