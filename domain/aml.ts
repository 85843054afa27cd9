/**
 * The AML decision loop (docs/aml.md): the warehouse computes AML alerts (marts.aml_alerts) and
 * publishes them to POST /internal/v1/aml-alerts; each brand's ops object raises them as alerts with
 * rule `aml.<rule>`; an operator decides each one (POST .../alerts/{id}/resolve with a decision), which
 * emits `ops.alert.resolved`; the warehouse joins those events back onto the alerts in
 * marts.rpt_suspicious_activity. The alert id is the warehouse's (md5 of rule, player and window),
 * so the decision lands on the row it was taken for.
 */
import { z } from 'zod';

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

// ---- the publish route's contract -----------------------------------------------------------------

/** Alerts per batch at most; more is 422 batch_too_large, checked before the items. */
export const AML_BATCH_MAX = 500;
/** The route's own body limit (500 alerts with their summaries fit easily). */
export const AML_BODY_LIMIT_BYTES = 1024 * 1024;
/** The signed action (domain/signed-request.ts): "<X-Timestamp>.aml-alerts.<raw body>". */
export const AML_SIGNED_ACTION = 'aml-alerts';
export const AML_SUMMARY_CHARS_MAX = 1000;

/** Millisecond timestamps (UTC), as every time at the edge. */
const ms = z.number().int().nonnegative().safe();

export const AmlAlertItem = z.strictObject({
  /** The warehouse's id: 32 lower-case hex (md5). */
  alert_id: z.string().regex(/^[0-9a-f]{32}$/, '32 lower-case hex characters (the warehouse\'s md5 alert id)'),
  player_id: z.uuid(),
  brand: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/),
  rule: z.enum(AML_RULES),
  severity: z.enum(['low', 'medium', 'high']),
  /** The player's jurisdiction as the warehouse knows it; the brand's index wins when it knows the player. */
  jurisdiction: z.string().min(1).max(8).nullable(),
  currency: z.string().regex(/^[A-Z]{3,4}$/).nullable(),
  window_start: ms,
  window_end: ms,
  summary: z.string().min(1).max(AML_SUMMARY_CHARS_MAX),
}).refine((a) => a.window_start <= a.window_end, { message: 'window_start must not be after window_end', path: ['window_start'] });
export type AmlAlertItem = z.infer<typeof AmlAlertItem>;

export const AmlAlertBatch = z.strictObject({ items: z.array(AmlAlertItem).min(1) });

/**
 * raised: a new alert (ops.alert.raised emitted); duplicate: this alert_id was raised before (whatever
 * its state: nothing changes, re-sending is harmless); unknown_player: neither the brand's index nor
 * the item knows the player's jurisdiction, so no operator could be scoped to it (not raised).
 */
export type AmlRaiseOutcome = 'raised' | 'duplicate' | 'unknown_player';
export type AmlAlertResult = { alert_id: string; outcome: AmlRaiseOutcome };
