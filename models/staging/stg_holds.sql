-- The wallet's two-phase holds (reserve, then post / void / expire): every stake of a table bet or
-- a provider bet, and every pending withdrawal, is a hold first. One row per hold and step.
MODEL (
  name staging.stg_holds,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [hold_id, step],
  owner data,
  tags [staging, wallet, money],
  description 'One row per hold and step (wallet.hold.reserved / posted / voided / expired). Deduplicated on (hold_id, step): a repeated step keeps its first event (by occurred_at, event_id), also across midnight. hold_origin comes from the hold id''s prefix (table:, prov:, wd:). Money in integer minor units of currency.',
  column_descriptions (
    event_id = 'The event kept for this hold and step',
    event_type = 'wallet.hold.reserved, posted, voided or expired',
    step = 'reserved, posted, voided or expired',
    occurred_at = 'When the wallet committed the step (UTC)',
    event_date = 'UTC day of occurred_at',
    player_id = 'The player whose money is held',
    jurisdiction = 'Licensing jurisdiction of the player',
    hold_id = 'The hold (table:<table>:<bet>, prov:<provider>:<tx>, wd:<withdrawal>)',
    hold_origin = 'table, provider, withdrawal or other, from the hold id prefix',
    hold_kind = 'What the hold is for, as the wallet names it (bet, withdrawal, ...)',
    amount_minor = 'Held amount (reserved), amount taken (posted), or amount given back (voided, expired), minor units',
    real_minor = 'Part of the reserved amount from the real-money balance (reserved only)',
    bonus_minor = 'Part of the reserved amount from the bonus balance (reserved only)',
    released_minor = 'Part of the hold released back on posting (posted only)',
    balance_after_minor = 'Balance after posting (posted only), minor units',
    expires_at = 'When an unposted hold expires (reserved only; NULL if never)',
    ref = 'Reference of what the hold is for (reserved only): provider round, table round, ...',
    currency = 'Wallet currency',
    currency_exponent = 'Minor-unit exponent of currency (seeds.currencies)'
  ),
  audits (
    not_null(columns := [event_id, step, occurred_at, event_date, player_id, hold_id, hold_origin, amount_minor, currency, currency_exponent]),
    unique_combination_of_columns(columns := [hold_id, step]),
    accepted_values(column := step, is_in := ('reserved', 'posted', 'voided', 'expired')),
    accepted_values(column := hold_origin, is_in := ('table', 'provider', 'withdrawal', 'other')),
    accepted_range(column := amount_minor, min_v := 0),
    accepted_range(column := real_minor, min_v := 0),
    accepted_range(column := bonus_minor, min_v := 0),
    accepted_range(column := released_minor, min_v := 0),
    forall(criteria := [step <> 'reserved' OR real_minor + bonus_minor = amount_minor])
  )
);

WITH events AS (
  -- the interval and the day before it, so a retry that crossed midnight is seen as a repeat
  SELECT *
  FROM staging.stg_events
  WHERE macros.dedupe_window(event_date, @start_ds, @end_ds)
    AND event_type IN ('wallet.hold.reserved', 'wallet.hold.posted', 'wallet.hold.voided', 'wallet.hold.expired')
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
    macros.payload_text(payload, 'hold_id') AS hold_id,
    CAST(CASE split_part(macros.payload_text(payload, 'hold_id'), ':', 1)
      WHEN 'table' THEN 'table'
      WHEN 'prov' THEN 'provider'
      WHEN 'wd' THEN 'withdrawal'
      ELSE 'other'
    END AS VARCHAR) AS hold_origin,
    macros.payload_text(payload, 'kind') AS hold_kind,
    macros.payload_bigint(payload, 'amount_minor') AS amount_minor,
    macros.payload_bigint(payload, 'real_minor') AS real_minor,
    macros.payload_bigint(payload, 'bonus_minor') AS bonus_minor,
    macros.payload_bigint(payload, 'released_minor') AS released_minor,
    macros.payload_bigint(payload, 'balance_after_minor') AS balance_after_minor,
    macros.payload_ts(payload, 'expires_at') AS expires_at,
    macros.payload_text(payload, 'ref') AS ref,
    currency,
    currency_exponent
  FROM events
),
deduped AS (
  SELECT *
  FROM typed
  QUALIFY row_number() OVER (PARTITION BY hold_id, step ORDER BY occurred_at, event_id) = 1
),
final AS (
  SELECT *
  FROM deduped
  WHERE event_date BETWEEN @start_ds AND @end_ds
)
SELECT * FROM final
