/**
 * E1 bench worker (bench only, never deployed). Its Durable Object builds the real PlayerContext,
 * Limits, Sessions, Profile and Wallet from durable/player/ on the real player schema, and runs
 * n wallet operations in a loop, each in its own `ctx.storage.transactionSync`, inside one request.
 * Timers do not advance during pure compute in workerd, so nothing is timed in here: the Node side
 * times `/e1?n=N` against `/e1?n=0` (same request and RPC overhead) and divides by N.
 *
 *   GET /setup?object=NAME&limits=1   profile, a big balance, and (limits=1) huge deposit+wager limits
 *   GET /e1?object=NAME&op=OP&n=N     run N operations; OP is one of OPS below
 *   GET /count?object=NAME&op=OP&n=N  the same N operations through a storage wrapper that counts
 *                                     SQL statements (diagnostics; slower, never timed)
 *   GET /ping?object=NAME             empty RPC into the object (diagnostics)
 *   GET /audit?object=NAME            Wallet.audit() and row counts (sanity check after a run)
 *
 * One object per NAME, so "with limits" and "without limits" never share a database.
 */
import { DurableObject } from 'cloudflare:workers';
import { uuidv7 } from '../../domain/ids';
import { migrate } from '../../durable/lib/sql';
import { countingStorage, statementReport } from '../../durable/lib/statement-counter';
import { PlayerContext } from '../../durable/player/context';
import { Limits } from '../../durable/player/limits';
import { Profile } from '../../durable/player/profile';
import { PLAYER_MIGRATIONS } from '../../durable/player/schema';
import { Sessions } from '../../durable/player/sessions';
import { HOLD_TTL_MAX_MS, Wallet } from '../../durable/player/wallet';

type BenchEnv = { WALLET_BENCH: DurableObjectNamespace<WalletBenchDO> };

/**
 * deposit      requestDeposit (idempotency check, deposit-limit check, deposit row = its idempotency record, usage, event)
 *              + completeDeposit (balance + ledger append, event), fresh idempotency key each time
 * reserve_post reserveHold (hold-id check, wager+loss limit checks, hold, expiry schedule, usage,
 *              event) + postHold (balance + ledger append, schedule cancel, event)
 * raw_debit    baseline: one balance update + one ledger insert through storage.sql, no app code
 * select       baseline: one primary-key select in a transactionSync (the price of one statement)
 * select_x10   baseline: ten of those selects in one transactionSync (fixed vs per-statement cost)
 * noop         baseline: an empty transactionSync
 * sql_deposit  the SQL of one deposit and nothing else: the statements `deposit` runs (test/edge/
 *              statement-budget.test.ts), on the same tables, with bodies of the same size, in raw
 *              SQL; what `deposit` costs above it is the application's JavaScript
 * sql_bet      the same for `reserve_post`
 * sql_deposit_v8, sql_bet_v8  the same on an object left at schema version 8 (before issue 15's
 *              write cuts: the deposit's second row in idempotency, the ledger's AUTOINCREMENT
 *              counter, the holds_pending index), in the same run: what the cuts save, measured
 *              side by side rather than across runs of a noisy machine
 */
export const OPS = ['deposit', 'reserve_post', 'raw_debit', 'select', 'select_x10', 'noop', 'sql_deposit', 'sql_bet', 'sql_deposit_v8', 'sql_bet_v8'] as const;
export type Op = (typeof OPS)[number];

const CURRENCY = 'EUR';
const AMOUNT_MINOR = 100;
/** Far above anything the bench moves, yet a real limit: the check reads it and sums usage. */
const HUGE_LIMIT_MINOR = 1e15;
const FLOAT_MINOR = 1e12;
const MAX_N = 1_000_000;
/** About the size of one of our events' JSON (sql_deposit / sql_bet write bodies this long). */
const EVENT_BODY_BYTES = 420;

const RAW_DDL = `
create table if not exists bench_account (id integer primary key, balance_minor integer not null check (balance_minor >= 0));
create table if not exists bench_ledger (entry_id integer primary key autoincrement, at integer not null, amount_minor integer not null,
  balance_after_minor integer not null, ref text not null);
insert or ignore into bench_account (id, balance_minor) values (1, ${FLOAT_MINOR});
`;

/** A refused operation would make the timing meaningless: fail the whole request instead. */
function must<T extends { ok: boolean }>(what: string, r: T): Extract<T, { ok: true }> {
  if (!r.ok) throw new Error(`${what} failed: ${JSON.stringify(r)}`);
  return r as Extract<T, { ok: true }>;
}

/** The real player-object parts, as PlayerDO wires them, on top of `storage`. */
function build(storage: DurableObjectStorage) {
  const c = new PlayerContext(storage);
  const limits = new Limits(c);
  return { c, limits, profile: new Profile(c, new Sessions(c, limits)), wallet: new Wallet(c, limits) };
}
type Parts = ReturnType<typeof build>;

/** The timed loop: n operations of one kind, each in its own transactionSync. */
function loop(storage: DurableObjectStorage, { c, wallet }: Parts, op: Op, n: number): void {
  const tag = crypto.randomUUID();
  switch (op) {
    case 'deposit':
      for (let i = 0; i < n; i++) {
        storage.transactionSync(() => {
          const dep = must('requestDeposit', wallet.requestDeposit(`${tag}:${i}`, {
            deposit_id: uuidv7(c.now()), provider: 'sandbox', currency: CURRENCY, amount_minor: AMOUNT_MINOR,
          }));
          must('completeDeposit', wallet.completeDeposit({
            deposit_id: dep.deposit.deposit_id, provider: 'sandbox', amount_minor: AMOUNT_MINOR, currency: CURRENCY, provider_ref: `ref-${tag}-${i}`,
          }));
        });
      }
      return;
    case 'reserve_post':
      for (let i = 0; i < n; i++) {
        storage.transactionSync(() => {
          const holdId = `${tag}:${i}`;
          // As PlayerDO.reserveHold does for providers: every bet hold gets an expiry (scheduled).
          must('reserveHold', wallet.reserveHold({
            hold_id: holdId, currency: CURRENCY, amount_minor: AMOUNT_MINOR, expires_at: c.now() + HOLD_TTL_MAX_MS, ref: `round-${i}`,
          }));
          must('postHold', wallet.postHold(holdId));
        });
      }
      return;
    case 'raw_debit': {
      const sql = storage.sql;
      for (let i = 0; i < n; i++) {
        storage.transactionSync(() => {
          const after = sql.exec<{ balance_minor: number }>('update bench_account set balance_minor = balance_minor - ? where id = 1 returning balance_minor', AMOUNT_MINOR).one().balance_minor;
          sql.exec('insert into bench_ledger (at, amount_minor, balance_after_minor, ref) values (?, ?, ?, ?)', Date.now(), -AMOUNT_MINOR, after, `${tag}:${i}`);
        });
      }
      return;
    }
    case 'select': {
      const sql = storage.sql;
      for (let i = 0; i < n; i++) {
        storage.transactionSync(() => sql.exec<{ balance_minor: number }>('select balance_minor from bench_account where id = 1').one().balance_minor);
      }
      return;
    }
    case 'select_x10': {
      const sql = storage.sql;
      for (let i = 0; i < n; i++) {
        storage.transactionSync(() => {
          let sum = 0;
          for (let j = 0; j < 10; j++) sum += sql.exec<{ balance_minor: number }>('select balance_minor from bench_account where id = 1').one().balance_minor;
          return sum;
        });
      }
      return;
    }
    case 'noop':
      for (let i = 0; i < n; i++) storage.transactionSync(() => i);
      return;
    case 'sql_deposit_v8':
    case 'sql_bet_v8':
      return legacyLoop(storage, op, n, tag);
    case 'sql_deposit':
    case 'sql_bet': {
      const sql = storage.sql;
      sql.exec(`insert or ignore into balances (currency, bucket, balance_minor, held_minor) values ('EUR', 'real', ${FLOAT_MINOR}, 0)`);
      const body = JSON.stringify({ pad: 'x'.repeat(EVENT_BODY_BYTES) });
      const hour = Math.floor(Date.now() / 3_600_000);
      for (let i = 0; i < n; i++) {
        const id = `${tag}:${i}`;
        const now = Date.now();
        storage.transactionSync(() => {
          if (op === 'sql_deposit') {
            sql.exec(`select d.deposit_id, d.provider, d.currency, d.amount_minor, d.requested_reference, d.created_at, i.fingerprint, i.response
              from (select 1) left join deposits d on d.idempotency_key = ? left join idempotency i on i.key = ?`, id, `deposit:${id}`).toArray();
            sql.exec(`insert into deposits (deposit_id, provider, provider_ref, currency, amount_minor, state, payment_reference, created_at, updated_at, idempotency_key, requested_reference)
              values (?, 'sandbox', null, 'EUR', ?, 'pending', null, ?, ?, ?, null)`, id, AMOUNT_MINOR, now, now, id);
            sql.exec(`insert into rg_usage (metric, currency, hour, amount_minor) values ('deposit', 'EUR', ?, ?)
              on conflict (metric, currency, hour) do update set amount_minor = amount_minor + excluded.amount_minor`, hour, AMOUNT_MINOR);
            sql.exec('insert into outbox (event_id, event_type, occurred_at, body) values (?, ?, ?, ?)', `${id}:a`, 'wallet.deposit.requested', now, body);
            const after = sql.exec<{ balance_minor: number }>(`update balances set balance_minor = balance_minor + ?, held_minor = held_minor + 0
              where currency = 'EUR' and bucket = 'real' returning balance_minor, held_minor`, AMOUNT_MINOR).one().balance_minor;
            sql.exec(`insert into ledger (at, currency, bucket, kind, amount_minor, balance_after_minor, ref) values (?, 'EUR', 'real', 'deposit', ?, ?, ?)`, now, AMOUNT_MINOR, after, id);
            sql.exec(`update deposits set state = 'completed', provider_ref = ?, payment_reference = null, updated_at = ? where deposit_id = ? and state = 'pending'
              returning deposit_id, provider, provider_ref, currency, amount_minor, state, failure_reason, created_at, updated_at, payment_reference`, id, now, id).toArray();
            sql.exec('insert into outbox (event_id, event_type, occurred_at, body) values (?, ?, ?, ?)', `${id}:b`, 'wallet.deposit.completed', now, body);
          } else {
            sql.exec(`select h.*, exists (select 1 from abandoned_holds where hold_id = ?) as abandoned from (select 1) left join holds h on h.hold_id = ?`, id, id).toArray();
            sql.exec(`update balances set held_minor = held_minor + ? where currency = 'EUR' and bucket = 'real' returning balance_minor, held_minor`, AMOUNT_MINOR).toArray();
            sql.exec(`insert into holds (hold_id, kind, currency, real_minor, bonus_minor, state, expires_at, ref, created_at, max_return_minor)
              values (?, 'bet', 'EUR', ?, 0, 'pending', ?, ?, ?, null)`, id, AMOUNT_MINOR, now + HOLD_TTL_MAX_MS, `round-${i}`, now);
            sql.exec(`insert into rg_usage (metric, currency, hour, amount_minor) values ('wager', 'EUR', ?, ?), ('loss', 'EUR', ?, ?)
              on conflict (metric, currency, hour) do update set amount_minor = amount_minor + excluded.amount_minor`, hour, AMOUNT_MINOR, hour, AMOUNT_MINOR);
            sql.exec('insert into outbox (event_id, event_type, occurred_at, body) values (?, ?, ?, ?)', `${id}:a`, 'wallet.hold.reserved', now, body);
            const after = sql.exec<{ balance_minor: number }>(`update balances set balance_minor = balance_minor - ?, held_minor = held_minor - ?
              where currency = 'EUR' and bucket = 'real' returning balance_minor, held_minor`, AMOUNT_MINOR, AMOUNT_MINOR).one().balance_minor;
            sql.exec(`insert into ledger (at, currency, bucket, kind, amount_minor, balance_after_minor, ref) values (?, 'EUR', 'real', 'bet', ?, ?, ?)`, now, -AMOUNT_MINOR, after, id);
            sql.exec(`update holds set state = 'posted', resolved_at = ? where hold_id = ? and state = 'pending' returning hold_id`, now, id).toArray();
            sql.exec('insert into outbox (event_id, event_type, occurred_at, body) values (?, ?, ?, ?)', `${id}:b`, 'wallet.hold.posted', now, body);
          }
        });
      }
      return;
    }
  }
}

/** sql_deposit_v8 / sql_bet_v8: the statements the wallet ran at schema 8 (main at ceb64ee), raw, on a schema-8 object. */
function legacyLoop(storage: DurableObjectStorage, op: 'sql_deposit_v8' | 'sql_bet_v8', n: number, tag: string): void {
  const sql = storage.sql;
  sql.exec(`insert or ignore into balances (currency, bucket, balance_minor, held_minor) values ('EUR', 'real', ${FLOAT_MINOR}, 0)`);
  const body = JSON.stringify({ pad: 'x'.repeat(EVENT_BODY_BYTES) });
  const hour = Math.floor(Date.now() / 3_600_000);
  for (let i = 0; i < n; i++) {
    const id = `${tag}:${i}`;
    const now = Date.now();
    storage.transactionSync(() => {
      if (op === 'sql_deposit_v8') {
        sql.exec('select fingerprint, response from idempotency where key = ?', id).toArray();
        sql.exec(`insert into deposits (deposit_id, provider, provider_ref, currency, amount_minor, state, payment_reference, created_at, updated_at)
          values (?, 'sandbox', null, 'EUR', ?, 'pending', null, ?, ?)`, id, AMOUNT_MINOR, now, now);
        sql.exec(`insert into rg_usage (metric, currency, hour, amount_minor) values ('deposit', 'EUR', ?, ?)
          on conflict (metric, currency, hour) do update set amount_minor = amount_minor + excluded.amount_minor`, hour, AMOUNT_MINOR);
        sql.exec('insert into outbox (event_id, event_type, occurred_at, body) values (?, ?, ?, ?)', `${id}:a`, 'wallet.deposit.requested', now, body);
        sql.exec('insert into idempotency (key, fingerprint, response, created_at) values (?, ?, ?, ?)', id, 'deposit|sandbox|EUR|100', body, now);
        const after = sql.exec<{ balance_minor: number }>(`update balances set balance_minor = balance_minor + ?, held_minor = held_minor + 0
          where currency = 'EUR' and bucket = 'real' returning balance_minor, held_minor`, AMOUNT_MINOR).one().balance_minor;
        sql.exec(`insert into ledger (at, currency, bucket, kind, amount_minor, balance_after_minor, ref) values (?, 'EUR', 'real', 'deposit', ?, ?, ?)`, now, AMOUNT_MINOR, after, id);
        sql.exec(`update deposits set state = 'completed', provider_ref = ?, payment_reference = null, updated_at = ? where deposit_id = ? and state = 'pending' returning *`, id, now, id).toArray();
        sql.exec('insert into outbox (event_id, event_type, occurred_at, body) values (?, ?, ?, ?)', `${id}:b`, 'wallet.deposit.completed', now, body);
      } else {
        sql.exec(`select h.*, exists (select 1 from abandoned_holds where hold_id = ?) as abandoned from (select 1) left join holds h on h.hold_id = ?`, id, id).toArray();
        sql.exec(`update balances set held_minor = held_minor + ? where currency = 'EUR' and bucket = 'real' returning balance_minor, held_minor`, AMOUNT_MINOR).toArray();
        sql.exec(`insert into holds (hold_id, kind, currency, real_minor, bonus_minor, state, expires_at, ref, created_at, max_return_minor)
          values (?, 'bet', 'EUR', ?, 0, 'pending', ?, ?, ?, null)`, id, AMOUNT_MINOR, now + HOLD_TTL_MAX_MS, `round-${i}`, now);
        sql.exec(`insert into rg_usage (metric, currency, hour, amount_minor) values ('wager', 'EUR', ?, ?), ('loss', 'EUR', ?, ?)
          on conflict (metric, currency, hour) do update set amount_minor = amount_minor + excluded.amount_minor`, hour, AMOUNT_MINOR, hour, AMOUNT_MINOR);
        sql.exec('insert into outbox (event_id, event_type, occurred_at, body) values (?, ?, ?, ?)', `${id}:a`, 'wallet.hold.reserved', now, body);
        const after = sql.exec<{ balance_minor: number }>(`update balances set balance_minor = balance_minor - ?, held_minor = held_minor - ?
          where currency = 'EUR' and bucket = 'real' returning balance_minor, held_minor`, AMOUNT_MINOR, AMOUNT_MINOR).one().balance_minor;
        sql.exec(`insert into ledger (at, currency, bucket, kind, amount_minor, balance_after_minor, ref) values (?, 'EUR', 'real', 'bet', ?, ?, ?)`, now, -AMOUNT_MINOR, after, id);
        sql.exec(`update holds set state = 'posted', resolved_at = ? where hold_id = ? and state = 'pending' returning hold_id`, now, id).toArray();
        sql.exec('insert into outbox (event_id, event_type, occurred_at, body) values (?, ?, ?, ?)', `${id}:b`, 'wallet.hold.posted', now, body);
      }
    });
  }
}

export class WalletBenchDO extends DurableObject<BenchEnv> {
  private readonly parts: Parts;

  constructor(ctx: DurableObjectState, env: BenchEnv) {
    super(ctx, env);
    this.parts = build(ctx.storage);
  }

  /**
   * Migrates once, on the first call: to the current schema, or (setup with `schema`) to an older
   * version, for the `_v8` ops. Every call is synchronous, so nothing interleaves with it.
   */
  private migrated = false;
  private ensureSchema(version: number = PLAYER_MIGRATIONS.length): void {
    if (this.migrated) return;
    migrate(this.parts.c.db, PLAYER_MIGRATIONS.slice(0, version), this.ctx.storage);
    this.parts.c.db.script(RAW_DDL);
    this.migrated = true;
  }

  /** Idempotent: a registered profile, limits (when asked), and a float to bet from. An object at an older `schema` gets its schema only (its ops are raw SQL). */
  setup(withLimits: boolean, schema: number | null = null) {
    this.ensureSchema(schema ?? undefined);
    if (schema !== null) return { schema };
    const { c, limits, profile, wallet } = this.parts;
    return this.ctx.storage.transactionSync(() => {
      if (!c.profile()) {
        // emit() reads the profile on every event, so the bench player has one, as real players do.
        const playerId = uuidv7(c.now());
        must('register', profile.register({
          player_id: playerId, email: `bench-${playerId}@example.com`, password_hash: 'bench-not-a-hash', date_of_birth: '1990-01-15',
          country: 'MT', jurisdiction: 'MT', currency: CURRENCY, acquisition_source: null, config_version: 'bench',
        }));
      }
      if (withLimits) {
        const have = limits.list();
        for (const kind of ['deposit', 'wager'] as const) {
          if (!have.some((l) => l.kind === kind && l.currency === CURRENCY && l.value !== null)) {
            must(`limit ${kind}`, limits.set(kind, 'month', CURRENCY, HUGE_LIMIT_MINOR));
          }
        }
      }
      const eur = wallet.balances().find((b) => b.currency === CURRENCY);
      if ((eur?.available_minor ?? 0) < FLOAT_MINOR / 2) {
        const dep = must('float deposit', wallet.requestDeposit(`float:${crypto.randomUUID()}`, {
          deposit_id: uuidv7(c.now()), provider: 'sandbox', currency: CURRENCY, amount_minor: FLOAT_MINOR,
        }));
        must('float complete', wallet.completeDeposit({
          deposit_id: dep.deposit.deposit_id, provider: 'sandbox', amount_minor: FLOAT_MINOR, currency: CURRENCY, provider_ref: 'bench-float',
        }));
      }
      return { limits: limits.list(), balances: wallet.balances() };
    });
  }

  run(op: Op, n: number): { op: Op; n: number } {
    this.ensureSchema();
    loop(this.ctx.storage, this.parts, op, n);
    return { op, n };
  }

  /** Runs like `run`, through a counting storage: SQL statements per operation, by query. */
  count(op: Op, n: number) {
    this.ensureSchema();
    const counts = new Map<string, number>();
    const storage = countingStorage(this.ctx.storage, counts);
    const parts = build(storage);
    loop(storage, parts, op, Math.min(n, 1)); // loads the hot state: counted apart, as one object start
    counts.clear();
    loop(storage, parts, op, n);
    this.parts.c.forgetCaches(); // written behind this.parts' back: its hot state reloads from SQL
    return { op, n, ...statementReport(counts, n) };
  }

  ping(): number {
    return 1;
  }

  audit() {
    this.ensureSchema();
    const count = (table: string) => (this.ctx.storage.sql.exec<{ c: number }>(`select count(*) as c from ${table}`).one().c);
    return {
      problems: this.parts.wallet.audit(),
      rows: { ledger: count('ledger'), holds: count('holds'), deposits: count('deposits'), idempotency: count('idempotency'), outbox: count('outbox'), schedules: count('schedules') },
      balances: this.parts.wallet.balances(),
    };
  }
}

function bad(message: string): Response {
  return Response.json({ error: message }, { status: 400 });
}

export default {
  async fetch(req: Request, env: BenchEnv): Promise<Response> {
    const url = new URL(req.url);
    const q = url.searchParams;
    if (url.pathname === '/health') return new Response('ok');
    const name = q.get('object') ?? 'e1';
    const stub = env.WALLET_BENCH.getByName(name);
    try {
      switch (url.pathname) {
        case '/setup':
          return Response.json(await stub.setup(q.get('limits') === '1', q.get('schema') ? Number(q.get('schema')) : null));
        case '/e1':
        case '/count': {
          const op = (q.get('op') ?? 'deposit').replace(/[+ ]/, '_') as Op;
          const n = Number(q.get('n') ?? '0');
          if (!OPS.includes(op)) return bad(`op must be one of ${OPS.join(', ')}`);
          if (!Number.isInteger(n) || n < 0 || n > MAX_N) return bad(`n must be an integer in 0..${MAX_N}`);
          return Response.json(url.pathname === '/e1' ? await stub.run(op, n) : await stub.count(op, n));
        }
        case '/ping':
          return Response.json(await stub.ping());
        case '/audit':
          return Response.json(await stub.audit());
        default:
          return Response.json({ error: 'not found' }, { status: 404 });
      }
    } catch (err) {
      return Response.json({ error: String((err as Error).stack ?? err) }, { status: 500 });
    }
  },
} satisfies ExportedHandler<BenchEnv>;
