-- Withdrawals as the wallet reports them: one row per withdrawal and step (requested, approved,
-- rejected, paid, cancelled: the player took it back before any decision). One row per step, not per withdrawal: approval by an operator and payment can
-- come days after the request, and an incremental model by day cannot rewrite an earlier day's row.
MODEL (
  name staging.stg_withdrawals,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [withdrawal_id, step],
  owner data,
  tags [staging, payments, money],
  description 'One row per withdrawal and step (wallet.withdrawal.requested / approved / rejected / paid / cancelled; cancelled: the player took a requested withdrawal back, its funds available again). Deduplicated on (withdrawal_id, step): a repeated step keeps its first event (by occurred_at, event_id), also when the repeat lands on the next UTC day. Money in integer minor units of currency.',
  column_descriptions (
    event_id = 'The event kept for this withdrawal and step',
    event_type = 'wallet.withdrawal.requested, approved, rejected, paid or cancelled',
    step = 'requested, approved, rejected, paid or cancelled (by the player, only while requested)',
    occurred_at = 'When the wallet committed the step (UTC)',
    event_date = 'UTC day of occurred_at',
    player_id = 'The withdrawing player',
    jurisdiction = 'Licensing jurisdiction of the player',
    withdrawal_id = 'The withdrawal (idempotency key)',
    amount_minor = 'Withdrawn amount in minor units of currency',
    balance_after_minor = 'Cash balance after the payout (paid only), minor units',
    actor = 'Who approved or rejected it (operator:<id>), or player for a cancellation; NULL for requested and paid',
    rejection_reason = 'Why it was rejected (rejected only; may be NULL)',
    payment_reference = 'Keyed hash (16 hex) of the destination instrument (requested only), never the instrument; NULL when none was named and in events before 2026-12',
    currency = 'Wallet currency (ISO 4217, or BTC)',
    currency_exponent = 'Minor-unit exponent of currency (seeds.currencies)'
  ),
  audits (
    not_null(columns := [event_id, step, occurred_at, event_date, player_id, withdrawal_id, amount_minor, currency, currency_exponent]),
    unique_combination_of_columns(columns := [withdrawal_id, step]),
    accepted_values(column := step, is_in := ('requested', 'approved', 'rejected', 'paid', 'cancelled')),
    accepted_range(column := amount_minor, min_v := 0),
    accepted_range(column := balance_after_minor, min_v := 0),
    forall(criteria := [step IN ('approved', 'rejected', 'cancelled') OR actor IS NULL])
  )
);

WITH events AS (
  -- the interval and the day before it, so a retry that crossed midnight is seen as a repeat
  SELECT *
  FROM staging.stg_events
  WHERE macros.dedupe_window(event_date, @start_ds, @end_ds)
    AND event_type IN ('wallet.withdrawal.requested', 'wallet.withdrawal.approved', 'wallet.withdrawal.rejected', 'wallet.withdrawal.paid', 'wallet.withdrawal.cancelled')
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
    macros.payload_text(payload, 'withdrawal_id') AS withdrawal_id,
    macros.payload_bigint(payload, 'amount_minor') AS amount_minor,
    macros.payload_bigint(payload, 'balance_after_minor') AS balance_after_minor,
    macros.payload_text(payload, 'actor') AS actor,
    macros.payload_text(payload, 'reason') AS rejection_reason,
    macros.payload_text(payload, 'payment_reference') AS payment_reference,
    currency,
    currency_exponent
  FROM events
),
deduped AS (
  SELECT *
  FROM typed
  QUALIFY row_number() OVER (PARTITION BY withdrawal_id, step ORDER BY occurred_at, event_id) = 1
),
final AS (
  SELECT *
  FROM deduped
  WHERE event_date BETWEEN @start_ds AND @end_ds
)
SELECT * FROM final
