-- Anti-money-laundering alerts from the payment and play history: structuring under a reporting
-- threshold, deposit-withdraw with little play, deposit velocity, many payment providers, many
-- payment instruments (payment references), a withdrawal to an instrument never deposited from. One
-- row per alert with a deterministic id, for an MLRO's queue.
--
-- Play is the player's own money: a free bet's stake (docs/rewards.md "Cash-like rewards") was the
-- operator's and plays no deposit through (deposit_withdraw, new_payout_instrument).
--
-- Payment references are keyed hashes of the instruments (domain/payment-reference.ts): equal
-- references are the same card or account, as the payment provider identifies it; the instrument
-- itself is never in the events. Events from before references existed have none (NULL) and are
-- left out of both reference rules.
--
-- Kind FULL: rules look back up to 7 days (deposit-withdraw) and a calendar week (providers); an
-- incremental model would need a lookback of at least the week plus staging reads widened by it.
-- A full rebuild is exact and cheap at this size; alert ids are hashes of (rule, player, window),
-- so a rebuild gives the same ids to the same alerts and a case system can key on them.
--
-- Status: 'open' as computed here. The operators' decisions are not here: the alerts are published
-- to the edge (`wh publish aml-alerts`, docs/aml.md), decided there, and the decisions
-- (ops.alert.resolved) are joined on alert_id in marts.rpt_suspicious_activity (status, decision,
-- decided_by, decided_at). Withdrawal rejections are decisions on the money, not on the alert, and
-- are shown as withdrawal_outcome for the deposit_withdraw rule only.
MODEL (
  name marts.aml_alerts,
  kind FULL,
  cron '*/15 * * * *',
  grain [alert_id],
  owner compliance,
  tags [compliance, aml],
  description 'One row per AML alert. Rules: structuring (2+ completed deposits in a UTC day each at least structuring_band x and below the jurisdiction''s threshold, seeds.aml_thresholds), deposit_withdraw (a withdrawal of at least half the 7-day deposits when the 7 days before it staked less than 100% of them), velocity (5+ deposit attempts within 60 minutes, per UTC day), payment_providers (3+ payment providers used in an ISO week), payment_references (3+ distinct payment instruments in an ISO week across deposit attempts and withdrawal requests), new_payout_instrument (a withdrawal to an instrument the player never completed a deposit from, when they have deposited from others). Money in minor units of the player''s wallet currency. Status open as computed; the operators'' decisions are joined in marts.rpt_suspicious_activity.',
  column_descriptions (
    alert_id = 'md5 of rule, player and window key: stable across rebuilds',
    rule = 'structuring, deposit_withdraw, velocity, payment_providers, payment_references or new_payout_instrument',
    player_id = 'The player',
    jurisdiction = 'Licensing jurisdiction of the player',
    currency = 'The player''s wallet currency',
    currency_exponent = 'Minor-unit exponent of currency (seeds.currencies)',
    window_start = 'Start of the window the rule looked at (UTC)',
    window_end = 'End of the window (UTC): the last event counted',
    alert_date = 'UTC day of window_end',
    deposits = 'Deposits the rule counted (structuring: just under the threshold; velocity: attempts in the busiest hour; payment_references: attempts in the week; deposit_withdraw, new_payout_instrument: completed in the 7 days before the withdrawal; others: in the window)',
    deposits_minor = 'Their amount, minor units',
    withdrawal_id = 'The withdrawal (deposit_withdraw and new_payout_instrument only)',
    withdrawal_minor = 'The withdrawal''s amount (deposit_withdraw and new_payout_instrument only), minor units',
    withdrawal_outcome = 'paid, rejected, cancelled (by the player), approved or pending (deposit_withdraw and new_payout_instrument only)',
    stakes_minor = 'Stakes of the player''s own money (not free bets) in the 7 days before the withdrawal (deposit_withdraw and new_payout_instrument only), minor units',
    providers = 'Distinct payment providers in the window (payment_providers only)',
    payment_references = 'Distinct payment instruments (payment references): in the week (payment_references); deposited from before the withdrawal (new_payout_instrument); NULL for other rules',
    threshold_minor = 'The jurisdiction''s threshold (structuring only), minor units',
    severity = 'low, medium or high',
    status = 'open as computed (decisions: marts.rpt_suspicious_activity)',
    summary = 'The alert in words with its figures'
  ),
  audits (
    not_null(columns := [alert_id, rule, player_id, window_start, window_end, alert_date, severity, status, summary]),
    unique_values(columns := [alert_id]),
    accepted_values(column := rule, is_in := ('structuring', 'deposit_withdraw', 'velocity', 'payment_providers', 'payment_references', 'new_payout_instrument')),
    accepted_values(column := severity, is_in := ('low', 'medium', 'high')),
    accepted_values(column := status, is_in := ('open')),
    accepted_range(column := deposits, min_v := 0),
    forall(criteria := [window_start <= window_end])
  )
);

WITH t AS (
  SELECT
    2 AS structuring_min_deposits,      -- just-under deposits in one UTC day
    3 AS structuring_high_deposits,
    7 AS dw_window_days,                -- deposit_withdraw: deposits and stakes this long before the request
    1.0 AS dw_max_turnover,             -- fires when stakes < this x deposits
    0.5 AS dw_min_withdrawn_share,      -- ... and the withdrawal is at least this share of the deposits
    0.1 AS dw_high_turnover,            -- high when stakes < this x deposits
    5 AS velocity_min_deposits,         -- deposit attempts within ...
    60 AS velocity_minutes,             -- ... this many minutes
    10 AS velocity_high_deposits,
    3 AS providers_min,                 -- distinct payment providers in an ISO week
    4 AS providers_high,
    3 AS references_min,                -- distinct payment instruments in an ISO week (deposits and withdrawals)
    5 AS references_high,
    0.5 AS new_payout_high_share        -- new_payout_instrument: high when the withdrawal is this share of the 7-day deposits
),
deposits AS (
  SELECT d.*, th.threshold_minor, th.structuring_band
  FROM staging.stg_deposits AS d
  LEFT JOIN seeds.aml_thresholds AS th ON th.jurisdiction = d.jurisdiction AND th.currency = d.currency
),
structuring AS (
  SELECT
    'structuring' AS rule, player_id, any_value(jurisdiction) AS jurisdiction, currency, any_value(currency_exponent) AS currency_exponent,
    CAST(min(occurred_at) AS TIMESTAMP) AS window_start, CAST(max(occurred_at) AS TIMESTAMP) AS window_end, event_date AS alert_date,
    CAST(event_date AS VARCHAR) AS window_key,
    count(*) AS deposits, sum(amount_minor) AS deposits_minor,
    NULL AS withdrawal_id, NULL AS withdrawal_minor, NULL AS withdrawal_outcome, NULL AS stakes_minor, NULL AS providers,
    any_value(threshold_minor) AS threshold_minor,
    CASE WHEN count(*) >= (SELECT structuring_high_deposits FROM t) THEN 'high' ELSE 'medium' END AS severity
  FROM deposits
  WHERE step = 'completed' AND threshold_minor IS NOT NULL
    AND amount_minor < threshold_minor AND amount_minor >= structuring_band * threshold_minor
  GROUP BY player_id, currency, event_date
  HAVING count(*) >= (SELECT structuring_min_deposits FROM t)
),
withdrawals AS (
  SELECT
    r.player_id, r.jurisdiction, r.currency, r.currency_exponent, r.withdrawal_id, r.amount_minor, r.occurred_at AS requested_at,
    CASE
      WHEN bool_or(o.step = 'paid') THEN 'paid'
      WHEN bool_or(o.step = 'rejected') THEN 'rejected'
      WHEN bool_or(o.step = 'cancelled') THEN 'cancelled'
      WHEN bool_or(o.step = 'approved') THEN 'approved'
      ELSE 'pending'
    END AS outcome
  FROM staging.stg_withdrawals AS r
  LEFT JOIN staging.stg_withdrawals AS o ON o.withdrawal_id = r.withdrawal_id AND o.step <> 'requested'
  WHERE r.step = 'requested'
  GROUP BY ALL
),
stakes AS (
  -- the player's own money staked: a free bet's stake was the operator's (docs/rewards.md
  -- "Cash-like rewards") and plays none of the deposits through
  SELECT player_id, occurred_at,
    CASE WHEN step = 'rolled_back' THEN -amount_minor ELSE amount_minor END AS stake_minor
  FROM staging.stg_bets
  WHERE step IN ('placed', 'debited', 'rolled_back') AND free_bet_id IS NULL
),
dw AS (
  SELECT w.*, w.requested_at - to_days(CAST((SELECT dw_window_days FROM t) AS INTEGER)) AS window_start,
    (SELECT count(*) FROM deposits AS d WHERE d.player_id = w.player_id AND d.step = 'completed'
       AND d.occurred_at >= w.requested_at - to_days(CAST((SELECT dw_window_days FROM t) AS INTEGER)) AND d.occurred_at <= w.requested_at) AS deposits,
    (SELECT coalesce(sum(d.amount_minor), 0) FROM deposits AS d WHERE d.player_id = w.player_id AND d.step = 'completed'
       AND d.occurred_at >= w.requested_at - to_days(CAST((SELECT dw_window_days FROM t) AS INTEGER)) AND d.occurred_at <= w.requested_at) AS deposits_minor,
    (SELECT coalesce(sum(s.stake_minor), 0) FROM stakes AS s WHERE s.player_id = w.player_id
       AND s.occurred_at >= w.requested_at - to_days(CAST((SELECT dw_window_days FROM t) AS INTEGER)) AND s.occurred_at <= w.requested_at) AS stakes_minor
  FROM withdrawals AS w
),
deposit_withdraw AS (
  SELECT
    'deposit_withdraw' AS rule, player_id, jurisdiction, currency, currency_exponent,
    CAST(window_start AS TIMESTAMP) AS window_start, CAST(requested_at AS TIMESTAMP) AS window_end, CAST(requested_at AS DATE) AS alert_date,
    withdrawal_id AS window_key,
    deposits, deposits_minor, withdrawal_id, amount_minor AS withdrawal_minor, outcome AS withdrawal_outcome, stakes_minor, NULL AS providers,
    NULL AS threshold_minor,
    CASE WHEN stakes_minor < (SELECT dw_high_turnover FROM t) * deposits_minor THEN 'high' ELSE 'medium' END AS severity
  FROM dw
  WHERE deposits_minor > 0
    AND stakes_minor < (SELECT dw_max_turnover FROM t) * deposits_minor
    AND amount_minor >= (SELECT dw_min_withdrawn_share FROM t) * deposits_minor
),
attempts AS (
  -- every deposit attempt (requested), with the attempts of the hour before it, itself included
  SELECT
    *,
    count(*) OVER (PARTITION BY player_id ORDER BY occurred_at
      RANGE BETWEEN INTERVAL 60 MINUTE PRECEDING AND CURRENT ROW) AS in_hour,
    sum(amount_minor) OVER (PARTITION BY player_id ORDER BY occurred_at
      RANGE BETWEEN INTERVAL 60 MINUTE PRECEDING AND CURRENT ROW) AS in_hour_minor
  FROM deposits
  WHERE step = 'requested'
),
velocity AS (
  SELECT
    'velocity' AS rule, player_id, any_value(jurisdiction) AS jurisdiction, any_value(currency) AS currency, any_value(currency_exponent) AS currency_exponent,
    CAST(arg_max(occurred_at, in_hour) - INTERVAL 60 MINUTE AS TIMESTAMP) AS window_start, CAST(arg_max(occurred_at, in_hour) AS TIMESTAMP) AS window_end,
    event_date AS alert_date, CAST(event_date AS VARCHAR) AS window_key,
    max(in_hour) AS deposits, CAST(arg_max(in_hour_minor, in_hour) AS BIGINT) AS deposits_minor,
    NULL AS withdrawal_id, NULL AS withdrawal_minor, NULL AS withdrawal_outcome, NULL AS stakes_minor, NULL AS providers, NULL AS threshold_minor,
    CASE WHEN max(in_hour) >= (SELECT velocity_high_deposits FROM t) THEN 'high' ELSE 'medium' END AS severity
  FROM attempts
  GROUP BY player_id, event_date
  HAVING max(in_hour) >= (SELECT velocity_min_deposits FROM t)
),
providers AS (
  SELECT
    'payment_providers' AS rule, player_id, any_value(jurisdiction) AS jurisdiction, any_value(currency) AS currency, any_value(currency_exponent) AS currency_exponent,
    CAST(min(occurred_at) AS TIMESTAMP) AS window_start, CAST(max(occurred_at) AS TIMESTAMP) AS window_end,
    CAST(max(occurred_at) AS DATE) AS alert_date, CAST(CAST(date_trunc('week', event_date) AS DATE) AS VARCHAR) AS window_key,
    count(*) AS deposits, sum(amount_minor) AS deposits_minor,
    NULL AS withdrawal_id, NULL AS withdrawal_minor, NULL AS withdrawal_outcome, NULL AS stakes_minor,
    count(DISTINCT payment_provider) AS providers, NULL AS threshold_minor,
    CASE WHEN count(DISTINCT payment_provider) >= (SELECT providers_high FROM t) THEN 'high' ELSE 'low' END AS severity
  FROM deposits
  WHERE step = 'requested' AND payment_provider IS NOT NULL
  GROUP BY player_id, date_trunc('week', event_date)
  HAVING count(DISTINCT payment_provider) >= (SELECT providers_min FROM t)
),
instrument_uses AS (
  -- every instrument named: each deposit step (the provider's completion may name another card
  -- than the request) and each withdrawal request (its destination)
  SELECT player_id, jurisdiction, currency, currency_exponent, occurred_at, event_date, payment_reference,
    deposit_id, NULL AS withdrawal_id, CASE WHEN step = 'requested' THEN amount_minor END AS attempt_minor
  FROM deposits
  WHERE payment_reference IS NOT NULL
  UNION ALL
  SELECT player_id, jurisdiction, currency, currency_exponent, occurred_at, event_date, payment_reference,
    NULL AS deposit_id, withdrawal_id, NULL AS attempt_minor
  FROM staging.stg_withdrawals
  WHERE step = 'requested' AND payment_reference IS NOT NULL
),
payment_references AS (
  SELECT
    'payment_references' AS rule, player_id, any_value(jurisdiction) AS jurisdiction, any_value(currency) AS currency, any_value(currency_exponent) AS currency_exponent,
    CAST(min(occurred_at) AS TIMESTAMP) AS window_start, CAST(max(occurred_at) AS TIMESTAMP) AS window_end,
    CAST(max(occurred_at) AS DATE) AS alert_date, CAST(CAST(date_trunc('week', event_date) AS DATE) AS VARCHAR) AS window_key,
    count(DISTINCT deposit_id) AS deposits, coalesce(sum(attempt_minor), 0) AS deposits_minor,
    NULL AS withdrawal_id, NULL AS withdrawal_minor, NULL AS withdrawal_outcome, NULL AS stakes_minor, NULL AS providers,
    count(DISTINCT payment_reference) AS payment_references, count(DISTINCT withdrawal_id) AS withdrawals, NULL AS threshold_minor,
    CASE WHEN count(DISTINCT payment_reference) >= (SELECT references_high FROM t) THEN 'high' ELSE 'medium' END AS severity
  FROM instrument_uses
  GROUP BY player_id, date_trunc('week', event_date)
  HAVING count(DISTINCT payment_reference) >= (SELECT references_min FROM t)
),
payouts AS (
  -- withdrawal requests naming their destination, with the instruments the player completed deposits from before
  SELECT
    w.player_id, w.withdrawal_id, w.payment_reference, w.occurred_at AS requested_at,
    (SELECT min(d.occurred_at) FROM deposits AS d WHERE d.player_id = w.player_id AND d.step = 'completed'
       AND d.payment_reference IS NOT NULL AND d.occurred_at <= w.occurred_at) AS first_deposit_at,
    (SELECT count(DISTINCT d.payment_reference) FROM deposits AS d WHERE d.player_id = w.player_id AND d.step = 'completed'
       AND d.payment_reference IS NOT NULL AND d.occurred_at <= w.occurred_at) AS deposit_references,
    (SELECT count(*) FROM deposits AS d WHERE d.player_id = w.player_id AND d.step = 'completed'
       AND d.payment_reference = w.payment_reference AND d.occurred_at <= w.occurred_at) AS same_instrument_deposits
  FROM staging.stg_withdrawals AS w
  WHERE w.step = 'requested' AND w.payment_reference IS NOT NULL
),
new_payout_instrument AS (
  SELECT
    'new_payout_instrument' AS rule, dw.player_id, dw.jurisdiction, dw.currency, dw.currency_exponent,
    CAST(p.first_deposit_at AS TIMESTAMP) AS window_start, CAST(dw.requested_at AS TIMESTAMP) AS window_end, CAST(dw.requested_at AS DATE) AS alert_date,
    dw.withdrawal_id AS window_key,
    dw.deposits, dw.deposits_minor, dw.withdrawal_id, dw.amount_minor AS withdrawal_minor, dw.outcome AS withdrawal_outcome, dw.stakes_minor,
    NULL AS providers, p.deposit_references AS payment_references, NULL AS threshold_minor,
    CASE WHEN dw.deposits_minor > 0 AND dw.amount_minor >= (SELECT new_payout_high_share FROM t) * dw.deposits_minor THEN 'high' ELSE 'medium' END AS severity
  FROM payouts AS p
  JOIN dw ON dw.withdrawal_id = p.withdrawal_id
  -- only where the player has deposited from known instruments: with none, "new" cannot be told from "unknown"
  WHERE p.deposit_references > 0 AND p.same_instrument_deposits = 0
),
alerts AS (
  SELECT * FROM structuring
  UNION ALL BY NAME SELECT * FROM deposit_withdraw
  UNION ALL BY NAME SELECT * FROM velocity
  UNION ALL BY NAME SELECT * FROM providers
  UNION ALL BY NAME SELECT * FROM payment_references
  UNION ALL BY NAME SELECT * FROM new_payout_instrument
)
SELECT
  md5(concat_ws('|', rule, player_id, window_key)) AS alert_id,
  CAST(rule AS VARCHAR) AS rule, player_id, jurisdiction, currency, CAST(currency_exponent AS INTEGER) AS currency_exponent,
  window_start, window_end, alert_date,
  CAST(deposits AS BIGINT) AS deposits, CAST(deposits_minor AS BIGINT) AS deposits_minor,
  CAST(withdrawal_id AS VARCHAR) AS withdrawal_id, CAST(withdrawal_minor AS BIGINT) AS withdrawal_minor,
  CAST(withdrawal_outcome AS VARCHAR) AS withdrawal_outcome, CAST(stakes_minor AS BIGINT) AS stakes_minor,
  CAST(providers AS BIGINT) AS providers, CAST(payment_references AS BIGINT) AS payment_references, CAST(threshold_minor AS BIGINT) AS threshold_minor,
  CAST(severity AS VARCHAR) AS severity,
  CAST('open' AS VARCHAR) AS status,
  CAST(CASE rule
    WHEN 'structuring' THEN printf('%d deposits just under the %s threshold of %s on %s, totalling %s',
      deposits, jurisdiction, printf('%.*f %s', currency_exponent, threshold_minor / power(10, currency_exponent), currency),
      alert_date, printf('%.*f %s', currency_exponent, deposits_minor / power(10, currency_exponent), currency))
    WHEN 'deposit_withdraw' THEN printf('withdrawal of %s after %d deposits of %s in 7 days with %s staked (%d%% turnover); %s',
      printf('%.*f %s', currency_exponent, withdrawal_minor / power(10, currency_exponent), currency), deposits,
      printf('%.*f %s', currency_exponent, deposits_minor / power(10, currency_exponent), currency),
      printf('%.*f %s', currency_exponent, stakes_minor / power(10, currency_exponent), currency),
      CAST(round(100 * stakes_minor / deposits_minor) AS BIGINT), withdrawal_outcome)
    WHEN 'velocity' THEN printf('%d deposit attempts within 60 minutes (%s) on %s',
      deposits, printf('%.*f %s', currency_exponent, deposits_minor / power(10, currency_exponent), currency), alert_date)
    WHEN 'payment_references' THEN printf('%d payment instruments in the week of %s (%d deposit attempts, %d withdrawals)',
      payment_references, window_key, deposits, withdrawals)
    WHEN 'new_payout_instrument' THEN printf('withdrawal of %s to an instrument never used for a deposit (%d used for deposits; %s deposited in 7 days); %s',
      printf('%.*f %s', currency_exponent, withdrawal_minor / power(10, currency_exponent), currency), payment_references,
      printf('%.*f %s', currency_exponent, deposits_minor / power(10, currency_exponent), currency), withdrawal_outcome)
    ELSE printf('%d payment providers in the week of %s (%d deposit attempts)', providers, window_key, deposits)
  END AS VARCHAR) AS summary
FROM alerts
