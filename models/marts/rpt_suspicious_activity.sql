-- The suspicious-activity listing a regulator or FIU asks for: one row per AML alert
-- (marts.aml_alerts) with its report month, the player's brand and jurisdiction, the window, the
-- amounts in minor units and EUR, severity, status and who decided.
--
-- Decisions: the warehouse publishes its alerts to the edge (`wh publish aml-alerts`, docs/aml.md),
-- where each brand's ops object raises them under the same alert_id (rule aml.<rule>); an operator
-- resolves each with a decision (no_action, false_positive, escalated, reported), which emits
-- ops.alert.resolved (staging.stg_alert_resolutions), joined here on alert_id: status 'decided' with
-- decision, decided_by (operator:<id>) and decided_at, else 'open'. An alert not yet published (or
-- published to a brand whose operators have not looked) is 'open'. What is not here: the operator's
-- note (audit log only), who else looked at it, a decision changed later (an alert is resolved once),
-- and the SAR/STR's own reference when the decision is 'reported'. Withdrawal rejections are
-- decisions on the money, not on the alert: they show as withdrawal_outcome (deposit_withdraw and
-- new_payout_instrument only).
--
-- amount_minor is the alert's headline amount: the withdrawal for deposit_withdraw and
-- new_payout_instrument, the deposits counted for the other rules. EUR at seeds.fx_rates of
-- alert_date (macros.minor_to_eur; ILLUSTRATIVE seed), rounded to cents per row.
--
-- Kind FULL, hourly: its parent aml_alerts is FULL (alerts of a past month can appear when a late
-- event completes a window, and a decision of today changes a row of any month), and it is one row
-- per alert: a rebuild is exact and costs little.
MODEL (
  name marts.rpt_suspicious_activity,
  kind FULL,
  cron '@hourly',
  grain [alert_id],
  owner compliance,
  tags [marts, regulatory, compliance, aml, rpt],
  description 'Suspicious-activity listing: one row per AML alert of marts.aml_alerts with report_month (UTC month of alert_date), brand and jurisdiction, rule and what it means, window, amounts in minor units and EUR at the alert day''s rate, severity, status (open or decided), the operator''s decision, decided_by and decided_at (from ops.alert.resolved via staging.stg_alert_resolutions), summary.',
  column_descriptions (
    report_month = 'First day of the UTC month of alert_date: the period the alert is reported in',
    alert_id = 'The alert (md5 of rule, player and window: stable across rebuilds)',
    alert_date = 'UTC day the alert''s window ended',
    rule = 'structuring, deposit_withdraw, velocity, payment_providers, payment_references or new_payout_instrument',
    rule_description = 'What the rule looks for, in words',
    player_id = 'The player',
    brand = 'Brand the player registered with, or (unknown) without a registration in the warehouse',
    jurisdiction = 'Licensing jurisdiction of the player, or (none)',
    currency = 'The player''s wallet currency',
    currency_exponent = 'Minor-unit exponent of currency',
    window_start = 'Start of the window the rule looked at (UTC)',
    window_end = 'End of the window: the last event counted (UTC)',
    amount_minor = 'Headline amount, minor units: the withdrawal (deposit_withdraw, new_payout_instrument), else the deposits counted',
    amount_eur = 'amount_minor in EUR at alert_date''s rate, DECIMAL(18,2)',
    deposits = 'Deposits (or attempts, velocity and payment_providers) the rule counted',
    deposits_minor = 'Their amount, minor units',
    deposits_eur = 'Their amount in EUR',
    withdrawal_id = 'The withdrawal (deposit_withdraw and new_payout_instrument only)',
    withdrawal_minor = 'The withdrawal''s amount (deposit_withdraw and new_payout_instrument only), minor units',
    withdrawal_eur = 'The withdrawal in EUR',
    withdrawal_outcome = 'paid, rejected, cancelled (by the player), approved or pending (deposit_withdraw and new_payout_instrument only)',
    stakes_minor = 'Stakes in the 7 days before the withdrawal (deposit_withdraw and new_payout_instrument only), minor units',
    threshold_minor = 'The jurisdiction''s threshold (structuring only), minor units',
    providers = 'Distinct payment providers (payment_providers only)',
    payment_references = 'Distinct payment instruments: in the week (payment_references); deposited from before the withdrawal (new_payout_instrument); NULL for other rules',
    severity = 'low, medium or high',
    status = 'open (no decision yet) or decided (an operator resolved it at the edge)',
    decision = 'no_action (explained, nothing to do), false_positive (not the pattern), escalated (to the MLRO), reported (SAR/STR filed); NULL while open',
    decided_by = 'The operator who decided (operator:<operator_id>); NULL while open',
    decided_at = 'When it was decided (UTC); NULL while open',
    summary = 'The alert in words with its figures'
  ),
  audits (
    not_null(columns := [report_month, alert_id, alert_date, rule, rule_description, player_id, brand, jurisdiction, window_start, window_end, severity, status, summary]),
    unique_values(columns := [alert_id]),
    accepted_values(column := rule, is_in := ('structuring', 'deposit_withdraw', 'velocity', 'payment_providers', 'payment_references', 'new_payout_instrument')),
    accepted_values(column := severity, is_in := ('low', 'medium', 'high')),
    accepted_values(column := status, is_in := ('open', 'decided')),
    accepted_values(column := decision, is_in := ('no_action', 'false_positive', 'escalated', 'reported')),
    accepted_range(column := amount_minor, min_v := 0),
    forall(criteria := [
      report_month = date_trunc('month', alert_date),
      window_start <= window_end,
      (status = 'open') = (decided_by IS NULL),
      (decision IS NULL) = (decided_at IS NULL),
      decided_at IS NULL OR decided_at >= window_end
    ])
  )
);

WITH registered AS (
  SELECT player_id, any_value(brand) AS brand
  FROM staging.stg_players
  WHERE change = 'registered'
  GROUP BY player_id
),
alerts AS (
  SELECT
    a.*,
    CASE WHEN a.rule IN ('deposit_withdraw', 'new_payout_instrument') THEN a.withdrawal_minor ELSE a.deposits_minor END AS amount_minor,
    fx.rate_to_eur
  FROM marts.aml_alerts AS a
  LEFT JOIN seeds.fx_rates AS fx ON fx.rate_date = a.alert_date AND fx.currency = a.currency
)
SELECT
  CAST(date_trunc('month', a.alert_date) AS DATE) AS report_month,
  a.alert_id,
  a.alert_date,
  a.rule,
  CAST(CASE a.rule
    WHEN 'structuring' THEN 'Several completed deposits in one UTC day, each just under the jurisdiction''s reporting threshold'
    WHEN 'deposit_withdraw' THEN 'A withdrawal of at least half the deposits of the 7 days before it, with stakes under those deposits (little play)'
    WHEN 'velocity' THEN 'Many deposit attempts within 60 minutes'
    WHEN 'payment_providers' THEN 'Deposits through many payment providers in one ISO week'
    WHEN 'payment_references' THEN 'Many payment instruments (cards, accounts, wallets) used in one ISO week'
    WHEN 'new_payout_instrument' THEN 'A withdrawal to an instrument the player never deposited from'
  END AS VARCHAR) AS rule_description,
  a.player_id,
  coalesce(r.brand, '(unknown)') AS brand,
  coalesce(a.jurisdiction, '(none)') AS jurisdiction,
  a.currency,
  a.currency_exponent,
  a.window_start,
  a.window_end,
  CAST(a.amount_minor AS BIGINT) AS amount_minor,
  CAST(round(macros.minor_to_eur(a.amount_minor, a.currency_exponent, a.rate_to_eur), 2) AS DECIMAL(18, 2)) AS amount_eur,
  a.deposits,
  a.deposits_minor,
  CAST(round(macros.minor_to_eur(a.deposits_minor, a.currency_exponent, a.rate_to_eur), 2) AS DECIMAL(18, 2)) AS deposits_eur,
  a.withdrawal_id,
  a.withdrawal_minor,
  CAST(round(macros.minor_to_eur(a.withdrawal_minor, a.currency_exponent, a.rate_to_eur), 2) AS DECIMAL(18, 2)) AS withdrawal_eur,
  a.withdrawal_outcome,
  a.stakes_minor,
  a.threshold_minor,
  a.providers,
  a.payment_references,
  a.severity,
  CAST(CASE WHEN d.alert_id IS NULL THEN 'open' ELSE 'decided' END AS VARCHAR) AS status,
  d.decision,
  d.actor AS decided_by,
  d.resolved_at AS decided_at,
  a.summary
FROM alerts AS a
LEFT JOIN registered AS r ON r.player_id = a.player_id
LEFT JOIN staging.stg_alert_resolutions AS d ON d.alert_id = a.alert_id
