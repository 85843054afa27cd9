/**
 * Migration 2 on an object that lived under migration 1: profiles get the default brand and no VIP
 * flag, wins credited before are found by their bet (backfilled from the outbox), and the relay
 * starts from the beginning of the outbox. Also: the new tables refuse what must never be stored, and
 * later migrations on objects an older release left (up to 17: the rewards memory as rows; the
 * distinct counters' values as rows).
 */
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BRAND } from '../../domain/brands';
import { compileRuleSet, initialState, remember, RuleSet, type RewardsState } from '../../domain/rewards';
import { migrate, type Db } from '../lib/sql';
import { internals, migratedTo, player, playerAtMigration } from '../../test/edge/helpers';
import type { PlayerDO } from './player-do';
import type { PlayerRewards } from './rewards';
import { liveRewardsConfig } from './rewards-config';
import { PLAYER_MIGRATIONS } from './schema';

/** The release before the distinct counters' values went into rows: every migration up to theirs (numbered by the lead on merge). */
const beforeCounterRows = () => PLAYER_MIGRATIONS.findIndex((m) => typeof m === 'string' && m.includes('create table reward_counter_values'));

describe('player schema, migration 2', () => {
  it('upgrades a migration-1 object: default brand, no VIP, wins backfilled by bet, relay cursor at 0', async () => {
    await playerAtMigration(1, ({ o, db, upgrade }) => {
      const win = (winId: string, holdId: string | null, amount: number) => JSON.stringify({
        event_id: crypto.randomUUID(), event_type: 'wallet.win.credited', schema_version: 1, occurred_at: 1700000000000, player_id: 'p-old', table_id: null,
        round_id: null, jurisdiction: 'MT', currency: 'EUR', payload: { win_id: winId, hold_id: holdId, bucket: 'real', amount_minor: amount, balance_after_minor: amount },
      });
      db.run`insert into outbox (event_id, event_type, occurred_at, body) values ('e1', 'wallet.win.credited', 1700000000000, ${win('w1', 'h1', 300)})`;
      db.run`insert into outbox (event_id, event_type, occurred_at, body) values ('e2', 'wallet.win.credited', 1700000000001, ${win('w2', null, 50)})`;

      upgrade();
      expect(db.first`select brand, vip from profile`).toEqual({ brand: DEFAULT_BRAND, vip: 0 });
      expect(db.all`select win_id, hold_id, currency, bucket, amount_minor, created_at from wins order by win_id`).toEqual([
        { win_id: 'w1', hold_id: 'h1', currency: 'EUR', bucket: 'real', amount_minor: 300, created_at: 1700000000000 },
        { win_id: 'w2', hold_id: null, currency: 'EUR', bucket: 'real', amount_minor: 50, created_at: 1700000000001 },
      ]);
      expect(internals(o).walletRg.winsOf('h1')).toEqual({ real: 300, bonus: 0 });
      expect(db.first`select after_seq, failures from relay_state`).toEqual({ after_seq: 0, failures: 0 });
      expect(migratedTo(db)).toBe(PLAYER_MIGRATIONS.length);
    });
  });

  it('refuses VIP values other than 0/1, a second void of a bet, and a decider who is the requester', async () => {
    const stub = player(crypto.randomUUID());
    await stub.audit();
    await runInDurableObject(stub, (o: PlayerDO, state) => {
      const db = internals(o).c.db;
      db.run`insert into profile (id, player_id, email, password_hash, date_of_birth, country, jurisdiction, currency, status, kyc_status, created_at, updated_at)
        values (1, 'p', 'p@example.test', 'x', '1980-01-01', 'MT', 'MT', 'EUR', 'active', 'none', 1, 1)`;
      expect(() => db.run`update profile set vip = 2`).toThrow(/CHECK/);
      db.run`insert into disputes (dispute_id, hold_id, currency, resolution, amount_minor, reason, actor, created_at) values ('d1', 'h', 'EUR', 'void', 1, 'r', 'a', 1)`;
      expect(() => db.run`insert into disputes (dispute_id, hold_id, currency, resolution, amount_minor, reason, actor, created_at) values ('d2', 'h', 'EUR', 'void', 1, 'r', 'a', 1)`).toThrow(/UNIQUE/);
      db.run`insert into disputes (dispute_id, hold_id, currency, resolution, amount_minor, reason, actor, created_at) values ('d3', 'h', 'EUR', 'correct', 1, 'r', 'a', 1)`;
      db.run`insert into adjustments (adjustment_id, currency, bucket, amount_minor, reason, state, requested_by, created_at) values ('a1', 'EUR', 'real', 5, 'r', 'pending', 'op-a', 1)`;
      expect(() => db.run`update adjustments set decided_by = 'op-a' where adjustment_id = 'a1'`).toThrow(/CHECK/);
      expect(() => db.run`insert into adjustments (adjustment_id, currency, bucket, amount_minor, reason, state, requested_by, created_at) values ('a2', 'EUR', 'real', 0, 'r', 'pending', 'op-a', 1)`).toThrow(/CHECK/);
    });
  });
});

describe('player schema, migration 5', () => {
  it('sessions opened before it have device unknown; the column refuses anything but the coarse devices', async () => {
    await playerAtMigration(4, ({ db, upgrade }) => {
      db.run`insert into sessions (session_id, created_at, last_seen_at, idle_timeout_ms, expires_at, country) values ('s-old', 1, 1, 1, 2, 'MT')`;
      upgrade();
      expect(db.first`select device from sessions where session_id = 's-old'`).toEqual({ device: 'unknown' });
      expect(() => db.run`update sessions set device = 'phone'`).toThrow(/CHECK/);
      db.run`update sessions set device = 'tablet'`;
    }, { profile: false });
  });
});

describe('player schema, migration 8', () => {
  it('rebuilds withdrawals with the cancelled state: rows (and columns added earlier) kept, other states still refused', async () => {
    await playerAtMigration(7, ({ db, upgrade }) => {
      // a column another migration may have added before 8 (a payment reference, say) survives the rebuild
      db.script('alter table withdrawals add column extra_ref text');
      db.run`insert into withdrawals (withdrawal_id, currency, amount_minor, hold_id, state, decided_by, reason, created_at, updated_at, extra_ref)
        values ('w-old', 'EUR', 500, 'wd:w-old', 'approved', 'operator:o1', null, 1, 2, 'ref-1')`;
      expect(() => db.run`update withdrawals set state = 'cancelled'`).toThrow(/CHECK/);
      upgrade();
      expect(db.first`select * from withdrawals`).toEqual({
        withdrawal_id: 'w-old', currency: 'EUR', amount_minor: 500, hold_id: 'wd:w-old', state: 'approved', decided_by: 'operator:o1', reason: null, created_at: 1, updated_at: 2,
        payment_reference: null, extra_ref: 'ref-1',
      });
      db.run`update withdrawals set state = 'cancelled'`;
      expect(() => db.run`update withdrawals set state = 'reversed'`).toThrow(/CHECK/);
      expect(() => db.run`update withdrawals set amount_minor = 0`).toThrow(/CHECK/);
      expect(db.first`select count(*) as n from sqlite_master where name like 'withdrawals_%'`).toEqual({ n: 0 });
      expect(migratedTo(db)).toBe(PLAYER_MIGRATIONS.length);
    }, { profile: false });
  });
});

describe('player schema, migrations 7 and 8 on a migration-6 object', () => {
  it('keeps deposits and withdrawals in every state, adds a null payment_reference, and keeps every constraint', async () => {
    await playerAtMigration(6, ({ db, upgrade }) => {
      const states = ['requested', 'approved', 'rejected', 'paid'] as const;
      states.forEach((state, i) => {
        db.run`insert into withdrawals (withdrawal_id, currency, amount_minor, hold_id, state, decided_by, reason, created_at, updated_at)
          values (${`w-${state}`}, 'EUR', ${100 + i}, ${`wd:w-${state}`}, ${state}, ${state === 'requested' ? null : 'operator:o1'}, ${state === 'rejected' ? 'docs' : null}, ${i}, ${i + 10})`;
      });
      for (const state of ['pending', 'completed', 'failed'] as const) {
        db.run`insert into deposits (deposit_id, provider, provider_ref, currency, amount_minor, state, failure_reason, created_at, updated_at)
          values (${`d-${state}`}, 'sandbox', ${state === 'completed' ? 'psp-1' : null}, 'EUR', 700, ${state}, ${state === 'failed' ? 'declined' : null}, 1, 2)`;
      }
      const withdrawalsBefore = db.all<Record<string, unknown>>`select * from withdrawals order by withdrawal_id`;
      const depositsBefore = db.all<Record<string, unknown>>`select * from deposits order by deposit_id`;
      upgrade();
      expect(db.all`select * from withdrawals order by withdrawal_id`).toEqual(withdrawalsBefore.map((r) => ({ ...r, payment_reference: null })));
      expect(db.all`select * from deposits order by deposit_id`).toEqual(depositsBefore.map((r) => ({ ...r, payment_reference: null, idempotency_key: null, requested_reference: null })));
      // migration 7's check on the column survives migration 8's rebuild
      expect(() => db.run`update withdrawals set payment_reference = 'short' where withdrawal_id = 'w-requested'`).toThrow(/CHECK/);
      expect(() => db.run`insert into withdrawals (withdrawal_id, currency, amount_minor, hold_id, state, created_at, updated_at)
        values ('w-requested', 'EUR', 1, 'wd:x', 'requested', 1, 1)`).toThrow(/UNIQUE|PRIMARY/);
      expect(() => db.run`insert into withdrawals (withdrawal_id, currency, amount_minor, hold_id, state, created_at, updated_at)
        values ('w-null', 'EUR', 1, null, 'requested', 1, 1)`).toThrow(/NOT NULL/);
      db.run`update withdrawals set state = 'cancelled', decided_by = 'player' where withdrawal_id = 'w-requested'`;
    }, { profile: false });
  });
});

describe('player schema, a migration that fails half way', () => {
  it('leaves nothing of itself behind when run atomically: rows, old constraint and version as before', async () => {
    await playerAtMigration(7, ({ db, storage, upgrade }) => {
      db.run`insert into withdrawals (withdrawal_id, currency, amount_minor, hold_id, state, created_at, updated_at) values ('w1', 'EUR', 500, 'wd:w1', 'requested', 1, 2)`;
      // migration 8's rebuild, then a failure before it is recorded (an object evicted, a bug in a later step)
      const failing = [...PLAYER_MIGRATIONS.slice(0, 7), (d: Db) => {
        (PLAYER_MIGRATIONS[7] as (x: typeof d) => void)(d);
        throw new Error('boom');
      }];
      expect(() => migrate(db, failing, storage)).toThrow('boom');
      expect(migratedTo(db)).toBe(7);
      expect(db.all`select withdrawal_id, state from withdrawals`).toEqual([{ withdrawal_id: 'w1', state: 'requested' }]);
      expect(() => db.run`update withdrawals set state = 'cancelled'`).toThrow(/CHECK/); // the old constraint: the rebuild rolled back
      upgrade();
      db.run`update withdrawals set state = 'cancelled'`;
    }, { profile: false });
  });
});

/**
 * An object as release 8 left it (rows written by hand as that code wrote them: a completed and a
 * pending deposit, each with its key in `idempotency`), brought up to the current schema: old keys
 * still answer (same request: the first answer; another request: a conflict), new deposits are
 * their own idempotency record, and the money still balances.
 */
describe('player schema, migration 9 and later on a migration-8 object (issue 15, E1)', () => {
  it('keeps old idempotency keys, answers new ones from the deposit row, and still balances', async () => {
    await playerAtMigration(8, ({ o, c, db, upgrade }) => {
      const wallet = internals(o).walletRg;
      const pendingAnswer = (id: string, amount: number, at: number) => ({
        deposit_id: id, provider: 'sandbox', provider_ref: null, currency: 'EUR', amount_minor: amount, state: 'pending', failure_reason: null, created_at: at, updated_at: at, payment_reference: null,
      });
      for (const [id, key, amount, at, done] of [['d-done', 'k-done', 1_000, 10, true], ['d-pend', 'k-pend', 500, 20, false]] as const) {
        db.run`insert into deposits (deposit_id, provider, provider_ref, currency, amount_minor, state, failure_reason, created_at, updated_at, payment_reference)
          values (${id}, 'sandbox', ${done ? 'psp-1' : null}, 'EUR', ${amount}, ${done ? 'completed' : 'pending'}, null, ${at}, ${done ? at + 1 : at}, null)`;
        db.run`insert into idempotency (key, fingerprint, response, created_at)
          values (${`deposit:${key}`}, ${`deposit|sandbox|EUR|${amount}`}, ${JSON.stringify({ ok: true, deposit: pendingAnswer(id, amount, at) })}, ${at})`;
      }
      db.run`insert into balances (currency, bucket, balance_minor, held_minor) values ('EUR', 'real', 1000, 0)`;
      db.run`insert into ledger (at, currency, bucket, kind, amount_minor, balance_after_minor, ref) values (11, 'EUR', 'real', 'deposit', 1000, 1000, 'd-done')`;

      upgrade({ live: true });
      expect(migratedTo(db)).toBe(PLAYER_MIGRATIONS.length);
      const request = (key: string, amount: number) => c.tx(() => wallet.requestDeposit(key, { deposit_id: crypto.randomUUID(), provider: 'sandbox', currency: 'EUR', amount_minor: amount }));

      // keys of release 8, from `idempotency`: the first answer again, or a conflict
      expect(request('k-done', 1_000)).toEqual({ ok: true, replayed: true, deposit: pendingAnswer('d-done', 1_000, 10) });
      expect(request('k-done', 2_000)).toMatchObject({ ok: false, code: 'idempotency_conflict' });
      expect(c.tx(() => wallet.completeDeposit({ deposit_id: 'd-pend', provider: 'sandbox', amount_minor: 500, currency: 'EUR', provider_ref: 'psp-2' }))).toMatchObject({ ok: true, replayed: false });
      expect(request('k-pend', 500)).toMatchObject({ ok: true, replayed: true, deposit: { deposit_id: 'd-pend', state: 'pending' } });

      // a new key: one deposit row, no idempotency row; its replay answers the first answer, even once completed
      const first = request('k-new', 700);
      if (!first.ok) throw new Error(JSON.stringify(first));
      expect(first.replayed).toBe(false);
      expect(db.first`select count(*) as n from idempotency where key like 'deposit:%'`).toEqual({ n: 2 });
      expect(c.tx(() => wallet.completeDeposit({ deposit_id: first.deposit.deposit_id, provider: 'sandbox', amount_minor: 700, currency: 'EUR', provider_ref: 'psp-3' }))).toMatchObject({ ok: true });
      expect(request('k-new', 700)).toEqual({ ...first, replayed: true });
      expect(request('k-new', 701)).toMatchObject({ ok: false, code: 'idempotency_conflict' });
      expect(db.first`select count(*) as n from deposits`).toEqual({ n: 3 });

      expect(wallet.balances()).toEqual([{ currency: 'EUR', real_minor: 2_200, bonus_minor: 0, held_minor: 0, available_minor: 2_200 }]);
      // migration 10: the ledger kept its rows and ids and goes on after them, without AUTOINCREMENT's counter; it refuses edits
      expect(db.all`select entry_id, amount_minor, balance_after_minor, ref from ledger order by entry_id`).toEqual([
        { entry_id: 1, amount_minor: 1_000, balance_after_minor: 1_000, ref: 'd-done' },
        { entry_id: 2, amount_minor: 500, balance_after_minor: 1_500, ref: 'd-pend' },
        { entry_id: 3, amount_minor: 700, balance_after_minor: 2_200, ref: first.deposit.deposit_id },
      ]);
      expect(db.all`select name from sqlite_sequence where name in ('ledger', 'outbox')`).toEqual([{ name: 'outbox' }]);
      expect(db.first<{ sql: string }>`select sql from sqlite_master where name = 'ledger'`?.sql).not.toMatch(/autoincrement/i);
      expect(() => db.run`delete from ledger where entry_id = 3`).toThrow(/append-only/);
      expect(() => db.run`update ledger set amount_minor = 1 where entry_id = 1`).toThrow(/append-only/);
      expect(wallet.ledger({ before: null, limit: 2, currency: null })).toMatchObject({ entries: [{ entry_id: 3 }, { entry_id: 2 }], next_before: 2 });
      // migration 11: no index over the holds' states
      expect(db.all`select name, sql from sqlite_master where type = 'index' and tbl_name = 'holds' and sql is not null`).toEqual([
        { name: 'holds_open', sql: expect.stringMatching(/where state = 'pending'/) }]); // migration 12: the pending holds alone
      expect(wallet.audit()).toEqual([]);
      expect(wallet.verifyHotState()).toEqual([]);
    });
  });
});

describe('player schema, migrations 16-17 on a migration-15 object (17: the rewards memory as rows)', () => {
  it("moves a full idempotency memory written the old way (chunks inline) into rows, in order; the object reads the same state and still refuses every remembered or forgotten id", async () => {
    await playerAtMigration(15, ({ o, c, db, upgrade }) => {
      // the state as release 15 wrote it: 1,100 events remembered (16 full chunks, the first forgotten), chunks inline
      const T0 = Date.UTC(2026, 0, 5, 10);
      let seen = initialState().seen;
      for (let i = 0; i < 1_100; i++) seen = remember(seen, `bet-settled:old-${i}`, T0 + i);
      const old: RewardsState = {
        ...initialState(), day: '2026-01-05', session: 's', xp: 1_100, badges: ['night-owl'],
        rules: { 'every-settlement': { day: '2026-01-05', today: 1_100, session: 's', this_session: 1_100, total: 1_100, last_at: T0 + 1_099 } }, seen,
      };
      expect(JSON.stringify(old).length).toBeGreaterThan(20_000);
      db.run`insert into rewards_state (id, state, marks, updated_at) values (1, ${JSON.stringify(old)}, ${JSON.stringify({ limit_hit_at: null, cool_off_ended_at: null, losses: [] })}, 1)`;

      upgrade({ live: true });
      expect(migratedTo(db)).toBe(PLAYER_MIGRATIONS.length);
      const rows = db.all<{ seq: number; ids: string; max_at: number }>`select seq, ids, max_at from rewards_seen_chunks order by seq`;
      expect(rows.map((r) => ({ seq: r.seq, ids: JSON.parse(r.ids) as string[], max_at: r.max_at }))).toEqual(seen.chunks.map((ch, i) => ({ seq: i + 1, ...ch })));
      const row = db.first<{ state: string }>`select state from rewards_state`!;
      const stored = JSON.parse(row.state) as { seen: Record<string, unknown> };
      expect(stored.seen).toEqual({ recent: seen.recent, recent_max_at: seen.recent_max_at, low_water_ms: seen.low_water_ms, chunk_rows: rows.map((r) => r.seq) });
      expect(row.state.length).toBeLessThan(2_000);

      // the object loads exactly the state it had
      const rewards = (o as unknown as { rewardsRg: PlayerRewards }).rewardsRg;
      rewards.view();
      expect((rewards as unknown as { hot: { state: RewardsState } }).hot.state).toEqual(old);
      expect(rewards.verifyHotState()).toEqual([]);
      // and decides as before: an id of a full chunk, of the filling chunk, or forgotten is not evaluated; a new one is
      const set = RuleSet.parse({
        id: 'migration-16', version: 1, counters: [{ id: 'settled_total', kind: 'count', on: ['table.bet.settled'], window: 'lifetime' }],
        rules: [{ id: 'every-settlement', version: 1, status: 'active', name: 'XP on every settlement', on: 'table.bet.settled', actions: [{ type: 'xp', amount: 1 }] }],
        caps: { points_per_day: 1_000, xp_per_day: 1_000_000, cash_minor_per_day: {} },
      });
      rewards.use({ compiled: compileRuleSet(set), risk: liveRewardsConfig().risk });
      const settle = (i: number) => c.tx(() => rewards.tableBetSettled(`old-${i}`, 'EUR', 100, {
        table_id: 't', round_id: `r-${i}`, game: 'roulette', game_id: 'roulette-european', spot: 'red', bet_type: 'red', session_id: 's', amount_minor: 100, at: T0 + i, result: 'push',
      }));
      const xpGrants = () => db.first<{ n: number }>`select count(*) as n from rewards_grants`!.n;
      for (const i of [500, 1_099, 10]) {
        const before = db.first`select state, updated_at from rewards_state`;
        settle(i);
        expect(db.first`select state, updated_at from rewards_state`, `old-${i}`).toEqual(before);
        expect(xpGrants()).toBe(0);
      }
      settle(1_100);
      expect(xpGrants()).toBe(1);
      expect(rewards.verifyHotState()).toEqual([]);
    });
  });
});

describe("player schema, the distinct counters' values as rows (reward_counter_values) on an object that kept them inline", () => {
  it('moves each distinct counter\'s values into rows, the count staying in the state; the object reads the same counts and goes on counting exactly', async () => {
    expect(beforeCounterRows()).toBeGreaterThan(0);
    await playerAtMigration(beforeCounterRows(), ({ o, c, db, upgrade }) => {
      const T0 = Date.UTC(2026, 0, 5, 10);
      const rounds = Array.from({ length: 200 }, (_, i) => `r-${i}`);
      // the state row as the release before wrote it: a distinct counter's 200 values inline, a count counter beside it
      const old = {
        ...initialState(), day: '2026-01-05', session: 's', xp: 200,
        counters: {
          rounds_today: { period: '2026-01-05', groups: {}, seen: rounds },
          settled_total: { period: '', groups: { '': { v: 200, at: T0 + 199 } } },
        },
        seen: { recent: [], recent_max_at: 0, low_water_ms: 0, chunk_rows: [] },
      };
      db.run`insert into rewards_state (id, state, marks, updated_at) values (1, ${JSON.stringify(old)}, ${JSON.stringify({ limit_hit_at: null, cool_off_ended_at: null, losses: [] })}, 1)`;

      upgrade({ live: true });
      const rows = db.all<{ counter: string; period: string; value: string }>`select counter, period, value from reward_counter_values order by counter, period, value`;
      expect(rows).toEqual([...rounds].sort().map((value) => ({ counter: 'rounds_today', period: '2026-01-05', value })));
      const row = db.first<{ state: string }>`select state from rewards_state`!;
      const stored = JSON.parse(row.state) as RewardsState;
      expect(stored.counters).toEqual({
        rounds_today: { period: '2026-01-05', groups: {}, n: 200 },
        settled_total: old.counters.settled_total,
      });
      expect({ ...stored, counters: null }).toEqual({ ...old, counters: null });
      expect(row.state.length).toBeLessThan(1_000); // 200 round ids inline were ~2 KB of it

      const rewards = (o as unknown as { rewardsRg: PlayerRewards }).rewardsRg;
      rewards.view();
      expect(rewards.verifyHotState()).toEqual([]);
      const set = RuleSet.parse({
        id: 'counter-rows', version: 1,
        counters: [
          { id: 'rounds_today', kind: 'distinct', on: ['table.bet.settled'], of: 'round_id', window: 'today' },
          { id: 'settled_total', kind: 'count', on: ['table.bet.settled'], window: 'lifetime' },
        ],
        // XP on a settlement once the day counts 202 distinct rounds, not before
        rules: [{ id: 'round-202', version: 1, status: 'active', name: '202 rounds', on: 'table.bet.settled', when: [{ counter: 'rounds_today', gte: 202 }], actions: [{ type: 'xp', amount: 1 }] }],
        caps: { points_per_day: 1_000, xp_per_day: 1_000_000, cash_minor_per_day: {} },
      });
      rewards.use({ compiled: compileRuleSet(set), risk: liveRewardsConfig().risk });
      const settle = (hold: string, round: string, at: number) => c.tx(() => rewards.tableBetSettled(hold, 'EUR', 100, {
        table_id: 't', round_id: round, game: 'roulette', game_id: 'roulette-european', spot: 'red', bet_type: 'red', session_id: 's', amount_minor: 100, at, result: 'push',
      }));
      const xpGrants = () => db.first<{ n: number }>`select count(*) as n from rewards_grants`!.n;
      const count = () => (JSON.parse(db.first<{ state: string }>`select state from rewards_state`!.state) as RewardsState).counters.rounds_today;
      settle('h-1', 'r-5', T0 + 1_000); // a round the old row held: not new
      expect(count()).toMatchObject({ n: 200 });
      settle('h-2', 'r-new-1', T0 + 1_001);
      expect(count()).toMatchObject({ n: 201 });
      expect(xpGrants()).toBe(0);
      settle('h-3', 'r-new-1', T0 + 1_002); // another bet on the same round: not new
      settle('h-4', 'r-new-2', T0 + 1_003);
      expect(count()).toMatchObject({ n: 202 });
      expect(xpGrants()).toBe(1);
      expect(rewards.verifyHotState()).toEqual([]);
      // the next day: the old day's rows go with it
      settle('h-5', 'r-5', T0 + 86_400_000);
      expect(count()).toEqual({ period: '2026-01-06', groups: {}, n: 1 });
      expect(db.all`select counter, period, value from reward_counter_values`).toEqual([{ counter: 'rounds_today', period: '2026-01-06', value: 'r-5' }]);
      expect(rewards.verifyHotState()).toEqual([]);
    });
  });
});

describe("review (h-review): the distinct counters' values as rows, awkward inline states", () => {
  it('moves every value exactly (unicode, quotes, numeric-looking, an empty set, several counters and periods); the object then counts on from the same sets', async () => {
    await playerAtMigration(beforeCounterRows(), ({ o, db, upgrade }) => {
      const odd = ['7', '007', '1e3', 'true', 'null', 'é€😀', 'a"b', "it's", 'back\\slash', ' spaced ', 'tab\there'];
      const old = {
        ...initialState(), day: '2026-01-05', session: 's',
        counters: {
          games_today: { period: '2026-01-05', groups: {}, seen: odd },
          tables_session: { period: 's-old', groups: {}, seen: ['t1', 't2'] }, // a period long gone: moved as it is
          empty_lifetime: { period: '', groups: {}, seen: [] },
          bets: { period: '2026-01-05', groups: { '': { v: 3, at: 1 } } },
        },
        seen: { recent: [], recent_max_at: 0, low_water_ms: 0, chunk_rows: [] },
      };
      db.run`insert into rewards_state (id, state, marks, updated_at) values (1, ${JSON.stringify(old)}, ${JSON.stringify({ limit_hit_at: null, cool_off_ended_at: null, losses: [] })}, 1)`;
      upgrade({ live: true });
      const rows = db.all<{ counter: string; period: string; value: string; t: string }>`select counter, period, value, typeof(value) as t from reward_counter_values order by counter, value`;
      const expected = [
        ...[...odd].map((value) => ({ counter: 'games_today', period: '2026-01-05', value, t: 'text' })),
        { counter: 'tables_session', period: 's-old', value: 't1', t: 'text' }, { counter: 'tables_session', period: 's-old', value: 't2', t: 'text' },
      ];
      expect(rows.map((r) => `${r.counter}|${r.period}|${r.value}|${r.t}`).sort()).toEqual(expected.map((r) => `${r.counter}|${r.period}|${r.value}|${r.t}`).sort());
      const stored = JSON.parse(db.first<{ state: string }>`select state from rewards_state`!.state) as RewardsState;
      expect(stored.counters).toEqual({
        games_today: { period: '2026-01-05', groups: {}, n: odd.length },
        tables_session: { period: 's-old', groups: {}, n: 2 },
        empty_lifetime: { period: '', groups: {}, n: 0 },
        bets: old.counters.bets,
      });
      const rewards = (o as unknown as { rewardsRg: PlayerRewards }).rewardsRg;
      rewards.view();
      expect(rewards.verifyHotState()).toEqual([]);
    });
  });
});
