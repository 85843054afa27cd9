/**
 * Publishing rewards rule sets through the back office (docs/rewards.md "Publishing"), through the
 * real worker, brand-ops, audit, table and player objects: a marketer creates a draft; a bad set is a
 * 422 with its paths and changes nothing; a dry run answers what would have fired over a player's
 * recent bets; a version with cash-like rewards is refused to its author and published by a second
 * operator (audited with its hash); the player's next bet is evaluated by it (the grant names the rule
 * and its version); pausing a rule stops it; retiring the live version brings the deployed default
 * back, picked up by the timed refresh; roles without the permissions get 403 and change nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import raw from '../../config/rewards.json';
import { call, expectError, funded, player, type Json, type Registered } from './helpers';
import { auditEntries, bootstrapAdmin, createOperator, opCall, type Operator } from './ops-helpers';

const BRAND = 'aurora';
const ROULETTE = 'roulette-1';
const R = `/v1/ops/brands/${BRAND}/rewards`;
const reason = 'rewards publishing test';

let admin: Operator;
let dealer: Operator;
let marketer: Operator;
let secondMarketer: Operator;
let operator: Operator;
let analyst: Operator;

beforeAll(async () => {
  admin = await bootstrapAdmin();
  dealer = await createOperator(admin, { roles: ['dealer'], brands: [BRAND] });
  marketer = await createOperator(admin, { roles: ['marketer'], brands: [BRAND] });
  secondMarketer = await createOperator(admin, { roles: ['marketer'], brands: [BRAND] });
  operator = await createOperator(admin, { roles: ['operator'], brands: [BRAND] });
  analyst = await createOperator(admin, { roles: ['analyst'], brands: [BRAND] });
});

/** The deployed set (cash-like: a free bet rule and a wheel prize) plus one rule of this test. */
function withTestRule(points = 7, version = 1): Json {
  const set = structuredClone(raw.rule_set) as Json;
  set.rules.push({ id: 'publish-test-points', version, status: 'active', name: 'Publishing test: points per settled bet', on: 'table.bet.settled', actions: [{ type: 'points', amount: points }] });
  return set;
}

/** A set without cash-like rewards. */
const minimalSet = (): Json => ({
  id: 'minimal', version: 1, caps: { points_per_day: 1000, cash_minor_per_day: {} },
  rules: [{ id: 'minimal-points', version: 1, status: 'active', name: 'Minimal: 3 points per settled bet', on: 'table.bet.settled', actions: [{ type: 'points', amount: 3 }] }],
});

/** One roulette round: the player bets 1.00 EUR on red, and black comes (the bet is settled, lost). */
async function settledBet(p: Registered): Promise<void> {
  const round = await opCall('POST', `/v1/ops/tables/${ROULETTE}/rounds`, dealer);
  expect(round.status, JSON.stringify(round.body)).toBe(201);
  const roundId = round.body.round.round_id as string;
  const bet = await call('POST', `/v1/tables/${ROULETTE}/bets`, { bet_id: crypto.randomUUID(), round_id: roundId, spot: 'red', amount_minor: 100, currency: 'EUR' }, { token: p.token });
  expect(bet.status, JSON.stringify(bet.body)).toBe(201);
  const result = await opCall('POST', `/v1/ops/tables/${ROULETTE}/rounds/${roundId}/result`, dealer, { outcome: { number: 2 } });
  expect(result.status, JSON.stringify(result.body)).toBe(200);
}

async function rewards(p: Registered): Promise<Json> {
  const r = await call('GET', '/v1/players/me/rewards', undefined, { token: p.token });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

async function versions(): Promise<Json> {
  const r = await opCall('GET', `${R}/versions`, admin);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

const grantsOf = (view: Json, ruleId: string): Json[] => (view.recent_grants as Json[]).filter((g) => g.rule_id === ruleId);
const refresh = (p: Registered) => player(p.playerId).refreshRuleSet();

describe('rewards rule sets published through the back office', () => {
  it('draft, 422, dry run, four-eyes publication, the next bet evaluated by it, pause, retire', async () => {
    const p = await funded();
    await settledBet(p); // a recent event for the dry run, under the deployed default
    const before = await versions();
    expect(before).toEqual({ active_version: null, versions: [] });

    // a bad set: 422 with each issue's path, nothing stored
    // (the schema's cross-references are checked once the shapes are right: two sets, one issue of each kind)
    const badShape = structuredClone(raw.rule_set) as Json;
    badShape.rules[1].on = 'no.such.event';
    badShape.rules[2].actions[0].amount = -1;
    const badReference = structuredClone(raw.rule_set) as Json;
    badReference.rules[0].when = [{ counter: 'no-such-counter', eq: 1 }];
    for (const [bad, expected] of [[badShape, ['rules.1.on', 'rules.2.actions.0.amount']], [badReference, ['rules.0.when.0.counter']]] as const) {
      const refused = await opCall('POST', `${R}/versions`, marketer, { rule_set: bad, reason });
      expectError(refused, 422, 'invalid_rule_set');
      expect((refused.body.error.details.issues as Json[]).map((i) => i.path)).toEqual(expect.arrayContaining([...expected]));
    }
    expect(await versions()).toEqual(before);

    // roles without rewards.write / rewards.read: 403, nothing stored
    expectError(await opCall('POST', `${R}/versions`, operator, { rule_set: withTestRule(), reason }), 403, 'forbidden');
    expectError(await opCall('POST', `${R}/versions`, analyst, { rule_set: withTestRule(), reason }), 403, 'forbidden');
    expectError(await opCall('GET', `${R}/versions`, operator), 403, 'forbidden');
    expect(await versions()).toEqual(before);

    // the marketer's draft: version 1, cash-like (the deployed set has a free bet and a wheel prize)
    const draft = await opCall('POST', `${R}/versions`, marketer, { rule_set: withTestRule(), reason });
    expect(draft.status, JSON.stringify(draft.body)).toBe(201);
    expect(draft.body.version).toMatchObject({ version: 1, state: 'draft', cash_like: true, rule_set_id: 'live-tables', created_by: `operator:${marketer.operatorId}`, published_at: null });
    expect(draft.body.version.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(draft.body.rule_set.version).toBe(1); // the brand's number, not the submitted one

    // dry run of the draft's new rule over the player's recent events: it would have fired on the settled bet
    const dry = await opCall('POST', `${R}/versions/1/dry-run`, marketer, { player_id: p.playerId, rule_ids: ['publish-test-points'] });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body.dry_run.fired.by_rule).toEqual([{ rule_id: 'publish-test-points', rule_version: 1, grants: 1, suppressed: 0 }]);
    const fired = (dry.body.dry_run.steps as Json[]).flatMap((s) => s.outcomes as Json[]).filter((o) => o.type === 'grant');
    expect(fired).toEqual([expect.objectContaining({ rule_id: 'publish-test-points', rule_version: 1, kind: 'points', amount: 7 })]);
    expect(dry.body.dry_run.events).toBeGreaterThanOrEqual(2); // the bet placed and settled
    // another brand's view of the player, or a player of no brand here: 404; the dry run wrote nothing
    expectError(await opCall('POST', `${R}/versions/1/dry-run`, marketer, { player_id: crypto.randomUUID() }), 404, 'player_not_found');
    expect(grantsOf(await rewards(p), 'publish-test-points')).toEqual([]);

    // four eyes: the author may not publish a cash-like version; an operator without rewards.publish may not either
    expectError(await opCall('POST', `${R}/versions/1/publish`, marketer, { reason }), 403, 'four_eyes_violation');
    expectError(await opCall('POST', `${R}/versions/1/publish`, operator, { reason }), 403, 'forbidden');
    expect((await versions()).active_version).toBeNull();
    const published = await opCall('POST', `${R}/versions/1/publish`, secondMarketer, { reason });
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    expect(published.body).toMatchObject({ previous: null, version: { version: 1, state: 'published', published_by: `operator:${secondMarketer.operatorId}` } });
    expect((await versions()).active_version).toBe(1);

    // the audit log: the refusal and the publication, with the version and its hash
    const audit = (await auditEntries(admin, BRAND)).filter((e) => e.action === 'rewards.publish')
      .map((e) => ({ ...e, after: typeof e.after === 'string' ? JSON.parse(e.after) : e.after }));
    expect(audit).toEqual(expect.arrayContaining([
      expect.objectContaining({ outcome: 'denied', actor_id: marketer.operatorId, target_id: '1' }),
      expect.objectContaining({ outcome: 'allowed', actor_id: secondMarketer.operatorId, target_id: '1', after: expect.objectContaining({ version: 1, hash: draft.body.version.hash }) }),
    ]));

    // the player's object picks it up (what the timed refresh does), and the next bet is evaluated by it
    expect(await refresh(p)).toBe(1);
    await settledBet(p);
    const after = await rewards(p);
    expect(after.rule_set).toEqual({ id: 'live-tables', version: 1 });
    expect(grantsOf(after, 'publish-test-points')).toEqual([expect.objectContaining({ kind: 'points', amount: 7, rule_version: 1 })]);
    expect(grantsOf(after, 'settled-table-bet')).toHaveLength(4); // the default's rule is in the set too: two bets, XP and points each

    // a rule's (id, version) names one content: reusing it with other content is refused with its path
    const reused = await opCall('POST', `${R}/versions`, marketer, { rule_set: withTestRule(8, 1), reason });
    expectError(reused, 422, 'invalid_rule_set');
    expect((reused.body.error.details.issues as Json[]).map((i) => i.path)).toEqual([`rules.${raw.rule_set.rules.length}.version`]);

    // pausing the rule: a new version, live at once; the next bet no longer fires it
    expectError(await opCall('POST', `${R}/rules/publish-test-points/pause`, analyst, { reason }), 403, 'forbidden');
    const paused = await opCall('POST', `${R}/rules/publish-test-points/pause`, marketer, { reason });
    expect(paused.status, JSON.stringify(paused.body)).toBe(200);
    expect(paused.body).toMatchObject({ previous: 1, version: { version: 2, state: 'published', based_on: 1 } });
    expect((await versions()).versions.map((v: Json) => [v.version, v.state])).toEqual([[2, 'published'], [1, 'superseded']]);
    expect(await refresh(p)).toBe(2);
    await settledBet(p);
    const afterPause = await rewards(p);
    expect(grantsOf(afterPause, 'publish-test-points')).toHaveLength(1);
    expect(grantsOf(afterPause, 'settled-table-bet')).toHaveLength(6);

    // retiring the live version: the deployed default again, picked up by the timed refresh after a call
    const retired = await opCall('POST', `${R}/versions/2/retire`, secondMarketer, { reason });
    expect(retired.status, JSON.stringify(retired.body)).toBe(200);
    expect((await versions()).active_version).toBeNull();
    await new Promise((r) => setTimeout(r, 5_200)); // REWARDS_REFRESH_MS, 5 s by default
    await rewards(p); // a call: its transaction is followed by the refresh
    let version: number | null = 2;
    for (let i = 0; i < 50 && version !== null; i++) {
      version = await player(p.playerId).rewardsRuleSetVersion();
      if (version !== null) await new Promise((r) => setTimeout(r, 50));
    }
    expect(version).toBeNull();
    expect((await rewards(p)).rule_set).toEqual({ id: raw.rule_set.id, version: raw.rule_set.version }); // config/rewards.json, the default again
  });

  it('a version without cash-like rewards is published by its author', async () => {
    const draft = await opCall('POST', `${R}/versions`, marketer, { rule_set: minimalSet(), reason });
    expect(draft.status, JSON.stringify(draft.body)).toBe(201);
    expect(draft.body.version.cash_like).toBe(false);
    const v = draft.body.version.version as number;
    const published = await opCall('POST', `${R}/versions/${v}/publish`, marketer, { reason });
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    // published once: a second publication is a 409, and a published version cannot be a draft again
    expectError(await opCall('POST', `${R}/versions/${v}/publish`, secondMarketer, { reason }), 409, 'invalid_state');
    const p = await funded();
    expect(await refresh(p)).toBe(v);
    await settledBet(p);
    const view = await rewards(p);
    expect(view.rule_set).toEqual({ id: 'minimal', version: v });
    expect(grantsOf(view, 'minimal-points')).toEqual([expect.objectContaining({ kind: 'points', amount: 3, rule_version: 1 })]);
    expect(grantsOf(view, 'settled-table-bet')).toEqual([]);
    // back to the default for the other tests of this file
    expect((await opCall('POST', `${R}/versions/${v}/retire`, marketer, { reason })).status).toBe(200);
    expect(await refresh(p)).toBeNull();
  });

  it('unknown versions and brands are 404; a retired draft cannot be published', async () => {
    expectError(await opCall('GET', `${R}/versions/999`, marketer), 404, 'rule_set_version_not_found');
    expectError(await opCall('GET', '/v1/ops/brands/nowhere/rewards/versions', admin), 404, 'not_found');
    const draft = await opCall('POST', `${R}/versions`, marketer, { rule_set: minimalSet(), reason });
    const v = draft.body.version.version as number;
    expect((await opCall('POST', `${R}/versions/${v}/retire`, marketer, { reason })).status).toBe(200);
    expectError(await opCall('POST', `${R}/versions/${v}/publish`, secondMarketer, { reason }), 409, 'invalid_state');
    // another brand's marketer cannot touch this brand's versions
    const sakura = await createOperator(admin, { roles: ['marketer'], brands: ['sakura'] });
    expectError(await opCall('POST', `${R}/versions`, sakura, { rule_set: minimalSet(), reason }), 403, 'forbidden');
  });
});
