/**
 * `wh serve` over real HTTP on an ephemeral port, against a real warehouse file: the token, Arrow
 * and JSON answers read back independently, every kind of write refused (and nothing changed),
 * the row, time, body and per-client limits, environments, and the writer lock.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warehousePaths } from './config';
import { openWarehouse, rows } from './db';
import { startServer, type RunningServer } from './serve';
import { REPO_ROOT } from './source/local-r2';

const TOKEN = 'test-only-serve-token-0123456789';
const root = mkdtempSync(join(tmpdir(), 'wh-serve-'));
const paths = warehousePaths(join(root, 'wh'));
let srv: RunningServer;

async function seed(): Promise<void> {
  const wh = await openWarehouse(paths.db);
  try {
    await wh.con.run(`
      create schema wh_physical; create schema marts; create schema marts__dev;
      create table wh_physical.marts__fct_day__v1 as select * from (values
        (9007199254740993::bigint, 7::integer, 0.5::double, 12.34::decimal(18,2), 'MT', true, date '2026-01-02', timestamp '2026-01-02 03:04:05.123456', '{"k":1}'::json),
        (null, null, null, null, null, null, null, null, null)) t(big, n, ratio, amount, jurisdiction, flag, day, at_ts, doc);
      create view marts.fct_day as select * from wh_physical.marts__fct_day__v1;
      create view marts__dev.fct_day as select * exclude (jurisdiction), 'DEV' as jurisdiction from wh_physical.marts__fct_day__v1;
    `);
  } finally {
    wh.close();
  }
}

type Answer = { status: number; headers: Headers; body: Buffer; json: () => any };
async function call(path: string, init: { method?: string; body?: unknown; token?: string | null; accept?: string; rawBody?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (init.token !== null) headers.authorization = `Bearer ${init.token ?? TOKEN}`;
  if (init.accept) headers.accept = init.accept;
  const body = init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${srv.url}${path}`, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body });
  const buf = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body: buf, json: () => JSON.parse(buf.toString('utf8')) };
}
const post = (body: unknown, extra: Parameters<typeof call>[1] = {}) => call('/query', { ...extra, body });
const errorOf = (a: Answer) => ({ status: a.status, code: a.json().error?.code as string });

beforeAll(async () => {
  await seed();
  srv = await startServer({ paths, port: 0, token: TOKEN, maxRows: 1_000, timeoutMs: 1_500, openWaitMs: 1_500, maxBodyBytes: 4_096 });
});
afterAll(async () => {
  await srv?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('wh serve: access', () => {
  it('answers 401 without the token or with a wrong one; /health needs none', async () => {
    for (const token of [null, 'wrong-token-0123456789', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      const a = await post({ sql: 'select 1' }, { token });
      expect(errorOf(a)).toEqual({ status: 401, code: 'unauthorized' });
      expect(a.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect((await call('/tables', { token: null })).status).toBe(401);
    expect((await call('/health', { token: null })).json()).toEqual({ ok: true });
  });

  it('refuses to start without a token, except --insecure-local on loopback; and without a warehouse', async () => {
    await expect(startServer({ paths, port: 0, token: null })).rejects.toThrow(/set WH_SERVE_TOKEN/);
    await expect(startServer({ paths, port: 0, token: null, insecureLocal: true, host: '0.0.0.0' })).rejects.toThrow(/127\.0\.0\.1 only/);
    await expect(startServer({ paths, port: 0, token: 'short' })).rejects.toThrow(/at least 16/);
    await expect(startServer({ paths: warehousePaths(join(root, 'none')), port: 0, token: TOKEN })).rejects.toThrow(/no warehouse at/);
    const local = await startServer({ paths, port: 0, token: null, insecureLocal: true });
    try {
      const res = await fetch(`${local.url}/query?sql=${encodeURIComponent('select 41 + 1 as x')}`);
      expect(await res.json()).toEqual([{ x: 42 }]);
    } finally {
      await local.close();
    }
  });
});

describe('wh serve: answers', () => {
  it('Arrow IPC stream with the right types and values (POST format=arrow, or GET with the Accept header)', async () => {
    for (const a of [
      await post({ sql: 'select * from marts.fct_day order by big nulls last', format: 'arrow' }),
      await call(`/query?sql=${encodeURIComponent('select * from marts.fct_day order by big nulls last')}`, { accept: 'application/vnd.apache.arrow.stream' }),
    ]) {
      expect(a.status).toBe(200);
      expect(a.headers.get('content-type')).toBe('application/vnd.apache.arrow.stream');
      expect(a.headers.get('x-row-count')).toBe('2');
      const t = tableFromIPC(a.body);
      expect(t.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
        'big:Int64', 'n:Int32', 'ratio:Float64', 'amount:Decimal[18e+2]', 'jurisdiction:Utf8', 'flag:Bool', 'day:Date32<DAY>', 'at_ts:Timestamp<MICROSECOND, UTC>', 'doc:Utf8',
      ]);
      const first = t.get(0)!.toJSON();
      expect(first).toMatchObject({ big: 9007199254740993n, n: 7, ratio: 0.5, jurisdiction: 'MT', flag: true, day: Date.UTC(2026, 0, 2), doc: '{"k":1}' });
      expect(Array.from(t.getChild('amount')!.get(0) as Uint32Array)).toEqual([1234, 0, 0, 0]);
      expect(t.getChild('at_ts')!.data[0]!.values[0]).toBe(1767323045123456n);
      expect(Object.values(t.get(1)!.toJSON()).every((v) => v === null)).toBe(true);
    }
  });

  it('JSON (the default) and CSV', async () => {
    const j = await post({ sql: 'select * from marts.fct_day order by big nulls last' });
    expect(j.status).toBe(200);
    expect(j.headers.get('content-type')).toBe('application/json');
    expect(j.json()[0]).toEqual({ big: '9007199254740993', n: 7, ratio: 0.5, amount: 12.34, jurisdiction: 'MT', flag: true, day: '2026-01-02', at_ts: '2026-01-02T03:04:05.123456Z', doc: { k: 1 } });
    const c = await post({ sql: "select jurisdiction, '=1+1' as f, -5 as n from marts.fct_day where big is not null", format: 'csv' });
    expect(c.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(c.body.toString()).toBe('jurisdiction,f,n\r\nMT,"\'=1+1",-5\r\n');
  });

  it('environments: unqualified names resolve in the asked environment; /tables lists it; an unknown one is a 404', async () => {
    expect((await post({ sql: 'select jurisdiction from fct_day where big is not null' })).json()).toEqual([{ jurisdiction: 'MT' }]);
    expect((await post({ sql: 'select jurisdiction from fct_day where big is not null', env: 'dev' })).json()).toEqual([{ jurisdiction: 'DEV' }]);
    expect(errorOf(await post({ sql: 'select 1', env: 'nosuch' }))).toEqual({ status: 404, code: 'unknown_env' });
    expect(errorOf(await post({ sql: 'select 1', env: 'Bad Name' }))).toEqual({ status: 400, code: 'bad_env' });
    const prod = (await call('/tables')).json();
    expect(prod.search_path).toEqual(['marts', 'raw', 'meta', 'main']);
    expect(prod.schemas.map((s: { schema: string }) => s.schema)).toEqual(['marts', 'raw', 'meta']);
    const fct = prod.schemas[0].tables[0];
    expect(fct).toMatchObject({ name: 'fct_day', kind: 'view' });
    expect(fct.columns.slice(0, 2)).toEqual([{ name: 'big', type: 'BIGINT' }, { name: 'n', type: 'INTEGER' }]);
    expect(prod.schemas[1].tables.map((t: { name: string }) => t.name)).toContain('events');
    const dev = (await call('/tables?env=dev')).json();
    expect(dev.search_path).toEqual(['marts__dev', 'raw', 'meta', 'main']);
    expect(dev.schemas.map((s: { schema: string }) => s.schema)).toEqual(['marts__dev', 'raw', 'meta']);
    expect(JSON.stringify(prod)).not.toContain('wh_physical');
  });
});

describe('wh serve: no writes possible', () => {
  const snapshot = async () => {
    const wh = await openWarehouse(paths.db, { readOnly: true });
    try {
      return await rows(wh.con, `select (select count(*) from wh_physical.marts__fct_day__v1) as n,
        (select string_agg(schema_name, ',' order by schema_name) from duckdb_schemas() where not internal) as schemas,
        (select string_agg(table_name, ',' order by table_name) from duckdb_tables()) as tables`);
    } finally {
      wh.close();
    }
  };

  it('refuses INSERT, CREATE, ATTACH, COPY, SET, PRAGMA, several statements, reading local files; the data is unchanged', async () => {
    const before = await snapshot();
    const out = join(root, 'leak.csv');
    const cases: [string, string][] = [
      ["insert into wh_physical.marts__fct_day__v1 (jurisdiction) values ('XX')", 'not_a_select'],
      ['create table main.t as select 1', 'not_a_select'],
      ['create temp table t as select 1', 'not_a_select'],
      ['drop view marts.fct_day', 'not_a_select'],
      [`attach '${join(root, 'other.duckdb')}' as other`, 'not_a_select'],
      [`copy (select * from marts.fct_day) to '${out}'`, 'not_a_select'],
      ['set enable_external_access = true', 'not_a_select'],
      ["set search_path = 'wh_physical'", 'not_a_select'],
      ['pragma database_list', 'not_a_select'],
      ['call pragma_version()', 'not_a_select'],
      ['select 1; select 2', 'multiple_statements'],
      ["select 1; insert into wh_physical.marts__fct_day__v1 (jurisdiction) values ('XX')", 'not_a_select'],
      ['install httpfs', 'not_a_select'],
      ['selec 1', 'syntax_error'],
      ["select * from read_csv('/etc/passwd')", 'query_failed'],
      ["select * from read_text('/etc/hostname')", 'query_failed'],
      [`select * from read_parquet('${join(root, '*.parquet')}')`, 'query_failed'],
      ["select * from query('select 1; select 2')", 'query_failed'],
    ];
    for (const [sql, code] of cases) {
      const a = await post({ sql });
      expect({ sql, ...errorOf(a) }).toEqual({ sql, status: 400, code });
      expect(a.json().error.message).toEqual(expect.any(String));
    }
    expect((await post({ sql: "select * from read_csv('/etc/passwd')" })).json().error.message).toMatch(/disabled by configuration/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(root, 'other.duckdb'))).toBe(false);
    expect(await snapshot()).toEqual(before);
  });
});

describe('wh serve: limits', () => {
  it('an answer over the row limit is a 413 with the error, never a cut answer', async () => {
    const over = await post({ sql: 'select * from range(1001)', format: 'arrow' });
    expect(errorOf(over)).toEqual({ status: 413, code: 'too_many_rows' });
    expect(over.json().error.message).toMatch(/more than 1000 rows/);
    const at = await post({ sql: 'select * from range(1000)', format: 'arrow' });
    expect(at.status).toBe(200);
    expect(tableFromIPC(at.body).numRows).toBe(1_000);
  });

  it('a slow query is interrupted at the time limit (408), and the server answers the next one', async () => {
    const t0 = Date.now();
    const slow = await post({ sql: 'select sum(a.range * b.range) from range(200000) a, range(200000) b' });
    expect(errorOf(slow)).toEqual({ status: 408, code: 'query_timeout' });
    expect(Date.now() - t0).toBeLessThan(1_500 + 2_500);
    expect((await post({ sql: 'select 1 as one' })).json()).toEqual([{ one: 1 }]);
  });

  it('a second request from the same client while its first runs gets 429', async () => {
    const first = post({ sql: 'select sum(a.range * b.range) from range(200000) a, range(200000) b' });
    await new Promise((r) => setTimeout(r, 300));
    const second = await post({ sql: 'select 1' });
    expect(errorOf(second)).toEqual({ status: 429, code: 'too_many_requests' });
    expect(errorOf(await first)).toEqual({ status: 408, code: 'query_timeout' });
  });

  it('two clients (other addresses) query at the same time, sharing one read-only instance', async () => {
    const from = (localAddress: string, sql: string) => new Promise<{ status: number; body: string }>((ok, fail) => {
      const u = new URL(`${srv.url}/query`);
      const req = request({ host: u.hostname, port: u.port, path: '/query', method: 'POST', localAddress, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } }, (res) => {
        let body = '';
        res.on('data', (d) => { body += d; });
        res.on('end', () => ok({ status: res.statusCode!, body }));
      });
      req.on('error', fail);
      req.end(JSON.stringify({ sql }));
    });
    const sql = 'select count(*)::integer as n from range(20000000) a where a.range % 7 = 0';
    const answers = await Promise.all([from('127.0.0.1', sql), from('127.0.0.2', sql), from('127.0.0.3', 'select 1 as one')]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(JSON.parse(answers[0]!.body)).toEqual([{ n: 2857143 }]);
    expect(JSON.parse(answers[2]!.body)).toEqual([{ one: 1 }]);
  });

  it('bad requests: body too large 413, bad JSON 400, no SQL 400, bad format 400, unknown route 404, wrong method 405', async () => {
    expect(errorOf(await post({ sql: `select '${'x'.repeat(5_000)}'` }))).toEqual({ status: 413, code: 'body_too_large' });
    expect(errorOf(await call('/query', { rawBody: '{"sql": ' }))).toEqual({ status: 400, code: 'bad_json' });
    expect(errorOf(await call('/query', { rawBody: '[1]' }))).toEqual({ status: 400, code: 'bad_json' });
    expect(errorOf(await post({ format: 'json' }))).toEqual({ status: 400, code: 'missing_sql' });
    expect(errorOf(await post({ sql: 'select 1', format: 'xml' }))).toEqual({ status: 400, code: 'bad_format' });
    expect(errorOf(await call('/nope'))).toEqual({ status: 404, code: 'not_found' });
    const del = await call('/query', { method: 'DELETE' });
    expect(errorOf(del)).toEqual({ status: 405, code: 'method_not_allowed' });
    expect(del.headers.get('allow')).toBe('GET, POST');
    expect(errorOf(await post({ sql: 'select * from no_such_table' }))).toEqual({ status: 400, code: 'query_failed' });
  });
});

describe('wh serve beside the writer', () => {
  it('while another process holds the writer: 503 with Retry-After; after it releases, answers again', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(REPO_ROOT, 'warehouse', 'testing', 'writer-child.ts'), 'the loop', 'stdin', '10'], {
      cwd: REPO_ROOT, env: { ...process.env, WAREHOUSE_DIR: paths.dir },
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    const exited = new Promise((ok) => child.on('exit', ok));
    await new Promise<void>((ok) => { const t = setInterval(() => { if (out.includes('holding')) { clearInterval(t); ok(); } }, 20); });
    const t0 = Date.now();
    const busy = await post({ sql: 'select 1' });
    expect(errorOf(busy)).toEqual({ status: 503, code: 'warehouse_busy' });
    expect(busy.headers.get('retry-after')).toBe('5');
    expect(busy.json().error.message).toMatch(/pid \d+, "the loop"/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_400);
    child.stdin.end();
    await exited;
    expect((await post({ sql: 'select count(*)::integer as n from main.writes' })).json()).toEqual([{ n: 10 }]);
    expect(srv.openMs().length).toBeGreaterThan(0);
  });
});
