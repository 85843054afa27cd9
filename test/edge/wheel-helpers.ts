/**
 * Shared by the wheel spin edge tests (reward-wheel, review-wheel): a rule set that grants a spin of
 * a given wheel on every deposit, installed in a fresh player's object and its budget keeper, and
 * the player's spin and rewards routes.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { expect } from 'vitest';
import { DEFAULT_BRAND as BRAND } from '../../domain/brands';
import type { CasinoEvent } from '../../domain/events';
import type { PlayerDO } from '../../durable/player/player-do';
import type { PlayerRewards } from '../../durable/player/rewards';
import { loadRewardsConfig, type RewardsConfig } from '../../durable/player/rewards-config';
import { budgetKeeperName, type RewardBudgetDO } from '../../durable/rewards-budget/reward-budget-do';
import raw from '../../config/rewards.json';
import { call, player, register, type Json, type Registered } from './helpers';

export const rewardsOf = (o: PlayerDO) => (o as unknown as { rewardsRg: PlayerRewards }).rewardsRg;

export const spin = (p: Registered, spinId: string) => call('POST', `/v1/players/me/rewards/spins/${encodeURIComponent(spinId)}`, undefined, { token: p.token });

export async function events(p: Registered): Promise<CasinoEvent[]> {
  return (await player(p.playerId).outbox(0, 1000)).map((r) => r.event);
}

/** The player's rewards view (GET /v1/players/me/rewards). */
export async function rewards(p: Registered): Promise<Json> {
  const r = await call('GET', '/v1/players/me/rewards', undefined, { token: p.token });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

/**
 * The live rule set plus a rule granting a spin of `wheel` on every deposit, under a rule set id of
 * its own (a keeper of its own); `cashCapEur`: the day's cash-like cap in EUR instead of the set's.
 */
export function configWith(wheel: Json, cashCapEur?: number): RewardsConfig {
  const set = structuredClone(raw.rule_set) as Json;
  set.id = `wheel-${crypto.randomUUID().slice(0, 8)}`;
  if (cashCapEur !== undefined) set.caps = { ...set.caps, cash_minor_per_day: { ...set.caps.cash_minor_per_day, EUR: cashCapEur } };
  set.wheels = [...(set.wheels as Json[]), wheel];
  set.rules = [...(set.rules as Json[]).filter((r) => r.on !== 'wallet.deposit.completed'), {
    id: 'deposit-spin', version: 1, status: 'active', name: 'A spin on every deposit', on: 'wallet.deposit.completed',
    actions: [{ type: 'wheel_spin', wheel_id: wheel.id }], budget_minor: { EUR: 100_000 },
  }];
  return loadRewardsConfig({ ...raw, rule_set: set });
}

/** A new player whose object and budget keeper use `cfg` (what a published version's refresh does). */
export async function setUp(cfg: RewardsConfig): Promise<Registered> {
  await runInDurableObject(env.REWARD_BUDGET.getByName(budgetKeeperName(BRAND, cfg.compiled.set.id)) as DurableObjectStub<RewardBudgetDO>, (o: RewardBudgetDO) => { o.use(cfg); });
  const p = await register();
  await runInDurableObject(player(p.playerId), (o: PlayerDO) => { rewardsOf(o).use(cfg); });
  return p;
}
