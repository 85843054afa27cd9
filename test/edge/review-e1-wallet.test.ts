/**
 * Adversarial review of the player wallet's write cuts (branch h-e1, issue 15 E1): a deposit row as
 * its own idempotency record (migration 9), the ledger without AUTOINCREMENT but append-only by
 * triggers (migration 10), and the pending holds in memory instead of an index (migration 11).
 *
 * - Deposit keys attacked: retried with the same and another body, across real restarts (ctx.abort),
 *   after the deposit was decided, reused for a withdrawal, and keys of release 8 (in `idempotency`).
 * - The append-only ledger: a later rebuild of the table (the way migrations widen a CHECK) must not
 *   silently drop the triggers that keep entry ids from being reused.
 * - A property across REAL restarts (not a new instance built by hand): fundings, deposits requested,
 *   replayed, completed, failed and confirmed twice; withdrawals (sharing the deposits' keys);
 *   bets that EXPIRE (the object's clock moved, the alarm run through the runtime); rolled-back
 *   transactions that reserved, voided, posted or deposited. After every step: the answers and
 *   balances as the model says, memory == SQL, the pending set == the pending rows, the earliest
 *   expiry in memory == the model's, and the alarm armed by then.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { migrate, rebuildTable } from '../../durable/lib/sql';
import { PLAYER_MIGRATIONS } from '../../durable/player/schema';
import type { Sessions } from '../../durable/player/sessions';
import type { PlayerDO } from './entry';
import { internals, migratedTo, player, playerAtMigration, restartPlayer } from './helpers';

const HOUR = 3_600_000;

/** A player written straight into a new object (KYC verified: withdrawals allowed), relay answered at once. */
async function newPlayer(): Promise<string> {
  const playerId = crypto.randomUUID();
  await runInDurableObject(player(playerId), (o: PlayerDO) => {
    const { c } = internals(o);
    c.tx(() => c.db.run`insert into profile (id, player_id, email, password_hash, date_of_birth, country, jurisdiction, currency, status, kyc_status, created_at, updated_at)
      values (1, ${playerId}, 'p@x', 'x', '1990-01-01', 'MT', 'MT', 'EUR', 'active', 'verified', 0, 0)`);
    c.forgetCaches(); // written behind the object's back
  });
  return playerId;
}

/** After a restart: the test's clock on the new instance, its deliveries answered at once, and a fresh session. */
async function attach(playerId: string, offset: number): Promise<string> {
  return runInDurableObject(player(playerId), (o: PlayerDO) => {
    const { c } = internals(o);
    c.clockOffsetMs = offset;
    (o as unknown as { relay: { targetOf: unknown } }).relay.targetOf = () => ({ ingest: async () => ({ ok: true }) });
    const sessions = (o as unknown as { sessionsRg: Sessions }).sessionsRg;
    return c.tx(() => sessions.create({ country: 'MT', ip: null, user_agent: null, device: 'unknown' })).session_id;
  });
}

describe('review E1: the ledger stays append-only', () => {
  // FINDING (low, latent; fixed in durable/lib/sql.ts): rebuildTable (durable/lib/sql.ts) re-creates a table's indexes but not its
  // triggers, so the next migration that rebuilds the ledger (as 7 and 8 rebuilt withdrawals to widen
  // a CHECK) silently drops ledger_no_delete/ledger_no_update. Without AUTOINCREMENT, a deleted
  // newest row's entry_id would then be reused by the next movement (keyset pagination, audits and
  // anything downstream keyed on entry_id would see two different entries under one id).
  it('a rebuild of the ledger (as a later migration would do it) keeps its append-only triggers', async () => {
    const stub = player(crypto.randomUUID());
    await stub.audit(); // instantiate: migrated to the current schema
    await runInDurableObject(stub, (o: PlayerDO, state) => {
      const { c } = internals(o);
      migrate(c.db, PLAYER_MIGRATIONS, state.storage); // nothing left to do
      c.db.run`insert into balances (currency, bucket, balance_minor, held_minor) values ('EUR', 'real', 700, 0)`;
      c.db.run`insert into ledger (at, currency, bucket, kind, amount_minor, balance_after_minor, ref) values (1, 'EUR', 'real', 'deposit', 500, 500, 'd1')`;
      c.db.run`insert into ledger (at, currency, bucket, kind, amount_minor, balance_after_minor, ref) values (2, 'EUR', 'real', 'deposit', 200, 700, 'd2')`;
      rebuildTable(c.db, 'ledger', (ddl) => ddl.replace("'adjustment', 'reward'))", "'adjustment', 'reward', 'rollback'))"));
      expect(() => c.db.run`delete from ledger where entry_id = 2`).toThrow(/append-only/);
      expect(() => c.db.run`update ledger set amount_minor = 1 where entry_id = 1`).toThrow(/append-only/);
    });
  });
});

describe('review E1: what the append-only triggers do not see', () => {
  // FINDING (info/low; fixed: schema.ts ledger_no_replace): INSERT OR REPLACE deletes the row it conflicts with, and SQLite
  // fires no DELETE trigger for that unless recursive_triggers is on, so an entry can still be
  // overwritten under its id. No code path writes the ledger so (wallet.ts move() is the one
  // insert); a BEFORE INSERT trigger refusing an entry_id at or below max(entry_id) closes it.
  it('an INSERT OR REPLACE cannot overwrite a written ledger entry', async () => {
    const stub = player(crypto.randomUUID());
    await stub.audit(); // instantiate: migrated to the current schema
    await runInDurableObject(stub, (o: PlayerDO) => {
      const { c } = internals(o);
      c.db.run`insert into ledger (at, currency, bucket, kind, amount_minor, balance_after_minor, ref) values (1, 'EUR', 'real', 'deposit', 500, 500, 'd1')`;
      try {
        c.db.run`insert or replace into ledger (entry_id, at, currency, bucket, kind, amount_minor, balance_after_minor, ref) values (1, 1, 'EUR', 'real', 'deposit', 900000, 900000, 'd1')`;
      } catch (err) {
        expect(String(err)).toMatch(/append-only/);
      }
      expect(c.db.all`select entry_id, amount_minor from ledger`).toEqual([{ entry_id: 1, amount_minor: 500 }]);
    });
  });
});

describe('review E1: deposit idempotency keys (the deposit row is the record)', () => {
  it('a key answers its first deposit across restarts, after it was decided, conflicts on another body, and is its own namespace', async () => {
    const playerId = await newPlayer();
    let session = await attach(playerId, 0);
    const ask = (key: string, amount: number, provider = 'sandbox') => player(playerId).requestDeposit(session, key, { provider, currency: 'EUR', amount_minor: amount });
    const first = await ask('k', 1_000);
    if (!first.ok) throw new Error(JSON.stringify(first));
    expect(first.replayed).toBe(false);

    await restartPlayer(playerId);
    session = await attach(playerId, 0);
    expect(await ask('k', 1_000)).toEqual({ ...first, replayed: true });
    expect(await ask('k', 1_001)).toMatchObject({ ok: false, code: 'idempotency_conflict' });
    expect(await ask('k', 1_000, 'other-psp')).toMatchObject({ ok: false, code: 'idempotency_conflict' });
    const confirm = (status: 'completed' | 'failed', id = first.deposit.deposit_id) => player(playerId).confirmPayment({
      deposit_id: id, provider: 'sandbox', status, amount_minor: 1_000, currency: 'EUR', provider_ref: 'psp-1', reason: status === 'failed' ? 'declined' : null,
    });
    // a provider's callback for a deposit never asked for, then the real one twice, then a late failure
    expect(await confirm('completed', 'no-such-deposit')).toMatchObject({ ok: false, code: 'deposit_not_found' });
    expect(await confirm('completed')).toMatchObject({ ok: true, replayed: false });
    await restartPlayer(playerId);
    session = await attach(playerId, 0);
    expect(await confirm('completed')).toMatchObject({ ok: true, replayed: true });
    expect(await confirm('failed')).toMatchObject({ ok: false, code: 'invalid_state' });
    // the key still answers the first answer (the deposit as requested), and credits nothing more
    expect(await ask('k', 1_000)).toEqual({ ...first, replayed: true });
    // the same client key for a withdrawal is another request (keys are per operation), and vice versa
    const w = await player(playerId).requestWithdrawal(session, 'k', { currency: 'EUR', amount_minor: 300 });
    expect(w).toMatchObject({ ok: true, replayed: false });
    expect(await player(playerId).requestWithdrawal(session, 'k', { currency: 'EUR', amount_minor: 300 })).toMatchObject({ ok: true, replayed: true });
    expect(await ask('k', 1_000)).toEqual({ ...first, replayed: true });
    expect(await ask('k2', 300)).toMatchObject({ ok: true, replayed: false }); // the withdrawal's amount under a fresh deposit key
    await runInDurableObject(player(playerId), (o: PlayerDO) => {
      const { c, walletRg } = internals(o);
      expect(c.db.all`select idempotency_key as k, amount_minor as a, state from deposits order by created_at, deposit_id`).toEqual([
        { k: 'k', a: 1_000, state: 'completed' }, { k: 'k2', a: 300, state: 'pending' },
      ]);
      expect(c.db.all`select key from idempotency order by key`).toEqual([{ key: 'withdrawal:k' }]);
      expect(walletRg.balances()).toEqual([{ currency: 'EUR', real_minor: 1_000, bonus_minor: 0, held_minor: 300, available_minor: 700 }]);
      expect(walletRg.verifyHotState()).toEqual([]);
    });
  });

  it('a refused request stores nothing under its key: the same key succeeds once the limit allows it', async () => {
    const playerId = await newPlayer();
    const session = await attach(playerId, 0);
    expect(await player(playerId).setLimit(session, { kind: 'deposit', period: 'day', currency: 'EUR', value: 500 })).toMatchObject({ ok: true });
    const ask = () => player(playerId).requestDeposit(session, 'k', { provider: 'sandbox', currency: 'EUR', amount_minor: 400 });
    expect(await ask()).toMatchObject({ ok: true, replayed: false });
    expect(await player(playerId).requestDeposit(session, 'k-2', { provider: 'sandbox', currency: 'EUR', amount_minor: 400 })).toMatchObject({ ok: false, code: 'limit_exceeded' });
    await runInDurableObject(player(playerId), (o: PlayerDO) => {
      expect(internals(o).c.db.all`select idempotency_key as k from deposits`).toEqual([{ k: 'k' }]);
    });
    expect(await ask()).toMatchObject({ ok: true, replayed: true }); // a replay is not counted against the limit again
  });
});

describe('review E1: the alarm of a restarted object comes from the pending set', () => {
  // wallet.test.ts "a pending hold outlives a restart" also passes when the constructor no longer
  // counts the pending holds (schedules.extraEarliest unset): a session check scheduled earlier keeps
  // the alarm armed before the expiry anyway. Here nothing else is scheduled, so only the pending set
  // loaded at start can arm it.
  it('with no other work scheduled, the new instance arms the alarm exactly at the earliest pending expiry, which expires the hold', async () => {
    const playerId = await newPlayer();
    await attach(playerId, 0);
    expect(await player(playerId).creditWin({ win_id: 'seed', hold_id: null, currency: 'EUR', amount_minor: 1_000, bucket: 'real' })).toMatchObject({ ok: true });
    const expiresAt = Date.now() + HOUR;
    expect(await player(playerId).reserveHold({ hold_id: 'late', currency: 'EUR', amount_minor: 300, expires_at: expiresAt + HOUR, ref: null })).toMatchObject({ ok: true });
    expect(await player(playerId).reserveHold({ hold_id: 'early', currency: 'EUR', amount_minor: 200, expires_at: expiresAt, ref: null })).toMatchObject({ ok: true });
    await runInDurableObject(player(playerId), async (o: PlayerDO) => {
      const { c, ctx } = internals(o);
      // a player with nothing else to do: no session to check, nothing left to relay or ship
      c.db.run`delete from schedules`;
      c.db.run`delete from sessions`;
      c.db.run`delete from outbox`;
      await ctx.storage.deleteAlarm();
    });
    await restartPlayer(playerId);
    await runInDurableObject(player(playerId), async (o: PlayerDO) => {
      expect(await internals(o).ctx.storage.getAlarm()).toBe(expiresAt);
      internals(o).c.clockOffsetMs = HOUR + 1;
    });
    expect(await runDurableObjectAlarm(player(playerId))).toBe(true);
    await runInDurableObject(player(playerId), async (o: PlayerDO) => {
      const { walletRg: w, ctx } = internals(o);
      expect(w.openHolds().map((h) => h.hold_id)).toEqual(['late']);
      expect(w.balances()).toEqual([{ currency: 'EUR', real_minor: 1_000, bonus_minor: 0, held_minor: 300, available_minor: 700 }]);
      expect(await ctx.storage.getAlarm()).toBeLessThanOrEqual(expiresAt + HOUR); // now armed by the next one
      expect(w.verifyHotState()).toEqual([]);
    });
  });
});

describe('review E1: an object of release 8 deployed into (restarted under) migrations 9 to 11', () => {
  it('its old deposit key answers, its pending hold expires by the alarm the new instance arms, and the ledger goes on after its ids', async () => {
    const playerId = crypto.randomUUID();
    const expiresAt = Date.now() + HOUR;
    const oldAnswer = { deposit_id: 'd-pend', provider: 'sandbox', provider_ref: null, currency: 'EUR', amount_minor: 500, state: 'pending', failure_reason: null, created_at: 20, updated_at: 20, payment_reference: null };
    await playerAtMigration(8, ({ db }) => {
      // release 8's rows: two movements, a pending bet (held), a pending deposit with its key in idempotency
      db.run`insert into balances (currency, bucket, balance_minor, held_minor) values ('EUR', 'real', 1000, 300)`;
      db.run`insert into ledger (at, currency, bucket, kind, amount_minor, balance_after_minor, ref) values (10, 'EUR', 'real', 'deposit', 1200, 1200, 'd-done')`;
      db.run`insert into ledger (at, currency, bucket, kind, amount_minor, balance_after_minor, ref) values (11, 'EUR', 'real', 'bet', -200, 1000, 'h-posted')`;
      db.run`insert into holds (hold_id, kind, currency, real_minor, bonus_minor, state, expires_at, ref, created_at, resolved_at) values ('h-posted', 'bet', 'EUR', 200, 0, 'posted', ${expiresAt}, null, 11, 11)`;
      db.run`insert into holds (hold_id, kind, currency, real_minor, bonus_minor, state, expires_at, ref, created_at) values ('h-old', 'bet', 'EUR', 300, 0, 'pending', ${expiresAt}, null, 12)`;
      db.run`insert into deposits (deposit_id, provider, provider_ref, currency, amount_minor, state, failure_reason, created_at, updated_at, payment_reference)
        values ('d-pend', 'sandbox', null, 'EUR', 500, 'pending', null, 20, 20, null)`;
      db.run`insert into idempotency (key, fingerprint, response, created_at) values ('deposit:k-old', 'deposit|sandbox|EUR|500', ${JSON.stringify({ ok: true, deposit: oldAnswer })}, 20)`;
    }, { playerId });
    await restartPlayer(playerId); // the deploy: the next call starts the new code on this storage
    const session = await attach(playerId, 0);
    await runInDurableObject(player(playerId), async (o: PlayerDO) => {
      const { c, walletRg: w, ctx } = internals(o);
      expect(migratedTo(c.db)).toBe(PLAYER_MIGRATIONS.length);
      expect(await ctx.storage.getAlarm()).toBeLessThanOrEqual(expiresAt);
      expect(w.openHolds().map((h) => h.hold_id)).toEqual(['h-old']);
      expect(w.nextExpiry()).toBe(expiresAt);
    });
    const ask = (amount: number) => player(playerId).requestDeposit(session, 'k-old', { provider: 'sandbox', currency: 'EUR', amount_minor: amount });
    expect(await ask(500)).toEqual({ ok: true, deposit: oldAnswer, replayed: true });
    expect(await ask(501)).toMatchObject({ ok: false, code: 'idempotency_conflict' });
    expect(await player(playerId).confirmPayment({ deposit_id: 'd-pend', provider: 'sandbox', status: 'completed', amount_minor: 500, currency: 'EUR', provider_ref: 'psp', reason: null }))
      .toMatchObject({ ok: true, replayed: false });
    expect(await ask(500)).toEqual({ ok: true, deposit: oldAnswer, replayed: true }); // still the first answer, nothing credited twice
    await runInDurableObject(player(playerId), (o: PlayerDO) => { internals(o).c.clockOffsetMs = HOUR + 1; });
    for (let i = 0; i < 5 && (await runDurableObjectAlarm(player(playerId))); i++);
    await runInDurableObject(player(playerId), (o: PlayerDO) => {
      const { c, walletRg: w } = internals(o);
      expect(w.openHolds()).toEqual([]);
      expect(c.db.first`select state from holds where hold_id = 'h-old'`).toEqual({ state: 'expired' });
      expect(w.balances()).toEqual([{ currency: 'EUR', real_minor: 1_500, bonus_minor: 0, held_minor: 0, available_minor: 1_500 }]);
      expect(c.db.all`select entry_id, ref from ledger order by entry_id`).toEqual([{ entry_id: 1, ref: 'd-done' }, { entry_id: 2, ref: 'h-posted' }, { entry_id: 3, ref: 'd-pend' }]);
      expect(() => c.db.run`delete from ledger where entry_id = 3`).toThrow(/append-only/);
      expect(w.audit()).toEqual([]);
      expect(w.verifyHotState()).toEqual([]);
    });
  });
});

/** Rows read per query text while `run` goes through the object (SqlStorageCursor.rowsRead). */
async function rowsReadDuring(playerId: string, run: () => Promise<unknown>): Promise<Map<string, number>> {
  const cursors: { query: string; cursor: SqlStorageCursor<Record<string, SqlStorageValue>> }[] = [];
  let restore = () => {};
  await runInDurableObject(player(playerId), (o: PlayerDO) => {
    const sql = internals(o).ctx.storage.sql;
    const exec = sql.exec;
    sql.exec = ((query: string, ...bindings: SqlStorageValue[]) => {
      const cursor = exec.call(sql, query, ...bindings);
      cursors.push({ query: query.trim().replace(/\s+/g, ' '), cursor });
      return cursor;
    }) as typeof sql.exec;
    restore = () => { sql.exec = exec; };
  });
  await run();
  restore();
  const rows = new Map<string, number>();
  for (const { query, cursor } of cursors) rows.set(query, (rows.get(query) ?? 0) + cursor.rowsRead);
  return rows;
}

/** A player with a long history: `n` settled bets (each a posted hold and a ledger row), 5,000,000 in the balance, one pending hold. */
async function longHistory(n: number): Promise<string> {
  const playerId = await newPlayer();
  await runInDurableObject(player(playerId), (o: PlayerDO) => {
    const { c } = internals(o);
    c.db.script(`insert into ledger (at, currency, bucket, kind, amount_minor, balance_after_minor, ref) values (0, 'EUR', 'real', 'deposit', ${5_000_000 + n}, ${5_000_000 + n}, 'seed')`);
    c.db.script(`with recursive s(i) as (select 1 union all select i + 1 from s where i < ${n})
      insert into holds (hold_id, kind, currency, real_minor, bonus_minor, state, expires_at, ref, created_at, resolved_at) select 'old' || i, 'bet', 'EUR', 1, 0, 'posted', i, null, i, i from s`);
    c.db.script(`with recursive s(i) as (select 1 union all select i + 1 from s where i < ${n})
      insert into ledger (at, currency, bucket, kind, amount_minor, balance_after_minor, ref) select i, 'EUR', 'real', 'bet', -1, ${5_000_000 + n} - i, 'old' || i from s`);
    c.db.run`insert into holds (hold_id, kind, currency, real_minor, bonus_minor, state, expires_at, ref, created_at) values ('open', 'bet', 'EUR', 10, 0, 'pending', ${Date.now() + HOUR}, null, 1)`;
    c.db.run`insert into balances (currency, bucket, balance_minor, held_minor) values ('EUR', 'real', 5000000, 10)`;
    c.forgetCaches(); // written behind the object's back
    c.checks = false; // the debug mode's own comparisons with SQL read everything after every call: not what is measured here
  });
  return playerId;
}

describe('review E1: what a refused call costs the next one (the hot state reloads after every rollback)', () => {
  const N = 5_000;
  // FINDING (medium, performance; fixed by migration 12, a partial index of the pending holds): every refused call is a rolled-back transaction
  // (PlayerDO.tx), after which the wallet forgets its hot state; the next call reloads the pending
  // set with `select * from holds where state = 'pending'`, which since migration 11 (holds_pending
  // dropped) reads EVERY hold ever made instead of the pending ones. Measured in workerd (load ~12):
  // 200,000 holds, 5 pending: 34-74 ms per reload without the index, 0.2-0.5 ms with it. Holds are
  // never deleted, so this grows with the player's history; a refusal (insufficient funds, a limit,
  // an idempotency conflict, a late settle) costs the next call a full scan.
  it('after a refused bet, the next bet reads the pending holds, not every hold ever made', async () => {
    const playerId = await longHistory(N);
    expect(await player(playerId).reserveHold({ hold_id: 'too-big', currency: 'EUR', amount_minor: 10_000_000, expires_at: null, ref: null })).toMatchObject({ ok: false, code: 'insufficient_funds' });
    const rows = await rowsReadDuring(playerId, async () => {
      expect(await player(playerId).reserveHold({ hold_id: 'next', currency: 'EUR', amount_minor: 100, expires_at: null, ref: null })).toMatchObject({ ok: true });
    });
    const pendingLoad = [...rows].filter(([q]) => /^select \* from holds where state = 'pending'$/i.test(q)).reduce((a, [, n]) => a + n, 0);
    expect(pendingLoad).toBeLessThan(100);
  });

  // FINDING (medium-high, performance, PRE-EXISTING on main, not E1's; fixed: the ledger is summed at
  // load in debug mode only, wallet.ts accounts()): the same reload recomputes
  // every account's ledger total (`sum(amount_minor) from ledger group by currency, bucket`), a scan
  // of the whole ledger after every refused call and at every start. Measured in workerd (load ~12):
  // 400,000 ledger rows, 717 ms per reload. A caller that keeps getting refusals (a provider retrying
  // a bet on insufficient funds, a client over a limit) makes the object spend that on every next call.
  it('after a refused bet, the next bet does not read the whole ledger', async () => {
    const playerId = await longHistory(N);
    expect(await player(playerId).reserveHold({ hold_id: 'too-big', currency: 'EUR', amount_minor: 10_000_000, expires_at: null, ref: null })).toMatchObject({ ok: false, code: 'insufficient_funds' });
    const rows = await rowsReadDuring(playerId, async () => {
      expect(await player(playerId).reserveHold({ hold_id: 'next', currency: 'EUR', amount_minor: 100, expires_at: null, ref: null })).toMatchObject({ ok: true });
    });
    const ledgerRead = [...rows].filter(([q]) => /from ledger/i.test(q)).reduce((a, [, n]) => a + n, 0);
    expect(ledgerRead).toBeLessThan(100);
  });
});

type BetHold = { amount: number; state: 'pending' | 'posted' | 'voided' | 'expired'; expiresAt: number };
type Dep = { id: string; amount: number; state: 'pending' | 'completed' | 'failed'; first: unknown };
type Wd = { id: string; amount: number; state: 'requested' | 'rejected' };

const step = fc.oneof(
  { weight: 2, arbitrary: fc.record({ t: fc.constant('fund' as const), amount: fc.integer({ min: 1, max: 2000 }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('deposit' as const), key: fc.integer({ min: 0, max: 3 }), amount: fc.constantFrom(100, 250, 400), outcome: fc.constantFrom('completed', 'failed', 'pending', 'twice', 'late_fail', 'unknown') }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('withdraw' as const), key: fc.integer({ min: 0, max: 3 }), amount: fc.constantFrom(100, 250, 400), reject: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('reserve' as const), hold: fc.integer({ min: 0, max: 5 }), amount: fc.integer({ min: 1, max: 1500 }), ttl: fc.constantFrom(HOUR, 3 * HOUR, null) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('post' as const), hold: fc.integer({ min: 0, max: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('void' as const), hold: fc.integer({ min: 0, max: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('settle' as const), hold: fc.integer({ min: 0, max: 5 }), returned: fc.constantFrom(0, 500) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('time' as const) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('rollback' as const), what: fc.constantFrom('reserve', 'void', 'post', 'deposit', 'alarm'), hold: fc.integer({ min: 0, max: 5 }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('restart' as const) }) },
);

describe('review E1: the pending set and deposit keys across real restarts, expiries and rollbacks', () => {
  it('answers and balances as the model says; memory == SQL; the alarm is armed by the earliest pending expiry', async () => {
    const seen = { restarts: 0, expired: 0, rollbacks: 0, replays: 0, conflicts: 0, deposits: 0 };
    await fc.assert(fc.asyncProperty(fc.array(fc.record({ s: step, retries: fc.integer({ min: 0, max: 1 }) }), { minLength: 4, maxLength: 18 }), async (steps) => {
      const playerId = await newPlayer();
      const stub = () => player(playerId); // a stub that saw its object aborted stays broken
      let offset = 0;
      let session = await attach(playerId, offset);
      let balance = 0;
      let held = 0;
      let funds = 0;
      const holds = new Map<string, BetHold>();
      const deposits = new Map<string, Dep>();
      const withdrawals = new Map<string, Wd>();
      const wins = new Set<string>();
      const modelNow = () => Date.now() + offset;
      const earliest = () => Math.min(...[...holds.values()].filter((h) => h.state === 'pending').map((h) => h.expiresAt));

      const check = async () => runInDurableObject(stub(), async (o: PlayerDO) => {
        const { c, walletRg: w, ctx } = internals(o);
        c.clockOffsetMs = offset;
        const eur = w.balances().find((b) => b.currency === 'EUR') ?? { real_minor: 0, held_minor: 0 };
        expect({ balance: eur.real_minor, held: eur.held_minor }).toEqual({ balance, held });
        expect(w.verifyHotState()).toEqual([]);
        expect(w.audit()).toEqual([]);
        const pendingIds = [...holds].filter(([, h]) => h.state === 'pending').map(([id]) => id)
          .concat([...withdrawals.values()].filter((x) => x.state === 'requested').map((x) => `wd:${x.id}`)).sort();
        expect(w.openHolds().map((h) => h.hold_id).sort()).toEqual(pendingIds);
        const next = earliest();
        expect(w.nextExpiry()).toBe(Number.isFinite(next) ? next : null);
        // the alarm fires by the earliest work: a pending expiry or a scheduled job, whichever is first
        // (only comparing with the expiry would pass whenever a session's check happens to be earlier)
        const due = Math.min(next, ...c.schedules.pending().map((j) => j.due_at));
        if (Number.isFinite(due)) {
          const armed = await ctx.storage.getAlarm();
          expect(armed, 'the alarm is armed by the earliest work').not.toBeNull();
          expect(armed!).toBeLessThanOrEqual(due);
        }
      });

      // money to bet with from the start, so that holds exist when the clock moves
      expect(await stub().creditWin({ win_id: 'seed', hold_id: null, currency: 'EUR', amount_minor: 3_000, bucket: 'real' })).toMatchObject({ ok: true });
      balance = 3_000;
      for (const { s, retries } of steps) {
        for (let attempt = 0; attempt <= retries; attempt++) {
          switch (s.t) {
            case 'fund': {
              const r = await stub().creditWin({ win_id: `fund-${funds + (attempt > 0 ? 0 : 1)}`, hold_id: null, currency: 'EUR', amount_minor: s.amount, bucket: 'real' });
              expect(r).toMatchObject({ ok: true, replayed: attempt > 0 });
              if (attempt === 0) { funds++; balance += s.amount; }
              break;
            }
            case 'deposit': {
              const key = `k${s.key}`;
              const d = deposits.get(key);
              const r = await stub().requestDeposit(session, key, { provider: 'sandbox', currency: 'EUR', amount_minor: s.amount });
              if (d && d.amount !== s.amount) { expect(r).toMatchObject({ ok: false, code: 'idempotency_conflict' }); seen.conflicts++; break; }
              if (!r.ok) throw new Error(`deposit ${key}: ${JSON.stringify(r)}`);
              if (d) { expect(r).toEqual({ ...(d.first as object), replayed: true }); seen.replays++; } else {
                expect(r.replayed).toBe(false);
                deposits.set(key, { id: r.deposit.deposit_id, amount: s.amount, state: 'pending', first: r });
                seen.deposits++;
              }
              const dep = deposits.get(key)!;
              const confirm = (status: 'completed' | 'failed', id = dep.id) => stub().confirmPayment({
                deposit_id: id, provider: 'sandbox', status, amount_minor: dep.amount, currency: 'EUR', provider_ref: `psp-${key}`, reason: status === 'failed' ? 'declined' : null,
              });
              const decide = async (status: 'completed' | 'failed') => {
                const r2 = await confirm(status);
                const to = status;
                if (dep.state === 'pending') {
                  expect(r2).toMatchObject({ ok: true, replayed: false });
                  dep.state = to;
                  if (to === 'completed') balance += dep.amount;
                } else if (dep.state === to) expect(r2).toMatchObject({ ok: true, replayed: true });
                else expect(r2).toMatchObject({ ok: false, code: 'invalid_state' });
              };
              if (s.outcome === 'unknown') expect(await confirm('completed', `${dep.id}-x`)).toMatchObject({ ok: false, code: 'deposit_not_found' });
              else if (s.outcome === 'completed' || s.outcome === 'failed') await decide(s.outcome);
              else if (s.outcome === 'twice') { await decide('completed'); await decide('completed'); } else if (s.outcome === 'late_fail') { await decide('completed'); await decide('failed'); }
              break;
            }
            case 'withdraw': {
              const key = `k${s.key}`; // the deposits' keys: another operation, another namespace
              const x = withdrawals.get(key);
              const r = await stub().requestWithdrawal(session, key, { currency: 'EUR', amount_minor: s.amount });
              if (x) { expect(r).toMatchObject(x.amount === s.amount ? { ok: true, replayed: true } : { ok: false, code: 'idempotency_conflict' }); break; }
              if (balance - held < s.amount) { expect(r).toMatchObject({ ok: false, code: 'insufficient_funds' }); break; }
              if (!r.ok) throw new Error(`withdrawal ${key}: ${JSON.stringify(r)}`);
              expect(r.replayed).toBe(false);
              const wd: Wd = { id: r.withdrawal.withdrawal_id, amount: s.amount, state: 'requested' };
              withdrawals.set(key, wd);
              held += s.amount;
              if (s.reject) {
                expect(await stub().decideWithdrawal(wd.id, 'reject', 'op-review', 'test')).toMatchObject({ ok: true, replayed: false });
                wd.state = 'rejected';
                held -= s.amount;
              }
              break;
            }
            case 'reserve': {
              const id = `h${s.hold}`;
              const h = holds.get(id);
              const now = modelNow();
              const r = await stub().reserveHold({ hold_id: id, currency: 'EUR', amount_minor: s.amount, expires_at: s.ttl === null ? null : now + s.ttl, ref: null });
              if (h) expect(r).toMatchObject(h.amount === s.amount ? { ok: true, replayed: true } : { ok: false, code: 'idempotency_conflict' });
              else if (balance - held < s.amount) expect(r).toMatchObject({ ok: false, code: 'insufficient_funds' });
              else {
                if (!r.ok) throw new Error(`reserve ${id}: ${JSON.stringify(r)}`);
                expect(r.replayed).toBe(false);
                holds.set(id, { amount: s.amount, state: 'pending', expiresAt: r.hold.expires_at! }); // entry.ts caps it at 24 h
                held += s.amount;
              }
              break;
            }
            case 'post': case 'void': case 'settle': {
              const id = `h${s.hold}`;
              const h = holds.get(id);
              const r = s.t === 'post' ? await stub().postHold(id) : s.t === 'void' ? await stub().voidHold(id) : await stub().settleTableBet({ hold_id: id, win_id: `${id}:return`, returned_minor: s.returned });
              if (!h) { expect(r).toMatchObject({ ok: false, code: 'hold_not_found' }); break; }
              const to = s.t === 'void' ? 'voided' : 'posted';
              const wasPending = h.state === 'pending';
              if (h.state === 'pending') {
                expect(r).toMatchObject({ ok: true });
                h.state = to;
                held -= h.amount;
                if (to === 'posted') balance -= h.amount;
              } else if (s.t === 'settle') {
                expect(r).toMatchObject({ ok: true, state: h.state });
              } else if (h.state === to) expect(r).toMatchObject({ ok: true, replayed: true });
              else expect(r).toMatchObject({ ok: false, code: 'invalid_state' });
              // a bet's return is credited by the settlement that posts its hold, once: a hold posted
              // already (by postHold, or by an earlier settlement) pays nothing later (wallet.ts settleBet)
              if (s.t === 'settle' && r.ok && wasPending && h.state === 'posted' && s.returned > 0 && !wins.has(id)) { wins.add(id); balance += s.returned; }
              break;
            }
            case 'time': {
              // the object's clock 2 h on (expiries are odd hours from their reservation: never within ms of a step)
              offset += 2 * HOUR;
              await runInDurableObject(stub(), (o: PlayerDO) => { internals(o).c.clockOffsetMs = offset; });
              const now = modelNow();
              for (const h of holds.values()) if (h.state === 'pending' && h.expiresAt <= now) { h.state = 'expired'; held -= h.amount; seen.expired++; }
              for (let i = 0; i < 6 && (await runDurableObjectAlarm(stub())); i++);
              session = await attach(playerId, offset); // the last session may have timed out
              break;
            }
            case 'rollback': {
              // a transaction that touches the wallet's memory and then throws: memory must forget it all
              const pendingIds = [...holds].filter(([, h]) => h.state === 'pending').map(([id]) => id);
              const target = pendingIds[s.hold % Math.max(1, pendingIds.length)] ?? `h${s.hold}`;
              await runInDurableObject(stub(), (o: PlayerDO) => {
                const { c, walletRg: w } = internals(o);
                c.clockOffsetMs = offset;
                expect(() => c.tx(() => {
                  if (s.what === 'reserve') w.reserveHold({ hold_id: `rb-${attempt}`, currency: 'EUR', amount_minor: 1, expires_at: c.now() + 60_000, ref: null });
                  else if (s.what === 'void') w.voidHold(target);
                  else if (s.what === 'post') w.postHold(target);
                  else if (s.what === 'alarm') { c.clockOffsetMs = offset + 30 * HOUR; for (const id of w.overdueHolds(100)) w.expireHold(id); c.schedules.rearm(); }
                  else w.requestDeposit('rb-key', { deposit_id: `rb-${attempt}`, provider: 'sandbox', currency: 'EUR', amount_minor: 5 });
                  throw new Error('rolled back on purpose');
                })).toThrow('rolled back on purpose');
                c.clockOffsetMs = offset;
                expect(c.db.first`select count(*) as n from holds where hold_id like 'rb-%'`).toEqual({ n: 0 });
                expect(c.db.first`select count(*) as n from deposits where idempotency_key = 'rb-key'`).toEqual({ n: 0 });
              });
              seen.rollbacks++;
              break;
            }
            case 'restart':
              await restartPlayer(playerId);
              session = await attach(playerId, offset);
              seen.restarts++;
              break;
          }
        }
        await check();
      }
    }), { numRuns: 40 });
    console.log(`review E1 restarts property: ${JSON.stringify(seen)}`);
    // Coverage floors, each far below what 40 random sequences reach, so that no seed fails them.
    // Expiries are the rare path: 15 per 40 sequences on average, 5 or fewer in 0.4-0.6% of runs
    // (the floor was 5: a random CI failure every few hundred runs), 1 or fewer in none of 20,000
    // batches of 40 sequences drawn from this generator and replayed on a simplified model
    // (2026-12-04; ~16 per 40 measured here at 400 sequences). Restarts ~81 (min 37), rollbacks
    // ~54 (min 21), replays and conflicts ~36 (min 11) in the same batches.
    expect(seen.restarts).toBeGreaterThan(20);
    expect(seen.expired).toBeGreaterThan(1);
    expect(seen.rollbacks).toBeGreaterThan(10);
    expect(seen.replays + seen.conflicts).toBeGreaterThan(5);
  }, 600_000);
});
