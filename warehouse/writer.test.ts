/**
 * One writer, between real processes: the second waits with one message naming the first and
 * completes after it; --no-wait fails fast with exit 3; a dead holder's lock is taken over; the
 * data of both is intact.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { warehousePaths } from './config';
import { openWarehouse, rows } from './db';
import { REPO_ROOT } from './source/local-r2';
import { currentWriter, withWriter, writerLockPath } from './writer';

const CHILD = resolve(REPO_ROOT, 'warehouse', 'testing', 'writer-child.ts');
const CLI = resolve(REPO_ROOT, 'warehouse', 'cli.ts');
const root = mkdtempSync(join(tmpdir(), 'wh-writer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Proc = { child: ChildProcess; out: string; err: string; exited: Promise<number>; line: (re: RegExp) => Promise<string>; errLine: (re: RegExp) => Promise<void> };

function run(dir: string, script: string, args: string[]): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO_ROOT, env: { ...process.env, WAREHOUSE_DIR: dir } });
  const p: Proc = {
    child, out: '', err: '',
    exited: new Promise((ok) => child.on('exit', (code, signal) => ok(code ?? (signal ? 128 : 1)))),
    errLine: async () => {},
    line: (re) => new Promise((ok, fail) => {
      const check = () => {
        const m = re.exec(p.out);
        if (m) ok(m[0]);
      };
      child.stdout!.on('data', check);
      child.on('exit', () => setTimeout(() => (re.test(p.out) ? check() : fail(new Error(`exited without ${re}: ${p.out}${p.err}`))), 50));
      check();
    }),
  };
  p.errLine = (re) => new Promise((ok, fail) => {
    const timer = setInterval(() => { if (re.test(p.err)) { clearInterval(timer); ok(); } }, 20);
    child.on('exit', () => setTimeout(() => { clearInterval(timer); if (re.test(p.err)) ok(); else fail(new Error(`exited without ${re}: ${p.err}`)); }, 50));
  });
  child.stdout!.on('data', (d) => { p.out += d; });
  child.stderr!.on('data', (d) => { p.err += d; });
  return p;
}

const writes = async (dir: string) => {
  const wh = await openWarehouse(warehousePaths(dir).db, { readOnly: true });
  try {
    return await rows<{ writer: string; n: number; seqs: number }>(wh.con, 'select writer, count(*)::integer as n, count(distinct seq)::integer as seqs from main.writes group by 1 order by min(written_at)');
  } finally {
    wh.close();
  }
};

let dir: string;
beforeEach(() => {
  dir = join(root, String(Math.random()).slice(2));
  mkdirSync(dir);
});

describe('one writer', () => {
  it('a second writer waits with one message, completes after the first, and both writes are intact', async () => {
    const a = run(dir, CHILD, ['first', 'stdin', '5000']);
    await a.line(/holding/);
    const b = run(dir, CHILD, ['second', '0', '3000']);
    await b.errLine(/\[wh\] waiting/);
    await new Promise((r) => setTimeout(r, 500)); // b keeps waiting, without a second message
    a.child.stdin!.end();
    const [codeA, codeB] = await Promise.all([a.exited, b.exited]);
    expect([codeA, codeB]).toEqual([0, 0]);
    const waiting = b.err.split('\n').filter((l) => l.startsWith('[wh] waiting'));
    expect(waiting).toEqual([expect.stringMatching(new RegExp(`^\\[wh\\] waiting for the warehouse: another process \\(pid ${a.child.pid}, "first"\\) is writing since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z…$`))]);
    const doneA = Number(/done (\d+)/.exec(a.out)![1]);
    const doneB = Number(/done (\d+)/.exec(b.out)![1]);
    expect(doneB).toBeGreaterThan(doneA);
    expect(await writes(dir)).toEqual([{ writer: 'first', n: 5000, seqs: 5000 }, { writer: 'second', n: 3000, seqs: 3000 }]);
    expect(existsSync(writerLockPath(warehousePaths(dir)))).toBe(false);
  });

  it('--no-wait fails fast with exit 3 naming the holder; the CLI sync waits its turn or fails fast the same way', async () => {
    const empty = join(dir, 'no-batches');
    mkdirSync(empty);
    const a = run(dir, CHILD, ['the loop', 'stdin', '10']);
    await a.line(/holding/);
    const c = run(dir, CHILD, ['impatient', '0', '10', '--no-wait']);
    expect(await c.exited).toBe(3);
    expect(c.err).toContain(`another process (pid ${a.child.pid}, "the loop") is writing since`);

    const fast = run(dir, CLI, ['sync', '--source', `dir:${empty}`, '--no-wait']);
    expect(await fast.exited).toBe(3); // while the holder keeps the writer until told: it did not wait
    expect(fast.err).toMatch(new RegExp(`wh: the warehouse is busy: another process \\(pid ${a.child.pid}, "the loop"\\)`));

    const patient = run(dir, CLI, ['sync', '--source', `dir:${empty}`]);
    await patient.errLine(/\[wh\] waiting/);
    a.child.stdin!.end();
    expect(await patient.exited).toBe(0);
    expect(await a.exited).toBe(0);
    expect(patient.err.match(/\[wh\] waiting for the warehouse/g)).toHaveLength(1);
    expect(patient.out).toContain('[wh] synced 0 objects');
    expect(await writes(dir)).toEqual([{ writer: 'the loop', n: 10, seqs: 10 }]);
  });

  it('takes over the lock of a holder killed with SIGKILL; its committed rows stay, nothing half-written', async () => {
    const a = run(dir, CHILD, ['doomed', 'stdin', '2000']);
    await a.line(/holding/);
    expect(currentWriter(warehousePaths(dir))).toMatchObject({ pid: a.child.pid, label: 'doomed' });
    a.child.kill('SIGKILL');
    await a.exited;
    const lines: string[] = [];
    await withWriter(warehousePaths(dir), 'after', async (wh) => {
      await wh.con.run("insert into main.writes select 'after', i, now() from range(10) r(i)");
    }, { log: (l) => lines.push(l) });
    expect(lines).toEqual([expect.stringContaining(`taking over a stale writer lock (pid ${a.child.pid}, "doomed"`)]);
    expect(await writes(dir)).toEqual([{ writer: 'doomed', n: 2000, seqs: 2000 }, { writer: 'after', n: 10, seqs: 10 }]);
  });

  it('treats a lock whose pid now belongs to a newer process as stale (pid reuse)', async () => {
    const paths = warehousePaths(dir);
    // The lock claims this very test process's parent pid but was taken before it started: reused.
    writeFileSync(writerLockPath(paths), JSON.stringify({ pid: process.ppid, label: 'long ago', started: '2001-01-01T00:00:00.000Z', host: hostname() }));
    expect(currentWriter(paths)).toBeNull();
    const lines: string[] = [];
    await withWriter(paths, 'now', async () => {}, { log: (l) => lines.push(l) });
    expect(lines.join('\n')).toContain('taking over a stale writer lock');
  });

  it('refuses to wait for itself (re-entrant use would hang)', async () => {
    const paths = warehousePaths(dir);
    await expect(withWriter(paths, 'outer', () => withWriter(paths, 'inner', async () => 1))).rejects.toThrow(/this process already holds the warehouse writer \("outer"\)/);
    expect(existsSync(writerLockPath(paths))).toBe(false);
  });
});
