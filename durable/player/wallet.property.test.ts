/**
 * R1 (TARGETS.md): random sequences of deposits, withdrawals, holds, posts, voids, expiries, wins and
 * retried idempotency keys keep balance == sum(ledger) >= 0, apply every key once and resolve every
 * hold once. 10,000 sequences run inside a real PlayerDO (real SQLite, real transactions); a second
 * property drives concurrent callers with duplicate ids through real RPC.
 */
import { runInDurableObject } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { internals, player } from '../../test/edge/helpers';
import type { PlayerDO } from './player-do';

const TABLES = ['balances', 'ledger', 'holds', 'deposits', 'withdrawals', 'idempotency', 'rg_usage', 'limits', 'outbox', 'schedules'];

const op = fc.oneof(
  fc.record({ t: fc.constant('deposit' as const), key: fc.integer({ min: 0, max: 5 }), amount: fc.integer({ min: 1, max: 5000 }), fail: fc.boolean() }),
  fc.record({ t: fc.constant('withdraw' as const), key: fc.integer({ min: 0, max: 5 }), amount: fc.integer({ min: 1, max: 3000 }), decision: fc.constantFrom('pay', 'reject', 'leave') }),
  fc.record({ t: fc.constant('reserve' as const), hold: fc.integer({ min: 0, max: 7 }), amount: fc.integer({ min: 1, max: 2000 }) }),
  fc.record({ t: fc.constant('post' as const), hold: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ t: fc.constant('void' as const), hold: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ t: fc.constant('expire' as const), hold: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ t: fc.constant('win' as const), id: fc.integer({ min: 0, max: 5 }), hold: fc.option(fc.integer({ min: 0, max: 7 }), { nil: null }), amount: fc.integer({ min: 1, max: 4000 }) }),
);
const step = fc.record({ op, retries: fc.integer({ min: 0, max: 2 }) });

type Model = { balance: number; completed: Set<string>; posted: Set<string>; resolved: Map<string, string>; wins: Set<string> };

describe('wallet invariants (R1)', () => {
  it('hold for 10,000 random sequences with retried keys', async () => {
    const stub = player(crypto.randomUUID());
    await stub.audit(); // instantiate (runs migrations)
    await runInDurableObject(stub, (o: PlayerDO) => {
      const w = internals(o).walletRg as import('./wallet').Wallet;
      const tx = <T>(fn: () => T): T => internals(o).ctx.storage.transactionSync(fn);
      let seq = 0;
      fc.assert(fc.property(fc.array(step, { maxLength: 25 }), (steps) => {
        for (const t of TABLES) internals(o).c.db.script(`delete from ${t}`);
        const run = ++seq;
        const m: Model = { balance: 0, completed: new Set(), posted: new Set(), resolved: new Map(), wins: new Set() };
        for (const { op: s, retries } of steps) {
          for (let attempt = 0; attempt <= retries; attempt++) {
            tx(() => {
              switch (s.t) {
                case 'deposit': {
                  const r = w.requestDeposit(`d${s.key}`, { deposit_id: `dep-${run}-${s.key}-${s.amount}`, provider: 'sandbox', currency: 'EUR', amount_minor: s.amount });
                  if (!r.ok) { expect(r.code).toBe('idempotency_conflict'); return; }
                  const c = s.fail ? w.failDeposit({ deposit_id: r.deposit.deposit_id, reason: 'x' })
                    : w.completeDeposit({ deposit_id: r.deposit.deposit_id, amount_minor: s.amount, currency: 'EUR', provider_ref: 'p' });
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
                  if (r.ok && !r.replayed) { m.balance -= r.hold.real_minor + r.hold.bonus_minor; m.posted.add(`h${s.hold}`); }
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
                  if (r.ok && !r.replayed) { m.balance += s.amount; m.wins.add(`win${s.id}`); }
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
        const refs = internals(o).c.db.all<{ ref: string; kind: string; n: number }>`select ref, kind, count(*) as n from ledger group by ref, kind`;
        for (const r of refs) expect(r.n).toBe(1);
        expect(refs.filter((r) => r.kind === 'deposit').length).toBe(m.completed.size);
        expect(refs.filter((r) => r.kind === 'win').length).toBe(m.wins.size);
        // every hold resolved at most once, and its state matches the model
        for (const h of internals(o).c.db.all<{ hold_id: string; state: string }>`select hold_id, state from holds where kind = 'bet'`) {
          expect(h.state).toBe(m.resolved.get(h.hold_id) ?? 'pending');
        }
      }), { numRuns: 10_000 });
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
