/**
 * Wheel spins (docs/rewards.md "Wheel (provably fair)"), through the real worker and player object:
 * a login grants the daily spin (config/rewards.json `daily-login-spin`), the player sees its
 * commitment (never the seed), spins it with POST /v1/players/me/rewards/spins/{spin_id}, gets the
 * prize and a proof verifyWheelSpin accepts; a retry answers the same and pays nothing again; the
 * seed survives a restart of the object; refusals change nothing; a later rule set cannot change an
 * unspun spin's odds; any sequence of spins and retries (concurrent too) delivers each prize once.
 */
import { runInDurableObject } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../domain/events';
import { commitSeed } from '../../domain/fairness/provably-fair';
import { verifyWheelSpin, type WheelProof } from '../../domain/rewards/wheel';
import type { PlayerDO } from '../../durable/player/player-do';
import { loadRewardsConfig, type RewardsConfig } from '../../durable/player/rewards-config';
import raw from '../../config/rewards.json';
import { connectPlayer } from './player-socket';
import { configWith, events, rewards, rewardsOf, setUp, spin } from './wheel-helpers';
import { call, deposit, expectError, funded, internals, player, register, restartPlayer, type Json, type Registered } from './helpers';



/** Everything a spin could change: money, points, XP, badges, tokens, grants, results, events. */
async function snapshot(p: Registered): Promise<Json> {
  const view = await rewards(p);
  const wallet = await call('GET', '/v1/wallet', undefined, { token: p.token });
  const rows = await runInDurableObject(player(p.playerId), (o: PlayerDO) => {
    const { db } = internals(o).c;
    return {
      grants: db.first<{ n: number }>`select count(*) as n from rewards_grants`!.n,
      results: db.first<{ n: number }>`select count(*) as n from reward_wheel_results`!.n,
      rewardLedger: db.first<{ n: number }>`select count(*) as n from ledger where kind = 'reward'`!.n,
    };
  });
  return {
    balances: wallet.body.balances, xp: view.xp, points: view.points_balance, badges: view.badges, free_bets: view.free_bets,
    spins: view.spins, rows, events: (await events(p)).length,
  };
}



const CASH_WHEEL = {
  id: 'cash', name: 'Cash wheel',
  prizes: [{ id: 'cb-150', weight: 1, reward: { type: 'cashback', value_minor: { EUR: 150 }, valid_hours: 24 } }, { id: 'cb-300', weight: 1, reward: { type: 'cashback', value_minor: { EUR: 300 }, valid_hours: 24 } }],
};

/** A player holding one spin of the cash wheel (the first deposit finds no budget lease yet: the second grants). */
async function cashSpin(): Promise<{ p: Registered; cfg: RewardsConfig; spinId: string }> {
  const cfg = configWith(CASH_WHEEL);
  const p = await setUp(cfg);
  expect((await deposit(p.token, 1_000)).status).toBe(201);
  await player(p.playerId).refillRewardBudgets();
  expect((await deposit(p.token, 1_000)).status).toBe(201);
  const spins = (await rewards(p)).spins as Json[];
  expect(spins).toHaveLength(1);
  return { p, cfg, spinId: spins[0]!.spin_id as string };
}

describe('the daily login spin (the deployed rule set)', () => {
  it('shows its commitment, keeps its seed across a restart, spins once, proves the prize, and a retry pays nothing again', async () => {
    const p = await funded();
    const login = await call('POST', '/v1/sessions', { email: p.email, password: p.password });
    expect(login.status).toBe(201);
    const before = await rewards(p);
    expect(before.spins).toHaveLength(1);
    const shown = before.spins[0] as Json;
    expect(shown).toMatchObject({ wheel_id: 'daily', status: 'available', expires_at: null });
    expect(shown.commitment).toMatch(/^[0-9a-f]{64}$/);
    expect(shown.wheel).toEqual(loadRewardsConfig(raw).compiled.wheels.get('daily'));
    expect(before.recent_grants[0]).toMatchObject({ grant_id: shown.spin_id, kind: 'wheel_spin', rule_id: 'daily-login-spin' });
    // the seed is stored, matches the commitment, and appears in no answer before the spin
    const seed = await runInDurableObject(player(p.playerId), (o: PlayerDO) =>
      internals(o).c.db.first<{ server_seed: string }>`select server_seed from reward_wheel_spins where spin_id = ${shown.spin_id as string}`!.server_seed);
    expect(commitSeed(seed)).toBe(shown.commitment);
    expect(JSON.stringify(before)).not.toContain(seed);
    expect(JSON.stringify(await events(p))).not.toContain(seed);

    await restartPlayer(p.playerId);
    const state0 = await snapshot(p);
    const r = await spin(p, shown.spin_id as string);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.replayed).toBe(false);
    const s = r.body.spin as Json;
    expect(s.proof).toMatchObject({ spin_id: shown.spin_id, commitment: shown.commitment, server_seed: seed, prize_id: s.prize_id });
    expect(verifyWheelSpin(s.proof as WheelProof)).toEqual({ ok: true });
    // a forged prize does not verify
    const other = (shown.wheel as Json).prizes.find((x: Json) => x.id !== s.prize_id).id as string;
    expect(verifyWheelSpin({ ...(s.proof as WheelProof), prize_id: other }).ok).toBe(false);

    // the prize, delivered through the existing paths
    const after = await snapshot(p);
    const prize = (shown.wheel as Json).prizes.find((x: Json) => x.id === s.prize_id) as Json;
    const reward = prize.reward as Json | null;
    expect(after.points - state0.points).toBe(reward?.type === 'points' ? reward.amount : 0);
    expect(after.xp - state0.xp).toBe(reward?.type === 'xp' ? reward.amount : 0);
    expect(after.balances).toEqual(state0.balances); // the daily wheel has no cashback
    if (reward?.type === 'free_bet') expect(after.free_bets[0]).toMatchObject({ grant_id: s.prize_grant_id, value_minor: 100, currency: 'EUR', status: 'available' });
    else expect(after.free_bets).toEqual(state0.free_bets);
    expect(s.delivered).toBe(reward !== null);
    expect(after.spins).toEqual([]);
    const spun = (await events(p)).filter((e) => e.event_type === 'rewards.wheel_spun');
    expect(spun).toHaveLength(1);
    expect(validateEvent(spun[0]!)).toMatchObject({ ok: true });
    expect(spun[0]!.payload).toMatchObject({ spin_id: shown.spin_id, prize_id: s.prize_id, commitment: shown.commitment, server_seed: seed, rule_id: 'daily-login-spin', rule_version: 1, delivered: reward !== null });

    // a retry (and one after a restart) answers the same and changes nothing
    const again = await spin(p, shown.spin_id as string);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ spin: s, replayed: true });
    await restartPlayer(p.playerId);
    expect((await spin(p, shown.spin_id as string)).body).toEqual({ spin: s, replayed: true });
    expect(await snapshot(p)).toEqual(after);
    expect(await player(p.playerId).audit()).toEqual([]);
  });
});

describe('a cash wheel', () => {
  it('pays its cashback once into real money, under the prize\'s own grant id, with the odds of the version that granted it', async () => {
    const { p, cfg, spinId } = await cashSpin();
    // a later rule set changes the wheel: the unspun spin keeps the table it was granted with
    const changed = structuredClone(cfg.compiled.set) as Json;
    changed.wheels = (changed.wheels as Json[]).map((w) => (w.id === 'cash' ? { ...w, prizes: [{ id: 'nothing', weight: 1, reward: null }, { id: 'nothing-2', weight: 1, reward: null }] } : w));
    const cfg2 = loadRewardsConfig({ ...raw, rule_set: changed });
    await runInDurableObject(player(p.playerId), (o: PlayerDO) => { rewardsOf(o).use(cfg2); });
    const realBefore = (await snapshot(p)).balances[0].real_minor as number;
    const socket = await connectPlayer(p.token);
    await socket.next('rewards.snapshot');

    const r = await spin(p, spinId);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const s = r.body.spin as Json;
    expect(s.proof.wheel).toEqual(CASH_WHEEL);
    expect(verifyWheelSpin(s.proof as WheelProof)).toEqual({ ok: true });
    const value = s.prize_id === 'cb-150' ? 150 : 300;
    expect(s).toMatchObject({ delivered: true, prize_grant_id: `${spinId}:prize`, reward: { type: 'cashback' } });
    const after = await snapshot(p);
    expect(after.balances[0].real_minor).toBe(realBefore + value);
    const ledger = await call('GET', '/v1/wallet/ledger', undefined, { token: p.token });
    expect((ledger.body.entries as Json[]).filter((e) => e.kind === 'reward')).toEqual([expect.objectContaining({ amount_minor: value, ref: `${spinId}:prize` })]);
    const credited = (await events(p)).filter((e) => e.event_type === 'wallet.reward.credited');
    expect(credited.map((e) => e.payload.grant_id)).toEqual([`${spinId}:prize`]);
    const spun = (await events(p)).find((e) => e.event_type === 'rewards.wheel_spun')!;
    expect(spun.payload).toMatchObject({ prize_kind: 'cashback', value_minor: value, rule_set_id: cfg.compiled.set.id, delivered: true });
    expect(spun.currency).toBe('EUR');

    // the player channel: the spin once, after its commit, with the revealed seed
    expect(await socket.next('rewards.wheel_spun')).toMatchObject({ spin_id: spinId, prize_id: s.prize_id, kind: 'cashback', value_minor: value, currency: 'EUR', delivered: true, server_seed: s.proof.server_seed, commitment: s.proof.commitment });

    expect((await spin(p, spinId)).status).toBe(200);
    expect(await snapshot(p)).toEqual(after);
    await socket.drain();
    expect(socket.log.filter((m) => m.type === 'rewards.wheel_spun')).toHaveLength(1);
    socket.ws.close();
    expect(await player(p.playerId).audit()).toEqual([]);
  });

  it('waits while the player is at risk (409, nothing drawn or paid), and spins once the mark has passed', async () => {
    const { p, spinId } = await cashSpin();
    await runInDurableObject(player(p.playerId), (o: PlayerDO) => {
      (rewardsOf(o) as unknown as { mark(change: { limit_hit_at: number }): void }).mark({ limit_hit_at: internals(o).c.now() });
    });
    const before = await snapshot(p);
    const refused = await spin(p, spinId);
    expectError(refused, 409, 'reward_spin_player_at_risk');
    expect(refused.body.error.details).toMatchObject({ spin_id: spinId, reasons: ['limit_hit'] });
    expect(JSON.stringify(refused.body)).not.toMatch(/server_seed/);
    expect(await snapshot(p)).toEqual(before);
    // the mark passes (limit_hit_minutes: 60): set an hour and a minute back, rather than idling the session out
    await runInDurableObject(player(p.playerId), (o: PlayerDO) => {
      (rewardsOf(o) as unknown as { mark(change: { limit_hit_at: number }): void }).mark({ limit_hit_at: internals(o).c.now() - 61 * 60_000 });
    });
    expect((await spin(p, spinId)).status).toBe(201);
  });
});

describe('an XP and badge wheel', () => {
  it('adds the XP to the engine\'s state and the badge to the player\'s, once, and the state in memory matches SQL', async () => {
    const cfg = configWith({ id: 'xpb', name: 'XP wheel', prizes: [{ id: 'xp-40', weight: 1, reward: { type: 'xp', amount: 40 } }, { id: 'star', weight: 1, reward: { type: 'badge', badge_id: 'wheel-star' } }] });
    const p = await setUp(cfg);
    for (let i = 0; i < 3; i++) expect((await deposit(p.token, 1_000)).status).toBe(201);
    const ids = ((await rewards(p)).spins as Json[]).map((x) => x.spin_id as string);
    expect(ids).toHaveLength(3);
    const before = await rewards(p);
    const answers = [];
    for (const id of ids) answers.push((await spin(p, id)).body.spin as Json);
    for (const id of ids) await spin(p, id); // retries
    const xp = answers.filter((a) => a.prize_id === 'xp-40').length * 40;
    const stars = answers.filter((a) => a.prize_id === 'star');
    const after = await rewards(p);
    expect(after.xp).toBe((before.xp as number) + xp);
    expect(after.badges.filter((b: string) => b === 'wheel-star')).toHaveLength(stars.length > 0 ? 1 : 0);
    // a second star is a badge owned already: nothing to deliver
    expect(stars.map((a) => a.delivered)).toEqual(stars.map((_, i) => i === 0));
    const problems = await runInDurableObject(player(p.playerId), (o: PlayerDO) => { rewardsOf(o).use(cfg); return rewardsOf(o).verifyHotState(); });
    expect(problems).toEqual([]);
    await restartPlayer(p.playerId);
    expect((await rewards(p)).xp).toBe(after.xp);
  });
});

describe('refusals change nothing', () => {
  it('unknown, another player\'s, malformed, unauthenticated, and after a cool-off (the session ended)', async () => {
    const { p, spinId } = await cashSpin();
    const stranger = await register();
    const before = await snapshot(p);
    expectError(await spin(p, 'deposit:no-such-spin:deposit-spin:0'), 404, 'reward_spin_not_found');
    expectError(await spin(stranger, spinId), 404, 'reward_spin_not_found');
    expectError(await call('POST', '/v1/players/me/rewards/spins/bad%20id', undefined, { token: p.token }), 400, 'validation_failed');
    expectError(await spin(p, 'x'.repeat(300)), 400, 'validation_failed');
    expectError(await call('POST', `/v1/players/me/rewards/spins/${encodeURIComponent(spinId)}`), 401, 'unauthenticated');
    expect(await snapshot(p)).toEqual(before);

    expect((await call('POST', '/v1/cool-off', { hours: 24 }, { token: p.token })).status).toBeLessThan(300);
    const refused = await spin(p, spinId);
    expect(refused.status).toBe(401);
    const rows = await runInDurableObject(player(p.playerId), (o: PlayerDO) => internals(o).c.db.first<{ n: number }>`select count(*) as n from reward_wheel_results`!.n);
    expect(rows).toBe(0);
  });
});

describe('OpenAPI', () => {
  it('describes the spin route and the unspun spins of the rewards read', async () => {
    const doc = (await call('GET', '/v1/openapi.json')).body;
    const op = doc.paths['/v1/players/me/rewards/spins/{spin_id}'].post;
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '201', '400', '401', '403', '404', '409']));
    expect(op.parameters.map((x: Json) => x.name)).toContain('spin_id');
    expect(Object.keys(doc.components.schemas)).toContain('WheelSpin');
    expect(Object.keys(doc.components.schemas.Rewards.properties)).toContain('spins');
  });
});

describe('property: any sequence of spins and retries, sequential or concurrent', () => {
  it('delivers each spin\'s prize at most once, and every answer of a spin is its first', async () => {
    const cfg = configWith({ id: 'pts', name: 'Points wheel', prizes: [{ id: 'p-10', weight: 1, reward: { type: 'points', amount: 10 } }, { id: 'p-20', weight: 1, reward: { type: 'points', amount: 20 } }, { id: 'none', weight: 1, reward: null }] });
    const p = await setUp(cfg);
    for (let i = 0; i < 4; i++) expect((await deposit(p.token, 1_000)).status).toBe(201);
    const ids = ((await rewards(p)).spins as Json[]).map((s) => s.spin_id as string);
    expect(ids).toHaveLength(4);
    const basePoints = (await rewards(p)).points_balance as number;
    const first = new Map<string, Json>();
    await fc.assert(fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 6 }), fc.boolean(), async (picks, concurrent) => {
      const target = (i: number) => ids[i] ?? 'deposit:unknown:deposit-spin:0';
      const answers = concurrent ? await Promise.all(picks.map((i) => spin(p, target(i))))
        : await picks.reduce<Promise<{ status: number; body: Json }[]>>(async (acc, i) => [...await acc, await spin(p, target(i))], Promise.resolve([]));
      picks.forEach((i, k) => {
        const a = answers[k]!;
        if (i === 4) return expectError(a, 404, 'reward_spin_not_found');
        expect([200, 201]).toContain(a.status);
        const seen = first.get(ids[i]!);
        if (seen) expect(a.body.spin).toEqual(seen);
        else first.set(ids[i]!, a.body.spin as Json);
      });
      const { prizeRows, results } = await runInDurableObject(player(p.playerId), (o: PlayerDO) => ({
        prizeRows: internals(o).c.db.all<{ grant_id: string }>`select grant_id from rewards_grants where grant_id like '%:prize'`.map((r) => r.grant_id),
        results: internals(o).c.db.first<{ n: number }>`select count(*) as n from reward_wheel_results`!.n,
      }));
      const delivered = [...first.values()].filter((s) => s.delivered);
      expect(results).toBe(first.size);
      expect(prizeRows.sort()).toEqual(delivered.map((s) => s.prize_grant_id as string).sort());
      const points = delivered.reduce((sum, s) => sum + (s.reward.amount as number), 0);
      expect((await rewards(p)).points_balance).toBe(basePoints + points);
      expect((await events(p)).filter((e) => e.event_type === 'rewards.wheel_spun')).toHaveLength(first.size);
    }), { numRuns: 12 });
    expect(await player(p.playerId).audit()).toEqual([]);
  });
});
