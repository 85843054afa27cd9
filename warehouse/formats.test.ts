/** Arrow, CSV and JSON answers, read back by independent readers (apache-arrow's tableFromIPC, JSON.parse, a CSV parser here). */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { tableFromIPC, type Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeVector } from 'apache-arrow';
import { RowLimitError, arrowData, arrowDataSlow, arrowType, arrowStream, columnsOf, csvPieces, decimalText, isoMicros, jsonPieces, rawOf, rowBudget } from './formats';

let instance: DuckDBInstance;
let con: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  con = await instance.connect();
  await con.run("set TimeZone = 'UTC'");
});
afterAll(() => {
  con.closeSync();
  instance.closeSync();
});

async function arrow(sql: string, budget = rowBudget()): Promise<Table> {
  const parts: Uint8Array[] = [];
  for await (const p of arrowStream(await con.stream(sql), budget)) parts.push(p);
  return tableFromIPC(Buffer.concat(parts));
}
async function text(gen: (r: Awaited<ReturnType<DuckDBConnection['stream']>>, b: ReturnType<typeof rowBudget>) => AsyncGenerator<string>, sql: string, budget = rowBudget()) {
  let s = '';
  for await (const p of gen(await con.stream(sql), budget)) s += p;
  return s;
}

/** Unscaled value of an Arrow Decimal128 cell (four little-endian uint32 words, two's complement). */
function decimalOf(words: Uint32Array | null): bigint | null {
  if (!words) return null;
  let v = 0n;
  for (let i = 3; i >= 0; i--) v = (v << 32n) | BigInt(words[i]!);
  return BigInt.asIntN(128, v);
}

const TYPES_SQL = `select * from (values
  (9007199254740993::bigint, (-2147483648)::integer, 1.5::double, 1234.56::decimal(18,2), 'héllo, "world"'::varchar, true,
   date '2026-01-02', timestamp '2026-01-02 03:04:05.123456', '{"a":[1,2]}'::json, 170141183460469231731687303715884105727::hugeint,
   -123.4567::decimal(38,4), 255::utinyint, timestamptz '2026-01-02 03:04:05+00'),
  (null, null, null, null, null, null, null, null, null, null, null, null, null),
  ((-9223372036854775808)::bigint, 0, -0.25, -0.05::decimal(18,2), '', false,
   date '1969-12-31', timestamp '1969-12-31 23:59:59.999999', 'null'::json, -1::hugeint, 0::decimal(38,4), 0, null)
) t(big, int, dbl, dec, txt, flag, day, ts, doc, huge, dec38, tiny, tstz)`;

describe('Arrow IPC stream', () => {
  it('maps each DuckDB type to its Arrow type, NULLs included', async () => {
    const t = await arrow(TYPES_SQL);
    expect(Object.fromEntries(t.schema.fields.map((f) => [f.name, String(f.type)]))).toEqual({
      big: 'Int64', int: 'Int32', dbl: 'Float64', dec: 'Decimal[18e+2]', txt: 'Utf8', flag: 'Bool', day: 'Date32<DAY>',
      ts: 'Timestamp<MICROSECOND, UTC>', doc: 'Utf8', huge: 'Decimal[38e0]', dec38: 'Decimal[38e+4]', tiny: 'Uint8', tstz: 'Timestamp<MICROSECOND, UTC>',
    });
    expect(t.schema.fields.find((f) => f.name === 'doc')!.metadata.get('ARROW:extension:name')).toBe('arrow.json');
    expect(t.numRows).toBe(3);
    const col = (name: string) => t.getChild(name)!;
    expect([0, 1, 2].map((i) => col('big').get(i))).toEqual([9007199254740993n, null, -9223372036854775808n]);
    expect([0, 1, 2].map((i) => col('int').get(i))).toEqual([-2147483648, null, 0]);
    expect([0, 1, 2].map((i) => col('dbl').get(i))).toEqual([1.5, null, -0.25]);
    expect([0, 1, 2].map((i) => decimalOf(col('dec').get(i)))).toEqual([123456n, null, -5n]);
    expect([0, 1, 2].map((i) => col('txt').get(i))).toEqual(['héllo, "world"', null, '']);
    expect([0, 1, 2].map((i) => col('flag').get(i))).toEqual([true, null, false]);
    expect([0, 1, 2].map((i) => col('day').get(i))).toEqual([Date.UTC(2026, 0, 2), null, Date.UTC(1969, 11, 31)]);
    // Microseconds survive: the raw values are int64 microseconds since the epoch.
    expect(col('ts').data[0]!.values[0]).toBe(1767323045123456n);
    expect(col('ts').data[0]!.values[2]).toBe(-1n);
    expect(col('ts').get(1)).toBeNull();
    expect([0, 1, 2].map((i) => col('doc').get(i))).toEqual(['{"a":[1,2]}', null, 'null']);
    expect([0, 1, 2].map((i) => decimalOf(col('huge').get(i)))).toEqual([170141183460469231731687303715884105727n, null, -1n]);
    expect([0, 1, 2].map((i) => decimalOf(col('dec38').get(i)))).toEqual([-1234567n, null, 0n]);
    expect([0, 1, 2].map((i) => col('tiny').get(i))).toEqual([255, null, 0]);
    expect(col('tstz').data[0]!.values[0]).toBe(1767323045000000n);
  });

  it('the fast path (DuckDB\'s own buffers) gives exactly what getItem() gives, NULLs included', async () => {
    const result = await con.stream(`select case when i % 3 = 0 then null else i end::bigint as big, (i - 1000)::integer as int, (i % 7 = 0) or null as flag,
      i / 3.0 as dbl, (i - 1500)::smallint as small, ((i - 1000) / 100.0)::decimal(4,2) as d16, ((i - 1000) * 1000.01)::decimal(9,2) as d32,
      ((i - 1000) * 123456789.01)::decimal(18,2) as d64, date '2026-01-01' + (i - 1000)::integer as day, timestamp '2026-01-01' + to_microseconds(i * 1001 - 1000000) as ts
      from range(2048) r(i)`);
    const columns = columnsOf(result);
    const chunk = (await result.fetchChunk())!;
    expect(rawOf(chunk.getColumnVector(0), chunk.rowCount, BigInt64Array)).not.toBeNull(); // the fast path is really taken here
    columns.forEach((c, i) => {
      const type = arrowType(c.type);
      const fast = makeVector(arrowData(type, c.type, chunk.getColumnVector(i), chunk.rowCount));
      const slow = makeVector(arrowDataSlow(type, c.type, chunk.getColumnVector(i), chunk.rowCount));
      expect(fast.nullCount, c.name).toBe(slow.nullCount);
      for (let r = 0; r < chunk.rowCount; r++) expect(fast.get(r), `${c.name}[${r}]`).toEqual(slow.get(r));
    });
  });

  it('streams one batch per DuckDB chunk, and an empty answer still has its schema', async () => {
    const t = await arrow('select i::bigint as i, i::varchar as s from range(10000) r(i)');
    expect(t.numRows).toBe(10_000);
    expect(t.batches.length).toBeGreaterThan(1);
    expect(t.getChild('i')!.get(9_999)).toBe(9_999n);
    expect(t.getChild('s')!.get(4_321)).toBe('4321');
    const empty = await arrow('select 1::integer as a, 2::varchar as b where false');
    expect(empty.numRows).toBe(0);
    expect(empty.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['a:Int32', 'b:Utf8']);
  });

  it('refuses more rows than allowed in fail mode, and cuts (saying so) in truncate mode', async () => {
    await expect(arrow('select * from range(5000)', rowBudget(4_999, 'fail'))).rejects.toBeInstanceOf(RowLimitError);
    expect((await arrow('select * from range(5000)', rowBudget(5_000, 'fail'))).numRows).toBe(5_000);
    const budget = rowBudget(2_500, 'truncate');
    expect((await arrow('select * from range(5000)', budget)).numRows).toBe(2_500);
    expect(budget).toMatchObject({ rows: 2_500, truncated: true });
  });
});

/** RFC 4180 reader, independent of the writer: quoted fields, doubled quotes, CRLF records. */
function parseCsv(s: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; } else if (ch === '\r' && s[i + 1] === '\n') { row.push(cell); out.push(row); row = []; cell = ''; i++; } else cell += ch;
  }
  return out;
}

describe('CSV', () => {
  it('quotes per RFC 4180 and neutralises spreadsheet formulas in text, not in numbers', async () => {
    const csv = await text(csvPieces, `select * from (values
      ('a,b', 'say "hi"', 'two\nlines', '=HYPERLINK("http://x")', -500::bigint, -1.25::decimal(10,2)),
      ('+cmd@example.com', '-2+3', '@SUM(A1)', '\tTAB', null, null),
      ('\rCR', 'plain', '', '-500', 7, 0.5)
    ) t("col,1", b, c, d, n, m)`);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(parseCsv(csv)).toEqual([
      ['col,1', 'b', 'c', 'd', 'n', 'm'],
      ['a,b', 'say "hi"', 'two\nlines', '\'=HYPERLINK("http://x")', '-500', '-1.25'],
      ["'+cmd@example.com", "'-2+3", "'@SUM(A1)", "'\tTAB", '', ''],
      ["'\rCR", 'plain', '', "'-500", '7', '0.50'],
    ]);
    expect(csv).toContain('"say ""hi"""');
  });
});

describe('JSON', () => {
  it('is an array of objects; integers beyond 2^53 are strings; decimals exact; timestamps ISO in UTC; JSON embedded', async () => {
    const json = await text(jsonPieces, TYPES_SQL);
    const parsed = JSON.parse(json) as Record<string, unknown>[];
    expect(parsed[0]).toEqual({
      big: '9007199254740993', int: -2147483648, dbl: 1.5, dec: 1234.56, txt: 'héllo, "world"', flag: true, day: '2026-01-02',
      ts: '2026-01-02T03:04:05.123456Z', doc: { a: [1, 2] }, huge: '170141183460469231731687303715884105727', dec38: -123.4567, tiny: 255,
      tstz: '2026-01-02T03:04:05Z',
    });
    expect(Object.values(parsed[1]!).every((v) => v === null)).toBe(true);
    expect(parsed[2]).toMatchObject({ big: '-9223372036854775808', dec: -0.05, ts: '1969-12-31T23:59:59.999999Z', doc: null, huge: -1 });
    expect(json).toContain('"dec":1234.56'); // the exact decimal text, not a double's rendering
    expect(JSON.parse(await text(jsonPieces, 'select 1 as a where false'))).toEqual([]);
    expect(JSON.parse(await text(jsonPieces, 'select 9007199254740992::bigint as a'))).toEqual([{ a: 9007199254740992 }]);
  });

  it('helpers: exact decimal text and microsecond ISO timestamps', () => {
    expect([decimalText(1234n, 2), decimalText(-5n, 2), decimalText(5n, 0), decimalText(-123456n, 6)]).toEqual(['12.34', '-0.05', '5', '-0.123456']);
    expect([isoMicros(0n), isoMicros(1n), isoMicros(-1n)]).toEqual(['1970-01-01T00:00:00Z', '1970-01-01T00:00:00.000001Z', '1969-12-31T23:59:59.999999Z']);
  });
});
