/**
 * A DuckDB result in the shapes other tools read: Arrow IPC streams, CSV, JSON, and rows for the
 * CLI's table. Everything works chunk by chunk on a streaming result (`con.stream(sql)`): each
 * DuckDB chunk (~2,048 rows) becomes one Arrow record batch or one piece of text and is dropped, so
 * an answer is never held twice in memory.
 *
 * DuckDB -> Arrow (DuckDB's arrow extension is not available here, so this is built in JS):
 *   BOOLEAN Bool; TINYINT..BIGINT Int8..Int64; UTINYINT..UBIGINT Uint8..Uint64; FLOAT Float32;
 *   DOUBLE Float64; DECIMAL(w,s) Decimal128(w,s) (exact, as DuckDB's own Arrow export does; money
 *   must not pass through a double); HUGEINT Decimal128(38,0) (what sum(bigint) returns, same as
 *   DuckDB); DATE DateDay; TIMESTAMP / TIMESTAMPTZ TimestampMicrosecond with time zone "UTC" (the
 *   warehouse's TIMESTAMPs are UTC); TIMESTAMP_S/_MS/_NS the matching unit; VARCHAR Utf8; JSON Utf8
 *   tagged with the canonical `arrow.json` extension name; BLOB Binary; anything else (UUID, TIME,
 *   INTERVAL, LIST, STRUCT, MAP, ENUM, ...) Utf8 holding DuckDB's text form of the value.
 */
import {
  DuckDBDecimalType, DuckDBTypeId, type DuckDBDataChunk, type DuckDBDecimalValue, type DuckDBResult, type DuckDBType, type DuckDBVector,
} from '@duckdb/node-api';
import {
  Binary, Bool, DataType, DateDay, Decimal, Field, Float32, Float64, Int16, Int32, Int64, Int8, RecordBatch, RecordBatchStreamWriter, Schema,
  Struct, Table, TimeUnit, Timestamp, Uint16, Uint32, Uint64, Uint8, Utf8, makeData, type Data,
} from 'apache-arrow';
import { csvCell } from '../worker/ops/csv';

export const FORMATS = ['table', 'arrow', 'csv', 'json'] as const;
export type Format = (typeof FORMATS)[number];
export const ARROW_STREAM_TYPE = 'application/vnd.apache.arrow.stream';

/** More rows than allowed, in `fail` mode: the answer is refused, never cut short silently. */
export class RowLimitError extends Error {
  constructor(readonly maxRows: number) {
    super(`the answer has more than ${maxRows} rows`);
  }
}

/**
 * How many rows a consumer may take. `fail`: more than `maxRows` throws RowLimitError. `truncate`:
 * stops after `maxRows` and sets `truncated` (the caller must say so). `rows` counts what went out.
 */
export type RowBudget = { maxRows: number; mode: 'fail' | 'truncate'; rows: number; truncated: boolean };
export const rowBudget = (maxRows = Infinity, mode: RowBudget['mode'] = 'fail'): RowBudget => ({ maxRows, mode, rows: 0, truncated: false });

export type Column = { name: string; type: DuckDBType };

export function columnsOf(result: DuckDBResult): Column[] {
  const types = result.columnTypes();
  return result.deduplicatedColumnNames().map((name, i) => ({ name, type: types[i]! }));
}

/** The result's chunks as (chunk, rows to use), within the budget. */
export async function* chunks(result: DuckDBResult, budget: RowBudget): AsyncGenerator<{ chunk: DuckDBDataChunk; n: number }> {
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) return;
    const left = budget.maxRows - budget.rows;
    if (chunk.rowCount > left) {
      if (budget.mode === 'fail') throw new RowLimitError(budget.maxRows);
      budget.truncated = true;
      if (left > 0) {
        budget.rows += left;
        yield { chunk, n: left };
      }
      return;
    }
    budget.rows += chunk.rowCount;
    yield { chunk, n: chunk.rowCount };
  }
}

// ---- Arrow ---------------------------------------------------------------------------------------

const isJson = (t: DuckDBType) => t.typeId === DuckDBTypeId.VARCHAR && t.alias?.toUpperCase() === 'JSON';

export function arrowType(t: DuckDBType): DataType {
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN: return new Bool();
    case DuckDBTypeId.TINYINT: return new Int8();
    case DuckDBTypeId.SMALLINT: return new Int16();
    case DuckDBTypeId.INTEGER: return new Int32();
    case DuckDBTypeId.BIGINT: return new Int64();
    case DuckDBTypeId.UTINYINT: return new Uint8();
    case DuckDBTypeId.USMALLINT: return new Uint16();
    case DuckDBTypeId.UINTEGER: return new Uint32();
    case DuckDBTypeId.UBIGINT: return new Uint64();
    case DuckDBTypeId.FLOAT: return new Float32();
    case DuckDBTypeId.DOUBLE: return new Float64();
    case DuckDBTypeId.DECIMAL: return new Decimal((t as DuckDBDecimalType).scale, (t as DuckDBDecimalType).width, 128);
    case DuckDBTypeId.HUGEINT: return new Decimal(0, 38, 128);
    case DuckDBTypeId.DATE: return new DateDay();
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ: return new Timestamp(TimeUnit.MICROSECOND, 'UTC');
    case DuckDBTypeId.TIMESTAMP_S: return new Timestamp(TimeUnit.SECOND, 'UTC');
    case DuckDBTypeId.TIMESTAMP_MS: return new Timestamp(TimeUnit.MILLISECOND, 'UTC');
    case DuckDBTypeId.TIMESTAMP_NS: return new Timestamp(TimeUnit.NANOSECOND, 'UTC');
    case DuckDBTypeId.BLOB: return new Binary();
    default: return new Utf8();
  }
}

export function arrowSchema(columns: Column[]): Schema {
  return new Schema(columns.map((c) => new Field(c.name, arrowType(c.type), true, isJson(c.type) ? new Map([['ARROW:extension:name', 'arrow.json']]) : undefined)));
}

/** Fills `set(i, value)` for the valid rows; returns the validity bitmap (null when no NULLs). */
function fill(vec: DuckDBVector, n: number, set: (i: number, v: NonNullable<unknown>) => void): { nullBitmap?: Uint8Array; nullCount: number } {
  const bitmap = new Uint8Array((n + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    const v = vec.getItem(i);
    if (v === null || v === undefined) nullCount++;
    else {
      bitmap[i >> 3]! |= 1 << (i & 7);
      set(i, v);
    }
  }
  return nullCount ? { nullBitmap: bitmap, nullCount } : { nullCount: 0 };
}

type Typed = Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array | Float32Array | Float64Array;
type TypedCtor = new (n: number) => Typed;

/**
 * Fast path: the vector's own buffers. DuckDB's node API keeps a fixed-width vector's values as a
 * typed array (`items`) and its validity as 64-bit words, LSB first, which is Arrow's bitmap layout
 * byte for byte on little-endian machines. Both are private in its typings, so they are checked at
 * run time and getItem() (about 4x slower: a BigInt test per value) is the fallback.
 */
type Raw = { items: ArrayBufferView & ArrayLike<number | bigint>; bitmap?: Uint8Array; nullCount: number };
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function rawOf(vec: DuckDBVector, n: number, Ctor: Function): Raw | null {
  const v = vec as unknown as { items?: unknown; validity?: { data?: BigUint64Array | null; offset?: number } };
  if (!LITTLE_ENDIAN || !(v.items instanceof Ctor) || (v.items as ArrayLike<unknown>).length < n || !v.validity || v.validity.offset !== 0 || v.validity.data === undefined) return null;
  const items = v.items as Raw['items'];
  const words = v.validity.data;
  if (!words) return { items, nullCount: 0 };
  const bitmap = new Uint8Array(words.buffer, words.byteOffset, (n + 7) >> 3).slice();
  if (n & 7) bitmap[bitmap.length - 1]! &= (1 << (n & 7)) - 1;
  let valid = 0;
  for (const byte of bitmap) valid += POPCOUNT[byte]!;
  return valid === n ? { items, nullCount: 0 } : { items, bitmap, nullCount: n - valid };
}
const POPCOUNT = Uint8Array.from({ length: 256 }, (_, b) => b.toString(2).replaceAll('0', '').length);

function fixedWidth(type: DataType, vec: DuckDBVector, n: number, Ctor: Function): Data | null {
  const raw = rawOf(vec, n, Ctor);
  if (!raw) return null;
  const data = (raw.items as unknown as Int32Array).slice(0, n); // a copy: the chunk's memory is DuckDB's
  return makeData({ type: type as Int32, length: n, data, nullCount: raw.nullCount, ...(raw.bitmap ? { nullBitmap: raw.bitmap } : {}) });
}

/** Decimal128 words from a DECIMAL stored as int16/int32/int64 (width <= 18), without BigInt. */
function decimalFast(type: DataType, vec: DuckDBVector, n: number): Data | null {
  const raw = rawOf(vec, n, Int16Array) ?? rawOf(vec, n, Int32Array) ?? rawOf(vec, n, BigInt64Array);
  if (!raw) return null;
  const out = new Uint32Array(4 * n);
  if (raw.items instanceof BigInt64Array) {
    const halves = new Uint32Array(raw.items.buffer, raw.items.byteOffset, 2 * n);
    for (let i = 0; i < n; i++) {
      const hi = halves[2 * i + 1]!;
      const ext = hi & 0x80000000 ? 0xffffffff : 0;
      out[4 * i] = halves[2 * i]!;
      out[4 * i + 1] = hi;
      out[4 * i + 2] = ext;
      out[4 * i + 3] = ext;
    }
  } else {
    const items = raw.items as Int32Array;
    for (let i = 0; i < n; i++) {
      const x = items[i]!;
      const ext = x < 0 ? 0xffffffff : 0;
      out[4 * i] = x >>> 0;
      out[4 * i + 1] = ext;
      out[4 * i + 2] = ext;
      out[4 * i + 3] = ext;
    }
  }
  return makeData({ type: type as Decimal, length: n, data: out, nullCount: raw.nullCount, ...(raw.bitmap ? { nullBitmap: raw.bitmap } : {}) });
}

const FIXED: Partial<Record<DuckDBTypeId, Function>> = {
  [DuckDBTypeId.TINYINT]: Int8Array, [DuckDBTypeId.SMALLINT]: Int16Array, [DuckDBTypeId.INTEGER]: Int32Array, [DuckDBTypeId.BIGINT]: BigInt64Array,
  [DuckDBTypeId.UTINYINT]: Uint8Array, [DuckDBTypeId.USMALLINT]: Uint16Array, [DuckDBTypeId.UINTEGER]: Uint32Array, [DuckDBTypeId.UBIGINT]: BigUint64Array,
  [DuckDBTypeId.FLOAT]: Float32Array, [DuckDBTypeId.DOUBLE]: Float64Array, [DuckDBTypeId.DATE]: Int32Array,
  [DuckDBTypeId.TIMESTAMP]: BigInt64Array, [DuckDBTypeId.TIMESTAMP_TZ]: BigInt64Array, [DuckDBTypeId.TIMESTAMP_S]: BigInt64Array,
  [DuckDBTypeId.TIMESTAMP_MS]: BigInt64Array, [DuckDBTypeId.TIMESTAMP_NS]: BigInt64Array,
};

export function arrowData(type: DataType, t: DuckDBType, vec: DuckDBVector, n: number): Data {
  const Ctor = FIXED[t.typeId];
  const fast = Ctor ? fixedWidth(type, vec, n, Ctor) : t.typeId === DuckDBTypeId.DECIMAL ? decimalFast(type, vec, n) : null;
  return fast ?? arrowDataSlow(type, t, vec, n);
}

/** The same through getItem(): any vector, one value at a time. */
export function arrowDataSlow(type: DataType, t: DuckDBType, vec: DuckDBVector, n: number): Data {
  const id = t.typeId;
  const numeric = (Ctor: TypedCtor, conv: (v: unknown) => number = Number) => {
    const data = new Ctor(n);
    const v = fill(vec, n, (i, x) => { data[i] = conv(x); });
    return makeData({ type: type as Int32, length: n, data: data as Int32Array, ...v });
  };
  const big = (Ctor: BigInt64ArrayConstructor | BigUint64ArrayConstructor, conv: (v: unknown) => bigint) => {
    const data = new Ctor(n);
    const v = fill(vec, n, (i, x) => { data[i] = conv(x); });
    return makeData({ type: type as Int64, length: n, data: data as BigInt64Array, ...v });
  };
  switch (id) {
    case DuckDBTypeId.BOOLEAN: {
      const data = new Uint8Array((n + 7) >> 3);
      const v = fill(vec, n, (i, x) => { if (x) data[i >> 3]! |= 1 << (i & 7); });
      return makeData({ type: type as Bool, length: n, data, ...v });
    }
    case DuckDBTypeId.TINYINT: return numeric(Int8Array);
    case DuckDBTypeId.SMALLINT: return numeric(Int16Array);
    case DuckDBTypeId.INTEGER: return numeric(Int32Array);
    case DuckDBTypeId.UTINYINT: return numeric(Uint8Array);
    case DuckDBTypeId.USMALLINT: return numeric(Uint16Array);
    case DuckDBTypeId.UINTEGER: return numeric(Uint32Array);
    case DuckDBTypeId.FLOAT: return numeric(Float32Array);
    case DuckDBTypeId.DOUBLE: return numeric(Float64Array);
    case DuckDBTypeId.DATE: return numeric(Int32Array, (x) => (x as { days: number }).days);
    case DuckDBTypeId.BIGINT: return big(BigInt64Array, (x) => x as bigint);
    case DuckDBTypeId.UBIGINT: return big(BigUint64Array, (x) => x as bigint);
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ: return big(BigInt64Array, (x) => (x as { micros: bigint }).micros);
    case DuckDBTypeId.TIMESTAMP_S: return big(BigInt64Array, (x) => (x as { seconds: bigint }).seconds);
    case DuckDBTypeId.TIMESTAMP_MS: return big(BigInt64Array, (x) => (x as { millis: bigint }).millis);
    case DuckDBTypeId.TIMESTAMP_NS: return big(BigInt64Array, (x) => (x as { nanos: bigint }).nanos);
    case DuckDBTypeId.DECIMAL:
    case DuckDBTypeId.HUGEINT: {
      // Decimal128: two little-endian 64-bit words per value, two's complement.
      const words = new BigUint64Array(2 * n);
      const v = fill(vec, n, (i, x) => {
        const unscaled = typeof x === 'bigint' ? x : (x as DuckDBDecimalValue).value;
        words[2 * i] = BigInt.asUintN(64, unscaled);
        words[2 * i + 1] = BigInt.asUintN(64, unscaled >> 64n);
      });
      return makeData({ type: type as Decimal, length: n, data: new Uint32Array(words.buffer), ...v });
    }
    case DuckDBTypeId.BLOB: {
      const parts: (Uint8Array | null)[] = new Array(n).fill(null);
      const v = fill(vec, n, (i, x) => { parts[i] = (x as { bytes: Uint8Array }).bytes; });
      return variableWidth(type, parts, v);
    }
    default: {
      const strings: (string | null)[] = new Array(n).fill(null);
      const v = fill(vec, n, (i, x) => { strings[i] = typeof x === 'string' ? x : String(x); });
      const parts = strings.map((s) => (s === null ? null : Buffer.from(s, 'utf8')));
      return variableWidth(type, parts, v);
    }
  }
}

function variableWidth(type: DataType, parts: (Uint8Array | null)[], v: { nullBitmap?: Uint8Array; nullCount: number }): Data {
  const valueOffsets = new Int32Array(parts.length + 1);
  let total = 0;
  parts.forEach((p, i) => {
    total += p?.byteLength ?? 0;
    if (total > 0x7fffffff) throw new Error('a column of one chunk holds more than 2 GiB of text');
    valueOffsets[i + 1] = total;
  });
  const data = new Uint8Array(total);
  parts.forEach((p, i) => { if (p) data.set(p, valueOffsets[i]!); });
  return makeData({ type: type as Utf8, length: parts.length, valueOffsets, data, ...v });
}

/** One DuckDB chunk (its first `n` rows) as an Arrow record batch of `schema`. */
export function arrowBatch(schema: Schema, columns: Column[], chunk: DuckDBDataChunk, n: number): RecordBatch {
  const children = columns.map((c, i) => arrowData(schema.fields[i]!.type, c.type, chunk.getColumnVector(i), n));
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children }));
}

/**
 * The result as an Arrow IPC stream: the schema message, one record batch message per DuckDB
 * chunk, the end-of-stream marker, yielded as they are made. apache-arrow's writer serializes a
 * whole stream at a time, so each batch is written as a one-batch stream and its schema prefix and
 * end marker are cut off (there are no dictionaries, so nothing else sits between them).
 */
export async function* arrowStream(result: DuckDBResult, budget: RowBudget = rowBudget()): AsyncGenerator<Uint8Array> {
  const columns = columnsOf(result);
  const schema = arrowSchema(columns);
  const empty = RecordBatchStreamWriter.writeAll(new Table(schema)).toUint8Array(true);
  const head = empty.byteLength - EOS_BYTES;
  yield empty.subarray(0, head);
  for await (const { chunk, n } of chunks(result, budget)) {
    const one = RecordBatchStreamWriter.writeAll([arrowBatch(schema, columns, chunk, n)]).toUint8Array(true);
    yield one.subarray(head, one.byteLength - EOS_BYTES);
  }
  yield empty.subarray(head);
}

/** The end-of-stream marker: continuation 0xFFFFFFFF, then a zero length. */
const EOS_BYTES = 8;

// ---- Text: JSON, CSV, the CLI's table -------------------------------------------------------------

const SAFE = 2n ** 53n;
const pad = (n: number | bigint, w: number) => String(n).padStart(w, '0');

/** `2026-01-02T03:04:05.123456Z` from microseconds since the epoch (UTC). */
export function isoMicros(micros: bigint): string {
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const d = new Date(Number(ms));
  if (Number.isNaN(d.getTime())) return micros > 0n ? 'infinity' : '-infinity';
  const frac = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
  return `${d.toISOString().slice(0, 19)}${frac ? `.${pad(frac, 6)}` : ''}Z`;
}

/** The exact decimal text of an unscaled integer at `scale`: 1234n, 2 -> "12.34". */
export function decimalText(unscaled: bigint, scale: number): string {
  if (scale === 0) return unscaled.toString();
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/**
 * Per column, a function from a non-null value to its JSON text. Integers and decimals are JSON
 * numbers while exact in a double's integer range (|unscaled| <= 2^53), else strings; timestamps
 * ISO 8601 in UTC with microseconds; JSON columns embedded as JSON; other types DuckDB's text.
 */
function jsonEncoder(t: DuckDBType): (v: NonNullable<unknown>) => string {
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN: return (v) => (v ? 'true' : 'false');
    case DuckDBTypeId.TINYINT: case DuckDBTypeId.SMALLINT: case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT: case DuckDBTypeId.USMALLINT: case DuckDBTypeId.UINTEGER: return (v) => String(v);
    case DuckDBTypeId.FLOAT: case DuckDBTypeId.DOUBLE: return (v) => (Number.isFinite(v as number) ? String(v) : JSON.stringify(String(v)));
    case DuckDBTypeId.BIGINT: case DuckDBTypeId.UBIGINT: case DuckDBTypeId.HUGEINT: case DuckDBTypeId.UHUGEINT:
      return (v) => { const b = v as bigint; return b <= SAFE && b >= -SAFE ? b.toString() : `"${b}"`; };
    case DuckDBTypeId.DECIMAL: return (v) => {
      const d = v as DuckDBDecimalValue;
      const text = decimalText(d.value, d.scale);
      return d.value <= SAFE && d.value >= -SAFE ? text : `"${text}"`;
    };
    case DuckDBTypeId.TIMESTAMP: case DuckDBTypeId.TIMESTAMP_TZ: return (v) => `"${isoMicros((v as { micros: bigint }).micros)}"`;
    case DuckDBTypeId.VARCHAR: return isJson(t) ? (v) => String(v) : (v) => JSON.stringify(v);
    default: return (v) => JSON.stringify(String(v));
  }
}

/** The answer as a JSON array of objects, one piece per chunk. */
export async function* jsonPieces(result: DuckDBResult, budget: RowBudget = rowBudget()): AsyncGenerator<string> {
  const columns = columnsOf(result);
  const keys = columns.map((c) => `${JSON.stringify(c.name)}:`);
  const enc = columns.map((c) => jsonEncoder(c.type));
  let first = true;
  yield '[';
  for await (const { chunk, n } of chunks(result, budget)) {
    const vecs = columns.map((_, i) => chunk.getColumnVector(i));
    const lines: string[] = new Array(n);
    for (let r = 0; r < n; r++) {
      let line = '{';
      for (let c = 0; c < vecs.length; c++) {
        const v = vecs[c]!.getItem(r);
        line += `${c ? ',' : ''}${keys[c]}${v === null || v === undefined ? 'null' : enc[c]!(v)}`;
      }
      lines[r] = `${line}}`;
    }
    yield `${first ? '\n' : ',\n'}${lines.join(',\n')}`;
    first = false;
  }
  yield first ? ']\n' : '\n]\n';
}

const NUMERIC = new Set([
  DuckDBTypeId.TINYINT, DuckDBTypeId.SMALLINT, DuckDBTypeId.INTEGER, DuckDBTypeId.BIGINT, DuckDBTypeId.HUGEINT, DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT, DuckDBTypeId.UINTEGER, DuckDBTypeId.UBIGINT, DuckDBTypeId.UHUGEINT, DuckDBTypeId.FLOAT, DuckDBTypeId.DOUBLE, DuckDBTypeId.DECIMAL,
]);

/** DuckDB's own text of a value (what `COPY ... TO 'x.csv'` writes), decimals exact. */
function textOf(t: DuckDBType, v: NonNullable<unknown>): string {
  if (t.typeId === DuckDBTypeId.DECIMAL) return decimalText((v as DuckDBDecimalValue).value, (v as DuckDBDecimalValue).scale);
  return String(v);
}

/**
 * RFC 4180 CSV (header, CRLF, quotes doubled), safe in a spreadsheet: text cells are written by the
 * back office's csvCell() (worker/ops/csv.ts), which neutralises formulas (`=`, `+`, `-`, `@`, tab,
 * CR get a leading `'`). Cells of numeric columns are exempt, by type as there: -500 stays a number.
 * NULL is an empty cell.
 */
export async function* csvPieces(result: DuckDBResult, budget: RowBudget = rowBudget()): AsyncGenerator<string> {
  const columns = columnsOf(result);
  yield `${columns.map((c) => csvCell(c.name)).join(',')}\r\n`;
  for await (const { chunk, n } of chunks(result, budget)) {
    const vecs = columns.map((_, i) => chunk.getColumnVector(i));
    let out = '';
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < vecs.length; c++) {
        const v = vecs[c]!.getItem(r);
        const t = columns[c]!.type;
        const cell = v === null || v === undefined ? '' : NUMERIC.has(t.typeId) && Number.isFinite(Number(textOf(t, v))) ? textOf(t, v) : csvCell(textOf(t, v));
        out += c ? `,${cell}` : cell;
      }
      out += '\r\n';
    }
    yield out;
  }
}

/** Rows for the CLI's table: each cell DuckDB's text of the value, or null. */
export async function textRows(result: DuckDBResult, budget: RowBudget): Promise<Record<string, string | null>[]> {
  const columns = columnsOf(result);
  const out: Record<string, string | null>[] = [];
  for await (const { chunk, n } of chunks(result, budget)) {
    const vecs = columns.map((_, i) => chunk.getColumnVector(i));
    for (let r = 0; r < n; r++) {
      const row: Record<string, string | null> = {};
      columns.forEach((c, i) => {
        const v = vecs[i]!.getItem(r);
        row[c.name] = v === null || v === undefined ? null : textOf(c.type, v);
      });
      out.push(row);
    }
  }
  return out;
}
