/**
 * The AML decision loop (docs/aml.md): the warehouse computes AML alerts (marts.aml_alerts) and
 * publishes them to POST /internal/v1/aml-alerts; each brand's ops object raises them as alerts with
 * rule `aml.<rule>`; an operator decides each one (POST .../alerts/{id}/resolve with a decision), which
 * emits `ops.alert.resolved`; the warehouse joins those events back onto the alerts in
 * marts.rpt_suspicious_activity. The alert id is the warehouse's (md5 of rule, player and window),
 * so the decision lands on the row it was taken for.
 *
 * No dependencies: the back-office panel's browser bundle imports these lists. The publish route's
 * schemas are in domain/aml-publish.ts.
 */
/** The warehouse's AML rules (marts.aml_alerts.rule). */
export const AML_RULES = ['structuring', 'deposit_withdraw', 'velocity', 'payment_providers', 'payment_references', 'new_payout_instrument'] as const;
export type AmlRule = (typeof AML_RULES)[number];
/** The rule of an AML alert at the edge: the warehouse's rule behind a prefix, apart from the edge's own anomaly rules. */
export type AmlAlertRule = `aml.${AmlRule}`;
export const AML_ALERT_RULES = AML_RULES.map((r) => `aml.${r}` as AmlAlertRule);

export function isAmlAlertRule(rule: string): rule is AmlAlertRule {
  return (AML_ALERT_RULES as readonly string[]).includes(rule);
}

/**
 * What an operator decided about an alert. Required for AML alerts (a regulator asks what was done
 * with each), optional for the edge's own anomaly alerts; always one of these:
 *  - no_action: reviewed; the activity is explained (source of funds known, normal for the player), nothing to do;
 *  - false_positive: the rule fired on something that is not the pattern (a test account, a data fault);
 *  - escalated: passed to the MLRO or a senior analyst for a deeper review (the player may be restricted meanwhile);
 *  - reported: a suspicious-activity / suspicious-transaction report was filed with the FIU.
 */
export const ALERT_DECISIONS = ['no_action', 'false_positive', 'escalated', 'reported'] as const;
export type AlertDecision = (typeof ALERT_DECISIONS)[number];

export function isAlertDecision(d: string): d is AlertDecision {
  return (ALERT_DECISIONS as readonly string[]).includes(d);
}
