/**
 * The statement budget of the money path (issue 15, E1): a statement in an object's SQLite costs
 * ~10-20 us whatever it does, so the count per operation is the cost, and it may not grow silently.
 * A real player object's statements are counted (durable/lib/statement-counter.ts), once it is
 * warmed up (its hot state loaded, the outbox shipper's backup
 * scheduled: once per object and per 30 s, not per operation), then the operations of the E1
 * bench run N times each:
 *   deposit = requestDeposit + completeDeposit, bet = reserveHold + postHold, with deposit and wager
 *   limits set, in one transaction each (as bench/edge/bench-worker.ts runs them);
 *   and the bet as the object's own transaction runs it (PlayerDO.tx: relay armed per transaction).
 * The exact counts are pinned: lower is a reason to lower them here, higher is a regression.
 */
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../domain/ids';
import { assignVariant, HOLDOUT } from '../../domain/rewards/assignment';
import { countStatements, statementReport, type StatementCounts } from '../../durable/lib/statement-counter';
import type { OutboxShipper } from '../../durable/lib/shipper';
import type { Limits } from '../../durable/player/limits';
import { liveRewardsConfig } from '../../durable/player/rewards-config';
import { HOLD_TTL_MAX_MS } from '../../durable/player/wallet';
import type { PlayerDO } from './entry';
import { internals, player, register } from './helpers';

const N = 20;
/** Per deposit: idempotency read (the deposit row by key), deposit row (its own idempotency record), limit usage, 2 outbox rows, balance write (RETURNING), ledger row, deposit update (RETURNING). */
const DEPOSIT_STATEMENTS = 8;
/** Per bet: hold-id read, held write, hold row, usage (wager + loss in one), 2 outbox rows, balance+held write (RETURNING), ledger row, hold update. */
const BET_STATEMENTS = 9;
/**
 * The bet through PlayerDO.tx, two transactions: the same 9 statements and nothing around them. A
 * bet's hold steps are not for the back office (durable/brand-ops/types.ts NOT_FOR_BACK_OFFICE), so
 * neither transaction arms or kicks the relay (it did until issue 15's E3 work: 15.1 then). Still a
 * bound, because a relay delivery started by an earlier call may run in between.
 */
const BET_RPC_STATEMENTS_MAX = 9;
/**
 * The shipper's run after a bet's call (durable/lib/shipper.ts; outside the bet's transactions, and
 * on a quiet object once per call): the batch after the cursor, and the empty batch after it, both
 * reads. The cursor moves in memory; its row is written by the next transaction that commits anyway
 * (the next call's, or the backup's alarm): it was a third statement here, in a write transaction
 * (a commit) of its own per run, until 2026-12-04. It was the alarm's before that: 6 statements in its
 * run (the cursor read twice, the job cancelled) and 4 in its transaction (take the job, leave a retry, re-arm).
 */
const SHIP_RUN_STATEMENTS = 2;

/**
 * A live-table bet as the table runs it, through PlayerDO: reserveTableBet + settleTableBet (a lost
 * bet), two transactions. Without the table's context (as before the rewards wiring, issue 17) the
 * rewards are not evaluated at all. With it, the live rule set (config/rewards.json) runs on both
 * events: the reservation writes the rewards state row (its counters: +1; the distinct counter of
 * games played inserts its value's row once, player migration 19, and then knows it: no statement),
 * and the settlement writes the state row, its grants (one multi-row insert) and their events (one
 * multi-row outbox insert): +3.
 * And once in the N bets, the 20th bet at the table fires `next-bet-double-points` on its
 * reservation (its grants and events: +2 over N bets), unless the player's A/B assignment puts them
 * in that rule's holdout (10 %: a suppression event and no grant, +1). Deterministic for the rule set
 * and the player, so pinned: lower is a reason to lower them here, higher is a regression.
 * Not in this window: once in 64 evaluated events the engine's memory fills a chunk, and its row is
 * inserted and the forgotten chunk's deleted (+2, player migration 17; the 42 events here fill
 * none): test/edge/rewards-memory-rows.test.ts pins that event at 6 statements against 4.
 */
const TABLE_BET_STATEMENTS = 10;
const A_B_RULE = 'next-bet-double-points';
function tableBetRewardsStatements(playerId: string): number {
  const rule = liveRewardsConfig().compiled.set.rules.find((r) => r.id === A_B_RULE)!;
  const inHoldout = assignVariant(playerId, rule.id, rule.holdout_bp ?? 0, rule.variants ?? []) === HOLDOUT;
  return TABLE_BET_STATEMENTS + 4 + (inHoldout ? 1 : 2) / N;
}

function perOp(counts: StatementCounts, ops: number, run: () => void) {
  counts.clear();
  run();
  return statementReport(counts, ops);
}

describe('statements per money movement (E1 budget)', () => {
  it('deposit and bet stay within their pinned statement counts', async () => {
    const p = await register();
    await runInDurableObject(player(p.playerId), async (o: PlayerDO) => {
      const counts: StatementCounts = new Map();
      const { c, walletRg: wallet, ctx } = internals(o);
      c.checks = false; // debug mode's comparisons with SQL are statements too: checked once, at the end
      const restore = countStatements(ctx.storage.sql, counts);
      const limits = (o as unknown as { limitsRg: Limits }).limitsRg;
      (o as unknown as { relay: { targetOf: unknown } }).relay.targetOf = () => ({ ingest: async () => ({ ok: true }) });
      let seq = 0;
      const deposit = () => c.tx(() => {
        const key = `budget-${++seq}`;
        const r = wallet.requestDeposit(key, { deposit_id: uuidv7(c.now()), provider: 'sandbox', currency: 'EUR', amount_minor: 100 });
        if (!r.ok) throw new Error(JSON.stringify(r));
        const done = wallet.completeDeposit({ deposit_id: r.deposit.deposit_id, provider: 'sandbox', amount_minor: 100, currency: 'EUR', provider_ref: key });
        if (!done.ok || done.replayed) throw new Error(JSON.stringify(done));
      });
      const bet = () => c.tx(() => {
        const holdId = `budget-hold-${++seq}`;
        const r = wallet.reserveHold({ hold_id: holdId, currency: 'EUR', amount_minor: 10, expires_at: c.now() + HOLD_TTL_MAX_MS, ref: 'round' });
        if (!r.ok) throw new Error(JSON.stringify(r));
        const posted = wallet.postHold(holdId);
        if (!posted.ok) throw new Error(JSON.stringify(posted));
      });
      c.tx(() => {
        for (const kind of ['deposit', 'wager'] as const) expect(limits.set(kind, 'month', 'EUR', 1e12).ok).toBe(true);
      });
      deposit(); // warm-up: loads the hot state, schedules the shipment
      bet();

      const deposits = perOp(counts, N, () => { for (let i = 0; i < N; i++) deposit(); });
      expect(deposits.statements_per_op, JSON.stringify(deposits.by_query, null, 1)).toBe(DEPOSIT_STATEMENTS);
      const bets = perOp(counts, N, () => { for (let i = 0; i < N; i++) bet(); });
      expect(bets.statements_per_op, JSON.stringify(bets.by_query, null, 1)).toBe(BET_STATEMENTS);

      // the same bet through the object's own transactions (the raw two-phase steps of test/edge/entry.ts)
      const rpc = perOp(counts, N, () => {
        for (let i = 0; i < N; i++) {
          const holdId = `budget-rpc-${++seq}`;
          expect(o.reserveHold({ hold_id: holdId, currency: 'EUR', amount_minor: 10, expires_at: null, ref: 'round' }).ok).toBe(true);
          expect(o.postHold(holdId).ok).toBe(true);
        }
      });
      expect(rpc.statements_per_op, JSON.stringify(rpc.by_query, null, 1)).toBeLessThanOrEqual(BET_RPC_STATEMENTS_MAX);

      // the run after commit that ships one bet's events to the queue
      const shipper = (o as unknown as { shipper: OutboxShipper }).shipper;
      await shipper.settled();
      bet();
      counts.clear();
      await shipper.settled();
      const ship = statementReport(counts, 1);
      expect(ship.statements_per_op, JSON.stringify(ship.by_query, null, 1)).toBe(SHIP_RUN_STATEMENTS);
      expect(ship.by_query.filter((q) => !/^select\b/.test(q.query))).toEqual([]); // no write transaction for the cursor
      expect(shipper.status().after_seq).toBe(c.db.first<{ s: number }>`select max(seq) as s from outbox`!.s);
      // nothing drifted: memory against SQL, and the ledger's own invariants
      expect(wallet.verifyHotState()).toEqual([]);
      restore();
      c.checks = true;
    });
    expect(await player(p.playerId).audit()).toEqual([]);
  });
});

describe('statements per live-table bet, with and without the rewards rules (issue 17)', () => {
  it('the rewards wiring adds its pinned statements to a table bet, and none without the table\'s context', async () => {
    const p = await register();
    await runInDurableObject(player(p.playerId), (o: PlayerDO) => {
      const counts: StatementCounts = new Map();
      const { c, ctx } = internals(o);
      c.checks = false;
      (o as unknown as { relay: { targetOf: unknown } }).relay.targetOf = () => ({ ingest: async () => ({ ok: true }) });
      const sessionId = p.body.session.session_id as string;
      expect(o.creditWin({ win_id: 'budget-funds', hold_id: null, currency: 'EUR', amount_minor: 1_000_000, bucket: 'real' }).ok).toBe(true);
      let seq = 0;
      const tableBet = (withContext: boolean) => {
        const holdId = `budget-table-${++seq}`;
        const bet = { table_id: 'roulette-1', round_id: `round-${seq}`, game: 'roulette', game_id: 'roulette-european', spot: 'red', bet_type: 'red', session_id: sessionId, amount_minor: 100, at: c.now(), result: 'lose' as const };
        const r = o.reserveTableBet(sessionId, { hold_id: holdId, currency: 'EUR', amount_minor: 100, expires_at: c.now() + HOLD_TTL_MAX_MS, ref: 'round' }, ['MT'], withContext ? bet : undefined);
        if (!r.ok) throw new Error(JSON.stringify(r));
        const s = o.settleTableBet({ hold_id: holdId, win_id: `${holdId}:return`, returned_minor: 0 }, withContext ? bet : undefined);
        if (!s.ok || s.state !== 'posted') throw new Error(JSON.stringify(s));
      };
      tableBet(false); // warm-up: hot state, the shipment scheduled
      tableBet(true); // the first bet at a new game fires a rule of its own; the rest are the steady state
      const restore = countStatements(ctx.storage.sql, counts);
      const plain = perOp(counts, N, () => { for (let i = 0; i < N; i++) tableBet(false); });
      const rewarded = perOp(counts, N, () => { for (let i = 0; i < N; i++) tableBet(true); });
      restore();
      expect(plain.statements_per_op, JSON.stringify(plain.by_query, null, 1)).toBe(TABLE_BET_STATEMENTS);
      expect(rewarded.statements_per_op, JSON.stringify(rewarded.by_query, null, 1)).toBe(tableBetRewardsStatements(p.playerId));
      c.checks = true;
    });
    expect(await player(p.playerId).audit()).toEqual([]);
  });
});

describe("statements after a refused call: the shipper's cursor", () => {
  // A refused call rolls its transaction back (PlayerDO.tx). The shipper took any rollback for one
  // that might have written its cursor's row: the next emit read the row and wrote it again, 2
  // statements where 1 (memory ahead of the row, as after every call's run) or 0 (caught up) do.
  it("a refused call that wrote no cursor leaves it as it was: the next bet writes it as any bet does, one update and no read", async () => {
    const p = await register();
    await runInDurableObject(player(p.playerId), async (o: PlayerDO) => {
      const { c, ctx } = internals(o);
      c.checks = false;
      (o as unknown as { relay: { targetOf: unknown } }).relay.targetOf = () => ({ ingest: async () => ({ ok: true }) });
      const shipper = (o as unknown as { shipper: OutboxShipper }).shipper;
      expect(o.creditWin({ win_id: 'budget-funds', hold_id: null, currency: 'EUR', amount_minor: 1_000, bucket: 'real' }).ok).toBe(true);
      let seq = 0;
      const bet = () => {
        const holdId = `budget-refused-${++seq}`;
        expect(o.reserveHold({ hold_id: holdId, currency: 'EUR', amount_minor: 10, expires_at: null, ref: 'round' }).ok).toBe(true);
        expect(o.postHold(holdId).ok).toBe(true);
      };
      /** The statements on the cursor's row while `run` goes, by query. */
      const cursorStatements = (run: () => void) => {
        const counts: StatementCounts = new Map();
        const restore = countStatements(ctx.storage.sql, counts);
        try {
          run();
        } finally {
          restore();
        }
        return statementReport(counts, 1).by_query.filter((q) => q.query.includes('outbox_shipping'));
      };
      bet(); // warm-up
      await shipper.settled(); // its run moved memory's cursor ahead of the row, as after every call
      const steady = cursorStatements(bet);
      await shipper.settled();
      expect(o.reserveHold({ hold_id: 'budget-refused-too-much', currency: 'EUR', amount_minor: 1_000_000, expires_at: null, ref: 'round' }))
        .toMatchObject({ ok: false, code: 'insufficient_funds' });
      const afterRefusal = cursorStatements(bet);
      await shipper.settled();
      expect(steady).toEqual([{ per_op: 1, query: expect.stringMatching(/^update outbox_shipping/) }]);
      expect(afterRefusal).toEqual(steady);
      expect(shipper.status().after_seq).toBe(c.db.first<{ s: number }>`select max(seq) as s from outbox`!.s);
      c.checks = true;
    });
    expect(await player(p.playerId).audit()).toEqual([]);
  });
});
