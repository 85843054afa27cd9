/**
 * Time intervals of a model's data, as [start, end) in UTC epoch milliseconds. A model's history is
 * cut into units (hours or days) and the runner records, per physical table, which units it holds;
 * what is missing up to the last complete unit at `now` is what a plan backfills or a run fills.
 * Modelled on SQLMesh's compute_missing_intervals (snapshot/definition.py), lookback included.
 */
import { firesMoreThanDaily, parseCron, prevFire } from './cron';
import type { IntervalUnit, ModelDef } from '../types';
import { ModelError } from '../types';

export type Interval = readonly [start: number, end: number];
export type { IntervalUnit };

const MINUTE_MS = 60_000;
/** Units of a fixed length; month and year follow the calendar (UTC). */
const FIXED_MS: Partial<Record<IntervalUnit, number>> = {
  five_minute: 5 * MINUTE_MS, quarter_hour: 15 * MINUTE_MS, half_hour: 30 * MINUTE_MS, hour: 60 * MINUTE_MS, day: 24 * 60 * MINUTE_MS,
};
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** A bound on how many units one enumeration may produce (about 40 years of hours). */
const UNITS_MAX = 24 * 366 * 40;

/**
 * The model's interval unit: `interval_unit` from the header when given; otherwise hours if the
 * cron fires more than once a day, else days.
 */
export function intervalUnit(def: Pick<ModelDef, 'cron' | 'extra' | 'where' | 'intervalUnit'>): IntervalUnit {
  if (def.intervalUnit) return def.intervalUnit;
  const explicit = def.extra['interval_unit'];
  if (explicit !== undefined) {
    const u = String(explicit).toLowerCase();
    if (u in FIXED_MS || u === 'month' || u === 'year') return u as IntervalUnit;
    throw new ModelError(`interval_unit '${String(explicit)}' is not supported`, def.where);
  }
  return firesMoreThanDaily(parseCron(def.cron)) ? 'hour' : 'day';
}

export function floorUnit(t: number, unit: IntervalUnit): number {
  const fixed = FIXED_MS[unit];
  if (fixed) return Math.floor(t / fixed) * fixed;
  const d = new Date(t);
  return unit === 'month' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) : Date.UTC(d.getUTCFullYear(), 0, 1);
}

/** `t` moved by `n` units (for a unit start: the start of the unit `n` later). */
export function addUnit(t: number, unit: IntervalUnit, n = 1): number {
  const fixed = FIXED_MS[unit];
  if (fixed) return t + n * fixed;
  const d = new Date(t);
  return unit === 'month'
    ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes())
    : Date.UTC(d.getUTCFullYear() + n, d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes());
}

/** `YYYY-MM-DD` or an ISO timestamp to epoch ms (UTC). */
export function toMs(date: string): number {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(date) ? `${date}T00:00:00Z` : date);
  if (Number.isNaN(ms)) throw new Error(`'${date}' is not a date (YYYY-MM-DD) or timestamp`);
  return ms;
}

/**
 * The exclusive end of the last complete interval a model may compute at `now`: the latest cron
 * fire at or before now, floored to the unit. A daily model at 10:00 has yesterday; a model whose
 * cron is `0 6 * * *` at 05:00 still has only the day before yesterday (it waits for its tick).
 */
export function completeBound(def: Pick<ModelDef, 'cron' | 'extra' | 'where' | 'intervalUnit'>, now: number): number {
  return floorUnit(prevFire(def.cron, now), intervalUnit(def));
}

/** Every unit interval of [start, end): start is floored, end is floored (only whole units). */
export function enumerate(start: number, end: number, unit: IntervalUnit): Interval[] {
  const out: Interval[] = [];
  for (let t = floorUnit(start, unit); addUnit(t, unit) <= end; t = addUnit(t, unit)) {
    if (out.length >= UNITS_MAX) throw new Error(`more than ${UNITS_MAX} intervals between ${iso(start)} and ${iso(end)}`);
    out.push([t, addUnit(t, unit)]);
  }
  return out;
}

/** Sorted, non-overlapping, adjacent ranges joined. */
export function merge(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** `a` minus `b`, merged. */
export function subtract(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const holes = merge(b);
  const out: Interval[] = [];
  for (const [s0, e] of merge(a)) {
    let s = s0;
    for (const [hs, he] of holes) {
      if (he <= s || hs >= e) continue;
      if (hs > s) out.push([s, hs]);
      s = Math.max(s, he);
      if (s >= e) break;
    }
    if (s < e) out.push([s, e]);
  }
  return out;
}

export const covers = (done: readonly Interval[], [s, e]: Interval) => subtract([[s, e]], done).length === 0;

/**
 * The unit intervals of [start, end) not in `done`; when any is missing, the `lookback` units
 * before each missing one are recomputed too (late-arriving data), as SQLMesh does: a unit is
 * missing if one of the `lookback` units after it is missing or past the end.
 */
export function missingIntervals(opts: { start: number; end: number; done: readonly Interval[]; unit: IntervalUnit; lookback: number }): Interval[] {
  const units = enumerate(opts.start, opts.end, opts.unit);
  const missing = units.map((u) => !covers(opts.done, u));
  if (!missing.some(Boolean)) return [];
  const lookback = Math.max(0, opts.lookback);
  return units.filter((_, i) => missing[i] || (lookback > 0 && (i + lookback >= units.length || missing.slice(i + 1, i + lookback + 1).some(Boolean))));
}

/**
 * Unit intervals grouped into the queries that compute them: contiguous runs, each cut into at
 * most `batchSize` units (undefined = one query per contiguous run). Gaps are never bridged, so a
 * batch never recomputes an interval it was not asked for.
 */
export function batches(units: readonly Interval[], batchSize?: number): Interval[] {
  const size = batchSize && batchSize > 0 ? batchSize : Infinity;
  const out: [number, number][] = [];
  let count = 0;
  for (const [s, e] of [...units].sort((a, b) => a[0] - b[0])) {
    const last = out[out.length - 1];
    if (last && last[1] === s && count < size) {
      last[1] = e;
      count++;
    } else {
      out.push([s, e]);
      count = 1;
    }
  }
  return out;
}

const iso = (t: number) => new Date(t).toISOString();

/** `2026-01-01 .. 2026-01-03` (days, inclusive) or `2026-01-01 05:00 .. 2026-01-01 08:00` (exclusive end). */
export function formatInterval([s, e]: Interval): string {
  const dayAligned = s % DAY_MS === 0 && e % DAY_MS === 0;
  if (dayAligned) {
    const first = iso(s).slice(0, 10);
    const last = iso(e - DAY_MS).slice(0, 10);
    return first === last ? first : `${first} .. ${last}`;
  }
  const fmt = (t: number) => iso(t).slice(0, 16).replace('T', ' ');
  return `${fmt(s)} .. ${fmt(e)}`;
}

/** Intervals listed compactly: contiguous units joined into ranges. */
export const formatIntervals = (intervals: readonly Interval[]) => merge(intervals).map(formatInterval).join(', ');
