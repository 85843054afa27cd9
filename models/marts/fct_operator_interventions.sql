-- What the back office did, per operator and day: adjustments requested / approved / rejected,
-- disputes resolved, withdrawals approved / rejected, KYC decisions, status (lock / unlock) and VIP
-- changes, with the time to decide where the request and the decision are both events.
--
-- Kind FULL: a decision is attributed to the day it was taken, but its time to decide reads the
-- request, which can be days earlier (a withdrawal waits in the queue over a weekend); an
-- incremental model would need staging reads widened by the longest wait, which is unbounded.
-- The sources are small (back-office actions), so a full rebuild costs nothing.
MODEL (
  name marts.fct_operator_interventions,
  kind FULL,
  cron '*/15 * * * *',
  grain [operator, activity_date],
  owner compliance,
  tags [compliance, backoffice],
  description 'One row per operator (actor operator:<id>) and UTC day with at least one action. Counts per action, amounts in EUR (money converted at seeds.fx_rates of the action''s day: that seed is ILLUSTRATIVE, so are the EUR sums) and median seconds from request to decision for adjustments and withdrawals. Actions by the player, the system or a provider (provider rollbacks resolve disputes as provider:<id>) are not counted.',
  column_descriptions (
    operator = 'The operator, as the events name it (operator:<id>)',
    activity_date = 'UTC day of the actions',
    adjustments_requested = 'Adjustments this operator requested',
    adjustments_requested_eur = 'Their absolute amounts, EUR',
    adjustments_approved = 'Adjustments this operator approved as the second operator (four eyes)',
    adjustments_approved_eur = 'Their absolute amounts, EUR',
    adjustments_rejected = 'Adjustments this operator rejected',
    adjustments_rejected_eur = 'Their absolute amounts, EUR',
    adjustment_decision_median_s = 'Median seconds from request to this operator''s approval or rejection; NULL without decisions',
    disputes_voided = 'Disputes resolved by voiding the bet',
    disputes_corrected = 'Disputes resolved by correcting the bet',
    disputes_eur = 'Disputed amounts resolved, EUR',
    withdrawals_approved = 'Withdrawals approved',
    withdrawals_approved_eur = 'Their amounts, EUR',
    withdrawals_rejected = 'Withdrawals rejected',
    withdrawals_rejected_eur = 'Their amounts, EUR',
    withdrawal_decision_median_s = 'Median seconds from the request to this operator''s decision; NULL without decisions',
    kyc_changes = 'KYC status changes made by this operator',
    kyc_verified = 'Of which to verified',
    kyc_rejected = 'Of which to rejected',
    kyc_decision_median_s = 'Median seconds from the player''s KYC going pending to this operator''s verified / rejected; NULL without such decisions',
    status_changes = 'Player status changes made by this operator',
    locks = 'Of which locks (to locked)',
    unlocks = 'Of which unlocks (from locked)',
    vip_changes = 'VIP flag changes (player.vip.changed) made by this operator',
    actions = 'All the above actions (requests and decisions) of the day'
  ),
  audits (
    not_null(columns := [operator, activity_date, actions]),
    unique_combination_of_columns(columns := [operator, activity_date]),
    accepted_range(column := actions, min_v := 1),
    accepted_range(column := adjustment_decision_median_s, min_v := 0),
    accepted_range(column := withdrawal_decision_median_s, min_v := 0),
    accepted_range(column := kyc_decision_median_s, min_v := 0)
  )
);

-- amount_eur: exact DECIMAL per action (macros.minor_to_eur), summed, then CAST to DECIMAL(18, 2)
-- once per operator and day (the cast rounds half away from zero).
WITH adj AS (
  SELECT a.*, macros.minor_to_eur(abs(a.amount_minor), a.currency_exponent, fx.rate_to_eur) AS amount_eur
  FROM staging.stg_adjustments AS a
  LEFT JOIN seeds.fx_rates AS fx ON fx.rate_date = a.event_date AND fx.currency = a.currency
),
adj_requested AS (
  SELECT case_id, occurred_at FROM adj WHERE case_type = 'adjustment' AND step = 'requested'
),
wd AS (
  SELECT w.*, macros.minor_to_eur(w.amount_minor, w.currency_exponent, fx.rate_to_eur) AS amount_eur
  FROM staging.stg_withdrawals AS w
  LEFT JOIN seeds.fx_rates AS fx ON fx.rate_date = w.event_date AND fx.currency = w.currency
),
actions AS (
  -- one row per operator action: what, when, how much (EUR), and seconds since its request
  SELECT actor AS operator, event_date, 'adjustment_requested' AS action, amount_eur, NULL AS decision_s
  FROM adj WHERE case_type = 'adjustment' AND step = 'requested'
  UNION ALL
  SELECT a.approved_by, a.event_date, 'adjustment_approved', a.amount_eur, epoch(a.occurred_at - r.occurred_at)
  FROM adj AS a LEFT JOIN adj_requested AS r USING (case_id)
  WHERE a.case_type = 'adjustment' AND a.step = 'applied' AND a.approved_by IS NOT NULL
  UNION ALL
  SELECT a.actor, a.event_date, 'adjustment_rejected', a.amount_eur, epoch(a.occurred_at - r.occurred_at)
  FROM adj AS a LEFT JOIN adj_requested AS r USING (case_id)
  WHERE a.case_type = 'adjustment' AND a.step = 'rejected'
  UNION ALL
  SELECT actor, event_date, 'dispute_' || resolution, amount_eur, NULL
  FROM adj WHERE case_type = 'dispute'
  UNION ALL
  SELECT d.actor, d.event_date, 'withdrawal_' || d.step, d.amount_eur, epoch(d.occurred_at - r.occurred_at)
  FROM wd AS d LEFT JOIN wd AS r ON r.withdrawal_id = d.withdrawal_id AND r.step = 'requested'
  WHERE d.step IN ('approved', 'rejected')
  UNION ALL
  SELECT actor, event_date, 'kyc_' || to_status, NULL,
    epoch(occurred_at - max(CASE WHEN to_status = 'pending' THEN occurred_at END)
      OVER (PARTITION BY player_id ORDER BY occurred_at, event_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING))
  FROM staging.stg_kyc
  UNION ALL
  SELECT actor, event_date,
    CASE WHEN change = 'vip_changed' THEN 'vip'
         WHEN to_status = 'locked' THEN 'status_lock'
         WHEN from_status = 'locked' THEN 'status_unlock'
         ELSE 'status_other' END,
    NULL, NULL
  FROM staging.stg_players WHERE change IN ('status_changed', 'vip_changed')
)
SELECT
  operator,
  event_date AS activity_date,
  count(*) FILTER (WHERE action = 'adjustment_requested') AS adjustments_requested,
  CAST(coalesce(sum(amount_eur) FILTER (WHERE action = 'adjustment_requested'), 0) AS DECIMAL(18, 2)) AS adjustments_requested_eur,
  count(*) FILTER (WHERE action = 'adjustment_approved') AS adjustments_approved,
  CAST(coalesce(sum(amount_eur) FILTER (WHERE action = 'adjustment_approved'), 0) AS DECIMAL(18, 2)) AS adjustments_approved_eur,
  count(*) FILTER (WHERE action = 'adjustment_rejected') AS adjustments_rejected,
  CAST(coalesce(sum(amount_eur) FILTER (WHERE action = 'adjustment_rejected'), 0) AS DECIMAL(18, 2)) AS adjustments_rejected_eur,
  CAST(median(decision_s) FILTER (WHERE action IN ('adjustment_approved', 'adjustment_rejected')) AS BIGINT) AS adjustment_decision_median_s,
  count(*) FILTER (WHERE action = 'dispute_void') AS disputes_voided,
  count(*) FILTER (WHERE action = 'dispute_correct') AS disputes_corrected,
  CAST(coalesce(sum(amount_eur) FILTER (WHERE action LIKE 'dispute_%'), 0) AS DECIMAL(18, 2)) AS disputes_eur,
  count(*) FILTER (WHERE action = 'withdrawal_approved') AS withdrawals_approved,
  CAST(coalesce(sum(amount_eur) FILTER (WHERE action = 'withdrawal_approved'), 0) AS DECIMAL(18, 2)) AS withdrawals_approved_eur,
  count(*) FILTER (WHERE action = 'withdrawal_rejected') AS withdrawals_rejected,
  CAST(coalesce(sum(amount_eur) FILTER (WHERE action = 'withdrawal_rejected'), 0) AS DECIMAL(18, 2)) AS withdrawals_rejected_eur,
  CAST(median(decision_s) FILTER (WHERE action LIKE 'withdrawal_%') AS BIGINT) AS withdrawal_decision_median_s,
  count(*) FILTER (WHERE action LIKE 'kyc_%') AS kyc_changes,
  count(*) FILTER (WHERE action = 'kyc_verified') AS kyc_verified,
  count(*) FILTER (WHERE action = 'kyc_rejected') AS kyc_rejected,
  CAST(median(decision_s) FILTER (WHERE action IN ('kyc_verified', 'kyc_rejected')) AS BIGINT) AS kyc_decision_median_s,
  count(*) FILTER (WHERE action LIKE 'status_%') AS status_changes,
  count(*) FILTER (WHERE action = 'status_lock') AS locks,
  count(*) FILTER (WHERE action = 'status_unlock') AS unlocks,
  count(*) FILTER (WHERE action = 'vip') AS vip_changes,
  count(*) AS actions
FROM actions
WHERE operator LIKE 'operator:%'
GROUP BY operator, event_date
