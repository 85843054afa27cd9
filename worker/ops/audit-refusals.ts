/**
 * Refused operator actions in the audit log. An action that was allowed but then refused by the
 * rules of money and state (422 insufficient_funds approving a debit, 409 invalid_state deciding a
 * decided withdrawal, 404 withdrawal_not_found...) is an attempt, and the log keeps attempts: one
 * entry with outcome 'failed', the operator's reason, the refusal's code and what was asked.
 *
 * One middleware around the action routes rather than a line in each: the guard remembers the
 * action it allowed, recordAudit forgets it once the route recorded anything (an action done, or
 * a four-eyes denial), and whatever is still unrecorded when the answer is a refusal is recorded
 * here, before the answer leaves. A route cannot forget it.
 */
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../http/app-env';
import { ApiError } from '../http/errors';
import { recordAudit } from './guard';

/** Bounds what is copied from the request into the entry (the log caps before/after at 16 KiB). */
const REQUEST_FIELDS_MAX = 20;
const STRING_CHARS_MAX = 500;

function requestFields(path: string, body: unknown): Record<string, unknown> {
  const fields: Record<string, unknown> = { path };
  if (body && typeof body === 'object' && !Array.isArray(body)) Object.assign(fields, body);
  return Object.fromEntries(Object.entries(fields).slice(0, REQUEST_FIELDS_MAX)
    .map(([k, v]) => [k, typeof v === 'string' ? v.slice(0, STRING_CHARS_MAX) : v]));
}

export const auditRefusals = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return;
  const action = c.get('unrecordedAction');
  const err = c.error;
  if (!action || !(err instanceof ApiError)) return;
  const body: unknown = await c.req.json().catch(() => null);
  const reason = body && typeof body === 'object' && 'reason' in body && typeof body.reason === 'string' ? body.reason.slice(0, STRING_CHARS_MAX) : null;
  await recordAudit(c, {
    ...action, outcome: 'failed', reason,
    after: { refused: { code: err.code, status: err.status, message: err.message, details: err.details }, request: requestFields(c.req.path, body) },
  });
});
