-- Operators acting on a player's money: manual adjustments (requested, applied, rejected; four
-- eyes above a threshold) and disputes resolved (a bet voided or corrected, including provider
-- rollbacks). One row per case and step.
MODEL (
  name staging.stg_adjustments,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [case_type, case_id, step],
  owner data,
  tags [staging, backoffice, money],
  description 'One row per back-office case and step: backoffice.adjustment.requested / applied / rejected (case_type adjustment, case_id the adjustment_id) and backoffice.dispute.resolved (case_type dispute, case_id the dispute_id). Deduplicated on (case_type, case_id, step), keeping the first event (by occurred_at, event_id), also across midnight. Money in integer minor units of currency; an adjustment''s amount is signed (negative = debit).',
  column_descriptions (
    event_id = 'The event kept for this case and step',
    event_type = 'backoffice.adjustment.requested, applied, rejected or backoffice.dispute.resolved',
    case_type = 'adjustment or dispute',
    step = 'requested, applied, rejected (adjustments) or resolved (disputes)',
    occurred_at = 'When the player object committed it (UTC)',
    event_date = 'UTC day of occurred_at',
    player_id = 'The player whose money it is',
    jurisdiction = 'Licensing jurisdiction of the player',
    case_id = 'adjustment_id or dispute_id',
    bucket = 'real or bonus: the balance adjusted (adjustment requested, applied)',
    amount_minor = 'Adjustment amount, signed (credit > 0, debit < 0), or the disputed amount; minor units',
    balance_after_minor = 'Balance after an applied adjustment, minor units',
    reason = 'Reason given by the operator (or the provider for a rollback dispute)',
    actor = 'Who requested or rejected the adjustment, or resolved the dispute (operator:<id>, provider:<id>)',
    needs_approval = 'True when the requested adjustment needs a second operator (requested only)',
    requested_by = 'Who requested the applied adjustment (applied only)',
    approved_by = 'Second operator who approved it (applied only; NULL when no approval was needed)',
    dispute_ref = 'What the dispute is about: the bet or transaction reference (disputes only)',
    resolution = 'void or correct (disputes only)',
    currency = 'The player''s wallet currency',
    currency_exponent = 'Minor-unit exponent of currency (seeds.currencies)'
  ),
  audits (
    not_null(columns := [event_id, case_type, step, occurred_at, event_date, player_id, case_id, amount_minor, currency, currency_exponent]),
    unique_combination_of_columns(columns := [case_type, case_id, step]),
    accepted_values(column := case_type, is_in := ('adjustment', 'dispute')),
    accepted_values(column := step, is_in := ('requested', 'applied', 'rejected', 'resolved')),
    accepted_values(column := bucket, is_in := ('real', 'bonus')),
    accepted_values(column := resolution, is_in := ('void', 'correct')),
    accepted_range(column := balance_after_minor, min_v := 0),
    forall(criteria := [case_type <> 'dispute' OR amount_minor >= 0, (case_type = 'dispute') = (step = 'resolved')])
  )
);

WITH events AS (
  -- the interval and the day before it, so a retry that crossed midnight is seen as a repeat
  SELECT *
  FROM staging.stg_events
  WHERE macros.dedupe_window(event_date, @start_ds, @end_ds)
    AND event_type IN ('backoffice.adjustment.requested', 'backoffice.adjustment.applied', 'backoffice.adjustment.rejected', 'backoffice.dispute.resolved')
),
typed AS (
  SELECT
    event_id,
    event_type,
    macros.event_type_part(event_type, 2) AS case_type,
    macros.event_type_part(event_type, 3) AS step,
    occurred_at,
    event_date,
    player_id,
    jurisdiction,
    coalesce(macros.payload_text(payload, 'adjustment_id'), macros.payload_text(payload, 'dispute_id')) AS case_id,
    macros.payload_text(payload, 'bucket') AS bucket,
    macros.payload_bigint(payload, 'amount_minor') AS amount_minor,
    macros.payload_bigint(payload, 'balance_after_minor') AS balance_after_minor,
    macros.payload_text(payload, 'reason') AS reason,
    macros.payload_text(payload, 'actor') AS actor,
    macros.payload_bool(payload, 'needs_approval') AS needs_approval,
    macros.payload_text(payload, 'requested_by') AS requested_by,
    macros.payload_text(payload, 'approved_by') AS approved_by,
    macros.payload_text(payload, 'ref') AS dispute_ref,
    macros.payload_text(payload, 'resolution') AS resolution,
    currency,
    currency_exponent
  FROM events
),
deduped AS (
  SELECT *
  FROM typed
  QUALIFY row_number() OVER (PARTITION BY case_type, case_id, step ORDER BY occurred_at, event_id) = 1
),
final AS (
  SELECT *
  FROM deduped
  WHERE event_date BETWEEN @start_ds AND @end_ds
)
SELECT * FROM final
