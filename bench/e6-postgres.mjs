/**
 * E6: the wallet's bet on PostgreSQL, beside the same operation in a player object (E1's figure,
 * measured again in this run). Target (TARGETS.md): ours >= 2x faster, i.e. PostgreSQL's time per
 * op / ours >= 2; `pass` judges that ratio.
 *
 * PostgreSQL side. Debian's server (/usr/lib/postgresql/<version>/bin; `apt-get install -y
 * postgresql` if missing), a cluster of its own: `initdb` into a fresh temp dir (as the `postgres`
 * user when this runs as root: initdb refuses root), started with `pg_ctl` on 127.0.0.1 and a free
 * port, default settings (fsync on, synchronous_commit on), stopped and removed at the end. One
 * client (the `pg` package, one connection) sends bets one after another on one player's account,
 * each in one transaction:
 *   insert the idempotency row (on conflict do nothing: a replay changes nothing)
 *   select the balance ... for update                  (the row lock)
 *   update the balance, insert the ledger entry        (the check, balance >= 0, in the table)
 * Variants: `client` (those statements as separate round trips, BEGIN/COMMIT included: how an
 * application server talks to it), `function` (the same statements in a PL/pgSQL function, one
 * round trip per bet), and `function` with synchronous_commit off (no WAL flush wait per commit,
 * the nearest to the object, whose SQLite commits are made durable by the output gate).
 *
 * Ours. The E1 bench worker (bench/edge, wrangler dev), `reserve_post` with a wager limit set:
 * reserveHold + postHold of the real Wallet, in one transactionSync, per op = (wall(/e1?n=N) -
 * wall(/e1?n=0)) / N, as E1 measures it; and the bare debit (update + insert) beside it.
 *
 * Value: PostgreSQL `client` us per bet / ours us per bet, median over runs (higher is better for
 * us); every variant's per-op time and ratio is in `comparisons`. Afterwards the PostgreSQL balance
 * must equal the start minus every stake, and the ledger hold one row per bet.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expectFetch } from './lib/http.mjs';
import { freePort, onExitRemove, startWrangler } from './lib/proc.mjs';
import { median, round } from './lib/stats.mjs';

export const DEFAULTS = { runs: 5, n: 5_000, ourN: 10_000 };
const TARGET_RATIO = 2;
const STAKE = 100;
const FLOAT = 1e12;

function pgBinDir() {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) throw new Error('PostgreSQL is not installed: apt-get install -y postgresql');
  const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin/initdb'))).sort((a, b) => Number(b) - Number(a));
  if (!versions.length) throw new Error(`no initdb under ${root}`);
  return { bin: path.join(root, versions[0], 'bin'), version: versions[0] };
}

/** Runs a PostgreSQL program as `postgres` when we are root (initdb and postgres refuse root). */
function asPg(program, args) {
  const isRoot = process.getuid?.() === 0;
  const cmd = isRoot ? 'runuser' : program;
  const full = isRoot ? ['-u', 'postgres', '--', program, ...args] : args;
  const r = spawnSync(cmd, full, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${program} ${args.join(' ')} exited ${r.status}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

async function startPostgres() {
  const { bin, version } = pgBinDir();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'e6-pg-'));
  const forget = onExitRemove(dir);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    await chown(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  const port = await freePort();
  asPg(path.join(bin, 'initdb'), ['-D', data, '-U', 'bench', '--auth=trust', '-E', 'UTF8', '--no-locale']);
  asPg(path.join(bin, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-o', `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir}`, 'start']);
  const stop = async () => {
    try { asPg(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']); } catch { /* already down */ }
    await rm(dir, { recursive: true, force: true });
    forget();
  };
  return { port, version, stop };
}

const SCHEMA = `
create table accounts (player_id text primary key, balance_minor bigint not null check (balance_minor >= 0));
create table ledger (entry_id bigserial primary key, player_id text not null, at bigint not null, amount_minor bigint not null,
  balance_after_minor bigint not null, ref text not null);
create table idempotency (key text primary key, created_at bigint not null);
create function bet(p text, k text, amount bigint, now_ms bigint) returns bigint language plpgsql as $$
declare b bigint;
begin
  insert into idempotency (key, created_at) values (k, now_ms) on conflict do nothing;
  if not found then return null; end if;
  select balance_minor into b from accounts where player_id = p for update;
  update accounts set balance_minor = b - amount where player_id = p;
  insert into ledger (player_id, at, amount_minor, balance_after_minor, ref) values (p, now_ms, -amount, b - amount, k);
  return b - amount;
end $$;
`;

/** n bets as separate statements (6 round trips each). */
async function clientBets(db, tag, n) {
  for (let i = 0; i < n; i++) {
    const k = `${tag}:${i}`;
    const now = Date.now();
    await db.query('begin');
    const fresh = await db.query('insert into idempotency (key, created_at) values ($1, $2) on conflict do nothing returning key', [k, now]);
    if (fresh.rowCount !== 1) throw new Error(`replayed ${k}`);
    const b = Number((await db.query('select balance_minor from accounts where player_id = $1 for update', ['p1'])).rows[0].balance_minor);
    await db.query('update accounts set balance_minor = $2 where player_id = $1', ['p1', b - STAKE]);
    await db.query('insert into ledger (player_id, at, amount_minor, balance_after_minor, ref) values ($1, $2, $3, $4, $5)', ['p1', now, -STAKE, b - STAKE, k]);
    await db.query('commit');
  }
}

/** n bets through the PL/pgSQL function (1 round trip each, autocommit). */
async function functionBets(db, tag, n) {
  for (let i = 0; i < n; i++) {
    const r = await db.query('select bet($1, $2, $3, $4) as after', ['p1', `${tag}:${i}`, STAKE, Date.now()]);
    if (r.rows[0].after === null) throw new Error('replayed');
  }
}

export async function runE6({ machine, runs = DEFAULTS.runs, n = DEFAULTS.n, ourN = DEFAULTS.ourN, log = console.log }) {
  const { default: pg } = await import('pg');
  const server = await startPostgres();
  let worker = null;
  const db = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'bench', database: 'postgres' });
  try {
    await db.connect();
    await db.query(SCHEMA);
    await db.query('insert into accounts values ($1, $2)', ['p1', FLOAT]);
    worker = await startWrangler({ label: 'bench worker', config: 'bench/edge/wrangler.toml', args: ['--log-level', 'warn'], readyPath: '/health' });
    log(`E6: PostgreSQL ${server.version} on 127.0.0.1:${server.port} (fresh cluster), bench worker on ${worker.url}; ${runs} runs x ${n} bets (ours x ${ourN})`);
    for (const [object, limits] of [['e6', 1], ['e6_raw', 0]]) await expectFetch(`${worker.url}/setup?object=${object}&limits=${limits}`);

    const ours = async (object, op) => {
      const zero = [];
      for (let i = 0; i < 3; i++) zero.push((await expectFetch(`${worker.url}/e1?object=${object}&op=${op}&n=0`)).ms);
      const full = (await expectFetch(`${worker.url}/e1?object=${object}&op=${op}&n=${ourN}`)).ms;
      return ((full - median(zero)) * 1000) / ourN;
    };
    const timed = async (fn) => {
      const t0 = performance.now();
      await fn();
      return ((performance.now() - t0) * 1000) / n;
    };
    let tag = 0;
    const variants = {
      pg_client: () => timed(() => clientBets(db, `c${tag++}`, n)),
      pg_function: () => timed(() => functionBets(db, `f${tag++}`, n)),
      pg_function_async_commit: async () => {
        await db.query('set synchronous_commit = off');
        try { return await timed(() => functionBets(db, `a${tag++}`, n)); } finally { await db.query('set synchronous_commit = on'); }
      },
      ours_reserve_post: () => ours('e6', 'reserve_post'),
      ours_raw_debit: () => ours('e6_raw', 'raw_debit'),
    };
    // warm-up: JIT, caches, pages
    for (const k of Object.keys(variants)) {
      if (k.startsWith('pg_')) { const keep = n; n = Math.max(1, Math.floor(keep / 10)); await variants[k](); n = keep; } else await variants[k]();
    }
    const measured = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
    const names = Object.keys(variants);
    for (let r = 0; r < runs; r++) {
      const order = names.map((_, i) => names[(i + r) % names.length]);
      for (const k of order) measured[k].push(await variants[k]());
      log(`  run ${r + 1}/${runs}: ` + names.map((k) => `${k} ${round(measured[k][r], 1)}`).join(', ') + ' us/op');
    }
    // every bet applied once on PostgreSQL
    const bal = Number((await db.query('select balance_minor from accounts where player_id = $1', ['p1'])).rows[0].balance_minor);
    const entries = Number((await db.query('select count(*) as n from ledger')).rows[0].n);
    const keys = Number((await db.query('select count(*) as n from idempotency')).rows[0].n);
    const check = { ok: bal === FLOAT - entries * STAKE && entries === keys, balance_minor: bal, ledger_rows: entries, idempotency_rows: keys };

    const med = (k) => median(measured[k]);
    const ourOp = med('ours_reserve_post');
    const ratioPerRun = measured.pg_client.map((x, i) => x / measured.ours_reserve_post[i]);
    const value = median(ratioPerRun);
    const comparisons = Object.fromEntries(names.map((k) => [k, { median_us: round(med(k), 2), min_us: round(Math.min(...measured[k]), 2), pg_over_ours: round(med(k) / ourOp, 2) }]));
    return [{
      id: 'E6',
      metric: 'a bet on PostgreSQL (row lock + ledger insert + idempotency row, one transaction, sequential, loopback) over the same bet in a player object (E1 reserve_post, wager limit set), median of per-run ratios',
      value: round(value, 2),
      unit: 'x (PostgreSQL time / ours)',
      target: `>= ${TARGET_RATIO}`,
      pass: value >= TARGET_RATIO && check.ok,
      pg_client_us: round(med('pg_client'), 2),
      ours_us: round(ourOp, 2),
      runs: names.reduce((o, k) => ({ ...o, [k]: measured[k].map((x) => round(x, 2)) }), {}),
      comparisons,
      check,
      params: { runs, bets_per_run: n, ours_ops_per_request: ourN, stake_minor: STAKE, postgres: `${server.version} (Debian), initdb defaults, fsync on, 127.0.0.1 TCP`, client: 'pg (node-postgres), one connection, sequential' },
      machine,
      summary: `PostgreSQL ${round(med('pg_client'), 1)} us/bet (function ${round(med('pg_function'), 1)}, async commit ${round(med('pg_function_async_commit'), 1)}); ours ${round(ourOp, 1)} us (raw debit ${round(med('ours_raw_debit'), 1)})`,
    }];
  } finally {
    await db.end().catch(() => {});
    await worker?.stop();
    await server.stop();
  }
}
