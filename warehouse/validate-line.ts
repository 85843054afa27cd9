/**
 * The verdict on one line of a batch object: loaded, or quarantined with zod's reason.
 *
 * The compiled validator (compiled-validator.ts) answers for the lines zod would accept, which is
 * nearly all of them, at a fraction of zod's cost; every other line is judged by zod itself
 * (validateEvent, the edge's own code), so a refused line's reason is zod's, word for word.
 */
import { validateEvent } from '../domain/events';
import { acceptsEvent } from './compiled-validator';

export type LineVerdict = { ok: true } | { ok: false; reason: string; event_id: string | null };

const ACCEPTED: LineVerdict = { ok: true };

/** `fast: false` skips the compiled validator (zod alone: the reference the tests compare with). */
export function judgeLine(line: string, fast = true): LineVerdict {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not valid JSON', event_id: null };
  }
  if (fast && acceptsEvent(parsed)) return ACCEPTED;
  const v = validateEvent(parsed);
  if (v.ok) return ACCEPTED;
  const id = parsed && typeof parsed === 'object' && typeof (parsed as { event_id?: unknown }).event_id === 'string' ? (parsed as { event_id: string }).event_id : null;
  return { ok: false, reason: v.reason.replace(/\s+/g, ' ').trim(), event_id: id };
}
