/**
 * The `MODEL (...)` and `AUDIT (...)` headers, in SQLMesh's own syntax so that a SQLMesh model file
 * parses unchanged: `key value` properties separated by commas (a trailing comma allowed), values
 * that are names, 'strings', numbers, booleans, `[arrays]`, `(tuples)`, calls (`not_null(columns :=
 * [a])`) and nested groups (`kind INCREMENTAL_BY_TIME_RANGE (time_column d, batch_size 7)`). Keys
 * and kinds are case-insensitive. The header ends with `);`; the rest of the file is the query.
 *
 * Parsing happens in two steps: a generic term parser (this file's first half) that only knows
 * brackets and commas, then an interpreter per property that says exactly what was expected.
 */
import { identValue, lineAt, nextToken, type Token } from './sql-text';
import { type AuditArg, type AuditDef, type AuditRef, INTERVAL_UNIT_NAMES, type Kind, ModelError, type ModelDef } from '../types';

/** A value in a header: brackets are parsed, everything else is a token. */
type Term =
  | { t: 'word'; text: string; start: number; end: number } // name, dotted name, keyword, @macro, quoted identifier
  | { t: 'string'; value: string; start: number; end: number }
  | { t: 'number'; value: number; start: number; end: number }
  | { t: 'op'; text: string; start: number; end: number }
  | { t: 'array'; items: Term[][]; start: number; end: number }
  | { t: 'group'; items: Term[][]; start: number; end: number }
  /** A name followed by a group (`not_null(...)`, `SEED (path 'x')`, `DECIMAL(10,2)`). */
  | { t: 'call'; name: string; items: Term[][]; start: number; end: number; argsStart: number };

class Reader {
  private pos: number;
  constructor(readonly text: string, readonly file: string, start: number) { this.pos = start; }

  error(message: string, at: number): ModelError {
    return new ModelError(message, { file: this.file, line: lineAt(this.text, at) });
  }

  peek(): Token | null {
    const t = nextToken(this.text, this.pos);
    if (t?.unterminated) throw this.error(`unterminated ${t.kind === 'string' ? 'string' : 'quoted name'} in the header`, t.start);
    return t;
  }

  take(): Token | null {
    const t = this.peek();
    if (t) this.pos = t.end;
    return t;
  }

  get offset(): number { return this.pos; }

  /** Items of a bracketed list whose opening bracket was just taken, up to the matching `close`. */
  items(close: ')' | ']', open: Token): Term[][] {
    const items: Term[][] = [];
    let item: Term[] = [];
    for (;;) {
      const t = this.peek();
      if (!t) throw this.error(`'${open.text}' is never closed`, open.start);
      if (t.text === close) { this.take(); break; }
      if (t.text === ',') { this.take(); items.push(item); item = []; continue; }
      if (t.text === ')' || t.text === ']' || t.text === ';') throw this.error(`unexpected '${t.text}' (the '${open.text}' opened on line ${lineAt(this.text, open.start)} is not closed)`, t.start);
      item.push(this.term());
    }
    if (item.length > 0) items.push(item);
    return items;
  }

  term(): Term {
    const t = this.take()!;
    if (t.text === '(') { const items = this.items(')', t); return { t: 'group', items, start: t.start, end: this.pos }; }
    if (t.text === '[') { const items = this.items(']', t); return { t: 'array', items, start: t.start, end: this.pos }; }
    if (t.kind === 'string') return { t: 'string', value: t.text.slice(1, -1).replaceAll("''", "'"), start: t.start, end: t.end };
    if (t.kind === 'number') return { t: 'number', value: Number(t.text), start: t.start, end: t.end };
    if (t.kind === 'ident' || t.kind === 'quoted' || t.kind === 'macro') {
      let text = t.kind === 'quoted' ? identValue(t) : t.text;
      let end = t.end;
      // A dotted name (`sushi.customers`) is one word.
      for (let dot = this.peek(); dot?.text === '.' && dot.start === end;) {
        this.take();
        const part = this.take();
        if (!part || (part.kind !== 'ident' && part.kind !== 'quoted')) throw this.error(`expected a name after '.'`, dot.start);
        text += `.${part.kind === 'quoted' ? identValue(part) : part.text}`;
        end = part.end;
        dot = this.peek();
      }
      const next = this.peek();
      if (next?.text === '(' && t.kind !== 'macro') {
        this.take();
        const items = this.items(')', next);
        return { t: 'call', name: text, items, start: t.start, end: this.pos, argsStart: next.start };
      }
      return { t: 'word', text, start: t.start, end };
    }
    return { t: 'op', text: t.text, start: t.start, end: t.end };
  }
}

/** The `MODEL (` or `AUDIT (` keyword at `pos` (after comments), or null. */
interface HeaderStart { keyword: Token; open: Token }
function headerStart(text: string, pos: number, keyword: 'model' | 'audit'): HeaderStart | null {
  const k = nextToken(text, pos);
  if (!k || k.kind !== 'ident' || k.text.toLowerCase() !== keyword) return null;
  const open = nextToken(text, k.end);
  return open?.text === '(' ? { keyword: k, open } : null;
}

/** Parses `KEYWORD ( ... );` from `pos`: the property items and the offset just after the `;`. */
function parseHeader(r: Reader, keyword: 'MODEL' | 'AUDIT'): { items: Term[][]; end: number } {
  r.take();
  const open = r.take()!;
  const items = r.items(')', open);
  const semi = r.peek();
  if (semi?.text !== ';') throw r.error(`the ${keyword} (...) header must end with ');'`, semi?.start ?? r.text.length);
  r.take();
  return { items: items.filter((i) => i.length > 0), end: r.offset };
}

/** A header property: `key value...`, or `key(...)` written as a call. */
interface Property { key: string; value: Term[]; at: number }

function properties(r: Reader, items: Term[][], what: string): Property[] {
  return items.map((item) => {
    const first = item[0]!;
    if (first.t === 'call' && item.length === 1) return { key: first.name.toLowerCase(), value: [{ t: 'group', items: first.items, start: first.argsStart, end: first.end }], at: first.start };
    if (first.t !== 'word' || item.length < 2) throw r.error(`expected a ${what} property as 'name value', got '${raw(r, item)}'`, first.start);
    return { key: first.text.toLowerCase(), value: item.slice(1), at: first.start };
  });
}

const raw = (r: Reader, terms: Term[]) => r.text.slice(terms[0]!.start, terms[terms.length - 1]!.end);

// ---- value interpreters: each names what it expected ----

function single(r: Reader, p: Property): Term {
  if (p.value.length !== 1) throw r.error(`${p.key}: expected one value, got '${raw(r, p.value)}'`, p.at);
  return p.value[0]!;
}

function text(r: Reader, p: Property): string {
  const v = single(r, p);
  if (v.t === 'string') return v.value;
  if (v.t === 'word') return v.text;
  throw r.error(`${p.key}: expected a name or a 'string', got '${raw(r, p.value)}'`, v.start);
}

function bool(r: Reader, p: Property): boolean {
  const v = single(r, p);
  const s = v.t === 'word' || v.t === 'string' ? (v.t === 'word' ? v.text : v.value).toLowerCase() : '';
  if (s === 'true') return true;
  if (s === 'false') return false;
  throw r.error(`${p.key}: expected true or false, got '${raw(r, p.value)}'`, v.start);
}

function count(r: Reader, p: Property, min: number): number {
  const v = single(r, p);
  if (v.t === 'number' && Number.isInteger(v.value) && v.value >= min) return v.value;
  throw r.error(`${p.key}: expected an integer >= ${min}, got '${raw(r, p.value)}'`, v.start);
}

/** `[a, b]`, `(a, b)` or a single `a`: a list of names or strings. */
function names(r: Reader, p: Property): string[] {
  const v = single(r, p);
  const items = v.t === 'array' || v.t === 'group' ? v.items : [[v]];
  return items.map((item) => {
    const only = item.length === 1 ? item[0]! : null;
    if (only?.t === 'word') return only.text.toLowerCase();
    if (only?.t === 'string') return only.value;
    throw r.error(`${p.key}: expected names, got '${raw(r, item)}'`, item[0]!.start);
  });
}

/** `(a = 'x', b = 'y')`: assignments inside a group. */
function assignments(r: Reader, p: Property): { key: string; value: Term[]; at: number }[] {
  const v = single(r, p);
  if (v.t !== 'group') throw r.error(`${p.key}: expected (name = value, ...), got '${raw(r, p.value)}'`, v.start);
  return v.items.map((item) => {
    const [k, eq, ...rest] = item;
    if (k?.t !== 'word' || eq?.t !== 'op' || (eq.text !== '=' && eq.text !== ':=') || rest.length === 0) {
      throw r.error(`${p.key}: expected name = value, got '${raw(r, item)}'`, item[0]!.start);
    }
    return { key: k.text.toLowerCase(), value: rest, at: k.start };
  });
}

/** A header value as plain data for `extra` (names and strings as strings, lists as arrays, anything else as its text). */
function plain(r: Reader, terms: Term[]): unknown {
  if (terms.length !== 1) return raw(r, terms);
  const v = terms[0]!;
  if (v.t === 'word') return /^(true|false)$/i.test(v.text) ? v.text.toLowerCase() === 'true' : v.text;
  if (v.t === 'string' || v.t === 'number') return v.value;
  if (v.t === 'array') return v.items.map((i) => plain(r, i));
  return raw(r, terms);
}

/**
 * An audit argument: a name -> string, number -> number, true/false -> boolean, null -> null,
 * [a, b] or (a, b) -> array, a 'string literal' or any other expression -> `{ sql }` as written
 * (so `accepted_values(column := status, is_in := ('won', 'lost'))` keeps the quotes it needs).
 */
function auditArg(r: Reader, terms: Term[]): AuditArg {
  const [sign, n] = terms;
  if (terms.length === 2 && sign?.t === 'op' && sign.text === '-' && n?.t === 'number') return -n.value;
  if (terms.length === 1) {
    const v = terms[0]!;
    if (v.t === 'word') {
      const lower = v.text.toLowerCase();
      return lower === 'true' ? true : lower === 'false' ? false : lower === 'null' ? null : v.text;
    }
    if (v.t === 'number') return v.value;
    if (v.t === 'array' || v.t === 'group') return v.items.map((i) => auditArg(r, i));
  }
  return { sql: raw(r, terms) };
}

const NON_BLOCKING = '_non_blocking';

function audits(r: Reader, p: Property): AuditRef[] {
  const v = single(r, p);
  const items = v.t === 'group' || v.t === 'array' ? v.items : [[v]];
  return items.map((item) => {
    const a = item.length === 1 ? item[0]! : null;
    if (a?.t !== 'word' && a?.t !== 'call') throw r.error(`audits: expected an audit name or call, got '${raw(r, item)}'`, item[0]!.start);
    let name = (a.t === 'word' ? a.text : a.name).toLowerCase();
    let blocking = true;
    if (name.endsWith(NON_BLOCKING)) { name = name.slice(0, -NON_BLOCKING.length); blocking = false; }
    const args: Record<string, AuditArg> = {};
    if (a.t === 'call') {
      for (const arg of assignments(r, { key: `audit ${name}`, value: [{ t: 'group', items: a.items, start: a.argsStart, end: a.end }], at: a.start })) {
        const value = auditArg(r, arg.value);
        // SQLMesh's `blocking := false` argument says the same as the `_non_blocking` suffix.
        if (arg.key === 'blocking' && typeof value === 'boolean') blocking = value;
        else args[arg.key] = value;
      }
    }
    return { name, args, blocking };
  });
}

// ---- kinds ----

const KIND_EXTRAS: Record<string, readonly string[]> = {
  INCREMENTAL_BY_TIME_RANGE: ['batch_concurrency', 'min_intervals', 'on_destructive_change', 'on_additive_change', 'disable_restatement', 'auto_restatement_cron', 'auto_restatement_intervals', 'partition_by_time_column'],
  INCREMENTAL_BY_UNIQUE_KEY: ['when_matched', 'merge_filter', 'batch_size', 'batch_concurrency', 'lookback', 'on_destructive_change', 'on_additive_change', 'disable_restatement', 'auto_restatement_cron'],
  SEED: ['batch_size', 'csv_settings'],
  VIEW: ['materialized'],
  FULL: [],
  EXTERNAL: [],
};
const KIND_PROPS: Record<string, readonly string[]> = {
  INCREMENTAL_BY_TIME_RANGE: ['time_column', 'batch_size', 'lookback', 'forward_only'],
  INCREMENTAL_BY_UNIQUE_KEY: ['unique_key', 'forward_only'],
  SEED: ['path'],
};

function kind(r: Reader, p: Property, extra: Record<string, unknown>): Kind {
  const v = single(r, p);
  if (v.t !== 'word' && v.t !== 'call') throw r.error(`kind: expected a kind name, got '${raw(r, p.value)}'`, v.start);
  const name = (v.t === 'word' ? v.text : v.name).toUpperCase();
  if (!(name in KIND_EXTRAS)) {
    throw r.error(`kind ${name} is not supported (VIEW, FULL, INCREMENTAL_BY_TIME_RANGE, INCREMENTAL_BY_UNIQUE_KEY, SEED, EXTERNAL)`, v.start);
  }
  const props = new Map<string, Property>();
  for (const kp of v.t === 'call' ? properties(r, v.items, `kind ${name}`) : []) {
    if (!(KIND_PROPS[name] ?? []).includes(kp.key) && !KIND_EXTRAS[name]!.includes(kp.key)) {
      throw r.error(`kind ${name} has no property '${kp.key}'`, kp.at);
    }
    props.set(kp.key, kp);
    if (KIND_EXTRAS[name]!.includes(kp.key)) extra[`kind.${kp.key}`] = plain(r, kp.value);
  }
  const required = (key: string): Property => {
    const kp = props.get(key);
    if (!kp) throw r.error(`kind ${name} needs ${key}`, v.start);
    return kp;
  };
  const forwardOnly = props.has('forward_only') ? bool(r, props.get('forward_only')!) : false;
  switch (name) {
    case 'INCREMENTAL_BY_TIME_RANGE': {
      const tc = required('time_column');
      const tv = single(r, tc);
      let timeColumn: string;
      // `time_column (event_date, '%Y-%m-%d')`: the column and its format (for string-typed columns).
      if (tv.t === 'group' && tv.items.length === 2) {
        timeColumn = text(r, { ...tc, value: tv.items[0]! }).toLowerCase();
        extra['kind.time_column_format'] = text(r, { ...tc, value: tv.items[1]! });
      } else timeColumn = text(r, tc).toLowerCase();
      const batch = props.get('batch_size');
      const lookback = props.get('lookback');
      return {
        name, timeColumn, forwardOnly,
        ...(batch ? { batchSize: count(r, batch, 1) } : {}),
        lookback: lookback ? count(r, lookback, 0) : 0,
      };
    }
    case 'INCREMENTAL_BY_UNIQUE_KEY':
      return { name, uniqueKey: names(r, required('unique_key')), forwardOnly };
    case 'SEED':
      return { name, path: text(r, required('path')) };
    case 'VIEW': case 'FULL': case 'EXTERNAL':
      return { name };
    default:
      throw r.error(`kind ${name} is not supported`, v.start);
  }
}

// ---- MODEL ----

/** SQLMesh properties the runner keeps in `extra` without using them (a typo elsewhere is an error, not ignored). */
const EXTRA_PROPERTIES = new Set(['dialect', 'project', 'cron_tz', 'end', 'references', 'stamp', 'storage_format', 'partitioned_by',
  'clustered_by', 'physical_properties', 'virtual_properties', 'session_properties', 'table_format', 'physical_version',
  'gateway', 'optimize_query', 'ignored_rules', 'formatting', 'signals', 'depends_on', 'validate_query', 'retention',
  'table_properties', 'enabled', 'virtual_environment_mode', 'physical_data_type']);

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A model file: its header and query. `cron` is the project's default cron for a header without one.
 * A file without a MODEL header is a ModelError naming the file.
 */
export function parseModel(source: string, file: string, defaults: { cron: string } = { cron: '@daily' }): ModelDef {
  const start = headerStart(source, 0, 'model');
  if (!start) {
    const first = nextToken(source, 0);
    throw new ModelError('no MODEL (...) header: a model file starts with MODEL (name schema.table, kind ...);', { file, line: first ? lineAt(source, first.start) : 1 });
  }
  const r = new Reader(source, file, start.keyword.start);
  const header = parseHeader(r, 'MODEL');
  const extra: Record<string, unknown> = {};
  const def: ModelDef = {
    name: '', kind: { name: 'VIEW' }, cron: defaults.cron, grain: [], tags: [], columnDescriptions: {}, columns: {}, audits: [],
    allowPartials: false, query: source.slice(header.end), where: { file, line: lineAt(source, start.keyword.start) },
    queryLine: lineAt(source, header.end), extra,
  };
  let forwardOnly: Property | undefined;
  const seen = new Set<string>();
  for (const p of properties(r, header.items, 'MODEL')) {
    if (seen.has(p.key)) throw r.error(`${p.key} is given twice`, p.at);
    seen.add(p.key);
    switch (p.key) {
      case 'name': def.name = text(r, p).toLowerCase(); break;
      case 'kind': def.kind = kind(r, p, extra); break;
      case 'cron': def.cron = text(r, p); break;
      case 'start': {
        const s = text(r, p);
        if (!DATE.test(s)) throw r.error(`start: expected a day 'YYYY-MM-DD', got '${s}'`, p.value[0]!.start);
        def.start = s;
        break;
      }
      case 'grain': case 'grains': def.grain = names(r, p); break;
      case 'owner': def.owner = text(r, p); break;
      case 'tags': def.tags = names(r, p); break;
      case 'description': def.description = text(r, p); break;
      case 'column_descriptions':
        for (const a of assignments(r, p)) def.columnDescriptions[a.key] = text(r, { key: `column_descriptions ${a.key}`, value: a.value, at: a.at });
        break;
      case 'columns': def.columns = columns(r, p); break;
      case 'audits': def.audits = audits(r, p); break;
      case 'allow_partials': def.allowPartials = bool(r, p); break;
      case 'forward_only': forwardOnly = p; break;
      case 'interval_unit': {
        const written = text(r, p).toLowerCase();
        const unit = INTERVAL_UNIT_NAMES.find((u) => u === written);
        if (!unit) throw r.error(`interval_unit: expected one of ${INTERVAL_UNIT_NAMES.join(', ')}, got '${written}'`, p.at);
        def.intervalUnit = unit;
        break;
      }
      default:
        if (!EXTRA_PROPERTIES.has(p.key)) throw r.error(`unknown MODEL property '${p.key}'`, p.at);
        extra[p.key] = plain(r, p.value);
    }
  }
  if (!def.name) throw r.error('the MODEL header needs a name (schema.table)', start.keyword.start);
  if (forwardOnly) {
    // SQLMesh puts forward_only inside the kind; the top-level form is accepted for the same kinds.
    if (def.kind.name !== 'INCREMENTAL_BY_TIME_RANGE' && def.kind.name !== 'INCREMENTAL_BY_UNIQUE_KEY') {
      throw r.error(`forward_only applies to incremental kinds, not ${def.kind.name}`, forwardOnly.at);
    }
    def.kind.forwardOnly = bool(r, forwardOnly);
  }
  return def;
}

/** `columns (a INT, b DECIMAL(10,2), "Odd name" VARCHAR)`: name -> type as written. */
function columns(r: Reader, p: Property): Record<string, string> {
  const v = single(r, p);
  if (v.t !== 'group') throw r.error(`columns: expected (name TYPE, ...), got '${raw(r, p.value)}'`, v.start);
  const out: Record<string, string> = {};
  for (const item of v.items) {
    const [n, ...type] = item;
    if (n?.t !== 'word' || type.length === 0) throw r.error(`columns: expected name TYPE, got '${raw(r, item)}'`, item[0]!.start);
    out[n.text.toLowerCase()] = raw(r, type);
  }
  return out;
}

// ---- AUDIT ----

/**
 * An audit file: one or more `AUDIT (name x, blocking false, defaults (threshold = 10)); <query>;`
 * pairs. Each query runs until the `;` before the next AUDIT header (or the end of the file).
 * A name ending in `_non_blocking` is non-blocking too.
 */
export function parseAudits(source: string, file: string): AuditDef[] {
  const out: AuditDef[] = [];
  let start = headerStart(source, 0, 'audit');
  if (!start) {
    const first = nextToken(source, 0);
    throw new ModelError('no AUDIT (...) header: an audit file holds AUDIT (name x); SELECT ... pairs', { file, line: first ? lineAt(source, first.start) : 1 });
  }
  while (start) {
    const r = new Reader(source, file, start.keyword.start);
    const header = parseHeader(r, 'AUDIT');
    // The query ends at the `;` after which the next AUDIT header starts.
    let queryEnd = source.length;
    let next: HeaderStart | null = null;
    for (let t = nextToken(source, header.end); t; t = nextToken(source, t.end)) {
      if (t.text !== ';') continue;
      next = headerStart(source, t.end, 'audit');
      if (next) { queryEnd = t.start; break; }
    }
    out.push(audit(r, header, source.slice(header.end, queryEnd), { file, line: lineAt(source, start.keyword.start) }));
    start = next;
  }
  return out;
}

function audit(r: Reader, header: { items: Term[][]; end: number }, query: string, where: { file: string; line: number }): AuditDef {
  const def: AuditDef = { name: '', blocking: true, defaults: {}, query, where, queryLine: lineAt(r.text, header.end) };
  for (const p of properties(r, header.items, 'AUDIT')) {
    switch (p.key) {
      case 'name': def.name = text(r, p).toLowerCase(); break;
      case 'blocking': def.blocking = bool(r, p); break;
      case 'defaults': for (const a of assignments(r, p)) def.defaults[a.key] = auditArg(r, a.value); break;
      case 'dialect': case 'standalone': case 'owner': case 'description': case 'tags': case 'cron': case 'skip': break;
      default: throw r.error(`unknown AUDIT property '${p.key}'`, p.at);
    }
  }
  if (!def.name) throw new ModelError('the AUDIT header needs a name', where);
  if (def.name.endsWith(NON_BLOCKING)) def.blocking = false;
  return def;
}
