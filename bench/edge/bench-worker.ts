/**
 * E1 bench worker (bench only, never deployed). Its Durable Object builds the real PlayerContext,
 * Limits, Sessions, Profile and Wallet from durable/player/ on the real player schema, and runs
 * n wallet operations in a loop, each in its own `ctx.storage.transactionSync`, inside one request.
 * Timers do not advance during pure compute in workerd, so nothing is timed in here: the Node side
 * times `/e1?n=N` against `/e1?n=0` (same request and RPC overhead) and divides by N.
 *
 *   GET /setup?object=NAME&limits=1   profile, a big balance, and (limits=1) huge deposit+wager limits
 *   GET /e1?object=NAME&op=OP&n=N     run N operations; OP is one of OPS below
 *   GET /ping?object=NAME             empty RPC into the object (diagnostics)
 *   GET /audit?object=NAME            Wallet.audit() and row counts (sanity check after a run)
 *
 * One object per NAME, so "with limits" and "without limits" never share a database.
 */
import { DurableObject } from 'cloudflare:workers';
import { uuidv7 } from '../../domain/ids';
import { migrate } from '../../durable/lib/sql';
import { PlayerContext } from '../../durable/player/context';
import { Limits } from '../../durable/player/limits';
import { Profile } from '../../durable/player/profile';
import { PLAYER_MIGRATIONS } from '../../durable/player/schema';
import { Sessions } from '../../durable/player/sessions';
import { HOLD_TTL_MAX_MS, Wallet } from '../../durable/player/wallet';

type BenchEnv = { WALLET_BENCH: DurableObjectNamespace<WalletBenchDO> };

/**
 * deposit      requestDeposit (idempotency check, deposit-limit check, deposit row, usage, event)
 *              + completeDeposit (balance + ledger append, event), fresh idempotency key each time
 * reserve_post reserveHold (hold-id check, wager+loss limit checks, hold, expiry schedule, usage,
 *              event) + postHold (balance + ledger append, schedule cancel, event)
 * raw_debit    baseline: one balance update + one ledger insert through storage.sql, no app code
 * noop         baseline: an empty transactionSync
 */
export const OPS = ['deposit', 'reserve_post', 'raw_debit', 'noop'] as const;
export type Op = (typeof OPS)[number];

const CURRENCY = 'EUR';
const AMOUNT_MINOR = 100;
/** Far above anything the bench moves, yet a real limit: the check reads it and sums usage. */
const HUGE_LIMIT_MINOR = 1e15;
const FLOAT_MINOR = 1e12;
const MAX_N = 1_000_000;

const RAW_DDL = `
create table if not exists bench_account (id integer primary key, balance_minor integer not null check (balance_minor >= 0));
create table if not exists bench_ledger (entry_id integer primary key autoincrement, at integer not null, amount_minor integer not null,
  balance_after_minor integer not null, ref text not null);
insert or ignore into bench_account (id, balance_minor) values (1, ${FLOAT_MINOR});
`;

function must<T extends { ok: boolean }>(what: string, r: T): T {
  if (!r.ok) throw new Error(`${what} failed: ${JSON.stringify(r)}`);
  return r;
}

export class WalletBenchDO extends DurableObject<BenchEnv> {
  private readonly c: PlayerContext;
  private readonly limits: Limits;
  private readonly profile: Profile;
  private readonly wallet: Wallet;

  constructor(ctx: DurableObjectState, env: BenchEnv) {
    super(ctx, env);
    this.c = new PlayerContext(ctx.storage);
    this.limits = new Limits(this.c);
    this.profile = new Profile(this.c, new Sessions(this.c, this.limits));
    this.wallet = new Wallet(this.c, this.limits);
    ctx.blockConcurrencyWhile(async () => {
      migrate(this.c.db, PLAYER_MIGRATIONS);
      this.c.db.script(RAW_DDL);
    });
  }

  /** Idempotent: a registered profile, limits (when asked), and a float to bet from. */
  setup(withLimits: boolean) {
    return this.ctx.storage.transactionSync(() => {
      const playerId = uuidv7(this.c.now());
      must('register', this.profile.register({
        player_id: playerId, email: `bench-${playerId}@example.com`, password_hash: 'bench-not-a-hash', date_of_birth: '1990-01-15',
        country: 'MT', jurisdiction: 'MT', currency: CURRENCY, acquisition_source: null, config_version: 'bench',
      }));
      if (withLimits) {
        const have = this.limits.list();
        for (const kind of ['deposit', 'wager'] as const) {
          if (!have.some((l) => l.kind === kind && l.currency === CURRENCY && l.value !== null)) {
            must(`limit ${kind}`, this.limits.set(kind, 'month', CURRENCY, HUGE_LIMIT_MINOR));
          }
        }
      }
      const eur = this.wallet.balances().find((b) => b.currency === CURRENCY);
      if ((eur?.available_minor ?? 0) < FLOAT_MINOR / 2) {
        const dep = must('float deposit', this.wallet.requestDeposit(`float:${crypto.randomUUID()}`, {
          deposit_id: uuidv7(this.c.now()), provider: 'sandbox', currency: CURRENCY, amount_minor: FLOAT_MINOR,
        }));
        must('float complete', this.wallet.completeDeposit({
          deposit_id: dep.deposit.deposit_id, amount_minor: FLOAT_MINOR, currency: CURRENCY, provider_ref: 'bench-float',
        }));
      }
      return { limits: this.limits.list(), balances: this.wallet.balances() };
    });
  }

  run(op: Op, n: number): { op: Op; n: number } {
    const storage = this.ctx.storage;
    const tag = crypto.randomUUID();
    switch (op) {
      case 'deposit':
        for (let i = 0; i < n; i++) {
          storage.transactionSync(() => {
            const dep = must('requestDeposit', this.wallet.requestDeposit(`${tag}:${i}`, {
              deposit_id: uuidv7(this.c.now()), provider: 'sandbox', currency: CURRENCY, amount_minor: AMOUNT_MINOR,
            }));
            must('completeDeposit', this.wallet.completeDeposit({
              deposit_id: dep.deposit.deposit_id, amount_minor: AMOUNT_MINOR, currency: CURRENCY, provider_ref: `ref-${tag}-${i}`,
            }));
          });
        }
        break;
      case 'reserve_post':
        for (let i = 0; i < n; i++) {
          storage.transactionSync(() => {
            const holdId = `${tag}:${i}`;
            // As PlayerDO.reserveHold does for providers: every bet hold gets an expiry (scheduled).
            must('reserveHold', this.wallet.reserveHold({
              hold_id: holdId, currency: CURRENCY, amount_minor: AMOUNT_MINOR, expires_at: this.c.now() + HOLD_TTL_MAX_MS, ref: `round-${i}`,
            }));
            must('postHold', this.wallet.postHold(holdId));
          });
        }
        break;
      case 'raw_debit': {
        const sql = storage.sql;
        for (let i = 0; i < n; i++) {
          storage.transactionSync(() => {
            const after = sql.exec<{ balance_minor: number }>('update bench_account set balance_minor = balance_minor - ? where id = 1 returning balance_minor', AMOUNT_MINOR).one().balance_minor;
            sql.exec('insert into bench_ledger (at, amount_minor, balance_after_minor, ref) values (?, ?, ?, ?)', Date.now(), -AMOUNT_MINOR, after, `${tag}:${i}`);
          });
        }
        break;
      }
      case 'noop':
        for (let i = 0; i < n; i++) storage.transactionSync(() => i);
        break;
    }
    return { op, n };
  }

  ping(): number {
    return 1;
  }

  audit() {
    const count = (table: string) => (this.ctx.storage.sql.exec<{ c: number }>(`select count(*) as c from ${table}`).one().c);
    return {
      problems: this.wallet.audit(),
      rows: { ledger: count('ledger'), holds: count('holds'), deposits: count('deposits'), idempotency: count('idempotency'), outbox: count('outbox'), schedules: count('schedules') },
      balances: this.wallet.balances(),
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
          return Response.json(await stub.setup(q.get('limits') === '1'));
        case '/e1': {
          const op = (q.get('op') ?? 'deposit').replace('+', '_').replace(' ', '_') as Op;
          const n = Number(q.get('n') ?? '0');
          if (!OPS.includes(op)) return bad(`op must be one of ${OPS.join(', ')}`);
          if (!Number.isInteger(n) || n < 0 || n > MAX_N) return bad(`n must be an integer in 0..${MAX_N}`);
          return Response.json(await stub.run(op, n));
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
