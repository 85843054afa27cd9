/**
 * A 5-field cron evaluator (minute hour day-of-month month day-of-week, UTC) plus @hourly, @daily,
 * @weekly, @monthly. A model's cron says when its newest interval is complete enough to compute:
 * the runner never asks "should this run now?" but "which fire time is the latest one at or before
 * now?" (SQLMesh's cron_floor), so a missed tick is caught up, never skipped.
 */

export interface Cron {
  minutes: Set<number>;
  hours: Set<number>;
  daysOfMonth: Set<number>;
  months: Set<number>;
  /** 0 = Sunday ... 6 = Saturday (7 is accepted and folded into 0). */
  daysOfWeek: Set<number>;
  /** Vixie cron: when both day fields are restricted, a day matches if either matches. */
  domRestricted: boolean;
  dowRestricted: boolean;
}

const ALIASES: Record<string, string> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
};

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Long enough for any valid expression to fire (Feb 29 on a given weekday recurs within 28 years). */
const SEARCH_DAYS_MAX = 366 * 28;

export function parseCron(expr: string): Cron {
  const text = ALIASES[expr.trim().toLowerCase()] ?? expr.trim();
  const fields = text.split(/\s+/);
  if (fields.length !== 5) throw new Error(`cron '${expr}' must have 5 fields (minute hour day month weekday) or be @hourly/@daily/@weekly/@monthly`);
  const [mi, ho, dom, mo, dow] = fields as [string, string, string, string, string];
  const daysOfWeek = parseField(dow, 0, 7, DAY_NAMES, expr);
  if (daysOfWeek.delete(7)) daysOfWeek.add(0);
  return {
    minutes: parseField(mi, 0, 59, [], expr),
    hours: parseField(ho, 0, 23, [], expr),
    daysOfMonth: parseField(dom, 1, 31, [], expr),
    months: parseField(mo, 1, 12, MONTH_NAMES, expr, 1),
    daysOfWeek,
    domRestricted: dom !== '*' && dom !== '?',
    dowRestricted: dow !== '*' && dow !== '?',
  };
}

function parseField(field: string, min: number, max: number, names: string[], expr: string, nameBase = 0): Set<number> {
  const out = new Set<number>();
  const value = (s: string): number => {
    const named = names.indexOf(s.toLowerCase());
    const n = named >= 0 ? named + nameBase : /^\d+$/.test(s) ? Number(s) : NaN;
    if (!(n >= min && n <= max)) throw new Error(`cron '${expr}': '${s}' is not in ${min}-${max}`);
    return n;
  };
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`cron '${expr}': bad step in '${part}'`);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') [lo, hi] = [min, max];
    else if (range.includes('-')) {
      const [a, b] = range.split('-') as [string, string];
      [lo, hi] = [value(a), value(b)];
    } else {
      lo = value(range);
      hi = stepText === undefined ? lo : max;
    }
    if (lo > hi) throw new Error(`cron '${expr}': empty range '${part}'`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

function dayMatches(c: Cron, dayStartMs: number): boolean {
  const d = new Date(dayStartMs);
  if (!c.months.has(d.getUTCMonth() + 1)) return false;
  const dom = c.daysOfMonth.has(d.getUTCDate());
  const dow = c.daysOfWeek.has(d.getUTCDay());
  if (c.domRestricted && c.dowRestricted) return dom || dow;
  return dom && dow;
}

const sortedDesc = (s: Set<number>) => [...s].sort((a, b) => b - a);
const sortedAsc = (s: Set<number>) => [...s].sort((a, b) => a - b);

/** The latest fire time at or before `atMs` (UTC epoch ms). */
export function prevFire(cron: Cron | string, atMs: number): number {
  const c = typeof cron === 'string' ? parseCron(cron) : cron;
  const hours = sortedDesc(c.hours);
  const minutes = sortedDesc(c.minutes);
  const t = Math.floor(atMs / MINUTE_MS) * MINUTE_MS;
  let day = Math.floor(t / DAY_MS) * DAY_MS;
  let limit = (t - day) / MINUTE_MS; // minutes into the day allowed on the first day
  for (let i = 0; i < SEARCH_DAYS_MAX; i++, day -= DAY_MS, limit = 1439) {
    if (!dayMatches(c, day)) continue;
    for (const h of hours) {
      if (h * 60 > limit) continue;
      const m = minutes.find((mm) => h * 60 + mm <= limit);
      if (m !== undefined) return day + (h * 60 + m) * MINUTE_MS;
    }
  }
  throw new Error('cron never fires');
}

/** The earliest fire time strictly after `atMs`. */
export function nextFire(cron: Cron | string, atMs: number): number {
  const c = typeof cron === 'string' ? parseCron(cron) : cron;
  const hours = sortedAsc(c.hours);
  const minutes = sortedAsc(c.minutes);
  const t = Math.floor(atMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  let day = Math.floor(t / DAY_MS) * DAY_MS;
  let from = (t - day) / MINUTE_MS;
  for (let i = 0; i < SEARCH_DAYS_MAX; i++, day += DAY_MS, from = 0) {
    if (!dayMatches(c, day)) continue;
    for (const h of hours) {
      if (h * 60 + 59 < from) continue;
      const m = minutes.find((mm) => h * 60 + mm >= from);
      if (m !== undefined) return day + (h * 60 + m) * MINUTE_MS;
    }
  }
  throw new Error('cron never fires');
}

/** True when the cron can fire more than once a day: such a model's intervals are hours, not days. */
export function firesMoreThanDaily(cron: Cron | string): boolean {
  const c = typeof cron === 'string' ? parseCron(cron) : cron;
  return c.minutes.size * c.hours.size > 1;
}
