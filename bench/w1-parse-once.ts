/**
 * W1's "parse once" question, measured: is handing DuckDB the columns JavaScript has already parsed
 * (for validation) cheaper than letting DuckDB parse the same lines again with its NDJSON reader?
 *
 * On the same valid lines of W1's cached objects (bench/.cache/w1-<n>/, made by
 * w1-warehouse-ingest.ts), into a temp table of the same columns, CPU of this process (DuckDB's
 * threads included):
 *
 *   reparse   DuckDB's `read_ndjson` of the unzipped lines (what sync.ts does today);
 *   chunks    the lines already parsed (`JSON.parse`, as the validator does; not counted), their
 *             payload back to JSON text (`JSON.stringify`: DuckDB needs text for a JSON column),
 *             appended as data chunks through @duckdb/node-api's public DuckDBDataChunk API;
 *   raw       the same through @duckdb/node-bindings directly: one reused chunk, one
 *             `vector_assign_string_element` per string value, numbers copied per column.
 *
 * @duckdb/node-api 1.5.x has no Arrow ingestion (no register/insert of Arrow tables or IPC
 * streams), and DuckDB's `arrow` extension is not built in (it would be downloaded), so Arrow record
 * batches cannot reach DuckDB from Node here; a value crosses into a vector one C call at a time.
 * Each path's table is checked to hold the very rows of the reparse (EXCEPT both ways), so the
 * comparison is of equal work.
 *
 *   nice -n 10 npx tsx bench/w1-parse-once.ts --events 1000000 --lines 300000
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import duckdb from '@duckdb/node-bindings';
import { BIGINT, DuckDBDataChunk, DuckDBInstance, INTEGER, VARCHAR, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { walkFiles } from '../warehouse/source/dir';
import { dataset } from './w1-warehouse-ingest';

const { values } = parseArgs({ options: { events: { type: 'string' }, lines: { type: 'string' } } });
const data = await dataset(Number(values.events ?? 1_000_000), (m) => console.error(m));
const maxLines = Number(values.lines ?? 300_000);

type Event = { event_id: string; event_type: string; schema_version: number; occurred_at: number; player_id: string | null; table_id: string | null; round_id: string | null; jurisdiction: string | null; currency: string | null; payload: unknown };
const STRING_KEYS = ['event_id', 'event_type', 'player_id', 'table_id', 'round_id', 'jurisdiction', 'currency'] as const;
const TYPES = [VARCHAR, VARCHAR, INTEGER, BIGINT, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR];
const TABLE_COLUMNS = `event_id varchar, event_type varchar, schema_version integer, occurred_at bigint, player_id varchar, table_id varchar,
  round_id varchar, jurisdiction varchar, currency varchar, payload json`;
const NDJSON_COLUMNS = `{event_id: 'VARCHAR', event_type: 'VARCHAR', schema_version: 'INTEGER', occurred_at: 'BIGINT', player_id: 'VARCHAR',
  table_id: 'VARCHAR', round_id: 'VARCHAR', jurisdiction: 'VARCHAR', currency: 'VARCHAR', payload: 'JSON'}`;
const CHUNK = 2048;

const scratch = mkdtempSync(join(tmpdir(), 'w1-parse-once-'));
try {
  // The valid lines, unzipped to files as the workers write them for DuckDB.
  const lines: string[] = [];
  const files: string[] = [];
  const keys: string[] = [];
  for await (const f of walkFiles(join(data.dir, 'events'))) if (f.endsWith('.ndjson.gz')) keys.push(f);
  for (const key of keys.sort()) {
    if (lines.length >= maxLines) break;
    const text = gunzipSync(readFileSync(key)).toString('utf8');
    const file = join(scratch, `${String(files.length).padStart(6, '0')}.ndjson`);
    writeFileSync(file, text);
    files.push(file);
    for (const l of text.split('\n')) if (l) lines.push(l);
  }
  const parsed = lines.map((l) => JSON.parse(l) as Event);
  console.error(`${lines.length} lines in ${files.length} objects`);

  const inst = await DuckDBInstance.create(join(scratch, 'w.duckdb'));
  const con = await inst.connect();
  const cpuMs = async (fn: () => Promise<void> | void) => {
    const c = process.cpuUsage();
    await fn();
    const u = process.cpuUsage(c);
    return Math.round((u.user + u.system) / 1000);
  };

  const reparse = await cpuMs(() => con.run(`create temp table reparse as select * from read_ndjson([${files.map((f) => `'${f}'`).join(', ')}], columns = ${NDJSON_COLUMNS})`).then(() => undefined));

  let stringifyMs = 0;
  const payloads: string[] = [];
  stringifyMs = await cpuMs(() => {
    for (const p of parsed) payloads.push(JSON.stringify(p.payload));
  });

  await con.run(`create temp table chunks (${TABLE_COLUMNS})`);
  const chunks = await cpuMs(() => appendWithApi(con, 'chunks', parsed, payloads));
  await con.run(`create temp table raw (${TABLE_COLUMNS})`);
  const raw = await cpuMs(() => appendWithBindings(con, 'raw', parsed, payloads));

  for (const t of ['chunks', 'raw']) {
    const diff = await con.runAndReadAll(`select (select count(*) from (from reparse except all from ${t})) + (select count(*) from (from ${t} except all from reparse))`);
    const n = Number(diff.getRows()[0]![0]);
    if (n !== 0) throw new Error(`${t}: ${n} rows differ from read_ndjson's`);
  }
  con.closeSync();
  inst.closeSync();
  const perRow = (ms: number) => Math.round((ms * 1000 / lines.length) * 100) / 100;
  const out = {
    lines: lines.length,
    reparse_read_ndjson: { cpu_ms: reparse, us_per_line: perRow(reparse) },
    chunks_node_api: { cpu_ms: chunks + stringifyMs, us_per_line: perRow(chunks + stringifyMs), of_which_payload_stringify_ms: stringifyMs },
    raw_bindings: { cpu_ms: raw + stringifyMs, us_per_line: perRow(raw + stringifyMs), of_which_payload_stringify_ms: stringifyMs },
    note: 'JSON.parse of the lines is not counted for the chunk paths (the validator pays it already); equal rows checked',
  };
  console.log(JSON.stringify(out, null, 2));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

/** Data chunks through the public API (DuckDBDataChunk.setColumns + appender.appendDataChunk). */
async function appendWithApi(con: DuckDBConnection, table: string, events: Event[], payloads: string[]): Promise<void> {
  const app = await con.createAppender(table);
  for (let s = 0; s < events.length; s += CHUNK) {
    const n = Math.min(CHUNK, events.length - s);
    const cols: DuckDBValue[][] = TYPES.map(() => new Array<DuckDBValue>(n));
    for (let i = 0; i < n; i++) {
      const e = events[s + i]!;
      cols[0]![i] = e.event_id; cols[1]![i] = e.event_type; cols[2]![i] = e.schema_version; cols[3]![i] = BigInt(e.occurred_at);
      cols[4]![i] = e.player_id; cols[5]![i] = e.table_id; cols[6]![i] = e.round_id; cols[7]![i] = e.jurisdiction; cols[8]![i] = e.currency;
      cols[9]![i] = payloads[s + i]!;
    }
    const chunk = DuckDBDataChunk.create(TYPES, n);
    chunk.setColumns(cols);
    app.appendDataChunk(chunk);
  }
  app.flushSync();
  app.closeSync();
}

/** The same through the C API's bindings: one reused chunk, strings one call each, numbers and validity one copy per column. */
async function appendWithBindings(con: DuckDBConnection, table: string, events: Event[], payloads: string[]): Promise<void> {
  const app = await con.createAppender(table);
  // One chunk for the whole load: a fresh chunk per batch, left to the GC, crashed the process.
  const chunk = DuckDBDataChunk.create(TYPES, CHUNK);
  const versions = new Int32Array(CHUNK);
  const times = new BigInt64Array(CHUNK);
  const validity = new BigUint64Array(CHUNK / 64);
  for (let s = 0; s < events.length; s += CHUNK) {
    const n = Math.min(CHUNK, events.length - s);
    chunk.reset();
    duckdb.data_chunk_set_size(chunk.chunk, n);
    const vec = (i: number) => duckdb.data_chunk_get_vector(chunk.chunk, i);
    const stringColumn = (col: number, value: (e: Event, i: number) => string | null) => {
      const v = vec(col);
      let nulls = false;
      validity.fill(~0n);
      for (let i = 0; i < n; i++) {
        const x = value(events[s + i]!, s + i);
        if (x === null) {
          nulls = true;
          validity[i >> 6]! &= ~(1n << BigInt(i & 63));
        } else duckdb.vector_assign_string_element(v, i, x);
      }
      if (nulls) {
        duckdb.vector_ensure_validity_writable(v);
        duckdb.copy_data_to_vector_validity(v, 0, validity.buffer, 0, Math.ceil(n / 64) * 8);
      }
    };
    STRING_KEYS.forEach((k, j) => stringColumn(j < 2 ? j : j + 2, (e) => e[k]));
    stringColumn(9, (_, i) => payloads[i]!);
    for (let i = 0; i < n; i++) {
      versions[i] = events[s + i]!.schema_version;
      times[i] = BigInt(events[s + i]!.occurred_at);
    }
    duckdb.copy_data_to_vector(vec(2), 0, versions.buffer, 0, n * 4);
    duckdb.copy_data_to_vector(vec(3), 0, times.buffer, 0, n * 8);
    app.appendDataChunk(chunk);
  }
  app.flushSync();
  app.closeSync();
}
