MODEL (
  name marts.fct_payments_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date
  ),
  cron '@daily',
  grain [event_date, currency, flow, status],
  start '2026-10-22',
  owner 'payments',
  tags [marts, payments],
  description 'Deposits and withdrawals per day, currency and status, with amounts and failure rates'
);

WITH flows AS (
  SELECT event_date, currency, 'deposit' AS flow, status, payment_provider AS channel, amount_minor, player_id
  FROM staging.stg_deposits
  WHERE event_date BETWEEN @start_ds AND @end_ds
  UNION ALL
  SELECT event_date, currency, 'withdrawal' AS flow, status, 'bank' AS channel, amount_minor, player_id
  FROM staging.stg_withdrawals
  WHERE event_date BETWEEN @start_ds AND @end_ds
)
SELECT
  event_date,
  currency,
  flow,
  status,
  count(*) AS transactions,
  count(DISTINCT player_id) AS players,
  count(DISTINCT channel) AS channels,
  sum(amount_minor) AS amount_minor,
  median(amount_minor) AS median_amount_minor,
  round(count(*) / sum(count(*)) OVER (PARTITION BY event_date, currency, flow), 4) AS share_of_flow
FROM flows
GROUP BY event_date, currency, flow, status
