/** `--period` parsing: month and day periods in UTC, malformed and unfinished ones refused with their code. */
import { describe, expect, it } from 'vitest';
import { ReportInputError } from './errors';
import { parsePeriod } from './period';

const NOW = new Date('2026-12-02T14:00:00Z');

function code(fn: () => unknown): string {
  try { fn(); } catch (err) { expect(err).toBeInstanceOf(ReportInputError); return `${(err as ReportInputError).code}: ${(err as Error).message}`; }
  throw new Error('accepted');
}

describe('parsePeriod', () => {
  it('reads a month and a day as UTC [start, end)', () => {
    expect(parsePeriod('2026-10', 'month', NOW)).toEqual({ kind: 'month', label: '2026-10', start: '2026-10-01', end: '2026-11-01' });
    expect(parsePeriod('2025-12', 'month', NOW)).toEqual({ kind: 'month', label: '2025-12', start: '2025-12-01', end: '2026-01-01' });
    expect(parsePeriod('2026-02-28', 'day', NOW)).toEqual({ kind: 'day', label: '2026-02-28', start: '2026-02-28', end: '2026-03-01' });
    expect(parsePeriod('2026-12-01', 'day', NOW).end).toBe('2026-12-02'); // ended at midnight, before NOW
  });
  it('refuses malformed periods and the wrong kind', () => {
    expect(code(() => parsePeriod('2026-13', 'month', NOW))).toMatch(/^bad_period: .*no such month/);
    expect(code(() => parsePeriod('October', 'month', NOW))).toMatch(/^bad_period: .*YYYY-MM/);
    expect(code(() => parsePeriod('2026-10-05', 'month', NOW))).toMatch(/^bad_period: period '2026-10-05' is a day; this is a month report/);
    expect(code(() => parsePeriod('2026-10', 'day', NOW))).toMatch(/^bad_period: period '2026-10' is a month; this is a day report/);
    expect(code(() => parsePeriod('2026-02-30', 'day', NOW))).toMatch(/^bad_period: .*no such day/);
  });
  it('refuses the current and future periods', () => {
    expect(code(() => parsePeriod('2026-12', 'month', NOW))).toMatch(/^future_period: period 2026-12 has not ended yet/);
    expect(code(() => parsePeriod('2027-01', 'month', NOW))).toMatch(/^future_period: period 2027-01 is in the future/);
    expect(code(() => parsePeriod('2026-12-02', 'day', NOW))).toMatch(/^future_period: .*has not ended yet/);
  });
});
