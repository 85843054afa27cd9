/**
 * A player's counters, updated by each event before rules read them. Only the counters a rule set
 * declares are kept (a counter a new rule set introduces counts from its publication on), and each is
 * bounded: GROUPS_MAX values of its `group_by` (the least recently updated is forgotten first),
 * DISTINCT_MAX remembered values, ROLLING_BUCKETS_MAX buckets of a rolling window.
 *
 * Windows: `today` is the UTC day of the event's occurred_at, `session` the session id the player's
 * object gives, `lifetime` never resets; a rolling window of N minutes sums buckets of ceil(N / 60)
 * minutes, so it is exact to one bucket. State is plain JSON and never mutated: an update copies the
 * counters it touches.
 *
 * A distinct counter's values are either in the state (`seen`: the engine alone, a dry run, fast
 * mode) or, given a `DistinctValues`, outside it with only their count in the state (`n`): the
 * player's object keeps them in rows of their own (durable/player/rewards.ts), so the state row that
 * every evaluated event rewrites does not carry up to 256 round ids. Both answer alike: a value is
 * new exactly when the set did not hold it and holds fewer than DISTINCT_MAX.
 */
import { allFactsHold, type CounterReading } from './conditions';
import type { Facts } from './facts';
import type { CounterSpec, Window } from './rule-schema';

export const GROUPS_MAX = 64;
export const DISTINCT_MAX = 256;
export const ROLLING_BUCKETS_MAX = 60;
const MINUTE_MS = 60_000;

export type CounterGroup = { v: number; at: number; /** rolling windows: [bucket index, value, ...] */ b?: number[] };
export type CounterState = {
  period: string; groups: Record<string, CounterGroup>;
  /** distinct counters, values in the state */ seen?: string[];
  /** distinct counters, values in a DistinctValues: how many this period holds */ n?: number;
};
export type Counters = Record<string, CounterState>;

/**
 * A distinct counter's value sets kept outside the state, one set per counter and period. `add` puts
 * the value in and answers whether it was not there yet (exact: no hashing, so a value seen before is
 * never counted again and a new one never missed). The engine calls it only for a value it would
 * count (the set below DISTINCT_MAX), inside the caller's transaction; a set whose period has passed
 * is the caller's to drop (`rolledOver`).
 */
export interface DistinctValues { add(counter: string, period: string, value: string): boolean }

/** How many values a distinct counter's current period holds, wherever they are kept. */
const distinctCount = (state: CounterState): number => state.n ?? state.seen?.length ?? 0;

export type Periods = { day: string; session: string };

const DAY_MS = 86_400_000;
let lastDay = { n: NaN, text: '' };
/** "YYYY-MM-DD" of a UTC time; the last day's text is kept (events of one day follow each other). */
export function utcDay(ms: number): string {
  const n = Math.floor(ms / DAY_MS);
  if (n !== lastDay.n) lastDay = { n, text: new Date(n * DAY_MS).toISOString().slice(0, 10) };
  return lastDay.text;
}

function periodOf(window: Window, periods: Periods): string {
  if (window === 'today') return periods.day;
  if (window === 'session') return periods.session;
  return '';
}

function groupKey(spec: CounterSpec, facts: Facts): string {
  if (spec.kind !== 'count' || !spec.group_by) return '';
  return spec.group_by.map((f) => String(facts(f))).join('\u0001');
}

const EMPTY: CounterReading = { value: 0, previous: 0, is_new: false };

/**
 * Applies one event to the counters it concerns (`specs`: those whose `on` lists the event's type)
 * and returns the new counters and each one's reading for this event. Counters whose filter the
 * event does not pass are still read (their current value in the current period).
 */
export function updateCounters(counters: Counters, specs: readonly CounterSpec[], facts: Facts, at: number, periods: Periods, values?: DistinctValues): { counters: Counters; readings: Map<string, CounterReading> } {
  const readings = new Map<string, CounterReading>();
  if (specs.length === 0) return { counters, readings };
  const next: Counters = { ...counters };
  for (const spec of specs) {
    const period = periodOf(typeof spec.window === 'string' ? spec.window : 'lifetime', periods);
    const held = counters[spec.id];
    const current: CounterState = held && held.period === period ? held : { period, groups: {} };
    const passes = allFactsHold(spec.where, facts);
    const key = groupKey(spec, facts);
    if (spec.kind === 'distinct') {
      const value = facts(spec.of);
      const previous = distinctCount(current);
      if (!passes || value === null) { readings.set(spec.id, { value: previous, previous, is_new: false }); next[spec.id] = current; continue; }
      const v = String(value);
      // Its values are outside the state: without them a value met before would count again, and the
      // count would restart (a dry run or simulator given a stored player state must pass them too).
      if (values === undefined && current.n !== undefined) throw new Error(`invariant: distinct counter ${spec.id} keeps its values outside the state, and no DistinctValues was given`);
      // values written into the state before they moved out stay there until the period ends
      const inline = values === undefined || current.seen !== undefined;
      // Past DISTINCT_MAX values a new one cannot be told from a forgotten one: it is not called new.
      const isNew = previous < DISTINCT_MAX && (inline ? !(current.seen ?? []).includes(v) : values.add(spec.id, period, v));
      next[spec.id] = !isNew ? current
        : inline ? { period, groups: current.groups, seen: [...(current.seen ?? []), v] }
        : { period, groups: current.groups, n: previous + 1 };
      readings.set(spec.id, { value: isNew ? previous + 1 : previous, previous, is_new: isNew });
      continue;
    }
    const group = current.groups[key];
    if (spec.kind === 'streak') {
      const previous = group?.v ?? 0;
      let value = previous;
      if (passes && allFactsHold(spec.counts, facts)) value = previous + 1;
      else if (passes && allFactsHold(spec.resets, facts)) value = 0;
      readings.set(spec.id, { value, previous, is_new: false });
      if (value !== previous || current !== held) next[spec.id] = { period, groups: { [key]: { v: value, at } } };
      continue;
    }
    const rolling = typeof spec.window === 'object' ? spec.window.rolling_minutes : 0;
    const previous = group ? (rolling ? rollingSum(group, rolling, at) : group.v) : 0;
    if (!passes) { readings.set(spec.id, { ...EMPTY, value: previous, previous }); if (current !== held) next[spec.id] = current; continue; }
    const by = spec.sum ? numberOr0(facts(spec.sum)) : 1;
    const updated = rolling ? addRolling(group, rolling, at, by) : { v: (group?.v ?? 0) + by, at };
    const value = rolling ? rollingSum(updated, rolling, at) : updated.v;
    readings.set(spec.id, { value, previous, is_new: false });
    next[spec.id] = { period, groups: putGroup(current.groups, key, updated) };
  }
  return { counters: next, readings };
}

/** Reads a counter without an event (for a rule whose condition names a counter this event did not update). */
export function readCounter(counters: Counters, spec: CounterSpec, at: number, periods: Periods, facts: Facts): CounterReading {
  const period = periodOf(typeof spec.window === 'string' ? spec.window : 'lifetime', periods);
  const state = counters[spec.id];
  if (!state || state.period !== period) return EMPTY;
  if (spec.kind === 'distinct') { const n = distinctCount(state); return { value: n, previous: n, is_new: false }; }
  const group = state.groups[groupKey(spec, facts)];
  if (!group) return EMPTY;
  const value = typeof spec.window === 'object' ? rollingSum(group, spec.window.rolling_minutes, at) : group.v;
  return { value, previous: value, is_new: false };
}

/**
 * The value sets kept outside the state (`n`) that an update left behind: a counter whose period
 * moved on, or that the rule set no longer declares (pruned). Their keeper deletes them in the same
 * transaction, so the sets stay bounded by DISTINCT_MAX per counter of the live set.
 */
export function rolledOver(before: Counters, after: Counters): { counter: string; period: string }[] {
  if (before === after) return [];
  const gone: { counter: string; period: string }[] = [];
  for (const [id, held] of Object.entries(before)) {
    if (held.n === undefined) continue;
    const now = after[id];
    if (now !== held && now?.period !== held.period) gone.push({ counter: id, period: held.period });
  }
  return gone;
}

function putGroup(groups: Record<string, CounterGroup>, key: string, group: CounterGroup): Record<string, CounterGroup> {
  const next = { ...groups, [key]: group };
  const keys = Object.keys(next);
  if (keys.length > GROUPS_MAX) {
    let oldest = keys[0] ?? '';
    for (const k of keys) if ((next[k]?.at ?? 0) < (next[oldest]?.at ?? 0) && k !== key) oldest = k;
    delete next[oldest];
  }
  return next;
}

function bucketMinutes(rollingMinutes: number): number {
  return Math.ceil(rollingMinutes / ROLLING_BUCKETS_MAX);
}

function addRolling(group: CounterGroup | undefined, rollingMinutes: number, at: number, by: number): CounterGroup {
  const size = bucketMinutes(rollingMinutes);
  const index = Math.floor(at / (size * MINUTE_MS));
  const first = index - Math.ceil(rollingMinutes / size) + 1;
  const kept: number[] = [];
  const old = group?.b ?? [];
  let added = false;
  for (let i = 0; i < old.length; i += 2) {
    const bi = old[i] ?? 0;
    const bv = old[i + 1] ?? 0;
    if (bi < first) continue;
    if (bi === index) { kept.push(bi, bv + by); added = true; } else kept.push(bi, bv);
  }
  if (!added) kept.push(index, by);
  return { v: 0, at, b: kept };
}

function rollingSum(group: CounterGroup, rollingMinutes: number, at: number): number {
  const size = bucketMinutes(rollingMinutes);
  const first = Math.floor(at / (size * MINUTE_MS)) - Math.ceil(rollingMinutes / size) + 1;
  const b = group.b ?? [];
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) if ((b[i] ?? 0) >= first) sum += b[i + 1] ?? 0;
  return sum;
}

const numberOr0 = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
