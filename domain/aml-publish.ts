/**
 * The contract of POST /internal/v1/aml-alerts (docs/aml.md): the warehouse publishes the alerts of
 * marts.aml_alerts in signed batches (domain/signed-request.ts, action `aml-alerts`, secret
 * AML_PUBLISH_SECRET); each brand's ops object raises each alert once per alert_id.
 */
import { z } from 'zod';
import { AML_RULES } from './aml';

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
