-- Deposits as the wallet reports them: one row per deposit and step (requested, completed, failed).
-- One row per step, not one per deposit: a deposit's steps can fall on different days, and an
-- incremental model by day cannot rewrite an earlier day's row; the per-deposit lifecycle is a
-- join of these rows downstream.
MODEL (
  name staging.stg_deposits,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [deposit_id, step],
  owner data,
  tags [staging, payments, money],
  description 'One row per deposit and step (wallet.deposit.requested / completed / failed). Deduplicated on (deposit_id, step): a repeated step keeps its first event (by occurred_at, event_id), also when the repeat lands on the next UTC day. Money in integer minor units of currency.',
  column_descriptions (
    event_id = 'The event kept for this deposit and step',
    event_type = 'wallet.deposit.requested, wallet.deposit.completed or wallet.deposit.failed',
    step = 'requested, completed or failed',
    occurred_at = 'When the wallet committed the step (UTC)',
    event_date = 'UTC day of occurred_at',
    player_id = 'The depositing player',
    jurisdiction = 'Licensing jurisdiction of the player',
    deposit_id = 'The deposit (client-chosen id, the idempotency key)',
    payment_provider = 'Payment provider of the deposit',
    amount_minor = 'Deposited amount in minor units of currency',
    balance_after_minor = 'Cash balance after the credit (completed only), minor units',
    failure_reason = 'Why it failed (failed only; may be NULL)',
    payment_reference = 'Keyed hash (16 hex) of the payment instrument (card, account, wallet) the step names, never the instrument: equal references are the same instrument. completed: the one the provider charged. NULL when none was named and in events before 2026-12',
    currency = 'Wallet currency (ISO 4217, or BTC)',
    currency_exponent = 'Minor-unit exponent of currency (seeds.currencies): amount = amount_minor / 10^exponent'
  ),
  audits (
    not_null(columns := [event_id, step, occurred_at, event_date, player_id, deposit_id, amount_minor, currency, currency_exponent]),
    unique_combination_of_columns(columns := [deposit_id, step]),
    accepted_values(column := step, is_in := ('requested', 'completed', 'failed')),
    accepted_range(column := amount_minor, min_v := 0),
    accepted_range(column := balance_after_minor, min_v := 0),
    forall(criteria := [step = 'completed' OR balance_after_minor IS NULL])
  )
);

WITH events AS (
  -- the interval and the day before it, so a retry that crossed midnight is seen as a repeat
  SELECT *
  FROM staging.stg_events
  WHERE macros.dedupe_window(event_date, @start_ds, @end_ds)
    AND event_type IN ('wallet.deposit.requested', 'wallet.deposit.completed', 'wallet.deposit.failed')
),
typed AS (
  SELECT
    event_id,
    event_type,
    macros.event_type_part(event_type, 3) AS step,
    occurred_at,
    event_date,
    player_id,
    jurisdiction,
    macros.payload_text(payload, 'deposit_id') AS deposit_id,
    macros.payload_text(payload, 'provider') AS payment_provider,
    macros.payload_bigint(payload, 'amount_minor') AS amount_minor,
    macros.payload_bigint(payload, 'balance_after_minor') AS balance_after_minor,
    macros.payload_text(payload, 'reason') AS failure_reason,
    macros.payload_text(payload, 'payment_reference') AS payment_reference,
    currency,
    currency_exponent
  FROM events
),
deduped AS (
  SELECT *
  FROM typed
  QUALIFY row_number() OVER (PARTITION BY deposit_id, step ORDER BY occurred_at, event_id) = 1
),
final AS (
  SELECT *
  FROM deduped
  WHERE event_date BETWEEN @start_ds AND @end_ds
)
SELECT * FROM final
