/**
 * At-least-once, any-order delivery: random player histories (deposits, withdrawals and their
 * decisions or cancellations, wins, failed logins, adjustments, KYC changes) are cut into relay batches; delivering
 * them in their own order, and again shuffled with duplicates, must end in the same index, queues
 * and alerts, and both must match a plain model of the rules. Runs inside one real BrandOpsDO.
 */
import { runInDurableObject } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BACKOFFICE_CONFIG, largeWinThresholdMinor } from '../../domain/backoffice';
import type { CasinoEvent } from '../../domain/events';
import type { BrandOpsDO } from './brand-ops-do';
import type { OpsContext } from './context';
import { batch, ev, MIN, opsStub, snapshot, T0 } from './test-fixtures';
import type { PlayerSnapshot, RelayBatch } from './types';

const RULES = BACKOFFICE_CONFIG.anomaly_rules;
const DERIVED_TABLES = ['players', 'seen', 'withdrawals', 'adjustments', 'money_moves', 'login_failures', 'alerts', 'outbox'];

const op = fc.oneof(
  fc.record({ t: fc.constant('deposit' as const), amount: fc.constantFrom(1000, 5000, 10_000) }),
  fc.record({ t: fc.constant('withdraw' as const), amount: fc.constantFrom(700, 800, 4000, 9000), outcome: fc.constantFrom('none', 'approve', 'pay', 'reject', 'cancel') }),
  fc.record({ t: fc.constant('win' as const), amount: fc.constantFrom(1000, largeWinThresholdMinor('EUR') - 1, largeWinThresholdMinor('EUR')) }),
  fc.record({ t: fc.constant('fail' as const) }),
  fc.record({ t: fc.constant('adjust' as const), approval: fc.boolean(), outcome: fc.constantFrom('none', 'apply', 'reject') }),
  fc.record({ t: fc.constant('kyc' as const), to: fc.constantFrom('pending', 'verified', 'rejected') }),
);
const step = fc.record({ op, gap_ms: fc.constantFrom(1000, 30_000, 2 * MIN, 10 * MIN, 40 * MIN, 70 * MIN) });
const history = fc.record({ steps: fc.array(step, { minLength: 1, maxLength: 14 }), cuts: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 14, maxLength: 14 }) });

type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;
type Expected = { withdrawals: Map<string, 'pending' | 'approved'>; adjustments: Set<string>; kycPending: boolean; alertKeys: Set<string> };

/** One player's events in time order, cut into batches that each carry the snapshot as of their last event. */
function relayBatches(n: number, steps: Step[], cuts: number[], expected: Expected): RelayBatch[] {
  const base = snapshot({ player_id: `p${n}`, email: `p${n}@example.test`, created_at: T0 + n });
  let kyc = 'none' as PlayerSnapshot['kyc_status'];
  let t = T0 + n * 7 * MIN;
  const timeline: { e: CasinoEvent; kyc: PlayerSnapshot['kyc_status'] }[] = [];
  const push = (e: CasinoEvent) => timeline.push({ e, kyc });
  steps.forEach(({ op: o, gap_ms }, i) => {
    t += gap_ms;
    const id = `${n}-${i}`;
    switch (o.t) {
      case 'deposit': push(ev.depositCompleted(base, `d${id}`, o.amount, t)); break;
      case 'withdraw':
        push(ev.withdrawalRequested(base, `w${id}`, o.amount, t));
        if (o.outcome === 'reject') push(ev.withdrawalRejected(base, `w${id}`, o.amount, t + 1));
        if (o.outcome === 'cancel') push(ev.withdrawalCancelled(base, `w${id}`, o.amount, t + 1)); // by its player: out of the queue
        if (o.outcome === 'approve' || o.outcome === 'pay') push(ev.withdrawalApproved(base, `w${id}`, o.amount, t + 1));
        if (o.outcome === 'pay') push(ev.withdrawalPaid(base, `w${id}`, o.amount, t + 2));
        if (o.outcome === 'none' || o.outcome === 'approve') expected.withdrawals.set(`w${id}`, o.outcome === 'none' ? 'pending' : 'approved');
        break;
      case 'win': push(ev.winCredited(base, `win${id}`, o.amount, t)); break;
      case 'fail': push(ev.loginFailed(base, t)); break;
      case 'adjust':
        push(ev.adjustmentRequested(base, `a${id}`, 70_000, o.approval, t));
        if (o.outcome === 'apply') push(ev.adjustmentApplied(base, `a${id}`, 70_000, t + 1));
        if (o.outcome === 'reject') push(ev.adjustmentRejected(base, `a${id}`, 70_000, t + 1));
        if (o.approval && o.outcome === 'none') expected.adjustments.add(`a${id}`);
        break;
      case 'kyc':
        if (o.to !== kyc) {
          const from = kyc;
          kyc = o.to; // the snapshot that carries this event already shows the new state
          push(ev.kycChanged(base, from, o.to, t));
        }
        break;
    }
  });
  expected.kycPending = kyc === 'pending';
  for (const key of modelAlerts(base.player_id, timeline.map((x) => x.e))) expected.alertKeys.add(key);
  const batches: RelayBatch[] = [];
  for (let at = 0, c = 0; at < timeline.length; c++) {
    const chunk = timeline.slice(at, at + cuts[c % cuts.length]!);
    at += chunk.length;
    const last = chunk.at(-1)!;
    batches.push(batch({ ...base, kyc_status: last.kyc, updated_at: last.e.occurred_at }, ...chunk.map((x) => x.e)));
  }
  return batches;
}

/** The rules of config/backoffice.json, written as plainly as possible over the whole history. */
function modelAlerts(playerId: string, events: CasinoEvent[]): string[] {
  const keys: string[] = [];
  const n = (e: CasinoEvent, k: string) => e.payload[k] as number;
  const deposits = events.filter((e) => e.event_type === 'wallet.deposit.completed');
  const fails = events.filter((e) => e.event_type === 'player.login.failed').map((e) => e.occurred_at);
  const { window_ms: rw, min_ratio_pct: pct } = RULES.rapid_deposit_withdraw;
  const { window_ms: fw, count } = RULES.failed_logins;
  for (const e of events) {
    if (e.event_type === 'wallet.win.credited' && n(e, 'amount_minor') >= largeWinThresholdMinor('EUR')) keys.push(`large_win:${playerId}:${e.payload.win_id}`);
    if (e.event_type === 'wallet.withdrawal.requested'
      && deposits.some((d) => e.occurred_at - d.occurred_at >= 0 && e.occurred_at - d.occurred_at <= rw && n(e, 'amount_minor') * 100 >= n(d, 'amount_minor') * pct)) {
      keys.push(`rapid_deposit_withdraw:${playerId}:${e.payload.withdrawal_id}`);
    }
  }
  for (const end of fails) {
    if (fails.filter((f) => f >= end - fw && f <= end).length >= count) keys.push(`failed_logins:${playerId}:${Math.floor(end / fw)}`);
  }
  return [...new Set(keys)].sort();
}

function observe(o: BrandOpsDO, db: OpsContext['db']) {
  return {
    players: o.exportPlayers(),
    kyc: o.kycQueue({ limit: 200 }),
    withdrawals: o.withdrawalQueue({ limit: 200 }),
    adjustments: o.adjustmentQueue({ limit: 200 }),
    counts: o.counts(),
    alerts: db.all<{ dedupe_key: string }>`select dedupe_key, rule, severity, player_id, jurisdiction, currency, state from alerts order by dedupe_key`,
    raised: db.first<{ n: number }>`select count(*) as n from outbox where event_type = 'ops.alert.raised'`!.n,
  };
}

describe('any order, any duplication (property)', () => {
  it('ends in the same queues and alerts as in-order delivery, and both match the model', async () => {
    const stub = opsStub();
    await stub.ingest(batch(snapshot({ player_id: 'warm-up' }))); // instantiate, claim the brand
    await runInDurableObject(stub, (o: BrandOpsDO) => {
      const db = (o as unknown as { c: OpsContext }).c.db;
      const reset = () => { for (const t of DERIVED_TABLES) db.script(`delete from ${t}`); };
      fc.assert(fc.property(
        fc.array(history, { minLength: 1, maxLength: 3 }),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 3 * 14 * 3, maxLength: 3 * 14 * 3 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (histories, ranks, dupes) => {
          const expected: Expected = { withdrawals: new Map(), adjustments: new Set(), kycPending: false, alertKeys: new Set() };
          const pending: string[] = [];
          const ordered = histories.flatMap((h, n) => {
            const b = relayBatches(n, h.steps, h.cuts, expected);
            if (expected.kycPending) pending.push(`p${n}`);
            return b;
          });

          reset();
          for (const b of ordered) o.ingest(b);
          const inOrder = observe(o, db);

          const shuffled = ordered.map((b, i) => ({ b, r: ranks[i % ranks.length]! })).sort((x, y) => x.r - y.r).map((x) => x.b);
          for (const d of dupes) shuffled.splice(d % (shuffled.length + 1), 0, ordered[d % ordered.length]!);
          reset();
          for (const b of shuffled) o.ingest(b);
          const anyOrder = observe(o, db);

          expect(anyOrder).toEqual(inOrder);
          expect(new Map(inOrder.withdrawals.map((w) => [w.withdrawal_id, w.state]))).toEqual(expected.withdrawals);
          expect(new Set(inOrder.adjustments.map((a) => a.adjustment_id))).toEqual(expected.adjustments);
          expect(inOrder.kyc.map((k) => k.player_id).sort()).toEqual(pending.sort());
          expect(inOrder.alerts.map((a) => a.dedupe_key)).toEqual([...expected.alertKeys].sort());
          expect(inOrder.raised).toBe(inOrder.alerts.length);
        },
      ), { numRuns: 300 });
    });
  });
});
