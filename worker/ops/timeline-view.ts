/**
 * A player's timeline as people read it, formatted once, here, for the panel and any other client:
 * amounts in major units of the event's currency (domain/money.ts exponents) under names without
 * the `_minor` suffix, times in UTC, durations in h/min/s, and who acted by name: operators by
 * their staff-directory display name, the player by their masked email (unmasked only through the
 * audited PII reveal of the profile). Each field keeps the raw value or id on hover (`title`); the
 * raw event stays beside it, unchanged.
 */
import { z } from '@hono/zod-openapi';
import type { CasinoEvent, PayloadValue } from '../../domain/events';
import { formatMinor, isCurrency } from '../../domain/money';
import { formatDuration, formatTime } from '../panel/time';
import { isRef, nameOf, namesFor, type Names } from './names';

export const ShownField = z.object({
  name: z.string(), text: z.string(),
  title: z.string().nullable().openapi({ description: 'The raw value or id behind the text' }),
}).openapi('ShownField');
export type ShownField = z.infer<typeof ShownField>;

const MONEY_LIMITS = new Set(['deposit', 'loss', 'wager']);
const MINUTE_LIMITS = new Set(['session_time', 'reality_check']);
const LIMIT_AMOUNTS = new Set(['value', 'previous', 'limit']);

const label = (key: string) => key.replaceAll('_', ' ');

/** One payload field of `event`, for reading. */
export function showField(key: string, value: PayloadValue, event: Pick<CasinoEvent, 'event_type' | 'currency' | 'payload'>, names: Names): ShownField {
  const currency = event.currency && isCurrency(event.currency) ? event.currency : null;
  if (typeof value === 'number') {
    const limitKind = event.event_type.startsWith('rg.limit.') && LIMIT_AMOUNTS.has(key) ? String(event.payload.kind) : null;
    if (currency && (key.endsWith('_minor') || (limitKind && MONEY_LIMITS.has(limitKind)))) {
      return { name: label(key.replace(/_minor$/, '')), text: formatMinor(value, currency), title: `${value} minor units` };
    }
    if (key.endsWith('_minor')) return { name: `${label(key.replace(/_minor$/, ''))} (minor units)`, text: String(value), title: null };
    if (limitKind && MINUTE_LIMITS.has(limitKind)) return { name: label(key), text: `${value} min`, title: null };
    if (key.endsWith('_at') || key === 'until') return { name: label(key), text: formatTime(value), title: new Date(value).toISOString() };
    if (key.endsWith('_ms')) return { name: label(key.replace(/_ms$/, '')), text: formatDuration(value), title: `${value} ms` };
  }
  if (isRef(value)) return { name: label(key), text: nameOf(names, value), title: value };
  if (value === null) return { name: label(key), text: key === 'until' ? 'permanent' : key === 'value' ? 'none' : '—', title: null };
  return { name: label(key), text: String(value), title: null };
}

export function showEvent(event: CasinoEvent, names: Names): { at: ShownField; type: string; fields: ShownField[] } {
  return {
    at: { name: 'at', text: formatTime(event.occurred_at), title: new Date(event.occurred_at).toISOString() },
    type: event.event_type,
    fields: Object.entries(event.payload).map(([k, v]) => showField(k, v, event, names)),
  };
}

/** A timeline page from the player's object, with what to show for each event. */
export async function presentTimeline(env: Env, player: { player_id: string; email: string }, page: { events: { seq: number; event: CasinoEvent }[]; next_before: number | null }) {
  const names = await namesFor(env, page.events.flatMap(({ event }) => Object.values(event.payload)), player);
  return { events: page.events.map(({ seq, event }) => ({ seq, event, shown: showEvent(event, names) })), next_before: page.next_before };
}
