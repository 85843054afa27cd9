MODEL (
  name marts.fct_table_rounds,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column round_date
  ),
  cron '@daily',
  grain [table_id, round_id],
  start '2026-10-22',
  owner 'games',
  tags [marts, tables],
  description 'One row per finished live-table round (settled or voided), dated by its end, with its bets (settled before the round is)'
);

WITH lifecycle AS (
  SELECT
    table_id,
    round_id,
    any_value(round_no) AS round_no,
    any_value(game) AS game,
    any_value(mode) FILTER (WHERE round_event = 'opened') AS mode,
    min(occurred_at) FILTER (WHERE round_event = 'opened') AS opened_at,
    min(occurred_at) FILTER (WHERE round_event = 'closed') AS closed_at,
    min(occurred_at) FILTER (WHERE round_event = 'result') AS result_at,
    max(occurred_at) FILTER (WHERE round_event IN ('settled', 'voided')) AS finished_at,
    any_value(result_summary) FILTER (WHERE round_event = 'result') AS result_summary,
    any_value(settle_ms) FILTER (WHERE round_event = 'settled') AS settle_ms,
    bool_or(round_event = 'voided') AS voided
  FROM staging.stg_table_rounds
  WHERE event_date BETWEEN CAST(@start_ds AS DATE) - INTERVAL 1 DAY AND @end_ds
  GROUP BY table_id, round_id
),
bets AS (
  SELECT
    table_id,
    round_id,
    count(*) AS bets,
    count(DISTINCT player_id) AS players,
    sum(stake_minor) AS stake_minor,
    sum(returned_minor) AS returned_minor,
    sum(ggr_minor) AS ggr_minor,
    max(settle_latency_ms) AS slowest_bet_ms
  FROM intermediate.int_table_bets_resolved
  WHERE settled_date BETWEEN CAST(@start_ds AS DATE) - INTERVAL 1 DAY AND @end_ds
  GROUP BY table_id, round_id
)
SELECT
  l.table_id,
  l.round_id,
  l.round_no,
  l.game,
  l.mode,
  l.opened_at,
  l.closed_at,
  l.result_at,
  l.finished_at,
  CAST(l.finished_at AS DATE) AS round_date,
  l.result_summary,
  l.settle_ms,
  l.voided,
  coalesce(b.bets, 0) AS bets,
  coalesce(b.players, 0) AS players,
  coalesce(b.stake_minor, 0) AS stake_minor,
  coalesce(b.returned_minor, 0) AS returned_minor,
  coalesce(b.ggr_minor, 0) AS ggr_minor,
  b.slowest_bet_ms
FROM lifecycle AS l
LEFT JOIN bets AS b ON b.table_id = l.table_id AND b.round_id = l.round_id
WHERE l.finished_at IS NOT NULL
  AND CAST(l.finished_at AS DATE) BETWEEN @start_ds AND @end_ds
