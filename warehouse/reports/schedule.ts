/**
 * When a report period is due: from a definition's `schedule: { cron, timezone, due_day }` and its
 * period kind, which complete periods the warehouse loop should deliver now and whether each is
 * already late.
 *
 * - A period is a UTC calendar month or a UTC day (document.ts), complete once it has ended in UTC.
 * - `cron` says when the loop checks, read in `timezone` (`0 6 * * *` + Europe/Malta = 06:00 Malta
 *   time, 05:00 UTC in winter and 04:00 UTC in summer). A complete period becomes deliverable at
 *   the first check after its end. Like the model runner (cron.ts) the question is "which check is
 *   the latest at or before now?", so a loop that was down through a check catches up, never skips.
 * - A month is due by the end of `due_day` of the next month in `timezone` (clamped to that
 *   month's last day: due_day 31 means Feb 28 for January); a day is due by the end of the next
 *   day in `timezone`.
 *
 * Intl does the time-zone arithmetic (the IANA database Node ships), no dependency.
 */
import type { Period } from './document';
import { parseCron, prevFire, type Cron } from '../runner/engine/cron';

export interface ReportSchedule {
  /** 5-field cron (or @daily ...), read in `timezone`: when the loop checks. */
  cron: string;
  /** IANA zone, e.g. Europe/Malta. */
  timezone: string;
  /** Month reports: day of the following month by which the period must be delivered (1-31). */
  due_day?: number;
}

export interface DuePeriod {
  period: Period;
  /** The deadline: end of the due day in the schedule's time zone, ISO 8601 UTC. */
  due_at: string;
  overdue: boolean;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    } catch {
      throw new Error(`schedule.timezone '${timeZone}' is not an IANA time zone`);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall clock in `timeZone` at instant `utcMs`, as epoch ms of that wall time read as if it were UTC. */
export function wallClock(utcMs: number, timeZone: string): number {
  const parts = formatter(timeZone).formatToParts(new Date(utcMs));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)!.value);
  const ms = ((utcMs % 1000) + 1000) % 1000;
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second')) + ms;
}

const offsetAt = (utcMs: number, timeZone: string) => wallClock(utcMs, timeZone) - utcMs;

/**
 * The instant a wall time in `timeZone` happens. A wall time that occurs twice (clocks going back)
 * is its first occurrence; one that never occurs (clocks going forward) is shifted forward by the
 * gap (02:30 on a 02:00 -> 03:00 night is 03:30), as Temporal's 'compatible' disambiguation does.
 */
export function zonedToUtc(wallMs: number, timeZone: string): number {
  // The offsets a day either side: a zone changes its offset at most once in such a window.
  const before = offsetAt(wallMs - DAY_MS, timeZone);
  const after = offsetAt(wallMs + DAY_MS, timeZone);
  const exact = [wallMs - before, wallMs - after].filter((t) => wallClock(t, timeZone) === wallMs);
  if (exact.length) return Math.min(...exact);
  return wallMs - before;
}

/** The latest time `cron`, read in `timeZone`, fires at or before `atMs` (UTC epoch ms). */
export function zonedPrevFire(cron: Cron | string, timeZone: string, atMs: number): number {
  const c = typeof cron === 'string' ? parseCron(cron) : cron;
  const wallNow = wallClock(atMs, timeZone);
  // Start a few hours ahead in wall time (clocks going back make later wall times earlier
  // instants) and walk back; keep the latest instant not after now.
  let wall = wallNow + 3 * HOUR_MS;
  let best = -Infinity;
  for (;;) {
    const fire = prevFire(c, wall);
    const t = zonedToUtc(fire, timeZone);
    if (t <= atMs && t > best) best = t;
    if (fire < wallNow - 3 * HOUR_MS && best > -Infinity) return best;
    wall = fire - MINUTE_MS;
  }
}

/** Throws a clear error for a schedule the loop could not follow. */
export function checkSchedule(schedule: ReportSchedule, kind: Period['kind']): void {
  try {
    parseCron(schedule.cron);
  } catch (err) {
    throw new Error(`schedule.cron: ${(err as Error).message}`);
  }
  formatter(schedule.timezone);
  if (kind === 'month' && !(Number.isInteger(schedule.due_day) && schedule.due_day! >= 1 && schedule.due_day! <= 31))
    throw new Error(`schedule.due_day must be a day of the month (1-31) for a month report, got ${schedule.due_day}`);
}

const pad = (n: number) => String(n).padStart(2, '0');
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The period starting at `startMs` (a UTC month or day start). */
function periodAt(kind: Period['kind'], startMs: number): Period {
  const d = new Date(startMs);
  if (kind === 'day') return { kind, label: isoDay(startMs), start: isoDay(startMs), end: isoDay(startMs + DAY_MS) };
  const end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return { kind, label: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`, start: isoDay(startMs), end: isoDay(end) };
}

/** Start of the period containing `ms`. */
function periodStart(kind: Period['kind'], ms: number): number {
  const d = new Date(ms);
  return kind === 'day' ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) : Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

function nextStart(kind: Period['kind'], startMs: number): number {
  const d = new Date(startMs);
  return kind === 'day' ? startMs + DAY_MS : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

function prevStart(kind: Period['kind'], startMs: number): number {
  const d = new Date(startMs);
  return kind === 'day' ? startMs - DAY_MS : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1);
}

function labelStart(kind: Period['kind'], label: string): number {
  const m = kind === 'month' ? /^(\d{4})-(\d{2})$/.exec(label) : /^(\d{4})-(\d{2})-(\d{2})$/.exec(label);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, m[3] ? Number(m[3]) : 1) : NaN;
  if (!m || Number.isNaN(ms) || periodAt(kind, ms).label !== label) throw new Error(`'${label}' is not a ${kind} period (${kind === 'month' ? 'YYYY-MM' : 'YYYY-MM-DD'})`);
  return ms;
}

/** The deadline of the period starting at `startMs`: the end of its due day in the schedule's zone. */
function dueAt(schedule: ReportSchedule, kind: Period['kind'], startMs: number): number {
  const end = new Date(nextStart(kind, startMs)); // first day after the period, UTC
  let dueDay: number; // the due day as a wall-clock date, ms at its midnight
  if (kind === 'day') dueDay = end.getTime();
  else {
    const daysInMonth = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() + 1, 0)).getUTCDate();
    dueDay = Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), Math.min(schedule.due_day!, daysInMonth));
  }
  // "By the 15th" = before the 16th begins, there.
  return zonedToUtc(dueDay + DAY_MS, schedule.timezone);
}

/**
 * The complete periods due for delivery at `now` and not yet delivered, oldest first: every period
 * after `lastDelivered` up to the latest one a check has passed since its end (all of them, so
 * missed checks are caught up), or only that latest one when nothing is known to be delivered.
 */
export function duePeriods(schedule: ReportSchedule, kind: Period['kind'], now: number | Date, lastDelivered?: string | Period): DuePeriod[] {
  checkSchedule(schedule, kind);
  const nowMs = typeof now === 'number' ? now : now.getTime();
  const lastCheck = zonedPrevFire(schedule.cron, schedule.timezone, nowMs);
  // The latest period whose end is at or before the last check: the one before the check's own period.
  const latest = prevStart(kind, periodStart(kind, lastCheck));
  let from = latest;
  if (lastDelivered !== undefined) {
    const label = typeof lastDelivered === 'string' ? lastDelivered : lastDelivered.label;
    from = nextStart(kind, labelStart(kind, label));
  }
  const out: DuePeriod[] = [];
  for (let s = from; s <= latest; s = nextStart(kind, s)) {
    const due = dueAt(schedule, kind, s);
    out.push({ period: periodAt(kind, s), due_at: new Date(due).toISOString(), overdue: nowMs >= due });
  }
  return out;
}
