-- Wheel spins spun (docs/rewards.md "Wheel (provably fair)"): one row per spin, from
-- rewards.wheel_spun. A spin is the wheel_spin grant the player spun (spin_id = grant_id of
-- staging.stg_reward_grants); the grant reserved the wheel's largest cash-like prize, and this is
-- what the spin actually paid: the prize drawn, whether it was delivered, and its cash-like value
-- (cost_minor), with the revealed seed and its commitment so anyone can re-draw the prize
-- (verifyWheelSpin). A retried spin emits nothing; a relayed duplicate of the event keeps the first.
MODEL (
  name staging.stg_reward_wheel_spins,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [spin_id],
  owner marketing,
  tags [staging, rewards, money],
  description 'One row per rewards.wheel_spun event: the spin (= its wheel_spin grant), the wheel, the prize drawn (kind, amount, value), whether it was delivered under prize_grant_id, its cost in minor units of the player''s currency (a delivered free bet''s or cashback''s value, else 0), the proof (commitment, revealed server seed) and the rule and rule set that granted it. Deduplicated on spin_id, keeping the first (by occurred_at, event_id), also across midnight.',
  column_descriptions (
    event_id = 'The event kept for this spin',
    spin_id = 'The spin (the grant id of its wheel_spin grant)',
    grant_id = 'The wheel_spin grant spun (staging.stg_reward_grants.grant_id)',
    occurred_at = 'When the player spun it (UTC)',
    event_date = 'UTC day of occurred_at',
    player_id = 'The player',
    jurisdiction = 'Licensing jurisdiction of the player',
    wheel_id = 'The wheel spun',
    prize_id = 'The prize drawn (an id of the wheel''s prize table as granted)',
    prize_grant_id = 'The grant id the prize was delivered under (<spin_id>:prize): the wallet''s reward credit ref for a cashback, the free-bet token''s id',
    prize_kind = 'xp, points, badge, free_bet, cashback, shout_out or message; NULL for a "no prize" slot',
    amount = 'XP or points won (those kinds only)',
    value_minor = 'Value of a cash-like prize (free_bet, cashback) in the player''s currency, minor units; NULL when the prize has none in that currency',
    delivered = 'Something was delivered (false: a "no prize" slot, a badge owned already, a cash-like prize with no value or 0 in the player''s currency)',
    cash_like = 'The prize drawn is a free bet or a cashback',
    cost_minor = 'What the spin cost the operator, minor units: value_minor of a delivered free bet or cashback, 0 otherwise (the grant reserved the wheel''s largest cash-like prize: stg_reward_grants.cost_minor)',
    commitment = 'The seed''s commitment, shown to the player at the grant',
    server_seed = 'The seed, revealed by the spin: verifyWheelSpin re-draws prize_id from it',
    rule_id = 'The rule that granted the spin',
    rule_version = 'Version of that rule',
    rule_set_id = 'Rule set of the granting version',
    rule_set_version = 'Version of that rule set',
    currency = 'The player''s currency (value_minor, cost_minor)',
    currency_exponent = 'Minor-unit exponent of currency (seeds.currencies)'
  ),
  audits (
    not_null(columns := [event_id, spin_id, grant_id, occurred_at, event_date, player_id, wheel_id, prize_id, prize_grant_id, delivered, cash_like, cost_minor, commitment, server_seed, rule_id, rule_version, currency]),
    unique_values(columns := [spin_id]),
    accepted_values(column := prize_kind, is_in := ('xp', 'points', 'badge', 'free_bet', 'cashback', 'shout_out', 'message')),
    accepted_range(column := cost_minor, min_v := 0),
    accepted_range(column := amount, min_v := 0),
    forall(criteria := [
      cash_like = coalesce(prize_kind IN ('free_bet', 'cashback'), false),
      (delivered AND cash_like) OR cost_minor = 0,
      NOT (delivered AND cash_like) OR cost_minor = value_minor
    ])
  )
);

WITH events AS (
  -- the interval and the day before it, so a spin relayed again across midnight is seen as a repeat
  SELECT *
  FROM staging.stg_events
  WHERE macros.dedupe_window(event_date, @start_ds, @end_ds)
    AND event_type = 'rewards.wheel_spun'
),
typed AS (
  SELECT
    event_id,
    macros.payload_text(payload, 'spin_id') AS spin_id,
    macros.payload_text(payload, 'grant_id') AS grant_id,
    occurred_at,
    event_date,
    player_id,
    jurisdiction,
    macros.payload_text(payload, 'wheel_id') AS wheel_id,
    macros.payload_text(payload, 'prize_id') AS prize_id,
    macros.payload_text(payload, 'prize_grant_id') AS prize_grant_id,
    macros.payload_text(payload, 'prize_kind') AS prize_kind,
    macros.payload_bigint(payload, 'amount') AS amount,
    macros.payload_bigint(payload, 'value_minor') AS value_minor,
    macros.payload_bool(payload, 'delivered') AS delivered,
    coalesce(macros.payload_text(payload, 'prize_kind') IN ('free_bet', 'cashback'), false) AS cash_like,
    CAST(CASE
      WHEN macros.payload_bool(payload, 'delivered') AND macros.payload_text(payload, 'prize_kind') IN ('free_bet', 'cashback')
      THEN coalesce(macros.payload_bigint(payload, 'value_minor'), 0)
      ELSE 0
    END AS BIGINT) AS cost_minor,
    macros.payload_text(payload, 'commitment') AS commitment,
    macros.payload_text(payload, 'server_seed') AS server_seed,
    macros.payload_text(payload, 'rule_id') AS rule_id,
    macros.payload_int(payload, 'rule_version') AS rule_version,
    macros.payload_text(payload, 'rule_set_id') AS rule_set_id,
    macros.payload_int(payload, 'rule_set_version') AS rule_set_version,
    currency,
    currency_exponent
  FROM events
),
deduped AS (
  SELECT *
  FROM typed
  QUALIFY row_number() OVER (PARTITION BY spin_id ORDER BY occurred_at, event_id) = 1
),
final AS (
  SELECT *
  FROM deduped
  WHERE event_date BETWEEN @start_ds AND @end_ds
)
SELECT * FROM final
