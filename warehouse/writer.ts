/**
 * One writer. DuckDB lets one process write a database file; a second writer's open fails at
 * once. `withWriter()` turns that into a queue with a message: a lock file next to the database
 * (`casino.duckdb.writer`: pid, label, start time, host) says who writes, and whoever finds it
 * taken prints ONE line naming the holder and waits its turn, or with `wait: false` fails fast
 * with WriterBusyError (the CLI's exit code 3). DuckDB's own file lock stays the guarantee: the lock
 * file only makes waiting visible and orderly (a process that opens the file without it, or a
 * reader, still makes the writer wait, with a message naming DuckDB's PID).
 *
 * A holder that died (kill -9, power) leaves its file behind: a lock whose pid is gone, or whose
 * pid now belongs to a process started after the lock was taken (pid reuse, Linux), is stale and
 * taken over. The file is created with link(2), so two processes never both believe they hold it.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import type { WarehousePaths } from './config';
import { lockHolderPid, openWarehouse, type Warehouse } from './db';

export type WriterHolder = { pid: number; label: string; started: string; host: string };

export class WriterBusyError extends Error {
  constructor(readonly holder: Partial<WriterHolder> & { pid?: number; label: string }) {
    super(`the warehouse is busy: ${describeHolder(holder)}`);
  }
}

export type WriterOptions = { wait?: boolean; log?: (line: string) => void; pollMs?: number };

export const writerLockPath = (paths: Pick<WarehousePaths, 'db'>) => `${paths.db}.writer`;

function describeHolder(h: Partial<WriterHolder> & { label: string }): string {
  return `another process (pid ${h.pid ?? '?'}, "${h.label}")${h.started ? ` is writing since ${h.started}` : ''}`;
}

export function readWriterLock(path: string): WriterHolder | null {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as WriterHolder;
    return Number.isInteger(v?.pid) ? v : null;
  } catch {
    return null;
  }
}

/** Start time (ms since the epoch) of a live process, from /proc (Linux); undefined elsewhere. */
function processStartMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    return Number.isFinite(ticks) && btime ? btime * 1000 + (ticks * 1000) / 100 : undefined; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** Whether the lock's holder still runs: same host, pid alive, and not a newer process that reused the pid. */
export function holderAlive(h: WriterHolder): boolean {
  if (h.host !== hostname()) return true; // cannot tell: assume alive
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const start = processStartMs(h.pid);
  return start === undefined || start <= Date.parse(h.started) + 2_000;
}

/** The live holder of the writer lock, or null (no lock, or a stale one). */
export function currentWriter(paths: Pick<WarehousePaths, 'db'>): WriterHolder | null {
  const h = readWriterLock(writerLockPath(paths));
  return h && holderAlive(h) ? h : null;
}

/** Who keeps the file busy, for someone waiting on it: the writer lock's holder, else DuckDB's PID. */
export function busyHolder(paths: Pick<WarehousePaths, 'db'>, err: unknown): Partial<WriterHolder> & { label: string } {
  return currentWriter(paths) ?? fileHolder(err);
}

/** The process DuckDB names as holding the file, when no writer lock explains it. */
const fileHolder = (err: unknown) => ({ pid: lockHolderPid(err), label: 'a reader, or a writer without the lock file' });

export const waitingLine = (h: Partial<WriterHolder> & { label: string }) => `[wh] waiting for the warehouse: ${describeHolder(h)}…`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Takes the lock file, waiting (or failing fast) while a live process holds it. */
async function acquire(path: string, label: string, opts: WriterOptions): Promise<WriterHolder> {
  const me: WriterHolder = { pid: process.pid, label, started: new Date().toISOString(), host: hostname() };
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  mkdirSync(dirname(path), { recursive: true });
  let told = '';
  for (;;) {
    writeFileSync(tmp, `${JSON.stringify(me)}\n`);
    try {
      linkSync(tmp, path);
      return me;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(tmp);
    }
    const holder = readWriterLock(path);
    if (!holder) {
      await sleep(20); // being written or removed right now
      continue;
    }
    if (holder.pid === process.pid && holder.host === me.host) throw new Error(`this process already holds the warehouse writer ("${holder.label}")`);
    if (!holderAlive(holder)) {
      takeOverStale(path, holder, opts.log);
      continue;
    }
    if (opts.wait === false) throw new WriterBusyError(holder);
    const key = `${holder.pid}@${holder.started}`;
    if (told !== key) opts.log?.(waitingLine(holder));
    told = key;
    await sleep(opts.pollMs ?? 100);
  }
}

/** Moves a stale lock aside; puts it back if, in between, it was replaced by a live holder's. */
function takeOverStale(path: string, stale: WriterHolder, log?: (line: string) => void): void {
  const aside = `${path}.stale.${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return;
  }
  const moved = readWriterLock(aside);
  if (moved && (moved.pid !== stale.pid || moved.started !== stale.started)) {
    try {
      linkSync(aside, path);
    } catch { /* someone took it meanwhile: DuckDB's lock still decides */ }
  } else {
    log?.(`[wh] taking over a stale writer lock (pid ${stale.pid}, "${stale.label}", since ${stale.started}: that process is gone)`);
  }
  unlinkSync(aside);
}

function release(path: string, me: WriterHolder): void {
  const h = readWriterLock(path);
  if (h && h.pid === me.pid && h.started === me.started) {
    try {
      unlinkSync(path);
    } catch { /* already gone */ }
  }
}

/**
 * Runs `fn` with the warehouse open for writing, holding the writer lock; closes and releases
 * after, whatever happens. Waits its turn (one message on `log`, default stderr) unless
 * `wait: false`, which throws WriterBusyError naming the holder.
 */
export async function withWriter<T>(paths: Pick<WarehousePaths, 'db'>, label: string, fn: (wh: Warehouse) => Promise<T>, opts: WriterOptions = {}): Promise<T> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const path = writerLockPath(paths);
  const me = await acquire(path, label, { ...opts, log });
  const onExit = () => release(path, me);
  process.on('exit', onExit);
  try {
    let wh: Warehouse;
    try {
      wh = await openWarehouse(paths.db, {
        lockWaitMs: opts.wait === false ? 0 : Infinity,
        onWait: (err) => log(waitingLine(fileHolder(err))),
      });
    } catch (err) {
      if (opts.wait === false && lockHolderPid(err) !== undefined) throw new WriterBusyError(fileHolder(err));
      throw err;
    }
    try {
      return await fn(wh);
    } finally {
      wh.close();
    }
  } finally {
    release(path, me);
    process.off('exit', onExit);
  }
}
