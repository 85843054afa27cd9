/**
 * The report engine: one ReportDefinition + parameters -> one ReportDocument, every figure read
 * from the marts of an environment (prod by default), typed, with its totals computed here once
 * (renderers never sum). Bad input and a period the marts do not yet cover are ReportInputErrors,
 * thrown before anything is produced; the engine only reads (the CLI writes files after it).
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { BRANDS } from '../../domain/brands';
import { jurisdictionConfig } from '../../domain/jurisdictions';
import { isCurrency } from '../../domain/money';
import { envRelation, PROD, quoteIdent } from '../runner/names';
import { ReportDefinitionError, wherePredicateProblem, type ColumnDef, type ParameterName, type ReportDefinition, type SectionDef } from './definition';
import type { Cell, Chart, ChartSeries, ModelVersion, MoneyCell, ReportDocument, ReportParams, Section, TotalsRow } from './document';
import { ReportInputError } from './errors';
import { freshnessReader } from './freshness';
import { minorToDecimal } from './money';
import { parsePeriod } from './period';

export interface BuildOptions {
  /** The clock: generated_at, and what "ended" means for the period (checked by parsePeriod). */
  now: Date;
  /** Runner environment whose marts are read (default prod). */
  env?: string;
  /**
   * Shared by the documents of one export (buildCache()): what every document reads the same from
   * an unchanged warehouse (the runner's state, the marts' column types, the latest event, a
   * period's missing days) is read once. Only for documents built over the same connection with
   * nothing written between them.
   */
  cache?: BuildCache;
}

/** What the documents of one export share (BuildOptions.cache). */
export interface BuildCache {
  freshness: Map<string, ReturnType<typeof freshnessReader>>;
  columns: Map<string, Promise<Map<string, string>>>;
  eventsThrough?: Promise<unknown>;
  missingDays: Map<string, Promise<string[]>>;
}

export const buildCache = (): BuildCache => ({ freshness: new Map(), columns: new Map(), missingDays: new Map() });

/** `key`'s value from `map`, made by `make` the first time (the promise is kept, so concurrent asks share it). */
function once<T>(map: Map<string, Promise<T>> | undefined, key: string, make: () => Promise<T>): Promise<T> {
  if (!map) return make();
  let p = map.get(key);
  if (!p) map.set(key, (p = make()));
  return p;
}

const AUDIENCE_NAMES: Record<ReportDefinition['audience'], string> = { regulator: 'Regulator', management: 'Management', compliance: 'Compliance' };

/** Checks the parameters against the definition and the configuration (codes: missing_parameter, unknown_parameter, unknown_jurisdiction, unknown_brand, unknown_currency, bad_period). */
export function checkParams(def: ReportDefinition, params: ReportParams): void {
  if (params.period.kind !== def.period) {
    throw new ReportInputError('bad_period', `report ${def.id} covers a ${def.period}; period ${params.period.label} is a ${params.period.kind}`);
  }
  for (const name of ['jurisdiction', 'brand', 'currency'] as const) {
    const value = params[name];
    const declared = def.parameters[name];
    if (value === undefined) {
      if (declared?.required) throw new ReportInputError('missing_parameter', `report ${def.id} needs --${name}`);
      continue;
    }
    if (!declared) throw new ReportInputError('unknown_parameter', `report ${def.id} takes no --${name} (its parameters: ${Object.keys(def.parameters).join(', ') || 'none'})`);
  }
  const ids = jurisdictionConfig.jurisdictions.map((j) => j.id);
  if (params.jurisdiction !== undefined && !ids.includes(params.jurisdiction)) {
    throw new ReportInputError('unknown_jurisdiction', `unknown jurisdiction '${params.jurisdiction}' (config/jurisdictions.json: ${ids.join(', ')})`);
  }
  if (params.brand !== undefined && !BRANDS.some((b) => b.id === params.brand)) {
    throw new ReportInputError('unknown_brand', `unknown brand '${params.brand}' (config/brands.json: ${BRANDS.map((b) => b.id).join(', ')})`);
  }
  if (params.currency !== undefined && !isCurrency(params.currency)) {
    throw new ReportInputError('unknown_currency', `unknown currency '${params.currency}'`);
  }
}

/** Who the cover addresses: the jurisdiction's regulator when the run has one, else the definition's audience. */
export function audienceOf(def: ReportDefinition, params: ReportParams): string {
  const j = params.jurisdiction === undefined ? undefined : jurisdictionConfig.jurisdictions.find((x) => x.id === params.jurisdiction);
  return j ? j.regulator : AUDIENCE_NAMES[def.audience];
}

export async function buildDocument(con: DuckDBConnection, def: ReportDefinition, params: ReportParams, opts: BuildOptions): Promise<ReportDocument> {
  const env = opts.env ?? PROD;
  checkParams(def, params);
  if (Date.parse(`${params.period.end}T00:00:00Z`) > opts.now.getTime()) {
    throw new ReportInputError('future_period', `period ${params.period.label} has not ended at ${opts.now.toISOString()}`);
  }
  // The warehouse's timestamps are UTC; the connection is set so whatever opened it.
  await con.run("set TimeZone = 'UTC'");

  // Freshness first: a stale period is refused before any section is read.
  const cache = opts.cache;
  const fresh = await once(cache?.freshness, env, () => freshnessReader(con, env));
  const periodEnd = Date.parse(`${params.period.end}T00:00:00Z`);
  const marts = [...new Set(def.sections.map((s) => s.from))].sort();
  const models: ModelVersion[] = [];
  const stale: string[] = [];
  for (const m of marts) {
    const f = fresh(m);
    if (f.version === undefined) { stale.push(`${m} is not in environment ${env} (plan it first)`); continue; }
    if (f.through < periodEnd) stale.push(`${m} is fresh only through ${Number.isFinite(f.through) ? new Date(f.through).toISOString() : 'never (not built)'}`);
    models.push({ model: m, version: f.version, fresh_through: new Date(Number.isFinite(f.through) ? f.through : opts.now.getTime()).toISOString() });
  }
  if (stale.length > 0) {
    throw new ReportInputError('stale_models', `report ${def.id} for ${params.period.label} needs its marts fresh through ${params.period.end}T00:00:00Z: ${stale.join('; ')}. Run \`npm run wh -- run\` and try again`);
  }

  const sections: Section[] = [];
  for (const s of def.sections) sections.push(await buildSection(con, def, s, params, env, cache));

  const readEventsThrough = async () => (await con.runAndReadAll('select epoch_ms(max(occurred_at)) from raw.events')).getRows()[0]?.[0];
  const eventsThrough = cache ? await (cache.eventsThrough ??= readEventsThrough()) : await readEventsThrough();
  return {
    report_id: def.id,
    title: def.title,
    audience: audienceOf(def, params),
    params,
    generated_at: opts.now.toISOString(),
    events_through: eventsThrough === null || eventsThrough === undefined ? '' : new Date(Number(eventsThrough)).toISOString(),
    models,
    missing_days: [...await once(cache?.missingDays, `${params.period.start}/${params.period.end}`, () => missingDays(con, params.period.start, params.period.end))],
    sections,
    footnotes: [...def.footnotes],
  };
}

/** Days of [start, end) on which raw.events holds no event at all: a gap in the feed. */
export async function missingDays(con: DuckDBConnection, start: string, end: string): Promise<string[]> {
  // one pass over the period's events (a range scan on occurred_at), then the calendar minus those days
  const r = await con.runAndReadAll(`
    with seen as (
      select distinct cast(occurred_at as date) as d from raw.events
      where occurred_at >= cast($1 as timestamp) and occurred_at < cast($2 as timestamp)
    )
    select strftime(t.d, '%Y-%m-%d') from range(cast($1 as timestamp), cast($2 as timestamp), interval 1 day) as t(d)
    where cast(t.d as date) not in (select d from seen)
    order by t.d`, [start, end]);
  return r.getRows().map((row) => String(row[0]));
}

/** Types DuckDB calls the mart's columns, by name. */
async function martColumns(con: DuckDBConnection, relation: string): Promise<Map<string, string>> {
  const r = await con.runAndReadAll(`describe select * from ${relation}`);
  return new Map(r.getRows().map((row) => [String(row[0]), String(row[1])]));
}

const INTEGER_TYPE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/;

/** A decimal text (`-12.345`, `7`, `1.5e-05` is not produced: we cast to DECIMAL first) to an integer at `scale`, half away from zero. */
export function toScaled(text: string, scale: number): bigint {
  const negative = text.startsWith('-');
  const [whole = '0', frac = ''] = (negative ? text.slice(1) : text).split('.');
  const kept = BigInt(`${whole}${frac.slice(0, scale).padEnd(scale, '0')}` || '0');
  const roundUp = (frac[scale] ?? '0') >= '5';
  const magnitude = kept + (roundUp ? 1n : 0n);
  return negative ? -magnitude : magnitude;
}

const scaledToNumber = (v: bigint, scale: number) => Number(minorToDecimal(v, scale));

/**
 * The one `select` a section reads: its columns typed for JS (money with its currency and exponent
 * beside it), the period and filters as `$n` parameters (values in order), the `where` ANDed, ordered
 * by `order_by` then every output column. Exported so bench/w3 times DuckDB alone on the same query.
 */
export function sectionQuery(s: SectionDef, params: ReportParams, relation: string, types: Map<string, string>): { sql: string; values: DuckDBValue[] } {
  // Select list: each column typed for JS (money with its currency and exponent beside it).
  const select: string[] = [];
  for (const c of s.columns) {
    const q = quoteIdent(c.name);
    const t = types.get(c.name)!;
    switch (c.type) {
      case 'text': select.push(`cast(${q} as varchar)`); break;
      case 'integer': select.push(`cast(${q} as hugeint)`); break;
      case 'money': select.push(`cast(${q} as hugeint)`, `cast(${quoteIdent(c.currency!)} as varchar)`, `cast(${quoteIdent(c.exponent!)} as integer)`); break;
      // exact text: DECIMAL and integers as they are, a DOUBLE through DECIMAL (never scientific notation)
      case 'decimal': select.push(/^(DECIMAL|NUMERIC)|INT/.test(t) ? `cast(${q} as varchar)` : `cast(cast(${q} as decimal(38, 12)) as varchar)`); break;
      case 'percent': select.push(`cast(${q} as double)`); break;
      case 'date': select.push(`strftime(cast(${q} as date), '%Y-%m-%d')`); break;
      case 'timestamp': select.push(`strftime(cast(${q} as timestamp), '%Y-%m-%dT%H:%M:%S.%g') || 'Z'`); break;
      case 'boolean': select.push(`cast(${q} as boolean)`); break;
    }
  }
  const values: DuckDBValue[] = [params.period.start, params.period.end];
  const where = [`${quoteIdent(s.period_column)} >= cast($1 as date)`, `${quoteIdent(s.period_column)} < cast($2 as date)`];
  for (const [col, param] of Object.entries(s.filters) as [string, ParameterName][]) {
    const v = params[param];
    if (v === undefined) continue;
    values.push(v);
    where.push(`${quoteIdent(col)} = $${values.length}`);
  }
  if (s.where !== undefined) where.push(`(${s.where})`);
  const order = [...s.order_by.map((o) => { const [col, dir] = o.split(/\s+/); return `${quoteIdent(col!)}${dir ? ` ${dir.toLowerCase()}` : ''}`; }),
    // then every output column: the same data always gives the same document
    ...select.map((_, i) => String(i + 1))];
  const sql = `select ${select.join(', ')} from ${relation} where ${where.join(' and ')} order by ${order.join(', ')}`;
  return { sql, values };
}

async function buildSection(con: DuckDBConnection, def: ReportDefinition, s: SectionDef, params: ReportParams, env: string, cache?: BuildCache): Promise<Section> {
  const relation = envRelation(s.from, env);
  const types = await once(cache?.columns, relation, () => martColumns(con, relation));
  const refuse = (message: string): never => { throw new ReportDefinitionError(`section ${s.id}: ${message} (${s.from} has: ${[...types.keys()].join(', ')})`, def.file, s.line); };
  const need = (col: string, what: string) => { if (!types.has(col)) refuse(`${what} '${col}' is not a column of ${s.from}`); };
  need(s.period_column, 'period_column');
  for (const c of s.columns) {
    need(c.name, 'column');
    if (c.type === 'money') {
      need(c.currency!, `column ${c.name}: currency`);
      need(c.exponent!, `column ${c.name}: exponent`);
      // minor units are whole: a DECIMAL "minor" column (duty_exact_minor) would be rounded silently
      if (!INTEGER_TYPE.test(types.get(c.name)!)) refuse(`money column ${c.name} is ${types.get(c.name)} in the mart; money is integer minor units`);
    }
  }
  for (const col of Object.keys(s.filters)) need(col, 'filter column');
  for (const o of s.order_by) need(o.split(/\s+/)[0]!, 'order_by column');
  if (s.where !== undefined) {
    const problem = wherePredicateProblem(s.where);
    if (problem) refuse(`where ${problem}`);
  }

  const { sql, values } = sectionQuery(s, params, relation, types);
  const result = await con.runAndReadAll(sql, values);

  const rows: Cell[][] = [];
  /** Per row, the currency of the totalled money columns (they share one currency column). */
  const rowCurrency: (string | null)[] = [];
  /** Decimal cells as scaled integers, for exact totals. */
  const scaled: (bigint | null)[][] = [];
  const totalMoney = s.columns.find((c) => c.type === 'money' && c.total);
  for (const raw of result.getRows()) {
    let k = 0;
    const cells: Cell[] = [];
    const sc: (bigint | null)[] = [];
    let currency: string | null = null;
    for (const c of s.columns) {
      const v = raw[k++];
      if (c.type === 'money') {
        const cur = raw[k++] as string | null;
        const exp = raw[k++] as number | null;
        if (v === null) cells.push(null);
        else {
          if (cur === null || exp === null) throw new Error(`${s.from}: ${c.name} has an amount without ${cur === null ? c.currency : c.exponent}`);
          cells.push({ minor: BigInt(v as bigint), currency: cur, exponent: Number(exp) } satisfies MoneyCell);
        }
        if (c === totalMoney || (totalMoney && c.currency === totalMoney.currency && currency === null)) currency = cur;
        sc.push(null);
      } else if (c.type === 'decimal') {
        const n = v === null ? null : toScaled(String(v), c.scale ?? 0);
        sc.push(n);
        cells.push(n === null ? null : scaledToNumber(n, c.scale ?? 0));
      } else {
        sc.push(null);
        cells.push(c.type === 'integer' ? (v === null ? null : BigInt(v as bigint)) : (v as Cell));
      }
    }
    rows.push(cells);
    scaled.push(sc);
    rowCurrency.push(currency);
  }

  const section: Section = { id: s.id, title: s.title, columns: s.columns.map(({ name, label, type, scale, total }) => ({ name, label, type, ...(scale === undefined ? {} : { scale }), ...(total ? { total } : {}) })), rows, totals: totals(s, rows, scaled, rowCurrency) };
  if (s.description !== undefined) section.description = s.description;
  if (s.chart) section.chart = chart(s, rows);
  if (s.empty_text !== undefined) section.empty_text = s.empty_text;
  return section;
}

/** One totals row per currency of the totalled money columns (one row when none is money); nothing for an empty table. */
function totals(s: SectionDef, rows: Cell[][], scaled: (bigint | null)[][], rowCurrency: (string | null)[]): TotalsRow[] {
  if (rows.length === 0 || !s.columns.some((c) => c.total)) return [];
  const perCurrency = s.columns.some((c) => c.type === 'money' && c.total);
  const groups = new Map<string, number[]>();
  rows.forEach((_, i) => {
    const key = perCurrency ? rowCurrency[i] ?? '' : '';
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  return [...groups.keys()].sort().map((key) => {
    const idx = groups.get(key)!;
    const cells = s.columns.map((c: ColumnDef, j): Cell => {
      if (!c.total) return null;
      if (c.type === 'money') {
        let sum = 0n;
        let exponent: number | undefined;
        let currency: string | undefined;
        for (const i of idx) {
          const m = rows[i]![j] as MoneyCell | null;
          if (m === null) continue;
          if (currency !== undefined && (m.currency !== currency || m.exponent !== exponent)) {
            throw new Error(`section ${s.id}: ${c.name} mixes ${currency}/${exponent} and ${m.currency}/${m.exponent} in one totals row`);
          }
          currency = m.currency;
          exponent = m.exponent;
          sum += m.minor;
        }
        return currency === undefined ? null : { minor: sum, currency, exponent: exponent! };
      }
      if (c.type === 'integer') {
        const present = idx.map((i) => rows[i]![j]).filter((v): v is bigint => v !== null);
        return present.length === 0 ? null : present.reduce((a, b) => a + b, 0n);
      }
      const present = idx.map((i) => scaled[i]![j]).filter((v): v is bigint => v !== null && v !== undefined);
      return present.length === 0 ? null : scaledToNumber(present.reduce((a, b) => a + b, 0n), c.scale ?? 0);
    });
    return perCurrency && key !== '' ? { label: `Total ${key}`, currency: key, cells } : { label: 'Total', cells };
  });
}

const label = (v: Cell): string => (v === null ? '(none)' : typeof v === 'object' ? `${minorToDecimal(v.minor, v.exponent)} ${v.currency}` : String(v));

/**
 * The section's chart: one category per distinct x value (rows sharing it are added up, e.g. a game
 * type's EUR and BTC rows of an EUR column); money in major units, and when a money series spans
 * several currencies the category carries the currency, so no bar adds EUR to BTC.
 */
function chart(s: SectionDef, rows: Cell[][]): Chart {
  const spec = s.chart!;
  const xi = s.columns.findIndex((c) => c.name === spec.x);
  const ys = spec.y.map((y) => s.columns.findIndex((c) => c.name === y));
  const currencies = new Set(rows.flatMap((r) => ys.map((j) => r[j]).filter((v): v is MoneyCell => typeof v === 'object' && v !== null && 'minor' in v).map((m) => m.currency)));
  const split = currencies.size > 1;
  // sums kept exact as integers at each series' scale (money: its exponent; decimal: its scale), so
  // a chart bar is the same number as the table's figures added up, not a float's approximation
  const scaleOf = (j: number, v: Cell): number => (typeof v === 'object' && v !== null ? (v as MoneyCell).exponent : s.columns[j]!.type === 'decimal' ? s.columns[j]!.scale ?? 0 : 0);
  const categories: string[] = [];
  const sums = new Map<string, { exact: bigint; scale: number; float: number }[]>();
  for (const r of rows) {
    const money = ys.map((j) => r[j]).find((v): v is MoneyCell => typeof v === 'object' && v !== null && 'minor' in v);
    const cat = split && money ? `${label(r[xi]!)} (${money.currency})` : label(r[xi] ?? null);
    if (!sums.has(cat)) { categories.push(cat); sums.set(cat, ys.map((j) => ({ exact: 0n, scale: s.columns[j]!.type === 'decimal' ? s.columns[j]!.scale ?? 0 : 0, float: 0 }))); }
    const acc = sums.get(cat)!;
    ys.forEach((j, k) => {
      const v = r[j];
      const a = acc[k]!;
      if (v === null || v === undefined) return;
      if (s.columns[j]!.type === 'percent') { a.float += Number(v); return; }
      a.scale = scaleOf(j, v);
      a.exact += typeof v === 'object' ? (v as MoneyCell).minor : typeof v === 'bigint' ? v : toScaled(String(v), a.scale);
    });
  }
  const value = (a: { exact: bigint; scale: number; float: number }) => a.float + Number(minorToDecimal(a.exact, a.scale));
  const series: ChartSeries[] = ys.map((j, k) => ({ label: s.columns[j]!.label, values: categories.map((c) => value(sums.get(c)![k]!)) }));
  return { kind: spec.kind, title: spec.title, categories, series, unit: spec.unit };
}

/** The CLI's flags to ReportParams: the period parsed for the definition's kind (bad_period, future_period), the rest checked (checkParams). */
export function reportParams(def: ReportDefinition, flags: { period: string; jurisdiction?: string; brand?: string; currency?: string }, now: Date): ReportParams {
  const params: ReportParams = { period: parsePeriod(flags.period, def.period, now) };
  if (flags.jurisdiction !== undefined) params.jurisdiction = flags.jurisdiction.toUpperCase();
  if (flags.brand !== undefined) params.brand = flags.brand;
  if (flags.currency !== undefined) params.currency = flags.currency.toUpperCase();
  checkParams(def, params);
  return params;
}
