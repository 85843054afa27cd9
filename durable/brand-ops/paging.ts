/**
 * Bounds and keyset pagination shared by every list of the ops object: capped limits, opaque
 * `<sort>:<id>` cursors, and the caller's jurisdiction scope as one JSON parameter (so each query
 * stays a single static statement whatever the scope).
 */
import type { Scope } from './types';

export const LIST_LIMIT_DEFAULT = 50;
/** Search pages. */
export const LIST_LIMIT_MAX = 100;
/** Queue heads and alert lists. */
export const QUEUE_LIMIT_MAX = 200;
const SCOPE_JURISDICTIONS_MAX = 100;
const CURSOR_CHARS_MAX = 300;

export function clampLimit(limit: number | undefined, max: number = LIST_LIMIT_MAX): number {
  if (limit === undefined || !Number.isFinite(limit)) return Math.min(LIST_LIMIT_DEFAULT, max);
  return Math.max(1, Math.min(max, Math.floor(limit)));
}

export type Cursor = { sort: number; id: string };

export function encodeCursor(sort: number, id: string): string {
  return `${sort}:${id}`;
}

/** Parses a cursor; a malformed one is the caller's bug (the worker validates with isCursor). */
export function decodeCursor(after: string | null | undefined): Cursor | null {
  if (after === undefined || after === null || after === '') return null;
  const m = after.length <= CURSOR_CHARS_MAX ? /^(-?\d{1,16}):(.+)$/s.exec(after) : null;
  if (!m) throw new RangeError(`invalid cursor: ${after.slice(0, 40)}`);
  return { sort: Number(m[1]), id: m[2]! };
}

export function isCursor(after: string): boolean {
  try {
    return decodeCursor(after) !== null;
  } catch {
    return false;
  }
}

/** SQL parameters of a scope: `(${all} = 1 or jurisdiction in (select value from json_each(${list})))`. */
export type ScopeParams = { all: number; list: string; vip: number | null };

export function scopeParams(scope: Scope): ScopeParams {
  const j = scope.jurisdictions;
  if (j !== undefined && j.length > SCOPE_JURISDICTIONS_MAX) throw new RangeError(`at most ${SCOPE_JURISDICTIONS_MAX} jurisdictions in a scope`);
  const all = j === undefined || j.includes('*') ? 1 : 0;
  const vip = scope.vip === undefined ? null : scope.vip ? 1 : 0;
  return { all, list: JSON.stringify(all ? [] : j), vip };
}

/** Splits a limit+1 fetch into a page and the cursor of its last row (null when no more). */
export function page<R, T>(rows: R[], limit: number, view: (r: R) => T, cursorOf: (r: R) => Cursor): { items: T[]; next: string | null } {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept.at(-1);
  const next = more && last !== undefined ? cursorOf(last) : null;
  return { items: kept.map(view), next: next ? encodeCursor(next.sort, next.id) : null };
}
