import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firesMoreThanDaily, nextFire, parseCron, prevFire } from './cron';
import { batches, completeBound, enumerate, formatIntervals, intervalUnit, merge, missingIntervals, subtract, type Interval } from './intervals';
import type { ModelDef } from '../types';
import { at, day } from '../test-fixtures';

/** Only what interval units and bounds read of a model. */
const def = (m: Partial<ModelDef>): Pick<ModelDef, 'cron' | 'extra' | 'where' | 'intervalUnit'> => ({ cron: '@daily', extra: {}, where: { file: 'x.sql', line: 1 }, ...m });

const H = 3_600_000;
const D = 24 * H;

describe('cron', () => {
  it('finds the previous and next fire of the aliases and of 5-field expressions', () => {
    expect(prevFire('@daily', at('2026-03-04T10:17'))).toBe(at('2026-03-04T00:00'));
    expect(prevFire('@daily', at('2026-03-04T00:00'))).toBe(at('2026-03-04T00:00')); // at a tick: that tick
    expect(nextFire('@daily', at('2026-03-04T00:00'))).toBe(at('2026-03-05T00:00'));
    expect(prevFire('@hourly', at('2026-03-04T10:17'))).toBe(at('2026-03-04T10:00'));
    expect(prevFire('@weekly', at('2026-03-04T10:17'))).toBe(at('2026-03-01T00:00')); // a Sunday
    expect(prevFire('@monthly', at('2026-03-04T10:17'))).toBe(at('2026-03-01T00:00'));
    expect(prevFire('30 6 * * *', at('2026-03-04T06:29'))).toBe(at('2026-03-03T06:30'));
    expect(prevFire('*/15 9-17 * * mon-fri', at('2026-03-07T12:00'))).toBe(at('2026-03-06T17:45')); // Saturday -> Friday
    expect(nextFire('0 0 29 2 *', at('2026-03-01T00:00'))).toBe(at('2028-02-29T00:00'));
    // day-of-month and day-of-week both restricted: either matches (Vixie cron)
    expect(nextFire('0 0 13 * fri', at('2026-03-01T00:00'))).toBe(at('2026-03-06T00:00'));
  });

  it('prevFire <= t < nextFire(prevFire), and no fire lies strictly between them', () => {
    const exprs = ['@daily', '@hourly', '5 */3 * * *', '0 6 * * 1', '15 2 1,15 * *', '*/20 * * * *'];
    fc.assert(fc.property(fc.constantFrom(...exprs), fc.integer({ min: at('2020-01-01T00:00'), max: at('2030-01-01T00:00') }), (e, t) => {
      const p = prevFire(e, t);
      const n = nextFire(e, p);
      expect(p).toBeLessThanOrEqual(t);
      expect(n).toBeGreaterThan(t - (t % 60_000));
      expect(prevFire(e, n - 60_000)).toBe(p);
    }));
  });

  it('rejects malformed expressions', () => {
    expect(() => parseCron('* * *')).toThrow(/5 fields/);
    expect(() => parseCron('61 * * * *')).toThrow(/not in 0-59/);
    expect(() => parseCron('@sometimes')).toThrow();
  });

  it('says whether a cron fires more than daily', () => {
    expect(firesMoreThanDaily('@hourly')).toBe(true);
    expect(firesMoreThanDaily('0 */6 * * *')).toBe(true);
    expect(firesMoreThanDaily('@daily')).toBe(false);
    expect(firesMoreThanDaily('30 4 * * 1')).toBe(false);
  });
});

describe('intervals', () => {
  it('picks the unit from the cron unless interval_unit is explicit', () => {
    expect(intervalUnit(def({ cron: '@hourly' }))).toBe('hour');
    expect(intervalUnit(def({ cron: '*/5 * * * *' }))).toBe('hour');
    expect(intervalUnit(def({ cron: '@weekly' }))).toBe('day');
    expect(intervalUnit(def({ cron: '@hourly', intervalUnit: 'day' }))).toBe('day');
    expect(intervalUnit(def({ cron: '@daily', intervalUnit: 'month' }))).toBe('month');
  });

  it('bounds the complete intervals by the last cron tick', () => {
    expect(completeBound(def({}), at('2026-03-04T10:00'))).toBe(day('2026-03-04'));
    expect(completeBound(def({ cron: '0 6 * * *' }), at('2026-03-04T05:00'))).toBe(day('2026-03-03'));
    expect(completeBound(def({ cron: '@hourly' }), at('2026-03-04T10:59'))).toBe(at('2026-03-04T10:00'));
  });

  it('enumerates calendar months and sub-hour units', () => {
    expect(enumerate(day('2026-01-15'), day('2026-04-01'), 'month')).toEqual([
      [day('2026-01-01'), day('2026-02-01')], [day('2026-02-01'), day('2026-03-01')], [day('2026-03-01'), day('2026-04-01')],
    ]);
    expect(enumerate(at('2026-01-01T00:00'), at('2026-01-01T00:22'), 'five_minute')).toHaveLength(4);
    expect(completeBound(def({ intervalUnit: 'month' }), at('2026-03-04T10:00'))).toBe(day('2026-03-01'));
  });

  it('merges and subtracts', () => {
    const a: Interval[] = [[0, 10], [10, 20], [30, 40], [5, 12]];
    expect(merge(a)).toEqual([[0, 20], [30, 40]]);
    expect(subtract([[0, 40]], [[5, 10], [20, 30], [35, 50]])).toEqual([[0, 5], [10, 20], [30, 35]]);
    expect(subtract([[0, 10]], [])).toEqual([[0, 10]]);
  });

  it('finds missing units, with lookback recomputing the units before the newest missing ones', () => {
    const s = day('2026-01-01');
    const done: Interval[] = [[s, s + 5 * D]];
    expect(missingIntervals({ start: s, end: s + 7 * D, done, unit: 'day', lookback: 0 })).toEqual([[s + 5 * D, s + 6 * D], [s + 6 * D, s + 7 * D]]);
    expect(missingIntervals({ start: s, end: s + 7 * D, done, unit: 'day', lookback: 2 }).map(([a]) => (a - s) / D)).toEqual([3, 4, 5, 6]);
    // nothing missing: lookback does not make work on its own
    expect(missingIntervals({ start: s, end: s + 5 * D, done, unit: 'day', lookback: 2 })).toEqual([]);
    // a gap in the middle
    expect(missingIntervals({ start: s, end: s + 5 * D, done: [[s, s + D], [s + 2 * D, s + 5 * D]], unit: 'day', lookback: 0 })).toEqual([[s + D, s + 2 * D]]);
  });

  it('lookback recomputes every unit within lookback before a missing one, not only the one exactly lookback before', () => {
    const s = day('2026-01-01');
    // day 5 of 10 missing (an audit failed there), lookback 2: days 3 and 4 are recomputed with it
    const done: Interval[] = [[s, s + 5 * D], [s + 6 * D, s + 10 * D]];
    const days = missingIntervals({ start: s, end: s + 10 * D, done, unit: 'day', lookback: 2 }).map(([a]) => (a - s) / D);
    expect(days.filter((d) => d <= 5)).toEqual([3, 4, 5]);
  });

  it('cuts contiguous runs into batches, never bridging a gap', () => {
    const units = enumerate(0, 10 * H, 'hour').filter((_, i) => i !== 4);
    expect(batches(units, 2)).toEqual([[0, 2 * H], [2 * H, 4 * H], [5 * H, 7 * H], [7 * H, 9 * H], [9 * H, 10 * H]]);
    expect(batches(units)).toEqual([[0, 4 * H], [5 * H, 10 * H]]);
  });

  it('formats ranges compactly', () => {
    expect(formatIntervals(enumerate(day('2026-01-01'), day('2026-01-04'), 'day'))).toBe('2026-01-01 .. 2026-01-03');
    expect(formatIntervals([[day('2026-01-01'), day('2026-01-02')], [day('2026-01-05'), day('2026-01-06')]])).toBe('2026-01-01, 2026-01-05');
    expect(formatIntervals([[at('2026-01-01T05:00'), at('2026-01-01T08:00')]])).toBe('2026-01-01 05:00 .. 2026-01-01 08:00');
  });
});
