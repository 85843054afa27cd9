/**
 * API mode's behaviours against a fake platform (a stubbed fetch keeping balances): what the
 * simulator asks the real API for. The real platform is exercised by test/e2e/simulator.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { simulateApi } from './api';
import { MINOR_PER_EUR, STRUCTURING_THRESHOLD_EUR } from './model';

type Req = { method: string; path: string; body: any; at: number; player: string | null };

function fakePlatform() {
  const reqs: Req[] = [];
  const balance = new Map<string, number>();
  const tokens = new Map<string, string>();
  const byEmail = new Map<string, string>();
  const currencyOf = new Map<string, string>();
  const withdrawals = new Map<string, { player: string; amount: number; state: string }>();
  let n = 0;
  let clock = 0;
  const answer = (status: number, body: unknown) => new Response(body === null ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  const fetchStub = async (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => {
    const path = new URL(url).pathname;
    const body = init.body ? JSON.parse(init.body) : null;
    const auth = init.headers.Authorization?.slice(7) ?? null;
    const player = (auth && tokens.get(auth)) ?? (body?.token ? tokens.get(body.token) : null) ?? body?.player_id ?? null;
    reqs.push({ method: init.method, path, body, at: clock++, player });
    const m = init.method;
    if (path === '/v1/health') return answer(200, { environment: 'development' });
    if (path === '/v1/tables') return answer(200, { tables: [] });
    if (m === 'POST' && path === '/v1/players') {
      const id = `p${n++}`;
      tokens.set(`t-${id}`, id);
      balance.set(id, 0);
      byEmail.set(body.email, id);
      currencyOf.set(id, body.currency);
      return answer(201, { player: { player_id: id }, token: `t-${id}` });
    }
    if (m === 'POST' && path === '/v1/sessions') {
      const id = byEmail.get(body.email);
      return id ? answer(201, { token: `t-${id}` }) : answer(401, { error: { code: 'unauthorized' } });
    }
    if (path === '/v1/players/me/kyc') return answer(200, { player: { kyc_status: body.sandbox_outcome } });
    if (path === '/v1/wallet') return answer(200, { balances: [{ currency: currencyOf.get(player!), available_minor: balance.get(player!) ?? 0 }] });
    if (path === '/v1/wallet/deposits') {
      balance.set(player!, (balance.get(player!) ?? 0) + body.amount_minor);
      return answer(201, { deposit: { deposit_id: `d${clock}` } });
    }
    const cancel = /^\/v1\/wallet\/withdrawals\/([^/]+)\/cancel$/.exec(path);
    if (m === 'POST' && cancel) {
      const w = withdrawals.get(cancel[1]!);
      if (!w || w.player !== player) return answer(404, { error: { code: 'withdrawal_not_found' } });
      if (w.state !== 'requested') return answer(409, { error: { code: 'withdrawal_not_cancellable' } });
      w.state = 'cancelled';
      balance.set(player!, balance.get(player!)! + w.amount);
      return answer(200, { withdrawal: { withdrawal_id: cancel[1], state: 'cancelled' }, replayed: false });
    }
    const decision = /^\/v1\/ops\/players\/[^/]+\/withdrawals\/([^/]+)\/decision$/.exec(path);
    if (m === 'POST' && decision) {
      const w = withdrawals.get(decision[1]!);
      if (!w || w.state !== 'requested') return answer(409, { error: { code: 'invalid_state' } });
      w.state = body.decision === 'approve' ? 'approved' : 'rejected';
      return answer(200, {});
    }
    if (path === '/v1/wallet/withdrawals') {
      if ((balance.get(player!) ?? 0) < body.amount_minor) return answer(422, { error: { code: 'insufficient_funds' } });
      balance.set(player!, balance.get(player!)! - body.amount_minor);
      withdrawals.set(`w${clock}`, { player: player!, amount: body.amount_minor, state: 'requested' });
      return answer(201, { withdrawal: { withdrawal_id: `w${clock}` } });
    }
    if (path.endsWith('/launch')) {
      tokens.set(`lt-${player}`, player!);
      return answer(200, { token: `lt-${player}` });
    }
    if (path.startsWith('/v1/provider/')) {
      const action = path.split('/').pop();
      if (action === 'bet') {
        if ((balance.get(player!) ?? 0) < body.amount_minor) return answer(422, { error: { code: 'insufficient_funds' } });
        balance.set(player!, balance.get(player!)! - body.amount_minor);
      } else if (action === 'win') balance.set(player!, (balance.get(player!) ?? 0) + body.amount_minor);
      return answer(200, {});
    }
    return answer(200, {});
  };
  return { reqs, fetchStub };
}

afterEach(() => vi.unstubAllGlobals());

describe('API mode behaviours (fake platform)', () => {
  it('structuring deposits, loss chasing, reversed withdrawals, quick cash-outs, VIP flags and adjustments go through the API', async () => {
    const { reqs, fetchStub } = fakePlatform();
    vi.stubGlobal('fetch', fetchStub);
    const s = await simulateApi({ baseUrl: 'http://fake', players: 300, days: 30, tables: 0, seed: 'api-test', concurrency: 4, providerSecret: 'x', ops: { token: 'ops' }, maxSessions: 4, spins: 8 });
    expect(s.errors).toEqual({});
    expect(s.structuring_deposits).toBeGreaterThanOrEqual(3);
    expect(s.chase_redeposits).toBeGreaterThan(0);
    expect(s.quick_cashouts).toBeGreaterThan(0);
    expect(s.adjustments).toBeGreaterThan(0);
    expect(s.vip_flags).toBeGreaterThan(0);
    // reversed withdrawals: loss chasers cancel one still waiting, then stake again; the operator never decides a cancelled one
    expect(s.withdrawals_cancelled).toBeGreaterThan(0);
    const cancels = reqs.filter((r) => r.method === 'POST' && r.path.endsWith('/cancel'));
    expect(cancels.length).toBe(s.withdrawals_cancelled);
    for (const c of cancels) {
      const id = c.path.split('/')[4];
      expect(reqs.some((r) => r.at > c.at && r.player === c.player && r.path.endsWith('/bet')), `stakes after cancelling ${id}`).toBe(true);
      expect(reqs.some((r) => r.path.includes(`/withdrawals/${id}/decision`)), `no decision on cancelled ${id}`).toBe(false);
    }
    // every structuring deposit is under the threshold in its currency
    const deposits = reqs.filter((r) => r.path === '/v1/wallet/deposits');
    const near = deposits.filter((r) => {
      const eur = r.body.amount_minor / (MINOR_PER_EUR[r.body.currency] ?? 100);
      return eur >= STRUCTURING_THRESHOLD_EUR * 0.79 && eur < STRUCTURING_THRESHOLD_EUR;
    });
    expect(near.length).toBeGreaterThanOrEqual(s.structuring_deposits);
    // loss chasing: some players' consecutive provider bets rise
    const bets = reqs.filter((r) => r.path.endsWith('/bet'));
    const raised = new Set<string>();
    for (let i = 1; i < bets.length; i++) {
      const a = bets[i - 1]!;
      const b = bets[i]!;
      if (a.player === b.player && a.body.game_id === b.body.game_id && b.body.amount_minor > a.body.amount_minor) raised.add(b.player!);
    }
    expect(raised.size).toBeGreaterThan(0);
    expect(reqs.some((r) => r.method === 'PUT' && r.path.endsWith('/vip') && r.body.vip === true)).toBe(true);
    expect(reqs.some((r) => r.method === 'POST' && /\/v1\/ops\/players\/[^/]+\/adjustments$/.test(r.path))).toBe(true);
  }, 60_000);
});
