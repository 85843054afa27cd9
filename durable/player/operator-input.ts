/**
 * Bounds on what the back office passes to the player object's trusted RPCs (ids, reasons, actors,
 * signed amounts). The worker validates its requests first; these checks keep the object and its
 * events sound whoever calls it, and put a limit on every string that ends up stored.
 */
import { fail, type Failure } from '../../domain/errors';
import { isCurrency } from '../../domain/money';

/** Ids chosen by operators (adjustment, dispute) and operator ids; the event schema allows 128. */
export const OPERATOR_ID_MAX = 128;
export const REASON_MAX = 500;

function invalid(field: string, message: string): Failure {
  return fail('validation_failed', `${field} ${message}`, { issues: [{ path: field, message }] });
}

/** The first problem with `fields`, or null. Every value is checked as given (no coercion). */
export function checkFields(fields: {
  ids?: Record<string, unknown>;
  texts?: Record<string, unknown>;
  deltas?: Record<string, unknown>;
  currencies?: Record<string, unknown>;
  buckets?: Record<string, unknown>;
}): Failure | null {
  for (const [k, v] of Object.entries(fields.ids ?? {})) {
    if (typeof v !== 'string' || v.length < 1 || v.length > OPERATOR_ID_MAX) return invalid(k, `must be 1 to ${OPERATOR_ID_MAX} characters`);
  }
  for (const [k, v] of Object.entries(fields.texts ?? {})) {
    if (typeof v !== 'string' || v.trim().length < 1 || v.length > REASON_MAX) return invalid(k, `must be 1 to ${REASON_MAX} characters`);
  }
  for (const [k, v] of Object.entries(fields.deltas ?? {})) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v === 0) return invalid(k, 'must be a non-zero integer below 2^53 in magnitude');
  }
  for (const [k, v] of Object.entries(fields.currencies ?? {})) {
    if (typeof v !== 'string' || !isCurrency(v)) return invalid(k, 'must be a supported currency');
  }
  for (const [k, v] of Object.entries(fields.buckets ?? {})) {
    if (v !== 'real' && v !== 'bonus') return invalid(k, "must be 'real' or 'bonus'");
  }
  return null;
}
