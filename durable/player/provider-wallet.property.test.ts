/**
 * R1 for the provider seamless wallet: random sequences of provider bets, wins and rollbacks over a
 * small pool of transaction and round ids (so ids collide across kinds, rollbacks come before their
 * bets, wins name bets that are gone), each step retried at random, inside a real PlayerDO. Holds:
 * balance == sum(ledger) >= 0, every transaction id applied once (a replay answers the first result),
 * every rolled-back bet restored exactly once and never debited after its rollback, the wager usage
 * equal to the stakes that stand. A second property races duplicate calls through real RPC.
 */
import { runInDurableObject } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ProviderTxResult } from '../../domain/provider/types';
import { emptyTables, internals, player } from '../../test/edge/helpers';
import type { PlayerDO } from './player-do';
import type { ProviderTxReply, ProviderWallet } from './provider-wallet';
import type { Sessions } from './sessions';

const TABLES = ['balances', 'ledger', 'holds', 'deposits', 'idempotency', 'rg_usage', 'outbox', 'schedules', 'wins', 'disputes', 'provider_txs'];
const P = 'sandbox-slots';
const GAME = 'sandbox-starfall-fortune';

const tx = fc.integer({ min: 0, max: 11 });
const round = fc.integer({ min: 0, max: 3 });
const op = fc.oneof(
  { weight: 1, arbitrary: fc.record({ t: fc.constant('fund' as const), amount: fc.integer({ min: 1, max: 3000 }) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('bet' as const), tx, round, amount: fc.integer({ min: 1, max: 800 }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('win' as const), tx, round, amount: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1500 })), bet: fc.option(tx, { nil: null }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('rollback' as const), tx, bet: tx, round }) },
);
const step = fc.record({ op, retries: fc.integer({ min: 0, max: 2 }) });

const EXPECTED_REFUSALS = ['idempotency_conflict', 'insufficient_funds', 'transaction_rolled_back', 'transaction_not_found', 'invalid_state', 'rollback_not_allowed'];

type Model = {
  balance: number;
  /** First answer per tx id: every later answer for that id must be this one. */
  first: Map<string, ProviderTxResult>;
  /** Bets standing or rolled back, with their stake and round. */
  bets: Map<string, { amount: number; round: string }>;
  restored: Set<string>;
  /** Bet ids named by any recorded rollback (matched or not). */
  rolledBackIds: Set<string>;
  winsAgainst: Map<string, number>;
};

describe('provider wallet invariants (R1)', () => {
  it('hold for 10,000 random sequences of bets, wins and rollbacks with retries and colliding ids', async () => {
    const stub = player(crypto.randomUUID());
    await stub.audit();
    await runInDurableObject(stub, (o: PlayerDO) => {
      const { c, walletRg: w, ctx } = internals(o);
      const pw = (o as unknown as { providerWalletRg: ProviderWallet }).providerWalletRg;
      const sessions = (o as unknown as { sessionsRg: Sessions }).sessionsRg;
      const tx = <T>(fn: () => T): T => c.tx(fn); // a rolled-back step makes the hot state reload from SQL
      c.db.run`insert into profile (id, player_id, email, password_hash, date_of_birth, country, jurisdiction, currency, status, kyc_status, created_at, updated_at)
        values (1, 'p', 'p@x', 'x', '1990-01-01', 'MT', 'MT', 'EUR', 'active', 'none', 0, 0)`;
      c.forgetCaches(); // written behind the object's back
      const session = tx(() => sessions.create({ country: 'MT', ip: null, user_agent: null, device: 'unknown' }));
      const seen = { bets: 0, wins: 0, restored: 0, unmatched: 0, late_bets_refused: 0, replays: 0, rollbacks_after_win_refused: 0 };
      let run = 0;

      fc.assert(fc.property(fc.array(step, { maxLength: 30, size: 'medium' }), (steps) => {
        emptyTables(c.db, TABLES);
        c.forgetCaches(); // emptied behind the object's back: its hot state reloads from SQL
        run++;
        const m: Model = { balance: 0, first: new Map(), bets: new Map(), restored: new Set(), rolledBackIds: new Set(), winsAgainst: new Map() };
        const id = (k: number) => `t${k}`;

        /** Checks one answer against the model and applies it. */
        const observe = (txId: string, r: ProviderTxReply, onNew: (t: ProviderTxResult) => void) => {
          if (!r.ok) { expect(EXPECTED_REFUSALS, r.code).toContain(r.code); return; }
          const prior = m.first.get(txId);
          if (r.replayed) {
            seen.replays++;
            expect(prior, `replay of ${txId} that was never applied`).toBeDefined();
            expect(r.tx).toEqual(prior);
            return;
          }
          expect(prior, `${txId} applied twice`).toBeUndefined();
          m.first.set(txId, r.tx);
          onNew(r.tx);
        };

        let fundSeq = 0;
        for (const { op: s, retries } of steps) {
          const fundKey = `fund-${run}-${++fundSeq}`; // a retried deposit repeats its key
          for (let attempt = 0; attempt <= retries; attempt++) {
            tx(() => {
              switch (s.t) {
                case 'fund': {
                  const d = w.requestDeposit(fundKey, { deposit_id: fundKey, provider: 'sandbox', currency: 'EUR', amount_minor: s.amount });
                  if (!d.ok) throw new Error(d.code);
                  const done = w.completeDeposit({ deposit_id: d.deposit.deposit_id, provider: 'sandbox', amount_minor: s.amount, currency: 'EUR', provider_ref: 'x' });
                  if (done.ok && !done.replayed) m.balance += s.amount;
                  return;
                }
                case 'bet': {
                  const txId = id(s.tx);
                  const r = pw.bet({ provider_id: P, session_id: session.session_id, tx_id: txId, round_id: `r${s.round}`, game_id: GAME, currency: 'EUR', amount_minor: s.amount }, null);
                  if (!r.ok && r.code === 'transaction_rolled_back') {
                    expect(m.rolledBackIds.has(txId)).toBe(true);
                    if (!m.bets.has(txId)) seen.late_bets_refused++;
                  }
                  observe(txId, r, (t) => {
                    expect(m.rolledBackIds.has(txId), `bet ${txId} debited after its rollback`).toBe(false);
                    expect(t.amount_minor).toBe(s.amount);
                    m.balance -= s.amount;
                    m.bets.set(txId, { amount: s.amount, round: `r${s.round}` });
                    seen.bets++;
                  });
                  return;
                }
                case 'win': {
                  const txId = id(s.tx);
                  const r = pw.win({ provider_id: P, tx_id: txId, round_id: `r${s.round}`, game_id: GAME, currency: 'EUR', amount_minor: s.amount, bet_tx_id: s.bet === null ? null : id(s.bet) });
                  observe(txId, r, (t) => {
                    const bet = t.bet_tx_id!;
                    expect(m.bets.get(bet)?.round).toBe(`r${s.round}`);
                    expect(m.restored.has(bet) || m.rolledBackIds.has(bet), `win against rolled-back bet ${bet}`).toBe(false);
                    m.balance += s.amount;
                    m.winsAgainst.set(bet, (m.winsAgainst.get(bet) ?? 0) + s.amount);
                    seen.wins++;
                  });
                  return;
                }
                case 'rollback': {
                  const txId = id(s.tx);
                  const betId = id(s.bet);
                  const r = pw.rollback({ provider_id: P, tx_id: txId, bet_tx_id: betId, round_id: `r${s.round}`, game_id: GAME, currency: 'EUR' });
                  if (!r.ok && r.code === 'rollback_not_allowed' && (m.winsAgainst.get(betId) ?? 0) > 0) seen.rollbacks_after_win_refused++;
                  observe(txId, r, (t) => {
                    expect(m.rolledBackIds.has(betId), `second rollback of ${betId} applied`).toBe(false);
                    m.rolledBackIds.add(betId);
                    if (t.unmatched) {
                      expect(m.bets.has(betId)).toBe(false);
                      expect(t.amount_minor).toBe(0);
                      seen.unmatched++;
                      return;
                    }
                    expect(m.restored.has(betId)).toBe(false);
                    expect(t.amount_minor).toBe(m.bets.get(betId)!.amount);
                    expect(m.winsAgainst.get(betId) ?? 0).toBe(0);
                    m.restored.add(betId);
                    m.balance += t.amount_minor;
                    seen.restored++;
                  });
                  return;
                }
              }
            });
          }
        }

        // balance == sum(ledger) >= 0 (audit), and equal to the model
        expect(w.audit()).toEqual([]);
        const total = w.balances().reduce((a, b) => a + b.real_minor + b.bonus_minor, 0);
        expect(total).toBe(m.balance);
        expect(total).toBeGreaterThanOrEqual(0);
        // each id applied once: one ledger row per (ref, kind, bucket); one provider row per id
        for (const r of c.db.all<{ n: number }>`select count(*) as n from ledger group by ref, kind, bucket`) expect(r.n).toBe(1);
        const rows = pw.transactions();
        expect(rows.map((r) => r.tx_id).sort()).toEqual([...m.first.keys()].sort());
        // every rolled-back bet restored exactly once: one void per hold, and its stake in the ledger once
        const voids = c.db.all<{ hold_id: string; amount_minor: number }>`select hold_id, amount_minor from disputes where resolution = 'void'`;
        expect(voids.map((v) => v.hold_id).sort()).toEqual([...m.restored].map((b) => `prov:${P}:${b}`).sort());
        for (const v of voids) expect(v.amount_minor).toBe(m.bets.get(v.hold_id.slice(`prov:${P}:`.length))!.amount);
        for (const r of rows.filter((x) => x.kind === 'bet')) expect(r.state).toBe(m.restored.has(r.tx_id) ? 'rolled_back' : 'applied');
        // RG: the wager usage is the stakes that stand (a rolled-back bet gave its usage back)
        const standing = [...m.bets].filter(([b]) => !m.restored.has(b)).reduce((a, [, x]) => a + x.amount, 0);
        expect(c.db.first<{ s: number | null }>`select sum(amount_minor) as s from rg_usage where metric = 'wager'`?.s ?? 0).toBe(standing);
      }), {
        numRuns: 10_000,
        // A rollback refused after a win is rare in random sequences: 65 refusals in 50,000 (2026-12-04),
        // in clusters (a step's retries, the same bet rolled back again), so about 6 clusters per
        // 10,000 runs and none at all in ~1 run of 700: the floor below then failed a clean run. This
        // sequence reaches the path on every run; the random ones add to it.
        examples: [[[
          { op: { t: 'fund', amount: 1_000 }, retries: 0 }, { op: { t: 'bet', tx: 0, round: 0, amount: 100 }, retries: 0 },
          { op: { t: 'win', tx: 1, round: 0, amount: 500, bet: 0 }, retries: 0 }, { op: { t: 'rollback', tx: 2, bet: 0, round: 0 }, retries: 1 },
        ]]],
      });
      // every path was exercised, the common ones often
      for (const [path, n] of Object.entries(seen)) expect(n, path).toBeGreaterThan(path === 'rollbacks_after_win_refused' ? 0 : 10);
    });
  }, 300_000);

  it('hold under concurrent duplicate calls over RPC, rollbacks racing their bets', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({ tx: fc.integer({ min: 0, max: 7 }), amount: fc.integer({ min: 1, max: 300 }), win: fc.integer({ min: 0, max: 500 }), rollback: fc.constantFrom('none', 'after', 'before') }), { minLength: 1, maxLength: 10 }),
      async (bets) => {
        const stub = player(crypto.randomUUID());
        const sessionId = await runInDurableObject(stub, (o: PlayerDO) => internals(o).ctx.storage.transactionSync(() => {
          internals(o).c.db.run`insert into profile (id, player_id, email, password_hash, date_of_birth, country, jurisdiction, currency, status, kyc_status, created_at, updated_at)
            values (1, 'p', 'p@x', 'x', '1990-01-01', 'MT', 'MT', 'EUR', 'active', 'none', 0, 0)`;
          internals(o).c.forgetCaches(); // written behind the object's back
          internals(o).walletRg.creditWin({ win_id: 'seed', hold_id: null, currency: 'EUR', amount_minor: 2000, bucket: 'real' });
          return (o as unknown as { sessionsRg: Sessions }).sessionsRg.create({ country: 'MT', ip: null, user_agent: null, device: 'unknown' }).session_id;
        }));
        // every call three times at once; a rollback is sent just before or just after its bet
        await Promise.all(bets.flatMap((b) => [0, 1, 2].map(async () => {
          const betTx = `b${b.tx}`;
          const base = { provider_id: P, round_id: `r${b.tx}`, game_id: GAME, currency: 'EUR' as const };
          const rollback = () => stub.providerRollback({ ...base, tx_id: `rb${b.tx}`, bet_tx_id: betTx });
          const sent = [];
          if (b.rollback === 'before') sent.push(rollback());
          sent.push(stub.providerBet({ ...base, session_id: sessionId, tx_id: betTx, amount_minor: b.amount }, null));
          if (b.rollback === 'after') sent.push(rollback());
          await Promise.all(sent);
          if (b.win > 0) await stub.providerWin({ ...base, tx_id: `w${b.tx}`, amount_minor: b.win, bet_tx_id: betTx });
        })));
        expect(await stub.audit()).toEqual([]);
        await runInDurableObject(stub, (o: PlayerDO) => {
          const db = internals(o).c.db;
          for (const r of db.all<{ n: number }>`select count(*) as n from ledger group by ref, kind, bucket`) expect(r.n).toBe(1);
          // a bet whose rollback was recorded first never debited; one restored at most once
          const rolled = db.all<{ bet_tx_id: string; state: string }>`select bet_tx_id, state from provider_txs where kind = 'rollback'`;
          for (const r of rolled) {
            const debits = db.first<{ n: number }>`select count(*) as n from ledger where ref = ${`prov:${P}:${r.bet_tx_id}`}`!.n;
            const restores = db.first<{ n: number }>`select count(*) as n from disputes where hold_id = ${`prov:${P}:${r.bet_tx_id}`}`!.n;
            expect(r.state === 'unmatched' ? [debits, restores] : [debits > 0 ? 1 : 0, restores]).toEqual(r.state === 'unmatched' ? [0, 0] : [1, 1]);
          }
          const total = internals(o).walletRg.balances().reduce((a, b) => a + b.real_minor + b.bonus_minor, 0);
          const sum = db.first<{ s: number }>`select sum(amount_minor) as s from ledger`!.s;
          expect(total).toBe(sum);
        });
      },
    ), { numRuns: 60 });
  }, 120_000);
});
