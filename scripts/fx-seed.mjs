#!/usr/bin/env node
/**
 * Writes models/seeds/fx_rates.csv, the seed `seeds.fx_rates`: one rate per day and currency to EUR
 * (1 unit of the currency = rate_to_eur EUR) for every currency config/jurisdictions.json uses.
 *
 *   npm run fx:seed -- eurofxref-hist.csv [--from 2026-01-01] [--to 2026-12-31] [--out <csv>]
 *   npm run fx:seed -- --illustrative [--from ...] [--to ...]      constants only (no ECB file)
 *
 * The input is the ECB's historical file (https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip,
 * unzipped): `Date,USD,JPY,...` with one row per TARGET working day, newest first, rates in units of
 * the currency per 1 EUR, `N/A` where the ECB published none, a trailing comma on each line.
 * The ECB publishes nothing on weekends and TARGET holidays: such a day carries the last published
 * rate forward (carried_forward = true, the source names the day the rate is from), at most
 * MAX_CARRY_DAYS days; a longer gap, or a day after the file's last rate, is an error.
 * The ECB has no rate for KWD or BTC: those always come from ILLUSTRATIVE below, marked as such.
 * Rates are inverted exactly (BigInt), rounded half-up to 10 decimals (the seed's DECIMAL(18,10)).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SEED_CSV = join(ROOT, 'models', 'seeds', 'fx_rates.csv');
export const SCALE = 10;
export const MAX_CARRY_DAYS = 7;
const SECONDARY_2025_02_28 = 'ECB euro reference rate of 2025-02-28 as republished by eurodripusa.net (not checked against ecb.europa.eu)';

/**
 * Constant rates, in units of the currency per 1 EUR, used where no ECB file was read (and always
 * for KWD and BTC, which the ECB does not publish). ILLUSTRATIVE: not the rate of the day.
 */
export const ILLUSTRATIVE = {
  USD: { unitsPerEur: '1.0411', from: SECONDARY_2025_02_28 },
  JPY: { unitsPerEur: '156.96', from: SECONDARY_2025_02_28 },
  GBP: { unitsPerEur: '0.82608', from: SECONDARY_2025_02_28 },
  CAD: { unitsPerEur: '1.5019', from: SECONDARY_2025_02_28 },
  BRL: { unitsPerEur: '6.0712', from: SECONDARY_2025_02_28 },
  KWD: { unitsPerEur: '0.3207', from: 'no ECB rate for KWD; about 0.308 KWD per USD (unsourced, approximate) times the USD rate above' },
  BTC: { unitsPerEur: '0.0000125', from: 'no ECB rate for BTC (not a currency the ECB fixes); placeholder of 80,000 EUR per BTC, not a market price' },
};

/** Every currency the platform's jurisdictions use, and EUR, sorted. */
export function platformCurrencies(jurisdictionsConfig) {
  const all = new Set(['EUR']);
  for (const j of jurisdictionsConfig.jurisdictions) for (const c of j.currencies) all.add(c);
  return [...all].sort();
}

/** The ECB history as currency -> [[date, unitsPerEur]] ascending by date; N/A and blanks skipped. */
export function parseEcbHistory(text) {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0]?.split(',').map((h) => h.trim());
  if (!header || header[0] !== 'Date') throw new Error('not an ECB eurofxref-hist.csv: the first column must be Date');
  const byCurrency = new Map();
  for (const line of lines.slice(1)) {
    const cells = line.split(',').map((c) => c.trim());
    const date = cells[0];
    if (!/^\d{4}-\d\d-\d\d$/.test(date)) throw new Error(`bad date ${JSON.stringify(date)} in: ${line.slice(0, 60)}`);
    for (let i = 1; i < header.length; i++) {
      const currency = header[i];
      const value = cells[i];
      if (!currency || !value || value === 'N/A') continue;
      if (!/^\d+(\.\d+)?$/.test(value)) throw new Error(`bad ${currency} rate ${JSON.stringify(value)} on ${date}`);
      if (!byCurrency.has(currency)) byCurrency.set(currency, []);
      byCurrency.get(currency).push([date, value]);
    }
  }
  for (const series of byCurrency.values()) series.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return byCurrency;
}

/** 1 / unitsPerEur as a decimal string with SCALE decimals, rounded half-up, computed exactly. */
export function invertRate(unitsPerEur) {
  const [int, frac = ''] = unitsPerEur.split('.');
  const denominator = BigInt(int + frac);
  if (denominator <= 0n) throw new Error(`rate must be positive: ${unitsPerEur}`);
  const numerator = 10n ** BigInt(SCALE + frac.length);
  const q = (numerator * 2n + denominator) / (denominator * 2n);
  const s = q.toString().padStart(SCALE + 1, '0');
  return `${s.slice(0, -SCALE)}.${s.slice(-SCALE)}`;
}

/** Every day from `from` to `to` inclusive, as YYYY-MM-DD (UTC). */
export function daysBetween(from, to) {
  const days = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  if (days.length === 0 || days.length > 3660) throw new Error(`bad range ${from} .. ${to} (1 to 3660 days)`);
  return days;
}

const dayDiff = (a, b) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);

/** The seed's rows: ECB rates where the history has the currency, ILLUSTRATIVE otherwise (or for all without one). */
export function buildFxRows({ currencies, from, to, ecb = null }) {
  const rows = [];
  for (const currency of currencies) {
    const series = ecb?.get(currency);
    let i = -1;
    for (const day of daysBetween(from, to)) {
      if (currency === 'EUR') {
        rows.push({ rate_date: day, currency, rate_to_eur: invertRate('1'), carried_forward: false, source: 'EUR is the base currency' });
        continue;
      }
      if (!series) {
        const c = ILLUSTRATIVE[currency];
        if (!c) throw new Error(`no ECB rate and no illustrative constant for ${currency}: add one to ILLUSTRATIVE`);
        const why = ecb ? 'not in the ECB file' : 'no ECB file read yet';
        rows.push({ rate_date: day, currency, rate_to_eur: invertRate(c.unitsPerEur), carried_forward: false, source: `ILLUSTRATIVE constant (${why}): ${c.unitsPerEur} ${currency} per EUR, ${c.from}` });
        continue;
      }
      while (i + 1 < series.length && series[i + 1][0] <= day) i++;
      if (i < 0) throw new Error(`${currency}: the ECB file has no rate on or before ${day}`);
      const [rateDay, unitsPerEur] = series[i];
      const gap = dayDiff(rateDay, day);
      if (gap > 0 && i === series.length - 1) throw new Error(`${currency}: ${day} is after the file's last rate (${rateDay}); download a newer file`);
      if (gap > MAX_CARRY_DAYS) throw new Error(`${currency}: no ECB rate for ${gap} days before ${day} (more than ${MAX_CARRY_DAYS})`);
      rows.push({
        rate_date: day,
        currency,
        rate_to_eur: invertRate(unitsPerEur),
        carried_forward: gap > 0,
        source: gap > 0
          ? `ECB euro reference rate of ${rateDay} (${unitsPerEur} ${currency} per EUR) carried forward: no ECB rate on ${day} (weekend or TARGET holiday)`
          : `ECB euro reference rate of ${rateDay} (${unitsPerEur} ${currency} per EUR), inverted`,
      });
    }
  }
  return rows;
}

const quote = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v));

/** The CSV, columns in the order of the seed's declared `columns`. */
export function toCsv(rows) {
  const cols = ['rate_date', 'currency', 'rate_to_eur', 'carried_forward', 'source'];
  return [cols.join(','), ...rows.map((r) => cols.map((c) => quote(r[c])).join(','))].join('\n') + '\n';
}

function main(argv) {
  const opt = (name, dflt) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : dflt;
  };
  const from = opt('--from', '2026-01-01');
  const to = opt('--to', '2026-12-31');
  const out = resolve(opt('--out', SEED_CSV));
  const illustrative = argv.includes('--illustrative');
  const file = argv.find((a, i) => !a.startsWith('--') && !['--from', '--to', '--out'].includes(argv[i - 1]));
  if (!illustrative && !file) {
    console.error('usage: npm run fx:seed -- <eurofxref-hist.csv> [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--out <csv>]\n       npm run fx:seed -- --illustrative');
    return 2;
  }
  const currencies = platformCurrencies(JSON.parse(readFileSync(join(ROOT, 'config', 'jurisdictions.json'), 'utf8')));
  const ecb = illustrative ? null : parseEcbHistory(readFileSync(file, 'utf8'));
  const rows = buildFxRows({ currencies, from, to, ecb });
  writeFileSync(out, toCsv(rows));
  const fromEcb = rows.filter((r) => r.source.startsWith('ECB')).length;
  console.log(`${out}: ${rows.length} rows, ${currencies.join(' ')}, ${from} .. ${to}; ${fromEcb} from the ECB file, ${rows.filter((r) => r.source.startsWith('ILLUSTRATIVE')).length} illustrative`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    console.error(`fx:seed: ${err.message}`);
    process.exitCode = 1;
  }
}
