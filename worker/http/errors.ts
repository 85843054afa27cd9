/**
 * One error type and one JSON shape for every failure: {"error":{"code","message","details"}}.
 * Durable Objects return `{ ok: false, code }`; `fromFailure` turns that into this. The status of
 * each code is decided in domain/errors.ts and nowhere else. No stack trace reaches a client.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ERROR_STATUS, type ErrorCode, type Failure } from '../../domain/errors';

const DEFAULT_MESSAGES: Partial<Record<ErrorCode, string>> = {
  malformed_json: 'request body is not valid JSON',
  validation_failed: 'request does not match the schema',
  unauthenticated: 'a valid session token is required',
  invalid_credentials: 'email or password is wrong',
  session_expired: 'session has ended; log in again',
  forbidden: 'not allowed',
  not_found: 'no such resource',
  player_not_found: 'no such player',
  geo_blocked: 'not available in your country',
  jurisdiction_unavailable: 'we are not licensed in your country',
  rate_limited: 'too many requests; retry later',
  unsupported_media_type: 'the body must be sent as application/json',
  self_excluded: 'account is self-excluded',
  cooling_off: 'account is in a cool-off period',
  account_locked: 'account is locked; contact support',
  internal_error: 'internal error',
};

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message ?? DEFAULT_MESSAGES[code] ?? code.replaceAll('_', ' '));
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function fromFailure(f: Failure): ApiError {
  const headers: Record<string, string> = {};
  const retryMs = f.details?.retry_after_ms;
  if (f.code === 'rate_limited' && typeof retryMs === 'number') headers['Retry-After'] = String(Math.ceil(retryMs / 1000));
  return new ApiError(f.code, f.message, f.details ?? {}, headers);
}

/** RPC stub types drop the failure branch of a Result (its `details` are unknown); this restores it for narrowing. */
export function settled<T extends { ok: boolean }>(r: T): Extract<T, { ok: true }> | Failure {
  return r as unknown as Extract<T, { ok: true }> | Failure;
}

/** Unwraps an object result or throws its failure as an ApiError. */
export function unwrap<T extends { ok: boolean }>(r: T): Extract<T, { ok: true }> {
  if (!r.ok) throw fromFailure(r as unknown as Failure);
  return r as Extract<T, { ok: true }>;
}

export function errorResponse(c: Context, err: ApiError): Response {
  for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
  return c.json({ error: { code: err.code, message: err.message, details: err.details } }, err.status as 400);
}

/** Hono's own exceptions (body parsing, the media-type gate of zod-openapi, body limit) by status. */
const HTTP_EXCEPTION_CODES: Partial<Record<number, ErrorCode>> = {
  400: 'malformed_json',
  401: 'unauthenticated',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** The app's onError: known errors keep their code; anything else is logged and becomes a bare 500. */
export function onError(err: Error, c: Context): Response {
  if (err instanceof ApiError) return errorResponse(c, err);
  if (err instanceof HTTPException) {
    const code = HTTP_EXCEPTION_CODES[err.status] ?? 'validation_failed';
    return errorResponse(c, new ApiError(code, code === 'unsupported_media_type' ? undefined : err.message));
  }
  console.error(JSON.stringify({ level: 'error', request_id: c.get('requestId'), message: err.message, stack: err.stack }));
  return errorResponse(c, new ApiError('internal_error'));
}
