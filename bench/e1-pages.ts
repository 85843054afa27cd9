/**
 * E1 diagnostics (issue 15): SQLite pages written per deposit and per bet, by player schema version.
 * Time on this shared machine is too noisy to compare schemas across runs (or even side by side at
 * load ~10), but what a transaction WRITES is deterministic: here the statements the wallet runs
 * (the raw SQL of bench/edge/bench-worker.ts `sql_deposit` / `sql_bet`, the schema-8 form for
 * version 8) run on a file database migrated to each version with the real PLAYER_MIGRATIONS, in
 * WAL mode without checkpoints, and the WAL frames (pages) written per transaction are counted.
 * Node's SQLite, not the Durable Object's, but the same engine and page format: the count of pages
 * a commit dirties is what a Durable Object's storage writes too.
 *
 *   npx tsx bench/e1-pages.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/** The migrations' view of the database (durable/lib/sql.ts Db: script, first, all, run). */
type MigrationDb = {
  script(text: string): void;
  first(s: TemplateStringsArray, ...v: (string | number | null)[]): unknown;
  all(s: TemplateStringsArray, ...v: (string | number | null)[]): unknown[];
  run(s: TemplateStringsArray, ...v: (string | number | null)[]): number;
};
type Migration = string | ((db: MigrationDb) => void);
// Loaded by path at run time: a static import would pull the Workers-typed durable/ sources into
// this Node-typed project (warehouse/tsconfig.json checks bench/*.ts with Node's types only).
const schemaModule = '../durable/player/schema';
const { PLAYER_MIGRATIONS } = (await import(schemaModule)) as { PLAYER_MIGRATIONS: readonly Migration[] };

const N = 2_000;
const WARM_UP = 200;
const BODY = JSON.stringify({ pad: 'x'.repeat(420) });
const HOUR = Math.floor(Date.now() / 3_600_000);

/** What the migrations use of Db, over node:sqlite (template strings bound as parameters). */
function asDb(raw: DatabaseSync): MigrationDb {
  const q = (s: TemplateStringsArray) => raw.prepare(s.join('?'));
  return {
    script: (t) => raw.exec(t),
    first: (s, ...v) => q(s).get(...v) ?? null,
    all: (s, ...v) => q(s).all(...v),
    run: (s, ...v) => Number(q(s).run(...v).changes),
  };
}

function open(file: string, version: number): DatabaseSync {
  const raw = new DatabaseSync(file);
  raw.exec('pragma journal_mode = wal; pragma synchronous = off; pragma wal_autocheckpoint = 0');
  const db = asDb(raw);
  for (const m of PLAYER_MIGRATIONS.slice(0, version)) {
    raw.exec('begin');
    if (typeof m === 'string') raw.exec(m);
    else m(db);
    raw.exec('commit');
  }
  raw.exec(`insert or ignore into balances (currency, bucket, balance_minor, held_minor) values ('EUR', 'real', 1000000000000, 0)`);
  return raw;
}

function deposit(db: DatabaseSync, version: number, id: string): void {
  const now = Date.now();
  const p = (sql: string) => db.prepare(sql);
  db.exec('begin');
  if (version < 9) {
    p('select fingerprint, response from idempotency where key = ?').all(id);
    p(`insert into deposits (deposit_id, provider, provider_ref, currency, amount_minor, state, payment_reference, created_at, updated_at)
      values (?, 'sandbox', null, 'EUR', 100, 'pending', null, ?, ?)`).run(id, now, now);
  } else {
    p(`select d.deposit_id, i.fingerprint from (select 1) left join deposits d on d.idempotency_key = ? left join idempotency i on i.key = ?`).all(id, `deposit:${id}`);
    p(`insert into deposits (deposit_id, provider, provider_ref, currency, amount_minor, state, payment_reference, created_at, updated_at, idempotency_key, requested_reference)
      values (?, 'sandbox', null, 'EUR', 100, 'pending', null, ?, ?, ?, null)`).run(id, now, now, id);
  }
  p(`insert into rg_usage (metric, currency, hour, amount_minor) values ('deposit', 'EUR', ?, 100)
    on conflict (metric, currency, hour) do update set amount_minor = amount_minor + excluded.amount_minor`).run(HOUR);
  p('insert into outbox (event_id, event_type, occurred_at, body) values (?, ?, ?, ?)').run(`${id}:a`, 'wallet.deposit.requested', now, BODY);
  if (version < 9) p('insert into idempotency (key, fingerprint, response, created_at) values (?, ?, ?, ?)').run(id, 'deposit|sandbox|EUR|100', BODY, now);
  const after = (p(`update balances set balance_minor = balance_minor + 100 where currency = 'EUR' and bucket = 'real' returning balance_minor`).get() as { balance_minor: number }).balance_minor;
  p(`insert into ledger (at, currency, bucket, kind, amount_minor, balance_after_minor, ref) values (?, 'EUR', 'real', 'deposit', 100, ?, ?)`).run(now, after, id);
  p(`update deposits set state = 'completed', provider_ref = ?, updated_at = ? where deposit_id = ? and state = 'pending' returning deposit_id`).all(id, now, id);
  p('insert into outbox (event_id, event_type, occurred_at, body) values (?, ?, ?, ?)').run(`${id}:b`, 'wallet.deposit.completed', now, BODY);
  db.exec('commit');
}

function bet(db: DatabaseSync, id: string): void {
  const now = Date.now();
  const p = (sql: string) => db.prepare(sql);
  db.exec('begin');
  p('select h.*, exists (select 1 from abandoned_holds where hold_id = ?) as abandoned from (select 1) left join holds h on h.hold_id = ?').all(id, id);
  p(`update balances set held_minor = held_minor + 100 where currency = 'EUR' and bucket = 'real' returning balance_minor`).all();
  p(`insert into holds (hold_id, kind, currency, real_minor, bonus_minor, state, expires_at, ref, created_at) values (?, 'bet', 'EUR', 100, 0, 'pending', ?, 'round', ?)`).run(id, now + 86_400_000, now);
  p(`insert into rg_usage (metric, currency, hour, amount_minor) values ('wager', 'EUR', ?, 100), ('loss', 'EUR', ?, 100)
    on conflict (metric, currency, hour) do update set amount_minor = amount_minor + excluded.amount_minor`).run(HOUR, HOUR);
  p('insert into outbox (event_id, event_type, occurred_at, body) values (?, ?, ?, ?)').run(`${id}:a`, 'wallet.hold.reserved', now, BODY);
  const after = (p(`update balances set balance_minor = balance_minor - 100, held_minor = held_minor - 100 where currency = 'EUR' and bucket = 'real' returning balance_minor`).get() as { balance_minor: number }).balance_minor;
  p(`insert into ledger (at, currency, bucket, kind, amount_minor, balance_after_minor, ref) values (?, 'EUR', 'real', 'bet', -100, ?, ?)`).run(now, after, id);
  p(`update holds set state = 'posted', resolved_at = ? where hold_id = ? and state = 'pending' returning hold_id`).all(now, id);
  p('insert into outbox (event_id, event_type, occurred_at, body) values (?, ?, ?, ?)').run(`${id}:b`, 'wallet.hold.posted', now, BODY);
  db.exec('commit');
}

/** Pages in the WAL since the last call (then emptied). */
function walPages(db: DatabaseSync): number {
  const n = (db.prepare('pragma wal_checkpoint(PASSIVE)').get() as { log: number }).log;
  db.prepare('pragma wal_checkpoint(TRUNCATE)').get();
  return n;
}

const dir = mkdtempSync(join(tmpdir(), 'e1-pages-'));
try {
  for (let version = 8; version <= PLAYER_MIGRATIONS.length; version++) {
    const db = open(join(dir, `v${version}.db`), version);
    for (let i = 0; i < WARM_UP; i++) { deposit(db, version, `warm:${i}`); bet(db, `warm:b${i}`); }
    walPages(db);
    for (let i = 0; i < N; i++) deposit(db, version, `d:${i}`);
    const perDeposit = walPages(db) / N;
    for (let i = 0; i < N; i++) bet(db, `b:${i}`);
    const perBet = walPages(db) / N;
    console.log(`schema ${version}: pages written per deposit ${perDeposit.toFixed(2)}, per bet ${perBet.toFixed(2)}`);
    db.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
