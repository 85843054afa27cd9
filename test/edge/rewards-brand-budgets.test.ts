/**
 * Budgets of rule sets published per brand (docs/rewards.md "Budgets across players", "Publishing
 * rule sets through the back office"), through the real worker, brand-ops, player and keeper objects:
 * the keeper of `budgets:<brand>:<set id>` lends against the budgets of the published version its
 * holders evaluate. A brand's budgeted cashback is granted within its budget across players, then
 * `budget_exhausted`; another brand publishing the same set id has a budget of its own; a new version
 * of the rule keeps the rule's spent total (a raised budget lends only the difference, a lowered one
 * nothing more); a version the keeper cannot verify lends nothing; the deployed default still leases.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import raw from '../../config/rewards.json';
import { budgetKeeperName } from '../../domain/rewards/budget-limits';
import { LIVE_CHECK_MS, type RewardBudgetDO } from '../../durable/rewards-budget/reward-budget-do';
import { advance, deposit, player, register, type Json, type Registered } from './helpers';
import { bootstrapAdmin, createOperator, opCall, type Operator } from './ops-helpers';

const SET_ID = 'brand-budgets';
const RULE = 'deposit-cashback';
const CASHBACK_MINOR = 200;
const reason = 'brand budgets test';

/** A set with one budgeted cashback on every deposit (on a settled event, never a placement). */
function cashbackSet(budgetMinor: number, ruleVersion = 1): Json {
  return {
    id: SET_ID, version: 1, caps: { points_per_day: 1000, cash_minor_per_day: { EUR: 10_000 } },
    rules: [{
      id: RULE, version: ruleVersion, status: 'active', name: 'Cashback on every deposit', on: 'wallet.deposit.completed',
      actions: [{ type: 'cashback', value_minor: { EUR: CASHBACK_MINOR }, valid_hours: 24 }], budget_minor: { EUR: budgetMinor },
    }],
  };
}

type Crew = { author: Operator; publisher: Operator };
const crews: Record<string, Crew> = {};

beforeAll(async () => {
  const admin = await bootstrapAdmin();
  for (const brand of ['aurora', 'sakura']) {
    crews[brand] = {
      author: await createOperator(admin, { roles: ['marketer'], brands: [brand] }),
      publisher: await createOperator(admin, { roles: ['marketer'], brands: [brand] }),
    };
  }
});

/** A draft by one marketer, published by another (cash-like: four eyes). Answers the version and its hash. */
async function publish(brand: string, set: Json): Promise<{ version: number; hash: string }> {
  const R = `/v1/ops/brands/${brand}/rewards`;
  const draft = await opCall('POST', `${R}/versions`, crews[brand]!.author, { rule_set: set, reason });
  expect(draft.status, JSON.stringify(draft.body)).toBe(201);
  const version = draft.body.version.version as number;
  const published = await opCall('POST', `${R}/versions/${version}/publish`, crews[brand]!.publisher, { reason });
  expect(published.status, JSON.stringify(published.body)).toBe(200);
  return { version, hash: draft.body.version.hash as string };
}

function keeper(brand: string, setId = SET_ID): DurableObjectStub<RewardBudgetDO> {
  return env.REWARD_BUDGET.getByName(budgetKeeperName(brand, setId)) as DurableObjectStub<RewardBudgetDO>;
}

async function line(brand: string, key = `${RULE}|EUR`, setId = SET_ID) {
  return (await keeper(brand, setId).lines()).find((l) => l.line === key);
}

async function playersOf(brand: string, n: number): Promise<Registered[]> {
  return Promise.all(Array.from({ length: n }, () => register({ brand })));
}

/** Each player in turn: its leases refilled, then a deposit (a cashback, if its lease allows). */
async function rounds(players: Registered[], n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    for (const p of players) {
      expect(await player(p.playerId).refreshRuleSet()).not.toBeNull();
      await player(p.playerId).refillRewardBudgets();
      expect((await deposit(p.token, 1_000)).status).toBe(201);
    }
  }
}

/** What the players were granted by the rule, and how many of their deposits were refused for the budget. */
async function outcomes(players: Registered[]): Promise<{ granted_minor: number; grants: number; exhausted: number }> {
  let granted = 0, grants = 0, exhausted = 0;
  for (const p of players) {
    for (const { event: e } of await player(p.playerId).outbox(0, 1000)) {
      if (e.event_type === 'rewards.granted' && e.payload.rule_id === RULE) { granted += e.payload.cost_minor as number; grants++; }
      if (e.event_type === 'rewards.suppressed' && e.payload.rule_id === RULE && e.payload.reason === 'budget_exhausted') exhausted++;
    }
  }
  return { granted_minor: granted, grants, exhausted };
}

describe("budgets of a brand's published rule set", () => {
  it('the deployed default still leases, from its brand-scoped keeper', async () => {
    const [p] = await playersOf('aurora', 1);
    expect(await player(p!.playerId).refreshRuleSet()).toBeNull(); // nothing published yet
    await player(p!.playerId).refillRewardBudgets();
    const daily = await line('aurora', 'daily-login-spin|EUR', raw.rule_set.id);
    expect(daily).toMatchObject({ limit_minor: raw.rule_set.rules.find((r) => r.id === 'daily-login-spin')!.budget_minor!.EUR, open_leases: 1 });
    expect(daily!.outstanding_minor).toBeGreaterThan(0);
  });

  it("grants within a brand's budget across players, then budget_exhausted; another brand with the same set id has its own budget", async () => {
    await publish('aurora', cashbackSet(1_000));
    const aurora = await playersOf('aurora', 4);
    await rounds(aurora, 3);
    const a = await outcomes(aurora);
    expect(a.granted_minor).toBeLessThanOrEqual(1_000);
    expect(a.grants).toBeGreaterThanOrEqual(4); // the budget is really lent, not refused
    expect(a.exhausted).toBeGreaterThan(0);
    const aLine = (await line('aurora'))!;
    expect(aLine.limit_minor).toBe(1_000);
    expect(aLine.spent_minor + aLine.outstanding_minor).toBeLessThanOrEqual(1_000);

    // sakura publishes a set of the same id with a smaller budget: its players are granted although aurora's is spent
    await publish('sakura', cashbackSet(600));
    const sakura = await playersOf('sakura', 2);
    await rounds(sakura, 3);
    const s = await outcomes(sakura);
    expect(s.grants).toBeGreaterThan(0);
    expect(s.granted_minor).toBeLessThanOrEqual(600);
    expect(s.exhausted).toBeGreaterThan(0);
    expect(await line('sakura')).toMatchObject({ limit_minor: 600 });
    // aurora's line did not move
    expect(await line('aurora')).toEqual(aLine);
  });

  it('a new version of the rule keeps its spent total: a raised budget lends only the difference, a lowered one nothing more', async () => {
    const aurora = await playersOf('aurora', 3);
    await rounds(aurora, 2);
    const spentBefore = (await line('aurora'))!.spent_minor;
    expect(spentBefore).toBeLessThanOrEqual(1_000); // version 1's budget, whoever spent it

    await publish('aurora', cashbackSet(1_600, 2));
    // their empty answers (nothing was left) say "do not ask again" for a minute: a minute later
    for (const p of aurora) await advance(p.playerId, 61_000);
    await rounds(aurora, 4);
    const raised = await outcomes(aurora);
    expect(raised.grants).toBeGreaterThan(0);
    // every grant of the rule, all versions, all players: within the current budget
    const afterRaise = (await line('aurora'))!;
    expect(afterRaise.limit_minor).toBe(1_600);
    expect(afterRaise.spent_minor + afterRaise.outstanding_minor).toBeLessThanOrEqual(1_600);
    expect(afterRaise.spent_minor).toBeGreaterThan(spentBefore);

    // lowered below what is spent: the leases already lent stay spendable, no new one is lent
    await publish('aurora', cashbackSet(400, 3));
    const lowered = (await line('aurora'))!;
    for (const p of aurora) await advance(p.playerId, 61_000);
    await rounds(aurora, 2);
    const afterLower = (await line('aurora'))!;
    expect(afterLower.limit_minor).toBe(400);
    expect(afterLower.spent_minor + afterLower.outstanding_minor).toBeLessThanOrEqual(lowered.spent_minor + lowered.outstanding_minor);
  });

  it('a version the keeper cannot verify lends nothing: unknown, another hash, another brand at this keeper', async () => {
    const { version, hash } = await publish('aurora', cashbackSet(100_000, 4));
    const ask = async (rule_set: { brand: string; rule_set_id: string; version: number | null; hash: string | null }, k = keeper('aurora')) =>
      (await k.exchange({ holder: `test-${crypto.randomUUID()}`, close: [], open: [{ lease_id: crypto.randomUUID(), budget_key: RULE, currency: 'EUR', want_minor: 200, min_minor: 200 }], rule_set })).opened[0]!.amount_minor;
    const ref = { brand: 'aurora', rule_set_id: SET_ID, version, hash };
    expect(await ask({ ...ref, version: 999 })).toBe(0);
    expect(await ask({ ...ref, hash: 'not-the-hash' })).toBe(0);
    expect(await ask({ ...ref, brand: 'sakura' })).toBe(0); // sakura's request that reached aurora's keeper
    expect(await ask({ ...ref, rule_set_id: 'another-set' })).toBe(0);
    expect(await ask({ ...ref, version: null, hash: null })).toBe(0); // the deployed default is another set id
    expect(await ask(ref)).toBe(200); // the published version itself lends

    // a newer version lowers the budget to what is taken: a holder still on the older version gets nothing
    // more once the keeper has seen the newer one live (it asks the brand at most every LIVE_CHECK_MS)
    const taken = (await line('aurora'))!;
    await publish('aurora', cashbackSet(taken.spent_minor + taken.outstanding_minor, 5));
    await runInDurableObject(keeper('aurora'), (o: RewardBudgetDO) => { o.clockOffsetMs += LIVE_CHECK_MS; });
    expect(await ask(ref)).toBe(0);
    expect(await line('aurora')).toMatchObject({ limit_minor: taken.spent_minor + taken.outstanding_minor, spent_minor: taken.spent_minor, outstanding_minor: taken.outstanding_minor });
  });
});
