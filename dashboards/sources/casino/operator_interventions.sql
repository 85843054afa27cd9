-- marts.fct_operator_interventions: what each operator decided per day, and how fast.
select operator, activity_date, adjustments_requested, adjustments_approved, adjustments_rejected,
       adjustment_decision_median_s::double as adjustment_decision_median_s,
       disputes_voided, disputes_corrected, withdrawals_approved, withdrawals_approved_eur::double as withdrawals_approved_eur,
       withdrawals_rejected, withdrawal_decision_median_s::double as withdrawal_decision_median_s,
       kyc_changes, kyc_verified, kyc_rejected, kyc_decision_median_s::double as kyc_decision_median_s,
       status_changes, locks, unlocks, vip_changes, actions
from marts.fct_operator_interventions
