/**
 * Payment instruments of simulated players (instruments.ts): fast mode's references are the edge's
 * computation (domain/payment-reference.ts) under the public development key; most players use one
 * or two instruments, the structuring and quick cash-out players many, and quick cash-outs mostly
 * go to an instrument never deposited from. API mode sends tokens the edge accepts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CasinoEvent } from '../domain/events';
import { DEV_PAYMENT_REFERENCE_KEY, paymentInstrumentProblem, paymentReference } from '../domain/payment-reference';
import { simulateApi } from './api';
import { generateHistoryLines } from './fast';
import { devPaymentReference, PaymentInstruments } from './instruments';
import { Rng } from './rng';

const NOW = Date.UTC(2026, 10, 20, 18, 30);
const WEEK_MS = 7 * 86_400_000;
const MONEY = new Set(['wallet.deposit.requested', 'wallet.deposit.completed', 'wallet.deposit.failed', 'wallet.withdrawal.requested']);

function moneyEvents(): CasinoEvent[] {
  const out: CasinoEvent[] = [];
  for (const chunk of generateHistoryLines({ players: 200, days: 30, tables: 0, seed: 'instruments-test', now: NOW })) {
    for (const line of chunk) {
      const type = line.slice(line.indexOf('"event_type":"') + 14, line.indexOf('","schema_version"'));
      if (MONEY.has(type)) out.push(JSON.parse(line) as CasinoEvent);
    }
  }
  return out;
}

describe('payment instruments', () => {
  it('fast mode hashes exactly as the edge does, under the development key', async () => {
    for (const token of ['sim_card_0123456789abcdef', 'pm_card_fp_8f3Kq2LxW9', 'iban_tok_DE89370400440532013000']) {
      expect(devPaymentReference(token)).toBe(await paymentReference(DEV_PAYMENT_REFERENCE_KEY, token));
      expect(devPaymentReference(token)).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it('tokens are ones the edge accepts; ordinary players have 1-2, the AML behaviours 4-8', () => {
    const rng = Rng.derive('t', 'instruments');
    for (let i = 0; i < 200; i++) {
      const few = new PaymentInstruments(rng, false);
      expect(few.tokens.length).toBeGreaterThanOrEqual(1);
      expect(few.tokens.length).toBeLessThanOrEqual(2);
      const many = new PaymentInstruments(rng, true);
      expect(many.tokens.length).toBeGreaterThanOrEqual(4);
      expect(many.tokens.length).toBeLessThanOrEqual(8);
      for (const t of [...few.tokens, ...many.tokens, many.forWithdrawal(true)]) expect(paymentInstrumentProblem(t)).toBeNull();
    }
  });

  it('fast mode: every deposit and withdrawal has a reference; few players use 3+ in a week, some withdraw to a new instrument', () => {
    const events = moneyEvents();
    expect(events.length).toBeGreaterThan(500);
    for (const e of events) expect(e.payload.payment_reference).toMatch(/^[0-9a-f]{16}$/);
    // the steps of one deposit name the same instrument
    const byDeposit = new Map<string, Set<unknown>>();
    for (const e of events) if (e.payload.deposit_id) byDeposit.set(e.payload.deposit_id as string, (byDeposit.get(e.payload.deposit_id as string) ?? new Set()).add(e.payload.payment_reference));
    for (const refs of byDeposit.values()) expect(refs.size).toBe(1);

    const weekly = new Map<string, Set<unknown>>();
    const depositedFrom = new Map<string, Set<unknown>>();
    let newPayouts = 0;
    let payouts = 0;
    for (const e of events) {
      const k = `${e.player_id}|${Math.floor(e.occurred_at / WEEK_MS)}`;
      weekly.set(k, (weekly.get(k) ?? new Set()).add(e.payload.payment_reference));
      if (e.event_type === 'wallet.deposit.completed') depositedFrom.set(e.player_id!, (depositedFrom.get(e.player_id!) ?? new Set()).add(e.payload.payment_reference));
      if (e.event_type === 'wallet.withdrawal.requested') {
        payouts++;
        if (!depositedFrom.get(e.player_id!)?.has(e.payload.payment_reference)) newPayouts++;
      }
    }
    const players = new Set(events.map((e) => e.player_id));
    const manyInAWeek = new Set([...weekly].filter(([, refs]) => refs.size >= 3).map(([k]) => k.split('|')[0]));
    expect(manyInAWeek.size).toBeGreaterThanOrEqual(2);
    expect(manyInAWeek.size).toBeLessThan(players.size * 0.1);
    expect(newPayouts).toBeGreaterThan(0);
    expect(newPayouts).toBeLessThan(payouts * 0.25);
  });
});

describe('payment instruments in API mode', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('deposits and withdrawals name an instrument the edge accepts; the AML behaviours use many', async () => {
    const bodies: { path: string; player: string | null; body: Record<string, unknown> }[] = [];
    const balance = new Map<string, number>();
    let n = 0;
    const answer = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
    vi.stubGlobal('fetch', async (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => {
      const path = new URL(url).pathname;
      const body = init.body ? JSON.parse(init.body) : null;
      const player = init.headers.Authorization?.slice(9) ?? null;
      if (path === '/v1/health') return answer(200, { environment: 'development' });
      if (path === '/v1/tables') return answer(200, { tables: [] });
      if (init.method === 'POST' && path === '/v1/players') return answer(201, { player: { player_id: `p${n}` }, token: `t-p${n++}` });
      if (path === '/v1/players/me/kyc') return answer(200, { player: { kyc_status: body.sandbox_outcome } });
      if (path === '/v1/wallet') return answer(200, { balances: [{ currency: 'EUR', available_minor: balance.get(player!) ?? 0 }] });
      if (path === '/v1/wallet/deposits' || path === '/v1/wallet/withdrawals') {
        bodies.push({ path, player, body });
        const sign = path.endsWith('deposits') ? 1 : -1;
        balance.set(player!, (balance.get(player!) ?? 0) + sign * body.amount_minor);
        return answer(201, path.endsWith('deposits') ? { deposit: { deposit_id: `d${bodies.length}` } } : { withdrawal: { withdrawal_id: `w${bodies.length}` } });
      }
      return answer(200, {});
    });
    await simulateApi({ baseUrl: 'http://fake', players: 200, days: 30, tables: 0, seed: 'api-instruments', concurrency: 4, providerSecret: 'x', ops: { token: 'ops' }, maxSessions: 4, spins: 4 });
    expect(bodies.some((b) => b.path.endsWith('withdrawals'))).toBe(true);
    for (const b of bodies) expect(paymentInstrumentProblem(b.body.payment_instrument as string)).toBeNull();
    const perPlayer = new Map<string, Set<unknown>>();
    for (const b of bodies) if (b.path.endsWith('deposits')) perPlayer.set(b.player!, (perPlayer.get(b.player!) ?? new Set()).add(b.body.payment_instrument));
    const sizes = [...perPlayer.values()].map((s) => s.size);
    expect(sizes.filter((s) => s >= 3).length).toBeGreaterThan(0);
    expect(sizes.filter((s) => s <= 2).length).toBeGreaterThan(sizes.length * 0.8);
  }, 60_000);
});
