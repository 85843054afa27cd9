/**
 * Adversarial money review of wheel spins (issue 17; docs/rewards.md "Wheel (provably fair)",
 * "Review"), through the real worker and player object. Each attack that held is kept here as a
 * regression test: the seed before the spin, the reservation at the grant against the day's cash
 * cap, a spin whose rule (and wheel) a later rule set removed, the auditor's trail from a paid cent
 * to rule + version + grant + spin, and a self-excluded player.
 */
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { verifyWheelSpin, type WheelProof } from '../../domain/rewards/wheel';
import type { PlayerDO } from '../../durable/player/player-do';
import { loadRewardsConfig, type RewardsConfig } from '../../durable/player/rewards-config';
import raw from '../../config/rewards.json';
import { call, deposit, expectError, internals, player, register, type Json, type Registered } from './helpers';
import { configWith, events, rewards, rewardsOf, setUp, spin } from './wheel-helpers';



const CASH_WHEEL = {
  id: 'cash', name: 'Cash wheel',
  prizes: [{ id: 'cb-150', weight: 1, reward: { type: 'cashback', value_minor: { EUR: 150 }, valid_hours: 24 } }, { id: 'cb-300', weight: 1, reward: { type: 'cashback', value_minor: { EUR: 300 }, valid_hours: 24 } }],
};

/** The live rule set plus a rule granting a spin of the cash wheel on every deposit, under a rule set id (a keeper) of its own. */
const cashConfig = (cashCapEur?: number): RewardsConfig => configWith(CASH_WHEEL, cashCapEur);


/** Two deposits (the first finds no budget lease yet, then a refill): the second may grant the spin. */
async function depositTwice(p: Registered): Promise<void> {
  expect((await deposit(p.token, 1_000)).status).toBe(201);
  await player(p.playerId).refillRewardBudgets();
  expect((await deposit(p.token, 1_000)).status).toBe(201);
}

async function cashSpin(cfg = cashConfig()): Promise<{ p: Registered; cfg: RewardsConfig; spinId: string }> {
  const p = await setUp(cfg);
  await depositTwice(p);
  const spins = (await rewards(p)).spins as Json[];
  expect(spins).toHaveLength(1);
  return { p, cfg, spinId: spins[0]!.spin_id as string };
}

const seedOf = (p: Registered, spinId: string) => runInDurableObject(player(p.playerId), (o: PlayerDO) =>
  internals(o).c.db.first<{ server_seed: string }>`select server_seed from reward_wheel_spins where spin_id = ${spinId}`!.server_seed);

describe('wheel review: the seed before the spin', () => {
  it('is in no answer, no event (rewards.granted included), and no channel snapshot until the spin; a refused call reveals nothing', async () => {
    const { p, spinId } = await cashSpin();
    const seed = await seedOf(p, spinId);
    const granted = (await events(p)).filter((e) => e.event_type === 'rewards.granted' && e.payload.grant_id === spinId);
    expect(granted).toHaveLength(1);
    expect(Object.keys(granted[0]!.payload)).not.toContain('server_seed');
    expect(JSON.stringify(await events(p))).not.toContain(seed);
    expect(JSON.stringify(await rewards(p))).not.toContain(seed);
    // the channel's snapshot is the same view (channel.ts): asked of the object as the socket does
    const snapshot = await runInDurableObject(player(p.playerId), (o: PlayerDO) => o.rewards(internals(o).c.db.first<{ session_id: string }>`select session_id from sessions limit 1`!.session_id));
    expect(JSON.stringify(snapshot)).not.toContain(seed);
    // a refused spin (the account's spins are the owner's: another player's token) reveals nothing
    const other = await register();
    const r = await spin(other, spinId);
    expectError(r, 404, 'reward_spin_not_found');
    expect(JSON.stringify(r.body)).not.toContain(seed);
    // after the spin the seed is revealed, and is the one committed at the grant
    const s = await spin(p, spinId);
    expect(s.status).toBe(201);
    expect(s.body.spin.proof.server_seed).toBe(seed);
  });
});

describe('wheel review: the reservation at the grant', () => {
  it('charges the largest cash-like prize in the player\'s currency (300 EUR cents, not the drawn one) to the rule\'s budget key', async () => {
    const { p, spinId } = await cashSpin();
    const granted = (await events(p)).find((e) => e.event_type === 'rewards.granted' && e.payload.grant_id === spinId)!;
    expect(granted.payload).toMatchObject({ kind: 'wheel_spin', wheel_id: 'cash', cost_minor: 300, rule_id: 'deposit-spin', rule_version: 1 });
    expect(granted.currency).toBe('EUR');
  });

  it('a day\'s cash cap below the largest prize (but above the smallest) grants no spin at all: the cap holds whatever the spin would draw', async () => {
    const p = await setUp(cashConfig(200));
    await depositTwice(p);
    expect((await rewards(p)).spins).toEqual([]);
    const suppressed = (await events(p)).filter((e) => e.event_type === 'rewards.suppressed' && e.payload.action === 'wheel_spin');
    expect(suppressed.map((e) => e.payload.reason)).toContain('daily_cash_cap');
    const ledger = await call('GET', '/v1/wallet/ledger', undefined, { token: p.token });
    expect((ledger.body.entries as Json[]).filter((e) => e.kind === 'reward')).toEqual([]);
  });
});

describe('wheel review: a spin whose rule a later rule set removed', () => {
  it('is honoured (decided: it was granted and its cost reserved): the frozen table, paid once, traced to the granting rule and version', async () => {
    const { p, cfg, spinId } = await cashSpin();
    // the next published version drops the rule and the wheel
    const retired = structuredClone(cfg.compiled.set) as Json;
    retired.version = (retired.version as number) + 1;
    retired.rules = (retired.rules as Json[]).filter((r) => r.id !== 'deposit-spin');
    retired.wheels = (retired.wheels as Json[]).filter((w) => w.id !== 'cash');
    const cfg2 = loadRewardsConfig({ ...raw, rule_set: retired });
    await runInDurableObject(player(p.playerId), (o: PlayerDO) => { rewardsOf(o).use(cfg2); });
    expect(((await rewards(p)).spins as Json[]).map((s) => s.spin_id)).toEqual([spinId]);

    const r = await spin(p, spinId);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.spin.proof.wheel).toEqual(CASH_WHEEL);
    expect(verifyWheelSpin(r.body.spin.proof as WheelProof)).toEqual({ ok: true });
    expect(r.body.spin).toMatchObject({ delivered: true, rule_id: 'deposit-spin', rule_version: 1 });
    const spun = (await events(p)).find((e) => e.event_type === 'rewards.wheel_spun')!;
    expect(spun.payload).toMatchObject({ rule_id: 'deposit-spin', rule_version: 1, rule_set_id: cfg.compiled.set.id, rule_set_version: cfg.compiled.set.version });
    expect((await spin(p, spinId)).status).toBe(200);
    expect(await player(p.playerId).audit()).toEqual([]);
  });
});

describe('wheel review: the auditor\'s trail', () => {
  it('every paid cent: ledger ref <spin>:prize = the credit\'s grant id = the spin\'s prize_grant_id, whose spin names the grant, rule, version and rule set; no other grant id has that shape', async () => {
    const { p, cfg, spinId } = await cashSpin();
    const r = await spin(p, spinId);
    expect(r.status).toBe(201);
    const value = r.body.spin.prize_id === 'cb-150' ? 150 : 300;
    const prizeId = `${spinId}:prize`;
    const ledger = await call('GET', '/v1/wallet/ledger', undefined, { token: p.token });
    const paid = (ledger.body.entries as Json[]).filter((e) => e.kind === 'reward');
    expect(paid).toEqual([expect.objectContaining({ ref: prizeId, amount_minor: value, bucket: 'real' })]);
    const all = await events(p);
    expect(all.filter((e) => e.event_type === 'wallet.reward.credited').map((e) => [e.payload.grant_id, e.payload.amount_minor])).toEqual([[prizeId, value]]);
    const spun = all.filter((e) => e.event_type === 'rewards.wheel_spun');
    expect(spun).toHaveLength(1);
    expect(spun[0]!.payload).toMatchObject({ spin_id: spinId, grant_id: spinId, prize_grant_id: prizeId, value_minor: value, rule_id: 'deposit-spin', rule_version: 1, rule_set_id: cfg.compiled.set.id });
    const granted = all.find((e) => e.event_type === 'rewards.granted' && e.payload.grant_id === spinId)!;
    expect(granted.payload).toMatchObject({ rule_id: 'deposit-spin', rule_version: 1 });
    // the prize's grant row: rule and version, and the spin as its source; the only grant id ending in ':prize'
    const rows = await runInDurableObject(player(p.playerId), (o: PlayerDO) =>
      internals(o).c.db.all<{ grant_id: string; rule_id: string; rule_version: number; event_id: string; value_minor: number | null }>`
        select grant_id, rule_id, rule_version, event_id, value_minor from rewards_grants where grant_id like '%:prize'`);
    expect(rows).toEqual([{ grant_id: prizeId, rule_id: 'deposit-spin', rule_version: 1, event_id: `wheel-spin:${spinId}`, value_minor: value }]);
    expect(await player(p.playerId).audit()).toEqual([]);
  });
});

describe('wheel review: a self-excluded player', () => {
  it('cannot spin (the exclusion ended the sessions: 401), nothing drawn or paid, the seed unrevealed', async () => {
    const { p, spinId } = await cashSpin();
    const seed = await seedOf(p, spinId);
    expect((await call('POST', '/v1/self-exclusion', { months: 6 }, { token: p.token })).status).toBe(200);
    const r = await spin(p, spinId);
    expect(r.status).toBe(401);
    expect(JSON.stringify(r.body)).not.toContain(seed);
    const rows = await runInDurableObject(player(p.playerId), (o: PlayerDO) => {
      const { db } = internals(o).c;
      return { results: db.first<{ n: number }>`select count(*) as n from reward_wheel_results`!.n, reward: db.first<{ n: number }>`select count(*) as n from ledger where kind = 'reward'`!.n };
    });
    expect(rows).toEqual({ results: 0, reward: 0 });
  });
});

describe('wheel review: an XP prize and the day\'s XP cap (xp_per_day 5000)', () => {
  it('the grant reserves the largest XP prize, as points are: two spins of a wheel of up to 3000 XP in a day are one spin and one daily_xp_cap', async () => {
    const set = structuredClone(raw.rule_set) as Json;
    set.id = `revwheel-xp-${crypto.randomUUID().slice(0, 8)}`;
    set.wheels = [...(set.wheels as Json[]), { id: 'xp3k', name: 'XP wheel', prizes: [{ id: 'xp-3000', weight: 1, reward: { type: 'xp', amount: 3000 } }, { id: 'xp-2000', weight: 1, reward: { type: 'xp', amount: 2000 } }] }];
    set.rules = [...(set.rules as Json[]).filter((r) => r.on !== 'wallet.deposit.completed'), {
      id: 'deposit-xp-spin', version: 1, status: 'active', name: 'An XP spin on every deposit', on: 'wallet.deposit.completed', actions: [{ type: 'wheel_spin', wheel_id: 'xp3k' }],
    }];
    const cfg = loadRewardsConfig({ ...raw, rule_set: set });
    const p = await setUp(cfg);
    const xpBefore = (await rewards(p)).xp as number;
    expect((await deposit(p.token, 1_000)).status).toBe(201);
    expect((await deposit(p.token, 1_000)).status).toBe(201);
    const spins = ((await rewards(p)).spins as Json[]).filter((s) => s.wheel_id === 'xp3k');
    expect(spins).toHaveLength(1);
    const suppressed = (await events(p)).filter((e) => e.event_type === 'rewards.suppressed' && e.payload.action === 'wheel_spin');
    expect(suppressed.map((e) => e.payload.reason)).toEqual(['daily_xp_cap']);
    for (const s of spins) expect((await spin(p, s.spin_id as string)).status).toBe(201);
    const gained = ((await rewards(p)).xp as number) - xpBefore;
    expect([2000, 3000]).toContain(gained);
  });
});

describe('wheel review: a cash-like prize worth 0 in the player\'s currency', () => {
  it('spins (201), delivers nothing (no zero credit, no zero token), and a retry answers the same; never a 500 that leaves the spin stuck', async () => {
    const set = structuredClone(raw.rule_set) as Json;
    set.id = `revwheel-zero-${crypto.randomUUID().slice(0, 8)}`;
    // a rule set may name 0 for a currency it gives nothing in (Minor is non-negative)
    set.wheels = [...(set.wheels as Json[]), { id: 'zero', name: 'Zero wheel', prizes: [
      { id: 'cb-0', weight: 1, reward: { type: 'cashback', value_minor: { EUR: 0, GBP: 500 } } },
      { id: 'fb-0', weight: 1, reward: { type: 'free_bet', value_minor: { EUR: 0, GBP: 500 } } },
    ] }];
    set.rules = [...(set.rules as Json[]).filter((r) => r.on !== 'wallet.deposit.completed'), {
      id: 'deposit-zero-spin', version: 1, status: 'active', name: 'A zero spin on every deposit', on: 'wallet.deposit.completed',
      actions: [{ type: 'wheel_spin', wheel_id: 'zero' }], budget_minor: { EUR: 100_000, GBP: 100_000 },
    }];
    const cfg = loadRewardsConfig({ ...raw, rule_set: set });
    const p = await setUp(cfg);
    expect((await deposit(p.token, 1_000)).status).toBe(201);
    const spins = ((await rewards(p)).spins as Json[]).filter((s) => s.wheel_id === 'zero');
    expect(spins).toHaveLength(1);
    const spinId = spins[0]!.spin_id as string;
    const r = await spin(p, spinId);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.spin).toMatchObject({ delivered: false });
    expect(verifyWheelSpin(r.body.spin.proof as WheelProof)).toEqual({ ok: true });
    const again = await spin(p, spinId);
    expect(again.status).toBe(200);
    expect(again.body.spin).toEqual(r.body.spin);
    const ledger = await call('GET', '/v1/wallet/ledger', undefined, { token: p.token });
    expect((ledger.body.entries as Json[]).filter((e) => e.kind === 'reward')).toEqual([]);
    expect((await rewards(p)).free_bets).toEqual([]);
    expect(await player(p.playerId).audit()).toEqual([]);
  });
});

describe('wheel review, found on the way: a rule\'s cashback worth 0 in the player\'s currency', () => {
  it('is suppressed (no_value_in_currency); the deposit it rides on still goes through, nothing credited', async () => {
    const set = structuredClone(raw.rule_set) as Json;
    set.id = `revwheel-zcb-${crypto.randomUUID().slice(0, 8)}`;
    set.rules = [...(set.rules as Json[]).filter((r) => r.on !== 'wallet.deposit.completed'), {
      id: 'deposit-zero-cashback', version: 1, status: 'active', name: 'A zero cashback on every deposit', on: 'wallet.deposit.completed',
      actions: [{ type: 'cashback', value_minor: { EUR: 0, GBP: 500 } }], budget_minor: { EUR: 100_000, GBP: 100_000 },
    }];
    const cfg = loadRewardsConfig({ ...raw, rule_set: set });
    const p = await setUp(cfg);
    for (let i = 0; i < 2; i++) {
      expect((await deposit(p.token, 1_000)).status).toBe(201);
      await player(p.playerId).refillRewardBudgets();
    }
    const ledger = await call('GET', '/v1/wallet/ledger', undefined, { token: p.token });
    expect((ledger.body.entries as Json[]).filter((e) => e.kind === 'reward')).toEqual([]);
    expect((ledger.body.entries as Json[]).filter((e) => e.kind === 'deposit')).toHaveLength(2);
    const reasons = (await events(p)).filter((e) => e.event_type === 'rewards.suppressed' && e.payload.action === 'cashback').map((e) => e.payload.reason);
    expect(reasons).toContain('no_value_in_currency');
    expect(await player(p.playerId).audit()).toEqual([]);
  });
});

describe('wheel review: a locked account', () => {
  it('cannot spin while locked (the lock ends the sessions: 401, nothing drawn); unlocked and logged in again, the spin waits with its committed seed', async () => {
    const { p, spinId } = await cashSpin();
    const seed = await seedOf(p, spinId);
    expect((await player(p.playerId).setStatus('locked', 'review', 'ops:review')).ok).toBe(true);
    const r = await spin(p, spinId);
    expect(r.status).toBe(401);
    expect(JSON.stringify(r.body)).not.toContain(seed);
    expect(await runInDurableObject(player(p.playerId), (o: PlayerDO) => internals(o).c.db.first<{ n: number }>`select count(*) as n from reward_wheel_results`!.n)).toBe(0);
    expect((await player(p.playerId).setStatus('active', null, 'ops:review')).ok).toBe(true);
    const login = await call('POST', '/v1/sessions', { email: p.email, password: p.password });
    expect(login.status).toBe(201);
    const again = await spin({ ...p, token: login.body.token as string }, spinId);
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body.spin.proof.server_seed).toBe(seed);
  });
});
