/** `wh query` from the command line: each format, environments, --out, --limit, and every error path with its exit code. */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warehousePaths } from './config';
import { openWarehouse } from './db';
import { REPO_ROOT } from './source/local-r2';

const root = mkdtempSync(join(tmpdir(), 'wh-query-'));
const dir = join(root, 'wh');
const CLI = resolve(REPO_ROOT, 'warehouse', 'cli.ts');
const env = { ...process.env, WAREHOUSE_DIR: dir };

const wh = (...args: string[]) => new Promise<{ code: number; out: Buffer; err: string }>((done) => {
  execFile(process.execPath, ['--import', 'tsx', CLI, 'query', ...args], { cwd: REPO_ROOT, env, timeout: 60_000, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
    (error, stdout, stderr) => done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr.toString() }));
});

beforeAll(async () => {
  const w = await openWarehouse(warehousePaths(dir).db);
  try {
    await w.con.run(`create schema marts; create schema marts__dev;
      create table marts.players as select * from (values (1, 'MT', 10.50::decimal(12,2)), (2, '=cmd', -3.00::decimal(12,2))) t(player_no, jurisdiction, balance);
      create view marts__dev.players as select player_no, 'DEV' as jurisdiction, balance from marts.players;`);
  } finally {
    w.close();
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('wh query', () => {
  it('writes a table, CSV, JSON, and Arrow (to a pipe or --out)', async () => {
    const table = await wh('select player_no, jurisdiction from marts.players order by 1');
    expect(table.code).toBe(0);
    expect(table.out.toString()).toMatch(/player_no\s+jurisdiction\s*\n-+\s+-+\s*\n1\s+MT\s*\n2\s+=cmd/);
    const csv = await wh('select * from marts.players order by 1', '--format', 'csv');
    expect(csv.out.toString()).toBe('player_no,jurisdiction,balance\r\n1,MT,10.50\r\n2,"\'=cmd",-3.00\r\n');
    const json = await wh('select * from marts.players order by 1', '--format', 'json');
    expect(JSON.parse(json.out.toString())).toEqual([{ player_no: 1, jurisdiction: 'MT', balance: 10.5 }, { player_no: 2, jurisdiction: '=cmd', balance: -3 }]);
    const piped = await wh('select * from range(5000) t(i)', '--format', 'arrow');
    expect(piped.code).toBe(0);
    expect(tableFromIPC(piped.out).getChild('i')!.get(4_999)).toBe(4_999n);
    const file = join(root, 'players.arrow');
    const out = await wh('select * from marts.players', '--format', 'arrow', '--out', file);
    expect(out).toMatchObject({ code: 0, err: expect.stringContaining(`wrote 2 rows to ${file}`) });
    expect(tableFromIPC(readFileSync(file)).numRows).toBe(2);
  });

  it('--env resolves unqualified model names in that environment', async () => {
    expect((await wh('select jurisdiction from players where player_no = 1', '--format', 'csv')).out.toString()).toBe('jurisdiction\r\nMT\r\n');
    expect((await wh('select jurisdiction from players where player_no = 1', '--format', 'csv', '--env', 'dev')).out.toString()).toBe('jurisdiction\r\nDEV\r\n');
    expect(await wh('select 1', '--env', 'nosuch')).toMatchObject({ code: 1, err: expect.stringContaining("there is no environment 'nosuch'") });
    expect(await wh('select 1', '--env', 'No-Such')).toMatchObject({ code: 2, err: expect.stringContaining('must be lower case') });
  });

  it('--limit cuts the answer and says so', async () => {
    const r = await wh('select * from range(10) t(i)', '--format', 'json', '--limit', '3');
    expect(JSON.parse(r.out.toString())).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
    expect(r.err).toContain('stopped after 3 rows (--limit); the answer has more');
  });

  it('error paths: bad format, bad limit, --out with a table, bad SQL (exit 1 with DuckDB\'s message, no file left), a write', async () => {
    expect(await wh('select 1', '--format', 'xml')).toMatchObject({ code: 2, err: expect.stringContaining("--format must be one of table, arrow, csv, json, not 'xml'") });
    expect(await wh('select 1', '--limit', '0')).toMatchObject({ code: 2, err: expect.stringContaining('--limit must be a positive integer') });
    expect(await wh('select 1', '--out', join(root, 'x.txt'))).toMatchObject({ code: 2, err: expect.stringContaining('--out needs --format arrow, csv or json') });
    expect(await wh('selec 1')).toMatchObject({ code: 1, err: expect.stringMatching(/Parser Error: syntax error at or near "selec"/) });
    const file = join(root, 'bad.csv');
    expect(await wh('select * from no_such_table', '--format', 'csv', '--out', file)).toMatchObject({ code: 1, err: expect.stringContaining('Catalog Error: Table with name no_such_table does not exist') });
    // Fails mid-stream (a cast error on a late row): no partial file is left behind.
    expect(await wh("select case when i < 5000 then i::varchar else 'x' end::integer as v from range(6000) t(i)", '--format', 'csv', '--out', file)).toMatchObject({ code: 1, err: expect.stringContaining('Conversion Error') });
    expect(readdirSync(root).filter((f) => f.startsWith('bad.csv'))).toEqual([]);
    expect(await wh('drop table marts.players')).toMatchObject({ code: 1, err: expect.stringMatching(/read-only/) });
    expect(await wh('select 1', '--env', 'dev', '--format', 'json')).toMatchObject({ code: 0 });
  });

  it.skipIf(spawnSync('script', ['--version']).status !== 0)('refuses to write Arrow to a terminal', () => {
    // script(1) gives the command a pseudo-terminal as stdout.
    const cmd = [process.execPath, '--import', 'tsx', CLI, 'query', '"select 1"', '--format', 'arrow'].join(' ');
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stdout).toContain('--format arrow writes binary: give --out <file>, or pipe stdout');
  });

  it('--no-wait while another process writes: exit 3 naming it; without it, waits with one message', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(REPO_ROOT, 'warehouse', 'testing', 'writer-child.ts'), 'a long run', 'stdin', '1'], { cwd: REPO_ROOT, env });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    const exited = new Promise((ok) => child.on('exit', ok));
    await new Promise<void>((ok) => { const t = setInterval(() => { if (out.includes('holding')) { clearInterval(t); ok(); } }, 20); });
    expect(await wh('select 1', '--no-wait')).toMatchObject({ code: 3, err: expect.stringContaining(`the warehouse is busy: another process (pid ${child.pid}, "a long run")`) });
    const waiting = spawn(process.execPath, ['--import', 'tsx', CLI, 'query', 'select count(*) as n from main.writes', '--format', 'csv'], { cwd: REPO_ROOT, env });
    let qOut = '';
    let qErr = '';
    waiting.stdout.on('data', (d) => { qOut += d; });
    waiting.stderr.on('data', (d) => { qErr += d; });
    const qExit = new Promise((ok) => waiting.on('exit', ok));
    await new Promise<void>((ok) => { const t = setInterval(() => { if (qErr.includes('[wh] waiting')) { clearInterval(t); ok(); } }, 20); });
    await new Promise((r) => setTimeout(r, 500));
    child.stdin.end();
    await exited;
    expect(await qExit).toBe(0);
    expect(qOut).toBe('n\r\n1\r\n');
    expect(qErr.match(/\[wh\] waiting for the warehouse: another process \(pid \d+, "a long run"\) is writing since/g)).toHaveLength(1);
    expect(existsSync(join(dir, 'casino.duckdb.writer'))).toBe(false);
  });
});
