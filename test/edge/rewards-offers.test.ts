/**
 * Cash-like rewards and budgets across players (docs/rewards.md "Cash-like rewards", "Budgets across
 * players"), through the real worker, player objects and budget keeper in workerd: a cashback is
 * paid into the wallet once (a replayed event, even one the engine forgot, pays nothing), the wallet
 * ledger reconciles; many players draining a small budget concurrently never grant more than it,
 * and get `budget_exhausted` suppressions (across a restart of the keeper); leases survive restarts and lost answers; a free bet is a
 * token, and its refusals change nothing.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { CasinoEvent } from '../../domain/events';
import { validateEvent } from '../../domain/events';
import type { PlayerDO } from '../../durable/player/player-do';
import type { PlayerRewards } from '../../durable/player/rewards';
import { loadRewardsConfig, type RewardsConfig } from '../../durable/player/rewards-config';
import { budgetKeeperName, type RewardBudgetDO } from '../../durable/rewards-budget/reward-budget-do';
import raw from '../../config/rewards.json';
import { DEFAULT_BRAND as BRAND } from '../../domain/brands';
import { call, deposit, internals, player, register, restartPlayer, type Json, type Registered } from './helpers';

/** The live rule set plus one rule on deposits, under a rule set id of its own (so: a keeper of its own). */
function configWith(action: Json, budget: number): RewardsConfig {
  const set = structuredClone(raw.rule_set) as Json;
  set.id = `offers-${crypto.randomUUID().slice(0, 8)}`;
  set.rules = [...(set.rules as Json[]).filter((r) => r.on !== 'wallet.deposit.completed'), {
    id: 'deposit-offer', version: 1, status: 'active', name: 'An offer on every deposit', on: 'wallet.deposit.completed',
    actions: [action], budget_minor: { EUR: budget },
  }];
  return loadRewardsConfig({ ...raw, rule_set: set });
}

const CASHBACK = { type: 'cashback', value_minor: { EUR: 200 }, valid_hours: 24 };

/** Players register on the default brand: its keeper of the test's set (the deployed default, version null). */
function keeper(cfg: RewardsConfig): DurableObjectStub<RewardBudgetDO> {
  return env.REWARD_BUDGET.getByName(budgetKeeperName(BRAND, cfg.compiled.set.id)) as DurableObjectStub<RewardBudgetDO>;
}

/** Restarts the keeper (storage flushed, instance aborted), then gives it the test's rule set again (memory only). */
async function restartKeeper(cfg: RewardsConfig): Promise<void> {
  const died = await runInDurableObject(keeper(cfg), async (_o: RewardBudgetDO, state) => {
    await state.storage.sync();
    state.abort('test: restart');
  }).then(() => 'alive', (e: Error) => e.message);
  expect(died).toContain('test: restart');
  await runInDurableObject(keeper(cfg), (o: RewardBudgetDO) => { o.use(cfg); });
}

const rewardsOf = (o: PlayerDO) => (o as unknown as { rewardsRg: PlayerRewards }).rewardsRg;

async function useConfig(p: Registered, cfg: RewardsConfig): Promise<void> {
  await runInDurableObject(player(p.playerId), (o: PlayerDO) => { rewardsOf(o).use(cfg); });
}

async function setUp(cfg: RewardsConfig, players: number): Promise<Registered[]> {
  await runInDurableObject(keeper(cfg), (o: RewardBudgetDO) => { o.use(cfg); });
  return Promise.all(Array.from({ length: players }, async () => {
    const p = await register();
    await useConfig(p, cfg);
    return p;
  }));
}

async function events(p: Registered): Promise<CasinoEvent[]> {
  return (await player(p.playerId).outbox(0, 1000)).map((r) => r.event);
}

async function rewardCredits(p: Registered): Promise<{ ref: string; amount_minor: number; bucket: string }[]> {
  return runInDurableObject(player(p.playerId), (o: PlayerDO) =>
    internals(o).c.db.all<{ ref: string; amount_minor: number; bucket: string }>`select ref, amount_minor, bucket from ledger where kind = 'reward' order by entry_id`);
}

async function paidDeposit(p: Registered, amount = 1_000): Promise<void> {
  const r = await deposit(p.token, amount);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}

describe('cashback', () => {
  it('is paid into real money once, with its ledger entry and events; the first grant waits for a lease', async () => {
    const cfg = configWith(CASHBACK, 100_000);
    const [p] = await setUp(cfg, 1);
    await paidDeposit(p!); // no lease yet: budget_exhausted, and the refill is kicked after the commit
    await player(p!.playerId).refillRewardBudgets();
    await paidDeposit(p!);

    const credits = await rewardCredits(p!);
    expect(credits).toHaveLength(1);
    expect(credits[0]).toMatchObject({ amount_minor: 200, bucket: 'real' });
    const wallet = await call('GET', '/v1/wallet', undefined, { token: p!.token });
    expect(wallet.body.balances[0]).toMatchObject({ currency: 'EUR', real_minor: 2_200, bonus_minor: 0 });

    const evs = await events(p!);
    for (const e of evs) expect(validateEvent(e), e.event_type).toMatchObject({ ok: true });
    const suppressed = evs.filter((e) => e.event_type === 'rewards.suppressed' && e.payload.rule_id === 'deposit-offer');
    expect(suppressed.map((e) => e.payload.reason)).toEqual(['budget_exhausted']);
    const granted = evs.filter((e) => e.event_type === 'rewards.granted' && e.payload.rule_id === 'deposit-offer');
    expect(granted).toHaveLength(1);
    expect(granted[0]!.payload).toMatchObject({ kind: 'cashback', value_minor: 200, cost_minor: 200, cash_like: true, paid: true, grant_id: credits[0]!.ref });
    const credited = evs.filter((e) => e.event_type === 'wallet.reward.credited');
    expect(credited).toHaveLength(1);
    expect(credited[0]!.payload).toEqual({ grant_id: credits[0]!.ref, bucket: 'real', amount_minor: 200, balance_after_minor: 2_200 });
    expect(credited[0]!.currency).toBe('EUR');

    const view = await call('GET', '/v1/players/me/rewards', undefined, { token: p!.token });
    expect(view.status).toBe(200);
    expect((view.body.recent_grants as Json[]).find((g) => g.rule_id === 'deposit-offer')).toMatchObject({ kind: 'cashback', value_minor: 200, currency: 'EUR', paid: true });
    const ledger = await call('GET', '/v1/wallet/ledger', undefined, { token: p!.token });
    expect(ledger.status).toBe(200);
    expect((ledger.body.entries as Json[]).filter((e) => e.kind === 'reward')).toEqual([expect.objectContaining({ amount_minor: 200, ref: credits[0]!.ref })]);
    expect(await player(p!.playerId).audit()).toEqual([]);
  });

  it('a replayed event pays nothing: neither one the engine remembers, nor one it forgot (the grant row and the ledger refuse it)', async () => {
    const cfg = configWith(CASHBACK, 100_000);
    const [p] = await setUp(cfg, 1);
    await paidDeposit(p!);
    await player(p!.playerId).refillRewardBudgets();
    await paidDeposit(p!);
    const before = await rewardCredits(p!);
    expect(before).toHaveLength(1);
    const depositId = before[0]!.ref.split(':')[1]!; // grant id = deposit:<id>:<rule>:<action>
    const balance = async () => (await call('GET', '/v1/wallet', undefined, { token: p!.token })).body.balances[0].real_minor as number;
    const balanceBefore = await balance();

    await runInDurableObject(player(p!.playerId), (o: PlayerDO) => {
      const { c } = internals(o);
      const rewards = rewardsOf(o);
      // the same event again: a duplicate for the engine
      c.tx(() => rewards.depositCompleted(depositId, 'sandbox', 1_000, 'EUR'));
      // the engine's memory lost (its state row reset): evaluated as new, but the grant exists and the ledger entry too
      c.tx(() => {
        c.db.run`delete from rewards_state`;
        c.forgetCaches();
        rewards.depositCompleted(depositId, 'sandbox', 1_000, 'EUR');
      });
      // the wallet itself refuses a second credit for the grant (ledger_reward_once)
      expect(() => c.tx(() => internals(o).walletRg.creditReward({ grant_id: before[0]!.ref, currency: 'EUR', amount_minor: 200 }))).toThrow(/UNIQUE/i);
    });
    expect(await rewardCredits(p!)).toEqual(before);
    expect(await balance()).toBe(balanceBefore);
    expect((await events(p!)).filter((e) => e.event_type === 'wallet.reward.credited')).toHaveLength(1);
    expect(await player(p!.playerId).audit()).toEqual([]);
  });
});

describe('budgets across players', () => {
  it('players draining a small budget at once never grant more than it; the rest are budget_exhausted; reclaimed leases give the rest back', async () => {
    const BUDGET = 1_000; // five cashbacks of 200
    const cfg = configWith(CASHBACK, BUDGET);
    const players = await setUp(cfg, 8);
    for (let round = 0; round < 4; round++) {
      await Promise.all(players.map(async (p) => {
        await player(p.playerId).refillRewardBudgets();
        await paidDeposit(p);
      }));
      const lines = await keeper(cfg).lines();
      const line = lines.find((l) => l.line === 'deposit-offer|EUR')!;
      expect(line.spent_minor + line.outstanding_minor).toBeLessThanOrEqual(BUDGET);
      if (round === 1) await restartKeeper(cfg); // its totals and leases are in SQL
    }
    const credits = (await Promise.all(players.map(rewardCredits))).flat();
    const total = credits.reduce((s, c) => s + c.amount_minor, 0);
    expect(total).toBeLessThanOrEqual(BUDGET);
    expect(total).toBeGreaterThanOrEqual(600); // leases are small: most of the budget is used, not stranded
    const reasons = (await Promise.all(players.map(events))).flat()
      .filter((e) => e.event_type === 'rewards.suppressed' && e.payload.rule_id === 'deposit-offer').map((e) => e.payload.reason);
    expect(reasons).toContain('budget_exhausted');
    for (const p of players) expect(await player(p.playerId).audit()).toEqual([]);

    // past the leases' expiry the keeper asks each holder: what it used becomes spent, the rest returns
    await runInDurableObject(keeper(cfg), (o: RewardBudgetDO) => { o.clockOffsetMs += 20 * 60_000; });
    while (await runDurableObjectAlarm(keeper(cfg))) { /* until no lease is due */ }
    const line = (await keeper(cfg).lines()).find((l) => l.line === 'deposit-offer|EUR')!;
    expect(line).toMatchObject({ limit_minor: BUDGET, outstanding_minor: 0, open_leases: 0, spent_minor: total });
    // and a reclaimed lease is closed on the holder's side too: never spent again
    for (const p of players) {
      const open = await runInDurableObject(player(p.playerId), (o: PlayerDO) => internals(o).c.db.all`select lease_id from reward_budget_leases where state = 'open'`);
      expect(open).toEqual([]);
    }
  });

  it('leases survive a restart of the holder; a lost answer is asked again under the same id and lends nothing twice', async () => {
    const cfg = configWith(CASHBACK, 100_000);
    const [p] = await setUp(cfg, 1);
    // a refill whose answer is lost: the keeper lent, the player never heard
    await runInDurableObject(player(p!.playerId), async (o: PlayerDO) => {
      const rewards = rewardsOf(o);
      const k = keeper(cfg);
      await expect(rewards.budgets.refill(cfg.compiled, { brand: BRAND, rule_set_id: cfg.compiled.set.id, version: null, hash: null }, 'EUR', p!.playerId, async (req) => { await k.exchange(req); throw new Error('answer lost'); }, (fn) => internals(o).c.tx(fn)))
        .rejects.toThrow(/answer lost/);
      // (the live rules with budgets lease too: only the deposit rule's line is looked at)
      expect(internals(o).c.db.all`select state from reward_budget_leases where budget_key = 'deposit-offer'`).toEqual([{ state: 'requested' }]);
      expect(rewards.budgets.remaining(budgetKeeperName(BRAND, cfg.compiled.set.id), 'EUR', internals(o).c.now())).toEqual({}); // a requested lease is never spent
    });
    const line = async () => (await keeper(cfg).lines()).find((l) => l.line === 'deposit-offer|EUR');
    expect((await line())!.outstanding_minor).toBe(400);
    await restartPlayer(p!.playerId);
    await useConfig(p!, cfg);
    await player(p!.playerId).refillRewardBudgets(); // sends the same lease id again
    expect(await line()).toMatchObject({ outstanding_minor: 400, open_leases: 1, spent_minor: 0 });
    await restartPlayer(p!.playerId);
    await useConfig(p!, cfg);
    await paidDeposit(p!); // spends from the lease restored from SQL
    expect(await rewardCredits(p!)).toHaveLength(1);
    const leases = await runInDurableObject(player(p!.playerId), (o: PlayerDO) => internals(o).c.db.all`select state, amount_minor, used_minor from reward_budget_leases where budget_key = 'deposit-offer'`);
    expect(leases).toEqual([{ state: 'open', amount_minor: 400, used_minor: 200 }]);
    expect(await player(p!.playerId).audit()).toEqual([]);
  });

  it("a new rule set: the old leases are closed on the player's side and their keeper takes back the rest", async () => {
    const a = configWith(CASHBACK, 100_000);
    const b = configWith(CASHBACK, 100_000);
    const [p] = await setUp(a, 1);
    await runInDurableObject(keeper(b), (o: RewardBudgetDO) => { o.use(b); });
    await player(p!.playerId).refillRewardBudgets();
    await paidDeposit(p!); // 200 of a's lease of 400
    await useConfig(p!, b);
    await player(p!.playerId).refillRewardBudgets();
    const rows = await runInDurableObject(player(p!.playerId), (o: PlayerDO) =>
      internals(o).c.db.all<{ keeper: string; state: string; used_minor: number }>`select keeper, state, used_minor from reward_budget_leases where budget_key = 'deposit-offer' order by created_at`);
    expect(rows).toEqual([
      { keeper: budgetKeeperName(BRAND, a.compiled.set.id), state: 'closed', used_minor: 200 },
      { keeper: budgetKeeperName(BRAND, b.compiled.set.id), state: 'open', used_minor: 0 },
    ]);
    await runInDurableObject(keeper(a), (o: RewardBudgetDO) => { o.clockOffsetMs += 20 * 60_000; });
    while (await runDurableObjectAlarm(keeper(a))) { /* until no lease is due */ }
    expect((await keeper(a).lines()).find((l) => l.line === 'deposit-offer|EUR')).toMatchObject({ spent_minor: 200, outstanding_minor: 0 });
  });

  it('an excluded player holds no lease', async () => {
    const cfg = configWith(CASHBACK, 100_000);
    const [p] = await setUp(cfg, 1);
    const r = await call('POST', '/v1/cool-off', { hours: 24 }, { token: p!.token });
    expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    await player(p!.playerId).refillRewardBudgets();
    expect(await keeper(cfg).lines()).toEqual([]);
  });
});

describe('free bets', () => {
  const FREE_BET = { type: 'free_bet', value_minor: { EUR: 300 }, valid_hours: 1 };

  async function withFreeBet(): Promise<{ p: Registered; grantId: string }> {
    const cfg = configWith(FREE_BET, 100_000);
    const [p] = await setUp(cfg, 1);
    await paidDeposit(p!);
    await player(p!.playerId).refillRewardBudgets();
    await paidDeposit(p!);
    const view = await call('GET', '/v1/players/me/rewards', undefined, { token: p!.token });
    expect(view.body.free_bets).toHaveLength(1);
    return { p: p!, grantId: view.body.free_bets[0].grant_id as string };
  }

  it('a free bet grant is a token in GET /v1/players/me/rewards, not money; it expires', async () => {
    const { p, grantId } = await withFreeBet();
    const view = await call('GET', '/v1/players/me/rewards', undefined, { token: p.token });
    expect(view.body.free_bets[0]).toMatchObject({ grant_id: grantId, currency: 'EUR', value_minor: 300, table_id: null, status: 'available', used_at: null });
    expect((view.body.recent_grants as Json[]).find((g) => g.grant_id === grantId)).toMatchObject({ kind: 'free_bet', paid: false });
    expect(await rewardCredits(p)).toEqual([]); // nothing reached the wallet
    // an hour later (the session has timed out by then: read in the object)
    const later = await runInDurableObject(player(p.playerId), (o: PlayerDO) => {
      internals(o).c.clockOffsetMs += 3_600_000;
      return rewardsOf(o).offers.freeBets();
    });
    expect(later[0]).toMatchObject({ grant_id: grantId, status: 'expired' });
  });

  it('is usable once; refusals (unknown, wrong currency, table or amount, used, expired) have stable codes and change nothing', async () => {
    const { p, grantId } = await withFreeBet();
    await runInDurableObject(player(p.playerId), (o: PlayerDO) => {
      const { c } = internals(o);
      const offers = rewardsOf(o).offers;
      const take = (over: Json = {}) => c.tx(() => offers.take({ grant_id: grantId, hold_id: 'h1', table_id: 'roulette-1', currency: 'EUR', amount_minor: 300, ...over }));
      const uses = () => c.db.all`select * from reward_free_bet_uses`;
      expect(take({ grant_id: 'nope' })).toMatchObject({ ok: false, code: 'free_bet_not_found' });
      expect(take({ currency: 'GBP' })).toMatchObject({ ok: false, code: 'free_bet_wrong_currency' });
      expect(take({ amount_minor: 301 })).toMatchObject({ ok: false, code: 'free_bet_wrong_amount' });
      expect(uses()).toEqual([]);
      expect(take()).toMatchObject({ ok: true, replayed: false, free_bet: { status: 'used', hold_id: 'h1' } });
      expect(take()).toMatchObject({ ok: true, replayed: true }); // the same bet again: the same use
      expect(take({ hold_id: 'h2' })).toMatchObject({ ok: false, code: 'free_bet_used' });
      expect(uses()).toHaveLength(1);
      expect(() => c.db.run`delete from reward_free_bet_uses`).toThrow(/append-only/);
    });
    const second = await withFreeBet();
    await runInDurableObject(player(second.p.playerId), (o: PlayerDO) => {
      const { c } = internals(o);
      c.clockOffsetMs += 3_600_000;
      const r = c.tx(() => rewardsOf(o).offers.take({ grant_id: second.grantId, hold_id: 'h1', table_id: 'roulette-1', currency: 'EUR', amount_minor: 300 }));
      expect(r).toMatchObject({ ok: false, code: 'free_bet_expired' });
      expect(c.db.all`select * from reward_free_bet_uses`).toEqual([]);
    });
  });
});
