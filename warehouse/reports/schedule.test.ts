import { describe, expect, it } from 'vitest';
import { duePeriods, wallClock, zonedPrevFire, zonedToUtc, type ReportSchedule } from './schedule';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const MALTA: ReportSchedule = { cron: '0 6 * * *', timezone: 'Europe/Malta', due_day: 15 };
const labels = (d: ReturnType<typeof duePeriods>) => d.map((p) => `${p.period.label}${p.overdue ? ' overdue' : ''}`);

describe('time zones through Intl', () => {
  it('reads the wall clock and maps it back across both DST changes of 2026 in Malta', () => {
    expect(iso(wallClock(at('2026-01-10T05:00:00Z'), 'Europe/Malta'))).toBe('2026-01-10T06:00:00.000Z'); // CET +1
    expect(iso(wallClock(at('2026-07-10T04:00:00Z'), 'Europe/Malta'))).toBe('2026-07-10T06:00:00.000Z'); // CEST +2
    // 2026-03-29 02:00 -> 03:00: 02:30 never happens, it is taken as 03:30 CEST.
    expect(iso(zonedToUtc(at('2026-03-29T02:30:00Z'), 'Europe/Malta'))).toBe('2026-03-29T01:30:00.000Z');
    // 2026-10-25 03:00 -> 02:00: 02:30 happens twice, the first one (CEST) counts.
    expect(iso(zonedToUtc(at('2026-10-25T02:30:00Z'), 'Europe/Malta'))).toBe('2026-10-25T00:30:00.000Z');
  });

  it('a cron read in the zone follows its DST: 06:00 Malta is 05:00 UTC in winter, 04:00 UTC in summer', () => {
    expect(iso(zonedPrevFire('0 6 * * *', 'Europe/Malta', at('2026-03-28T12:00:00Z')))).toBe('2026-03-28T05:00:00.000Z');
    expect(iso(zonedPrevFire('0 6 * * *', 'Europe/Malta', at('2026-03-29T12:00:00Z')))).toBe('2026-03-29T04:00:00.000Z');
    expect(iso(zonedPrevFire('0 6 * * *', 'Europe/Malta', at('2026-03-29T03:59:00Z')))).toBe('2026-03-28T05:00:00.000Z');
  });

  it('a check inside the spring gap runs after it; one inside the autumn overlap runs once, at the first', () => {
    const cron = '30 2 * * *';
    expect(iso(zonedPrevFire(cron, 'Europe/Malta', at('2026-03-29T01:10:00Z')))).toBe('2026-03-28T01:30:00.000Z');
    expect(iso(zonedPrevFire(cron, 'Europe/Malta', at('2026-03-29T01:30:00Z')))).toBe('2026-03-29T01:30:00.000Z');
    // 01:10 UTC is 02:10 CET, the second pass through 02:xx: the check at 02:30 CEST (00:30 UTC) already happened.
    expect(iso(zonedPrevFire(cron, 'Europe/Malta', at('2026-10-25T01:10:00Z')))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(zonedPrevFire(cron, 'Europe/Malta', at('2026-10-25T01:45:00Z')))).toBe('2026-10-25T00:30:00.000Z');
  });

  it('refuses an unknown zone, a broken cron and a month report without a due day', () => {
    expect(() => duePeriods({ ...MALTA, timezone: 'Europe/Atlantis' }, 'month', at('2026-11-20T00:00:00Z'))).toThrow(/not an IANA time zone/);
    expect(() => duePeriods({ ...MALTA, cron: '0 6 * *' }, 'month', at('2026-11-20T00:00:00Z'))).toThrow(/schedule.cron/);
    expect(() => duePeriods({ cron: '0 6 * * *', timezone: 'UTC' }, 'month', at('2026-11-20T00:00:00Z'))).toThrow(/due_day/);
    expect(duePeriods({ cron: '0 6 * * *', timezone: 'UTC' }, 'day', at('2026-11-20T07:00:00Z'))).toHaveLength(1);
    expect(() => duePeriods(MALTA, 'month', at('2026-11-20T00:00:00Z'), '2026-13')).toThrow(/not a month period/);
  });
});

describe('duePeriods, month reports', () => {
  it('on the first of the month the previous month waits for the first check after it ended', () => {
    // 2026-11-01 06:00 Malta (CET) = 05:00 UTC.
    expect(duePeriods(MALTA, 'month', at('2026-11-01T04:59:00Z'), '2026-09')).toEqual([]);
    const due = duePeriods(MALTA, 'month', at('2026-11-01T05:00:00Z'), '2026-09');
    expect(due).toEqual([{ period: { kind: 'month', label: '2026-10', start: '2026-10-01', end: '2026-11-01' }, due_at: '2026-11-15T23:00:00.000Z', overdue: false }]);
  });

  it('is due by the end of due_day in the zone, overdue from that instant (summer and winter offsets)', () => {
    // March is due by the end of 15 April in Malta: 16 April 00:00 CEST = 15 April 22:00 UTC.
    expect(duePeriods(MALTA, 'month', at('2026-04-15T21:59:59Z'), '2026-02')).toMatchObject([{ period: { label: '2026-03' }, due_at: '2026-04-15T22:00:00.000Z', overdue: false }]);
    expect(labels(duePeriods(MALTA, 'month', at('2026-04-15T22:00:00Z'), '2026-02'))).toEqual(['2026-03 overdue']);
    // March's check: 1 April 06:00 CEST = 04:00 UTC (the month ended in UTC, the check is read in Malta).
    expect(duePeriods(MALTA, 'month', at('2026-04-01T03:59:00Z'), '2026-02')).toEqual([]);
    expect(labels(duePeriods(MALTA, 'month', at('2026-04-01T04:00:00Z'), '2026-02'))).toEqual(['2026-03']);
  });

  it('clamps due_day to the next month\'s length (leap years included) and crosses the year', () => {
    const late = { ...MALTA, due_day: 31, timezone: 'UTC' };
    expect(duePeriods(late, 'month', at('2027-02-01T06:00:00Z'), '2026-12')[0]!.due_at).toBe('2027-03-01T00:00:00.000Z'); // January: by 28 Feb 2027
    expect(duePeriods(late, 'month', at('2028-02-01T06:00:00Z'), '2027-12')[0]!.due_at).toBe('2028-03-01T00:00:00.000Z'); // January: by 29 Feb 2028
    expect(duePeriods(late, 'month', at('2028-03-01T06:00:00Z'), '2028-01')).toMatchObject([{ period: { label: '2028-02', end: '2028-03-01' }, due_at: '2028-04-01T00:00:00.000Z' }]);
    expect(duePeriods(MALTA, 'month', at('2027-01-02T00:00:00Z'), '2026-11')).toMatchObject([{ period: { label: '2026-12', start: '2026-12-01', end: '2027-01-01' }, due_at: '2027-01-15T23:00:00.000Z' }]);
  });

  it('a loop that was down through checks catches every missed month up, the late ones marked overdue', () => {
    expect(labels(duePeriods(MALTA, 'month', at('2026-11-20T12:00:00Z'), '2026-07'))).toEqual(['2026-08 overdue', '2026-09 overdue', '2026-10 overdue']);
    expect(labels(duePeriods(MALTA, 'month', at('2026-11-10T12:00:00Z'), '2026-08'))).toEqual(['2026-09 overdue', '2026-10']);
    // Nothing known to be delivered: only the latest complete month.
    expect(labels(duePeriods(MALTA, 'month', at('2026-11-10T12:00:00Z')))).toEqual(['2026-10']);
    // Delivered already (or ahead): nothing.
    expect(duePeriods(MALTA, 'month', at('2026-11-10T12:00:00Z'), '2026-10')).toEqual([]);
    expect(duePeriods(MALTA, 'month', at('2026-11-10T12:00:00Z'), { kind: 'month', label: '2026-11', start: '2026-11-01', end: '2026-12-01' })).toEqual([]);
  });

  it('a zone ahead of UTC checks before the UTC month has ended, so the month waits a day', () => {
    const kiritimati = { ...MALTA, timezone: 'Pacific/Kiritimati' }; // UTC+14: 06:00 there is 16:00 UTC the day before
    expect(duePeriods(kiritimati, 'month', at('2026-10-31T23:00:00Z'), '2026-09')).toEqual([]);
    expect(duePeriods(kiritimati, 'month', at('2026-11-01T15:59:00Z'), '2026-09')).toEqual([]);
    expect(labels(duePeriods(kiritimati, 'month', at('2026-11-01T16:00:00Z'), '2026-09'))).toEqual(['2026-10']);
  });
});

describe('duePeriods, day reports', () => {
  const NY: ReportSchedule = { cron: '30 1 * * *', timezone: 'America/New_York' };
  it('the previous UTC day after the next check, due by the end of the next day in the zone (across a DST change)', () => {
    // The 7th (UTC) ended at 19:00 EST on the 7th; the first check after it is 01:30 EST on the 8th = 06:30 UTC.
    expect(duePeriods(NY, 'day', at('2026-03-08T06:29:00Z'), '2026-03-06')).toEqual([]);
    // 2026-03-08 is New York's spring change: the 9th begins at 04:00 UTC (EDT), not 05:00.
    const due = duePeriods(NY, 'day', at('2026-03-08T06:30:00Z'), '2026-03-06');
    expect(due).toEqual([{ period: { kind: 'day', label: '2026-03-07', start: '2026-03-07', end: '2026-03-08' }, due_at: '2026-03-09T04:00:00.000Z', overdue: false }]);
    // After the change 01:30 EDT is 05:30 UTC.
    expect(iso(zonedPrevFire(NY.cron, NY.timezone, at('2026-03-09T12:00:00Z')))).toBe('2026-03-09T05:30:00.000Z');
  });

  it('catches missed days up to the latest one, overdue where the deadline passed', () => {
    const utc: ReportSchedule = { cron: '15 0 * * *', timezone: 'UTC' };
    expect(labels(duePeriods(utc, 'day', at('2026-11-01T12:00:00Z'), '2026-10-28'))).toEqual(['2026-10-29 overdue', '2026-10-30 overdue', '2026-10-31']);
    // Over a month end, before the day's check (00:15) the 31st is not due yet; the 30th was due by the end of the 31st.
    expect(labels(duePeriods(utc, 'day', at('2026-11-01T00:10:00Z'), '2026-10-29'))).toEqual(['2026-10-30 overdue']);
    expect(() => duePeriods(utc, 'day', at('2026-11-01T00:10:00Z'), '2026-10')).toThrow(/not a day period/);
  });
});
