-- Cash-like rewards paid into the wallet (a cashback grant: durable/player/reward-offers.ts, wallet.ts
-- creditReward; docs/rewards.md "Cash-like rewards"): one row per wallet.reward.credited. Real money
-- credited under the grant id (ledger kind `reward`), so it moves the balance like a win does, but
-- without a game: marketing's cost, never a gaming win (docs/models.md "Wallet movements").
MODEL (
  name staging.stg_reward_credits,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [grant_id],
  owner data,
  tags [staging, wallet, rewards, money],
  description 'One row per reward credited to a wallet (wallet.reward.credited): the grant, the bucket credited (real for a cashback), the amount and the balance after. Deduplicated on grant_id (the wallet credits a grant once), keeping the first event (by occurred_at, event_id), also across midnight. Money in integer minor units of currency.',
  column_descriptions (
    event_id = 'The event kept for this credit',
    event_type = 'wallet.reward.credited',
    occurred_at = 'When the wallet committed the credit (UTC)',
    event_date = 'UTC day of occurred_at',
    player_id = 'The player credited',
    jurisdiction = 'Licensing jurisdiction of the player',
    grant_id = 'The reward grant paid (staging.stg_reward_grants.grant_id; the ledger entry''s reference)',
    bucket = 'real or bonus: the balance credited (real for a cashback)',
    amount_minor = 'Amount credited, minor units (> 0)',
    balance_after_minor = 'The bucket''s balance after the credit, minor units',
    currency = 'Wallet currency',
    currency_exponent = 'Minor-unit exponent of currency (seeds.currencies)'
  ),
  audits (
    not_null(columns := [event_id, occurred_at, event_date, player_id, grant_id, bucket, amount_minor, balance_after_minor, currency, currency_exponent]),
    unique_combination_of_columns(columns := [grant_id]),
    accepted_values(column := bucket, is_in := ('real', 'bonus')),
    accepted_range(column := amount_minor, min_v := 1),
    accepted_range(column := balance_after_minor, min_v := 0)
  )
);

WITH events AS (
  -- the interval and the day before it, so a retry that crossed midnight is seen as a repeat
  SELECT *
  FROM staging.stg_events
  WHERE macros.dedupe_window(event_date, @start_ds, @end_ds)
    AND event_type = 'wallet.reward.credited'
),
typed AS (
  SELECT
    event_id,
    event_type,
    occurred_at,
    event_date,
    player_id,
    jurisdiction,
    macros.payload_text(payload, 'grant_id') AS grant_id,
    macros.payload_text(payload, 'bucket') AS bucket,
    macros.payload_bigint(payload, 'amount_minor') AS amount_minor,
    macros.payload_bigint(payload, 'balance_after_minor') AS balance_after_minor,
    currency,
    currency_exponent
  FROM events
),
deduped AS (
  SELECT *
  FROM typed
  QUALIFY row_number() OVER (PARTITION BY grant_id ORDER BY occurred_at, event_id) = 1
),
final AS (
  SELECT *
  FROM deduped
  WHERE event_date BETWEEN @start_ds AND @end_ds
)
SELECT * FROM final
