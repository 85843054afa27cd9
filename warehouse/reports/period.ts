/**
 * `--period`: a UTC calendar month (`2026-10`) for a month report, a UTC day (`2026-10-05`) for a
 * day report. Only a period that has ENDED is reported: a regulator return over a month still open
 * would be a figure that later changes under the same name.
 */
import type { Period } from './document';
import { ReportInputError } from './errors';

const MONTH = /^(\d{4})-(\d{2})$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function parsePeriod(text: string, kind: 'month' | 'day', now: Date): Period {
  const label = text.trim();
  let startMs: number;
  let endMs: number;
  if (kind === 'month') {
    const m = MONTH.exec(label);
    if (!m) throw new ReportInputError('bad_period', DAY.test(label) ? `period '${label}' is a day; this is a month report: give YYYY-MM, e.g. ${label.slice(0, 7)}` : `period '${label}' is not a month: give YYYY-MM, e.g. 2026-10`);
    const [y, mo] = [Number(m[1]), Number(m[2])];
    if (mo < 1 || mo > 12 || y < 2000) throw new ReportInputError('bad_period', `period '${label}': no such month`);
    startMs = Date.UTC(y, mo - 1, 1);
    endMs = Date.UTC(y, mo, 1);
  } else {
    const d = DAY.exec(label);
    if (!d) throw new ReportInputError('bad_period', MONTH.test(label) ? `period '${label}' is a month; this is a day report: give YYYY-MM-DD, e.g. ${label}-01` : `period '${label}' is not a day: give YYYY-MM-DD, e.g. 2026-10-05`);
    const [y, mo, da] = [Number(d[1]), Number(d[2]), Number(d[3])];
    startMs = Date.UTC(y, mo - 1, da);
    if (y < 2000 || iso(startMs) !== label) throw new ReportInputError('bad_period', `period '${label}': no such day`);
    endMs = startMs + 86_400_000;
  }
  const nowMs = now.getTime();
  if (endMs > nowMs) {
    const which = startMs <= nowMs ? 'has not ended yet' : 'is in the future';
    throw new ReportInputError('future_period', `period ${label} ${which} (it ends ${iso(endMs)}T00:00:00Z; now is ${now.toISOString()}): only a finished period is reported`);
  }
  return { kind, label, start: iso(startMs), end: iso(endMs) };
}
