/** Shared helpers for edge integration tests: real HTTP into the worker (SELF), real RPC into objects. */
import { SELF, env, runInDurableObject } from 'cloudflare:test';
import type { PlayerDO } from './entry';
import { migrate, type Db } from '../../durable/lib/sql';
import type { PlayerContext } from '../../durable/player/context';
import { LEDGER_APPEND_ONLY_DDL, LEDGER_APPEND_ONLY_TRIGGERS, PLAYER_MIGRATIONS } from '../../durable/player/schema';

export type Json = Record<string, any>;

let seq = 0;
export function uniqueEmail(tag = 'p'): string {
  return `${tag}.${Date.now().toString(36)}.${++seq}.${Math.random().toString(36).slice(2, 8)}@example.test`;
}

export type CallOpts = { token?: string; country?: string; headers?: Record<string, string>; ip?: string };

/** One HTTP call through the real worker. Always consumes the body. */
export async function call(method: string, path: string, body?: unknown, opts: CallOpts = {}): Promise<{ status: number; body: Json; headers: Headers }> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (body !== undefined && !headers['Content-Type']) headers['Content-Type'] = 'application/json';
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  headers['CF-Connecting-IP'] = opts.ip ?? `10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
  const res = await SELF.fetch(`https://casino.test${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    cf: { country: opts.country ?? 'MT' },
  } as RequestInit);
  const text = await res.text();
  let parsed: Json = {};
  try { parsed = text ? JSON.parse(text) : {}; } catch { parsed = { raw: text }; }
  return { status: res.status, body: parsed, headers: res.headers };
}

export type Registered = { token: string; playerId: string; email: string; password: string; body: Json };

export async function register(over: Json = {}, opts: CallOpts = {}): Promise<Registered> {
  const email = (over.email as string) ?? uniqueEmail();
  const password = (over.password as string) ?? 'correct horse battery';
  const res = await call('POST', '/v1/players', { email, password, date_of_birth: '1990-01-15', country: 'MT', ...over }, opts);
  if (res.status !== 201) throw new Error(`register failed ${res.status} ${JSON.stringify(res.body)}`);
  return { token: res.body.token, playerId: res.body.player.player_id, email, password, body: res.body };
}

export function player(playerId: string): DurableObjectStub<PlayerDO> {
  return env.PLAYER.getByName(playerId) as DurableObjectStub<PlayerDO>;
}

let keySeq = 0;
export function idemKey(): string {
  return `k-${Date.now()}-${++keySeq}`;
}

export async function deposit(token: string, amount_minor: number, currency = 'EUR', key = idemKey(), opts: CallOpts = {}) {
  return call('POST', '/v1/wallet/deposits', { amount_minor, currency }, { ...opts, token, headers: { 'Idempotency-Key': key, ...(opts.headers ?? {}) } });
}

/** A registered player (`over` as for `register`) with `amount_minor` deposited in `over.currency` (EUR by default). */
export async function funded(amount_minor = 10_000, over: Json = {}): Promise<Registered> {
  const p = await register(over);
  const dep = await deposit(p.token, amount_minor, typeof over.currency === 'string' ? over.currency : 'EUR');
  if (dep.status !== 201) throw new Error(`deposit failed ${dep.status} ${JSON.stringify(dep.body)}`);
  return p;
}

export function expectError(res: { status: number; body: Json }, status: number, code: string): void {
  if (res.status !== status || res.body?.error?.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.body)}`);
  }
  if (typeof res.body.error.message !== 'string' || typeof res.body.error.details !== 'object') throw new Error('error shape');
}

/** The private parts of a PlayerDO instance, for tests that run inside it (runInDurableObject). */
export function internals(o: unknown) {
  return o as {
    c: import('../../durable/player/context').PlayerContext;
    walletRg: import('../../durable/player/wallet').Wallet;
    ctx: DurableObjectState;
  };
}

/** Moves a player object's clock forward (its `now()`), instead of sleeping. */
export async function advance(playerId: string, ms: number): Promise<void> {
  await runInDurableObject(player(playerId), (o: PlayerDO) => { internals(o).c.clockOffsetMs += ms; });
}

/**
 * Restarts a player object: its storage flushed, then the instance aborted, so the next call makes
 * a new one on the same storage (what a deploy or an eviction does between two calls).
 */
export async function restartPlayer(playerId: string): Promise<void> {
  const died = await runInDurableObject(player(playerId), async (o: PlayerDO) => {
    await internals(o).ctx.storage.sync();
    internals(o).ctx.abort('test: restart');
  }).then(() => 'alive', (e: Error) => e.message);
  if (!died.includes('test: restart')) throw new Error(`the player object did not restart (${died})`);
}

/**
 * Empties a player object's tables between the sequences of a property test (its hot state must
 * then be forgotten: `forgetCaches`). The ledger refuses deletes (append-only triggers): they are
 * dropped for the reset and recreated, so the sequences run against the production schema.
 */
export function emptyTables(db: Db, tables: readonly string[]): void {
  for (const t of LEDGER_APPEND_ONLY_TRIGGERS) db.script(`drop trigger if exists ${t}`);
  for (const t of tables) db.script(`delete from ${t}`);
  db.script(LEDGER_APPEND_ONLY_DDL);
}

/** What a test of an object an older release left gets: the object, its context and database, and the upgrade. */
export type OldPlayer = {
  o: PlayerDO;
  c: PlayerContext;
  db: Db;
  storage: DurableObjectStorage;
  /**
   * Deploys the current release over it: every later migration. `live`: the object is used after
   * it, so its shipper's own tables (dropped with the rest) are created again and memory reloads
   * from SQL (changed behind it).
   */
  upgrade(opts?: { live?: boolean }): void;
};

/**
 * Inside a player object as the release with only the first `n` player migrations left it: a new
 * object (named `playerId`, a fresh one by default), its database emptied and migrated to `n` only,
 * with that release's profile row unless `profile: false` (player_id `playerId`, or `p-old`; KYC
 * verified). `fn` writes the rest of that release's rows, calls `upgrade` (or restarts the object
 * after it: the new instance migrates) and checks.
 */
export async function playerAtMigration<R>(n: number, fn: (p: OldPlayer) => R | Promise<R>, opts: { playerId?: string; profile?: boolean } = {}): Promise<R> {
  const stub = player(opts.playerId ?? crypto.randomUUID());
  await stub.audit(); // instantiate: migrated to the current schema, then taken back below
  return runInDurableObject(stub, (o: PlayerDO, state) => {
    const { c } = internals(o);
    const db = c.db;
    onlyPlayerMigrations(db, n, state.storage);
    if (opts.profile !== false) {
      db.run`insert into profile (id, player_id, email, password_hash, date_of_birth, country, jurisdiction, currency, status, kyc_status, created_at, updated_at)
        values (1, ${opts.playerId ?? 'p-old'}, 'old@example.test', 'x', '1980-01-01', 'MT', 'MT', 'EUR', 'active', 'verified', 1, 1)`;
    }
    const upgrade = ({ live = false } = {}) => {
      migrate(db, PLAYER_MIGRATIONS, state.storage);
      if (!live) return;
      (o as unknown as { shipper: { init(): void } }).shipper.init();
      c.forgetCaches();
    };
    return fn({ o, c, db, storage: state.storage, upgrade });
  });
}

/** Back to an empty database, then only the first `n` player migrations: an object as an older release left it. */
export function onlyPlayerMigrations(db: Db, n: number, storage: DurableObjectStorage): void {
  const tables = db.all<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%'`;
  for (const t of tables) db.script(`drop table "${t.name}"`);
  migrate(db, PLAYER_MIGRATIONS.slice(0, n), storage);
}

/** The last migration recorded in `_migrations`. */
export function migratedTo(db: Db): number | undefined {
  return db.first<{ v: number }>`select max(version) as v from _migrations`?.v;
}
