/**
 * R1 (TARGETS.md): random sequences of deposits, withdrawals, holds, posts, voids, expiries, wins,
 * back-office adjustments (with four-eyes decisions), dispute voids of settled bets and retried
 * idempotency keys keep balance == sum(ledger) >= 0, apply every key once, resolve every hold once
 * and void every bet at most once. 10,000 sequences run inside a real PlayerDO (real SQLite, real transactions); a second
 * property drives concurrent callers with duplicate ids through real RPC.
 */
import { runInDurableObject } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { internals, player } from '../../test/edge/helpers';
import { fourEyesDailyCumulativeMinor, fourEyesThresholdMinor } from '../../domain/backoffice';
import type { Adjustments } from './adjustments';
import type { Disputes } from './disputes';
import type { PlayerDO } from './player-do';

const TABLES = ['balances', 'ledger', 'holds', 'deposits', 'withdrawals', 'idempotency', 'rg_usage', 'limits', 'outbox', 'schedules', 'wins', 'adjustments', 'disputes'];

// Weighted so that the longer stories (deposit, settled bet, dispute; request, second operator) occur often.
const op = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('deposit' as const), key: fc.integer({ min: 0, max: 5 }), amount: fc.integer({ min: 1, max: 5000 }), fail: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('withdraw' as const), key: fc.integer({ min: 0, max: 5 }), amount: fc.integer({ min: 1, max: 3000 }), decision: fc.constantFrom('pay', 'reject', 'leave') }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('reserve' as const), hold: fc.integer({ min: 0, max: 7 }), amount: fc.integer({ min: 1, max: 2000 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('post' as const), hold: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('void' as const), hold: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('expire' as const), hold: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('win' as const), id: fc.integer({ min: 0, max: 5 }), hold: fc.option(fc.integer({ min: 0, max: 7 }), { nil: null }), amount: fc.integer({ min: 1, max: 4000 }) }) },
  // a whole bet in one step (reserve, post, maybe a win), so that disputes find settled bets
  { weight: 3, arbitrary: fc.record({ t: fc.constant('round' as const), hold: fc.integer({ min: 0, max: 7 }), amount: fc.integer({ min: 1, max: 2000 }), win: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4000 })) }) },
  // EUR's four-eyes threshold is 50,000: the larger amounts wait for a second operator
  { weight: 2, arbitrary: fc.record({
    t: fc.constant('adjust' as const), id: fc.integer({ min: 0, max: 3 }), bucket: fc.constantFrom('real' as const, 'bonus' as const),
    amount: fc.oneof(fc.integer({ min: -3000, max: 3000 }), fc.integer({ min: 49_990, max: 60_000 }), fc.integer({ min: -60_000, max: -49_990 })).filter((x) => x !== 0),
  }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('decide' as const), id: fc.integer({ min: 0, max: 3 }), approve: fc.boolean(), actor: fc.constantFrom('op-a', 'op-b') }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('dispute' as const), id: fc.integer({ min: 0, max: 3 }), hold: fc.integer({ min: 0, max: 7 }) }) },
);
const step = fc.record({ op, retries: fc.integer({ min: 0, max: 2 }) });

type Model = {
  balance: number; completed: Set<string>; posted: Set<string>; resolved: Map<string, string>; wins: Set<string>;
  stakes: Map<string, number>; winsByHold: Map<string, number>; voided: Set<string>; adjusted: Set<string>;
  /** What op-a applied without a second operator (the clock stands still: all of it today). */
  appliedAlone: number;
};

describe('wallet invariants (R1)', () => {
  it('hold for 10,000 random sequences with retried keys', async () => {
    const stub = player(crypto.randomUUID());
    await stub.audit(); // instantiate (runs migrations)
    await runInDurableObject(stub, (o: PlayerDO) => {
      const w = internals(o).walletRg as import('./wallet').Wallet;
      const { adjustmentsRg: adj, disputesRg: disputes } = o as unknown as { adjustmentsRg: Adjustments; disputesRg: Disputes };
      const tx = <T>(fn: () => T): T => internals(o).ctx.storage.transactionSync(fn);
      // adjustments and disputes belong to a player: give the object one (kept across runs)
      internals(o).c.db.run`insert into profile (id, player_id, email, password_hash, date_of_birth, country, jurisdiction, currency, status, kyc_status, created_at, updated_at)
        values (1, 'p', 'p@x', 'x', '1990-01-01', 'MT', 'MT', 'EUR', 'active', 'none', 0, 0)`;
      let seq = 0;
      // how often the interesting paths ran (so the property cannot pass by never reaching them)
      const seen = { applied_at_once: 0, approved: 0, four_eyes_refused: 0, voids_of_losing_bets: 0, voids_of_winning_bets: 0 };
      fc.assert(fc.property(fc.array(step, { maxLength: 25, size: 'medium' }), (steps) => {
        for (const t of TABLES) internals(o).c.db.script(`delete from ${t}`);
        const run = ++seq;
        const m: Model = {
          balance: 0, completed: new Set(), posted: new Set(), resolved: new Map(), wins: new Set(),
          stakes: new Map(), winsByHold: new Map(), voided: new Set(), adjusted: new Set(), appliedAlone: 0,
        };
        for (const { op: s, retries } of steps) {
          for (let attempt = 0; attempt <= retries; attempt++) {
            tx(() => {
              switch (s.t) {
                case 'deposit': {
                  const r = w.requestDeposit(`d${s.key}`, { deposit_id: `dep-${run}-${s.key}-${s.amount}`, provider: 'sandbox', currency: 'EUR', amount_minor: s.amount });
                  if (!r.ok) { expect(r.code).toBe('idempotency_conflict'); return; }
                  const c = s.fail ? w.failDeposit({ deposit_id: r.deposit.deposit_id, provider: 'sandbox', reason: 'x' })
                    : w.completeDeposit({ deposit_id: r.deposit.deposit_id, provider: 'sandbox', amount_minor: s.amount, currency: 'EUR', provider_ref: 'p' });
                  if (c.ok && !c.replayed && !s.fail) { m.balance += s.amount; m.completed.add(r.deposit.deposit_id); }
                  if (!c.ok) expect(c.code).toBe('invalid_state');
                  return;
                }
                case 'withdraw': {
                  const r = w.requestWithdrawal(`w${s.key}`, { withdrawal_id: `wd-${run}-${s.key}-${s.amount}`, currency: 'EUR', amount_minor: s.amount });
                  if (!r.ok) { expect(['idempotency_conflict', 'insufficient_funds']).toContain(r.code); return; }
                  if (s.decision === 'leave') return;
                  const id = r.withdrawal.withdrawal_id;
                  const d = w.decideWithdrawal(id, s.decision === 'pay' ? 'approve' : 'reject', 'op', null);
                  if (s.decision === 'pay' && d.ok) {
                    const paid = w.markWithdrawalPaid(id);
                    if (paid.ok && !paid.replayed) m.balance -= s.amount;
                  }
                  return;
                }
                case 'reserve': {
                  const r = w.reserveHold({ hold_id: `h${s.hold}`, currency: 'EUR', amount_minor: s.amount, expires_at: internals(o).c.now() + 60_000, ref: null });
                  if (!r.ok) expect(['idempotency_conflict', 'insufficient_funds']).toContain(r.code);
                  return;
                }
                case 'post': {
                  const r = w.postHold(`h${s.hold}`);
                  if (r.ok && !r.replayed) { m.balance -= r.hold.real_minor + r.hold.bonus_minor; m.posted.add(`h${s.hold}`); m.stakes.set(`h${s.hold}`, r.hold.real_minor + r.hold.bonus_minor); }
                  if (r.ok) expect(m.resolved.get(`h${s.hold}`) ?? 'posted').toBe('posted');
                  if (r.ok) m.resolved.set(`h${s.hold}`, 'posted');
                  return;
                }
                case 'void':
                case 'expire': {
                  const r = s.t === 'void' ? w.voidHold(`h${s.hold}`) : w.expireHold(`h${s.hold}`);
                  const to = s.t === 'void' ? 'voided' : 'expired';
                  if (r.ok && r.hold.state === to) {
                    expect(m.resolved.get(`h${s.hold}`) ?? to).toBe(to);
                    m.resolved.set(`h${s.hold}`, to);
                  }
                  return;
                }
                case 'win': {
                  const r = w.creditWin({ win_id: `win${s.id}`, hold_id: s.hold === null ? null : `h${s.hold}`, currency: 'EUR', amount_minor: s.amount, bucket: 'real' });
                  if (r.ok && !r.replayed) {
                    m.balance += s.amount;
                    m.wins.add(`win${s.id}`);
                    if (s.hold !== null) m.winsByHold.set(`h${s.hold}`, (m.winsByHold.get(`h${s.hold}`) ?? 0) + s.amount);
                  }
                  return;
                }
                case 'round': {
                  const hold = `h${s.hold}`;
                  const r = w.reserveHold({ hold_id: hold, currency: 'EUR', amount_minor: s.amount, expires_at: null, ref: null });
                  if (!r.ok) { expect(['idempotency_conflict', 'insufficient_funds']).toContain(r.code); return; }
                  const p = w.postHold(hold);
                  if (!p.ok) { expect(p.code).toBe('invalid_state'); return; }
                  if (!p.replayed) { m.balance -= s.amount; m.posted.add(hold); m.stakes.set(hold, s.amount); }
                  expect(m.resolved.get(hold) ?? 'posted').toBe('posted');
                  m.resolved.set(hold, 'posted');
                  if (s.win === 0) return;
                  const win = w.creditWin({ win_id: `rwin-${hold}`, hold_id: hold, currency: 'EUR', amount_minor: s.win, bucket: 'real' });
                  if (win.ok && !win.replayed) { m.balance += s.win; m.wins.add(`rwin-${hold}`); m.winsByHold.set(hold, (m.winsByHold.get(hold) ?? 0) + s.win); }
                  return;
                }
                case 'adjust': {
                  const r = adj.request({ adjustment_id: `a${s.id}`, currency: 'EUR', bucket: s.bucket, amount_minor: s.amount, reason: 'test', actor: 'op-a' });
                  if (!r.ok) { expect(['idempotency_conflict', 'insufficient_funds']).toContain(r.code); return; }
                  if (r.replayed) return;
                  const alone = Math.abs(s.amount) <= fourEyesThresholdMinor('EUR') && m.appliedAlone + Math.abs(s.amount) <= fourEyesDailyCumulativeMinor('EUR');
                  expect(r.adjustment.state).toBe(alone ? 'applied' : 'pending');
                  if (r.adjustment.state === 'applied') { m.balance += s.amount; m.adjusted.add(`a${s.id}`); m.appliedAlone += Math.abs(s.amount); seen.applied_at_once++; }
                  return;
                }
                case 'decide': {
                  const r = adj.decide(`a${s.id}`, s.approve ? 'approve' : 'reject', s.actor, null);
                  if (!r.ok) {
                    expect(['adjustment_not_found', 'invalid_state', 'four_eyes_violation', 'insufficient_funds']).toContain(r.code);
                    if (r.code === 'four_eyes_violation') seen.four_eyes_refused++;
                    return;
                  }
                  expect(r.adjustment.requested_by).not.toBe(s.actor);
                  if (!r.replayed && r.adjustment.state === 'applied') { m.balance += r.adjustment.amount_minor; m.adjusted.add(`a${s.id}`); seen.approved++; }
                  return;
                }
                case 'dispute': {
                  const hold = `h${s.hold}`;
                  const r = disputes.resolve({ dispute_id: `d${s.id}`, hold_id: hold, resolution: 'void', reason: 'test', actor: 'op-a' }, 'provider');
                  if (!r.ok) {
                    expect(['idempotency_conflict', 'invalid_state', 'hold_not_found', 'insufficient_funds']).toContain(r.code);
                    return;
                  }
                  if (r.replayed) return;
                  expect(m.voided.has(hold)).toBe(false);
                  expect(r.dispute.amount_minor).toBe((m.stakes.get(hold) ?? NaN) - (m.winsByHold.get(hold) ?? 0));
                  m.voided.add(hold);
                  if (m.winsByHold.has(hold)) seen.voids_of_winning_bets++;
                  else seen.voids_of_losing_bets++;
                  m.balance += r.dispute.amount_minor;
                  return;
                }
              }
            });
          }
        }
        // balance == sum(ledger) >= 0, held == pending holds, running balances consistent
        expect(w.audit()).toEqual([]);
        const total = w.balances().reduce((a, b) => a + b.real_minor + b.bonus_minor, 0);
        expect(total).toBe(m.balance);
        expect(total).toBeGreaterThanOrEqual(0);
        // every key applied once: one ledger row per completed deposit, posted hold and win
        const refs = internals(o).c.db.all<{ ref: string; kind: string; n: number }>`select ref, kind, count(*) as n from ledger group by ref, kind, bucket`;
        for (const r of refs) expect(r.n).toBe(1);
        expect(refs.filter((r) => r.kind === 'deposit').length).toBe(m.completed.size);
        expect(refs.filter((r) => r.kind === 'win').length).toBe(m.wins.size);
        expect(refs.filter((r) => r.ref.startsWith('adjustment:')).length).toBe(m.adjusted.size);
        // a bet is voided at most once, and a voided bet stays posted (entries are compensated, not edited)
        const voids = internals(o).c.db.all<{ hold_id: string; n: number }>`select hold_id, count(*) as n from disputes where resolution = 'void' group by hold_id`;
        expect(voids.map((v) => v.hold_id).sort()).toEqual([...m.voided].sort());
        for (const v of voids) expect(v.n).toBe(1);
        // every hold resolved at most once, and its state matches the model
        for (const h of internals(o).c.db.all<{ hold_id: string; state: string }>`select hold_id, state from holds where kind = 'bet'`) {
          expect(h.state).toBe(m.resolved.get(h.hold_id) ?? 'pending');
        }
      }), { numRuns: 10_000 });
      for (const [path, n] of Object.entries(seen)) expect(n, path).toBeGreaterThan(10);
    });
  }, 240_000);

  it('hold under concurrent callers repeating the same ids over RPC', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({ hold: fc.integer({ min: 0, max: 9 }), amount: fc.integer({ min: 1, max: 300 }), win: fc.integer({ min: 0, max: 500 }), settle: fc.constantFrom('post', 'void') }), { minLength: 1, maxLength: 12 }),
      async (bets) => {
        const stub = player(crypto.randomUUID());
        await runInDurableObject(stub, (o: PlayerDO) => {
          internals(o).ctx.storage.transactionSync(() => {
            internals(o).c.db.run`insert into profile (id, player_id, email, password_hash, date_of_birth, country, jurisdiction, currency, status, kyc_status, created_at, updated_at)
              values (1, 'p', 'p@x', 'x', '1990-01-01', 'MT', 'MT', 'EUR', 'active', 'none', 0, 0)`;
            internals(o).walletRg.creditWin({ win_id: 'seed', hold_id: null, currency: 'EUR', amount_minor: 2000, bucket: 'real' });
          });
        });
        // every bet is sent three times at once: reserve, settle and win race their own duplicates
        await Promise.all(bets.flatMap((b) => [0, 1, 2].map(async () => {
          const id = `h${b.hold}`;
          await stub.reserveHold({ hold_id: id, currency: 'EUR', amount_minor: b.amount, expires_at: null, ref: null });
          const s = b.settle === 'post' ? await stub.postHold(id) : await stub.voidHold(id);
          if (s.ok && b.settle === 'post' && b.win > 0) await stub.creditWin({ win_id: `w${b.hold}`, hold_id: id, currency: 'EUR', amount_minor: b.win, bucket: 'real' });
        })));
        expect(await stub.audit()).toEqual([]);
        await runInDurableObject(stub, (o: PlayerDO) => {
          for (const r of internals(o).c.db.all<{ n: number }>`select count(*) as n from ledger group by ref, kind`) expect(r.n).toBe(1);
          const pending = internals(o).c.db.first<{ n: number }>`select count(*) as n from holds where state = 'pending'`;
          expect(pending?.n).toBe(0);
        });
      },
    ), { numRuns: 60 });
  }, 120_000);
});
