/**
 * Machine calibration for E1: the same bare debit as the bench worker's `raw_debit` (one balance
 * update returning the new balance + one ledger insert, in a savepoint, inside one outer
 * transaction per batch) on Node's built-in SQLite (node:sqlite), in this process, on a WAL file
 * in a temp dir. Two flavours: statements prepared once (native best case) and prepared on every
 * call. It tells how much of E1 is the machine and how much is the runtime's SQL path.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onExitRemove } from './proc.mjs';

let DatabaseSync = null;
async function load() {
  if (DatabaseSync === null) {
    // node:sqlite warns once that it is experimental; that warning is not news here.
    const emit = process.emitWarning;
    process.emitWarning = (w, ...rest) => (String(w).includes('SQLite') ? undefined : emit.call(process, w, ...rest));
    try {
      ({ DatabaseSync } = await import('node:sqlite'));
    } catch {
      DatabaseSync = false;
    } finally {
      process.emitWarning = emit;
    }
  }
  return DatabaseSync || null;
}

const UPDATE = 'update account set balance_minor = balance_minor - ? where id = 1 returning balance_minor';
const INSERT = 'insert into ledger (at, amount_minor, balance_after_minor, ref) values (?, ?, ?, ?)';

/** Opens a fresh database; returns { debit(n, cached) -> us per op, close() } or null without node:sqlite. */
export async function openReference() {
  const Db = await load();
  if (!Db) return null;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'edge-bench-sqlite-'));
  const forget = onExitRemove(dir);
  const db = new Db(path.join(dir, 'ref.db'));
  db.exec(`pragma journal_mode = wal;
    create table account (id integer primary key, balance_minor integer not null check (balance_minor >= 0));
    create table ledger (entry_id integer primary key autoincrement, at integer not null, amount_minor integer not null,
      balance_after_minor integer not null, ref text not null);
    insert into account values (1, 1000000000000);`);
  const up = db.prepare(UPDATE);
  const ins = db.prepare(INSERT);
  return {
    debit(n, cached) {
      db.exec('begin');
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        db.exec('savepoint op');
        const after = (cached ? up : db.prepare(UPDATE)).get(100).balance_minor;
        (cached ? ins : db.prepare(INSERT)).run(Date.now(), -100, after, `ref:${i}`);
        db.exec('release op');
      }
      db.exec('commit');
      return ((performance.now() - t0) * 1000) / n;
    },
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
      forget();
    },
  };
}
