MODEL (
  name marts.player_last_activity,
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key player_id
  ),
  cron '@daily',
  grain [player_id],
  start '2026-10-22',
  owner 'crm',
  tags [marts, players],
  description 'Latest wallet activity per player (upserted on player_id): last money movement and the balance after it'
);

WITH movements AS (
  SELECT player_id, occurred_at, event_date, balance_after_minor, 'hold.' || action AS movement
  FROM staging.stg_holds
  WHERE event_date BETWEEN @start_ds AND @end_ds
    AND balance_after_minor IS NOT NULL
  UNION ALL
  SELECT player_id, occurred_at, event_date, balance_after_minor, 'deposit.' || status AS movement
  FROM staging.stg_deposits
  WHERE event_date BETWEEN @start_ds AND @end_ds
    AND balance_after_minor IS NOT NULL
  UNION ALL
  SELECT player_id, occurred_at, event_date, balance_after_minor, 'withdrawal.' || status AS movement
  FROM staging.stg_withdrawals
  WHERE event_date BETWEEN @start_ds AND @end_ds
    AND balance_after_minor IS NOT NULL
)
SELECT
  player_id,
  max(event_date) AS last_active_date,
  max(occurred_at) AS last_movement_at,
  arg_max(movement, occurred_at) AS last_movement,
  arg_max(balance_after_minor, occurred_at) AS last_balance_minor
FROM movements
GROUP BY player_id
