/**
 * The back office's answers against its own OpenAPI document. A realistic flow through /v1/ops
 * (bootstrap and login, operator management, one player from KYC to disputes, the queues, alerts,
 * the audit log, live tables and the catalog); every JSON answer is parsed with the zod schema the
 * route's response names in /v1/openapi.json, strictly at every depth, so a field the schema lacks
 * or a field it promises and the body misses fails here. No /v1/ops response may be documented as
 * a loose record, and every documented JSON answer of /v1/ops must be met by the flow.
 */
import { z } from '@hono/zod-openapi';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { currentTotp } from '../../durable/operator/mfa';
import * as brandViews from '../../worker/ops/brand-views';
import * as catalogViews from '../../worker/ops/catalog-views';
import * as playerViews from '../../worker/ops/player-views';
import * as opsSchemas from '../../worker/ops/schemas';
import * as tableViews from '../../worker/ops/table-views';
import * as rewardsViews from '../../worker/ops/rewards-views';
import * as catalogSchemas from '../../worker/catalog/schemas';
import * as tableSchemas from '../../worker/tables/schemas';
import * as blackjackSchemas from '../../worker/tables/blackjack-schemas';
import * as tournamentSchemas from '../../worker/tournaments/schemas';
import { call, deposit, idemKey, register, uniqueEmail, type Json } from './helpers';
import { BOOTSTRAP, OP_PASSWORD } from './ops-helpers';

type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Json }> }> }>>; components: { schemas: Record<string, Json> } };

/** Every exported zod object schema, by the name it has in the document's components. */
const NAMED = new Map<string, z.ZodType>();
for (const mod of [playerViews, brandViews, opsSchemas, catalogViews, tableViews, catalogSchemas, tableSchemas, blackjackSchemas, rewardsViews, tournamentSchemas] as Record<string, unknown>[]) {
  for (const [exportName, v] of Object.entries(mod)) if (v instanceof z.ZodType) NAMED.set(exportName, v);
}
// exports whose document name differs from the export's
const ALIASES: Record<string, string> = {
  LoginChallenge: 'ChallengeResponse', OperatorSession: 'SessionResponse', TableRound: 'PublicRound', TableBet: 'Bet',
  CatalogProvider: 'Provider', CatalogCategory: 'Category', CatalogGame: 'Game', RelayStatus: 'RelayState', AuditDayVerification: 'AuditDay',
  TournamentLeaderboard: 'Leaderboard', TournamentAward: 'Award',
};
const schemaNamed = (name: string) => NAMED.get(ALIASES[name] ?? name);

/** The schema with every object strict, at every depth: an unknown field anywhere fails. */
function strictDeep(s: z.ZodType): z.ZodType {
  if (s instanceof z.ZodObject) return z.strictObject(Object.fromEntries(Object.entries(s.shape).map(([k, v]) => [k, strictDeep(v as z.ZodType)])));
  if (s instanceof z.ZodArray) return z.array(strictDeep(s.element as z.ZodType));
  if (s instanceof z.ZodNullable) return strictDeep(s.unwrap() as z.ZodType).nullable();
  if (s instanceof z.ZodOptional) return strictDeep(s.unwrap() as z.ZodType).optional();
  if (s instanceof z.ZodUnion) return z.union((s.options as z.ZodType[]).map(strictDeep) as [z.ZodType, z.ZodType]);
  return s;
}

/** A schema of the document that is an object of anything: `{type: object, additionalProperties: {}}` with no properties. */
function isLooseRecord(s: Json): boolean {
  return s.type === 'object' && !s.properties && s.additionalProperties !== undefined && typeof s.additionalProperties === 'object' && Object.keys(s.additionalProperties).length === 0;
}

/** Where a schema of the document, followed through $refs, is a loose record (the shared Error's details aside). */
function looseRecordsIn(doc: Doc, s: Json, at: string, seen = new Set<string>()): string[] {
  if (!s || typeof s !== 'object') return [];
  if (typeof s.$ref === 'string') {
    const name = s.$ref.split('/').pop() as string;
    if (name === 'Error' || seen.has(name)) return [];
    seen.add(name);
    return looseRecordsIn(doc, doc.components.schemas[name]!, `${at} -> ${name}`, seen);
  }
  const found = isLooseRecord(s) ? [at] : [];
  for (const [k, v] of Object.entries(s)) if (v && typeof v === 'object') found.push(...looseRecordsIn(doc, v as Json, `${at}.${k}`, seen));
  return found;
}

let doc: Doc;
const met = new Set<string>();

/**
 * Checks one answer against the response the document declares for its route and status: a named
 * schema ($ref), whose zod schema (exported, found by that name) parses the body strictly.
 */
function expectDocumented(method: string, route: string, res: { status: number; body: Json }, status: number): Json {
  expect(res.status, `${method} ${route}: ${JSON.stringify(res.body).slice(0, 400)}`).toBe(status);
  const op = doc.paths[`/v1/ops${route}`]?.[method.toLowerCase()];
  expect(op, `${method} /v1/ops${route} is not in the document`).toBeDefined();
  const schema = op!.responses[String(status)]?.content?.['application/json']?.schema;
  expect(schema?.$ref, `${method} ${route} ${status}: the answer is not a named schema`).toMatch(/^#\/components\/schemas\//);
  const name = (schema!.$ref as string).split('/').pop() as string;
  const zod = schemaNamed(name);
  expect(zod, `no exported zod schema for component ${name}`).toBeDefined();
  const parsed = strictDeep(zod!).safeParse(res.body);
  if (!parsed.success) throw new Error(`${method} ${route} (${name}) does not match its schema:\n${z.prettifyError(parsed.error)}\n${JSON.stringify(res.body).slice(0, 1500)}`);
  met.add(`${method} /v1/ops${route}`);
  return res.body;
}

type Op = { token: string; operatorId: string };
const ops = (method: string, path: string, who: Op | null, body?: unknown, headers: Record<string, string> = {}) =>
  call(method, `/v1/ops${path}`, body, { token: who?.token, headers });

/** The queues and alerts follow the players' relayed events: wait for them rather than sleep. */
async function eventually(fn: () => Promise<{ status: number; body: Json }>, check: (b: Json) => boolean) {
  return vi.waitFor(async () => {
    const r = await fn();
    if (r.status !== 200 || !check(r.body)) throw new Error(`not yet: ${JSON.stringify(r.body).slice(0, 300)}`);
    return r;
  }, { timeout: 10_000, interval: 50 });
}

const reason = (r: string) => ({ reason: r });
const day = () => new Date().toISOString().slice(0, 10);

describe('back-office answers match the OpenAPI document', () => {
  let admin: Op;
  let compliance: Op;

  beforeAll(async () => {
    const r = await call('GET', '/v1/openapi.json');
    expect(r.status).toBe(200);
    doc = r.body as Doc;
  });

  it('no /v1/ops response is documented as a loose record', () => {
    // the detector knows one when it sees one (what z.record(z.string(), z.unknown()) documents)
    expect(isLooseRecord({ type: 'object', additionalProperties: {} })).toBe(true);
    expect(isLooseRecord({ type: 'object', additionalProperties: { type: 'string' } })).toBe(false);
    const loose: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      if (!path.startsWith('/v1/ops/')) continue;
      for (const [method, op] of Object.entries(methods)) {
        for (const [status, res] of Object.entries(op.responses ?? {})) {
          const schema = res.content?.['application/json']?.schema;
          if (schema) loose.push(...looseRecordsIn(doc, schema, `${method.toUpperCase()} ${path} ${status}`));
        }
      }
    }
    expect(loose).toEqual([]);
  });

  it('every named component has an exported zod schema with the same fields', () => {
    /** A component's fields, with those of the schemas it extends (allOf with a $ref). */
    const fieldsOf = (s: Json): string[] => [
      ...Object.keys(s.properties ?? {}),
      ...((s.allOf ?? []) as Json[]).flatMap((part) => fieldsOf(part.$ref ? doc.components.schemas[(part.$ref as string).split('/').pop()!]! : part)),
    ];
    for (const name of Object.keys(doc.components.schemas)) {
      const zod = schemaNamed(name);
      if (!zod || !(zod instanceof z.ZodObject)) continue;
      expect([...new Set(fieldsOf(doc.components.schemas[name]!))].sort(), name).toEqual(Object.keys(zod.shape).sort());
    }
  });

  it('bootstrap, login, and operator management', async () => {
    const email = uniqueEmail('admin');
    const boot = expectDocumented('POST', '/bootstrap', await call('POST', '/v1/ops/bootstrap', { email, display_name: 'First Admin', password: OP_PASSWORD }, { headers: { Authorization: BOOTSTRAP } }), 201);
    const secret = boot.challenge.enrolment.secret as string;
    const session = expectDocumented('POST', '/sessions/mfa', await ops('POST', '/sessions/mfa', null, { challenge_token: boot.challenge.challenge_token, code: currentTotp(secret) }), 201);
    admin = { token: session.token, operatorId: session.operator.operator_id };
    expectDocumented('GET', '/me', await ops('GET', '/me', admin), 200);

    const ccEmail = uniqueEmail('compliance');
    const created = expectDocumented('POST', '/operators', await ops('POST', '/operators', admin, {
      email: ccEmail, display_name: 'Compliance', password: OP_PASSWORD, roles: ['compliance_officer'], brands: ['aurora'], jurisdictions: ['*'], vip_clearance: true,
    }), 201);
    const challenge = expectDocumented('POST', '/sessions', await ops('POST', '/sessions', null, { email: ccEmail, password: OP_PASSWORD }), 200);
    const ccSession = expectDocumented('POST', '/sessions/mfa', await ops('POST', '/sessions/mfa', null, { challenge_token: challenge.challenge_token, code: currentTotp(challenge.enrolment.secret) }), 201);
    compliance = { token: ccSession.token, operatorId: created.operator.operator_id };

    const analyst = expectDocumented('POST', '/operators', await ops('POST', '/operators', admin, {
      email: uniqueEmail('analyst'), display_name: 'Analyst', password: OP_PASSWORD, roles: ['analyst'], brands: ['aurora'], jurisdictions: ['MT'], vip_clearance: false,
    }), 201).operator.operator_id as string;
    expectDocumented('GET', '/operators', await ops('GET', '/operators', admin), 200);
    expectDocumented('GET', '/operators/{operator_id}', await ops('GET', `/operators/${compliance.operatorId}`, admin), 200);
    expectDocumented('PATCH', '/operators/{operator_id}', await ops('PATCH', `/operators/${analyst}`, admin, { display_name: 'Analyst (renamed)', ...reason('name change') }), 200);
    expect(expectDocumented('POST', '/operators/{operator_id}/revoke-sessions', await ops('POST', `/operators/${analyst}/revoke-sessions`, admin, reason('laptop lost')), 200).revoked).toBe(0);
    expectDocumented('POST', '/operators/{operator_id}/reset-mfa', await ops('POST', `/operators/${analyst}/reset-mfa`, admin, reason('new phone')), 200);
  });

  it('one player: profile, ledger, timeline, KYC, status, VIP, withdrawals, adjustments, disputes', async () => {
    const p = await register({ brand: 'aurora' });
    expect((await deposit(p.token, 100_000)).status).toBe(201);
    await call('POST', '/v1/players/me/kyc', { provider: 'sandbox', document_type: 'passport', document_number: 'P7654321', sandbox_outcome: 'pending' }, { token: p.token });
    const pp = `/players/${p.playerId}`;

    await eventually(() => ops('GET', '/brands/aurora/queues/kyc', compliance), (b) => b.items.some((i: Json) => i.player_id === p.playerId));
    expectDocumented('GET', '/brands/{brand}/queues/kyc', await ops('GET', '/brands/aurora/queues/kyc', compliance), 200);
    const found = expectDocumented('GET', '/brands/{brand}/players', await ops('GET', `/brands/aurora/players?q=${encodeURIComponent(p.playerId)}`, admin), 200);
    expect(found.players.map((x: Json) => x.player_id)).toEqual([p.playerId]);
    expectDocumented('GET', '/brands/{brand}/summary', await ops('GET', '/brands/aurora/summary', admin), 200);

    expect(expectDocumented('GET', '/players/{player_id}', await ops('GET', pp, admin), 200).player.pii_masked).toBe(true);
    expect(expectDocumented('GET', '/players/{player_id}', await ops('GET', `${pp}?reveal=pii`, admin), 200).player.email).toBe(p.email);
    expectDocumented('GET', '/players/{player_id}/ledger', await ops('GET', `${pp}/ledger`, admin), 200);
    expectDocumented('GET', '/players/{player_id}/timeline', await ops('GET', `${pp}/timeline?limit=5`, admin), 200);
    expect(expectDocumented('POST', '/players/{player_id}/kyc-decision', await ops('POST', `${pp}/kyc-decision`, compliance, { decision: 'approve', ...reason('passport checked') }), 200).player.kyc_status).toBe('verified');
    expect(expectDocumented('PUT', '/players/{player_id}/vip', await ops('PUT', `${pp}/vip`, admin, { vip: true, ...reason('high roller') }), 200).changed).toBe(true);

    // withdrawals: one approved then paid, one rejected
    const w = async (amount_minor: number) => (await call('POST', '/v1/wallet/withdrawals', { amount_minor, currency: 'EUR' }, { token: p.token, headers: { 'Idempotency-Key': idemKey() } })).body.withdrawal.withdrawal_id as string;
    const [w1, w2] = [await w(5_000), await w(3_000)];
    await eventually(() => ops('GET', '/brands/aurora/queues/withdrawals', admin), (b) => [w1, w2].every((id) => b.items.some((i: Json) => i.withdrawal_id === id)));
    expectDocumented('GET', '/brands/{brand}/queues/withdrawals', await ops('GET', '/brands/aurora/queues/withdrawals', admin), 200);
    const wd = '/players/{player_id}/withdrawals/{withdrawal_id}';
    expect(expectDocumented('POST', `${wd}/decision`, await ops('POST', `${pp}/withdrawals/${w1}/decision`, admin, { decision: 'approve', ...reason('KYC ok') }), 200).withdrawal.state).toBe('approved');
    expect(expectDocumented('POST', `${wd}/paid`, await ops('POST', `${pp}/withdrawals/${w1}/paid`, admin, reason('bank transfer sent')), 200).withdrawal.state).toBe('paid');
    expectDocumented('POST', `${wd}/decision`, await ops('POST', `${pp}/withdrawals/${w2}/decision`, admin, { decision: 'reject', ...reason('name mismatch') }), 200);

    // adjustments: one applied at once, one waiting for four eyes, approved by someone else
    const adj = '/players/{player_id}/adjustments';
    const small = expectDocumented('POST', adj, await ops('POST', `${pp}/adjustments`, admin, { currency: 'EUR', amount_minor: 1_500, ...reason('goodwill') }, { 'Idempotency-Key': idemKey() }), 201);
    expect(small.adjustment).toMatchObject({ state: 'applied', hold_id: null });
    const key = idemKey();
    const large = expectDocumented('POST', adj, await ops('POST', `${pp}/adjustments`, admin, { currency: 'EUR', amount_minor: 75_000, ...reason('jackpot paid manually') }, { 'Idempotency-Key': key }), 201);
    expect(large).toMatchObject({ replayed: false, adjustment: { state: 'pending' } });
    expect(expectDocumented('POST', adj, await ops('POST', `${pp}/adjustments`, admin, { currency: 'EUR', amount_minor: 75_000, ...reason('jackpot paid manually') }, { 'Idempotency-Key': key }), 201).replayed).toBe(true);
    await eventually(() => ops('GET', '/brands/aurora/queues/adjustments', compliance), (b) => b.items.some((i: Json) => i.adjustment_id === large.adjustment.adjustment_id));
    expectDocumented('GET', '/brands/{brand}/queues/adjustments', await ops('GET', '/brands/aurora/queues/adjustments', compliance), 200);
    expect(expectDocumented('POST', `${adj}/{adjustment_id}/decision`, await ops('POST', `${pp}/adjustments/${large.adjustment.adjustment_id}/decision`, compliance, { decision: 'approve', ...reason('provider report') }), 200).adjustment.state).toBe('applied');

    // disputes: a void (applied), a small correction (applied) and a large one (pending, then approved)
    const round = async (id: string, stake: number, win: number) => expect((await call('POST', '/v1/dev/rounds', { round_id: id, currency: 'EUR', amount_minor: stake, win_minor: win }, { token: p.token })).status).toBe(200);
    await round('oa-void', 2_000, 0);
    await round('oa-fix', 1_000, 500);
    const dispute = (body: Json) => ops('POST', `${pp}/disputes`, admin, body, { 'Idempotency-Key': idemKey() });
    expect(expectDocumented('POST', '/players/{player_id}/disputes', await dispute({ hold_id: 'instant:oa-void', resolution: 'void', ...reason('game froze') }), 201).dispute).toMatchObject({ resolution: 'void', state: 'applied', amount_minor: 2_000 });
    expect(expectDocumented('POST', '/players/{player_id}/disputes', await dispute({ hold_id: 'instant:oa-fix', resolution: 'correct', amount_minor: 100, ...reason('paid short') }), 201).dispute).toMatchObject({ state: 'applied' });
    const pending = expectDocumented('POST', '/players/{player_id}/disputes', await dispute({ hold_id: 'instant:oa-fix', resolution: 'correct', amount_minor: 60_000, ...reason('paid very short') }), 201).dispute;
    expect(pending).toMatchObject({ state: 'pending', amount_minor: 60_000, hold_id: 'instant:oa-fix' });
    const approved = expectDocumented('POST', `${adj}/{adjustment_id}/decision`, await ops('POST', `${pp}/adjustments/${pending.dispute_id}/decision`, compliance, { decision: 'approve', ...reason('provider confirmed') }), 200);
    expect(approved.adjustment).toMatchObject({ state: 'applied', hold_id: 'instant:oa-fix' });

    // the profile again, now with withdrawals, adjustments and a correction's hold in it
    const profile = expectDocumented('GET', '/players/{player_id}', await ops('GET', pp, admin), 200);
    expect(profile.adjustments.length).toBeGreaterThanOrEqual(3);
    expect(profile.withdrawals.length).toBe(2);
    expectDocumented('GET', '/players/{player_id}/ledger', await ops('GET', `${pp}/ledger?limit=3&currency=EUR`, admin), 200);

    // last, since locking ends the player's sessions
    expect(expectDocumented('POST', '/players/{player_id}/lock', await ops('POST', `${pp}/lock`, admin, reason('suspicious login')), 200).player.status).toBe('locked');
    expect(expectDocumented('POST', '/players/{player_id}/unlock', await ops('POST', `${pp}/unlock`, admin, reason('player verified by phone')), 200).player.status).toBe('active');
  });

  it('alerts and the audit log', async () => {
    const p = await register({ brand: 'aurora' });
    expect((await deposit(p.token, 10_000)).status).toBe(201);
    await call('POST', '/v1/dev/rounds', { round_id: 'oa-big', currency: 'EUR', amount_minor: 1_000, win_minor: 600_000 }, { token: p.token });
    const alerts = await eventually(() => ops('GET', '/brands/aurora/alerts', admin), (b) => b.alerts.some((a: Json) => a.player_id === p.playerId));
    expectDocumented('GET', '/brands/{brand}/alerts', alerts, 200);
    const alertId = alerts.body.alerts.find((a: Json) => a.player_id === p.playerId).alert_id as string;
    expect(expectDocumented('POST', '/brands/{brand}/alerts/{alert_id}/resolve', await ops('POST', `/brands/aurora/alerts/${alertId}/resolve`, admin, { note: 'legitimate jackpot' }), 200).alert.state).toBe('resolved');
    expectDocumented('GET', '/brands/{brand}/alerts', await ops('GET', '/brands/aurora/alerts?state=resolved', admin), 200);

    const page = expectDocumented('GET', '/brands/{brand}/audit', await ops('GET', `/brands/aurora/audit?day=${day()}&limit=500`, admin), 200);
    expect(page.entries.length).toBeGreaterThan(5);
    expectDocumented('GET', '/brands/{brand}/audit', await ops('GET', `/brands/platform/audit?day=${day()}`, admin), 200);
    expect(expectDocumented('GET', '/brands/{brand}/audit/verify', await ops('GET', `/brands/aurora/audit/verify?from=${day()}&to=${day()}`, admin), 200).ok).toBe(true);
  });

  it('live tables', async () => {
    const p = await register({ brand: 'aurora' });
    expect((await deposit(p.token, 10_000)).status).toBe(201);
    const t = '/tables/{table_id}';
    expectDocumented('GET', '/tables', await ops('GET', '/tables', admin), 200);
    const round = expectDocumented('POST', `${t}/rounds`, await ops('POST', '/tables/roulette-1/rounds', admin), 201).round;
    const bet = await call('POST', '/v1/tables/roulette-1/bets', { bet_id: crypto.randomUUID(), round_id: round.round_id, spot: 'red', amount_minor: 500, currency: 'EUR' }, { token: p.token });
    expect(bet.status, JSON.stringify(bet.body)).toBe(201);
    expectDocumented('POST', `${t}/rounds/{round_id}/close`, await ops('POST', `/tables/roulette-1/rounds/${round.round_id}/close`, admin), 200);
    expectDocumented('POST', `${t}/rounds/{round_id}/result`, await ops('POST', `/tables/roulette-1/rounds/${round.round_id}/result`, admin, { outcome: { number: 7 } }), 200);
    const detail = expectDocumented('GET', `${t}/rounds/{round_id}`, await ops('GET', `/tables/roulette-1/rounds/${round.round_id}`, admin), 200);
    expect(detail.bets).toHaveLength(1);
    expectDocumented('GET', `${t}/rtp`, await ops('GET', '/tables/roulette-1/rtp', admin), 200);
    const next = expectDocumented('POST', `${t}/rounds`, await ops('POST', '/tables/roulette-1/rounds', admin), 201).round;
    expectDocumented('POST', `${t}/rounds/{round_id}/void`, await ops('POST', `/tables/roulette-1/rounds/${next.round_id}/void`, admin, reason('wheel malfunction')), 200);
    // blackjack: a dealer deals card by card
    const bj = expectDocumented('POST', `${t}/rounds`, await ops('POST', '/tables/blackjack-1/rounds', admin), 201).round;
    const seat = await call('POST', '/v1/tables/blackjack-1/blackjack/bets', { bet_id: crypto.randomUUID(), round_id: bj.round_id, seat: 1, main_minor: 500, currency: 'EUR' }, { token: p.token });
    expect(seat.status, JSON.stringify(seat.body)).toBe(201);
    expectDocumented('POST', `${t}/rounds/{round_id}/close`, await ops('POST', `/tables/blackjack-1/rounds/${bj.round_id}/close`, admin), 200);
    expect(expectDocumented('POST', `${t}/rounds/{round_id}/cards`, await ops('POST', `/tables/blackjack-1/rounds/${bj.round_id}/cards`, admin, { card: 'KD' }), 200).round.phase).toBe('dealing');
  });

  it('the game catalog', async () => {
    const g = '/catalog';
    const providers = expectDocumented('GET', `${g}/providers`, await ops('GET', '/catalog/providers', admin), 200).providers as Json[];
    const providerId = providers[0]!.provider_id as string;
    const created = expectDocumented('POST', `${g}/providers`, await ops('POST', '/catalog/providers', admin, { provider_id: 'oa-provider', name: 'OpenAPI Games', ...reason('contract signed') }), 201).provider;
    expectDocumented('GET', `${g}/providers/{provider_id}`, await ops('GET', `/catalog/providers/${providerId}`, admin), 200);
    expectDocumented('PATCH', `${g}/providers/{provider_id}`, await ops('PATCH', '/catalog/providers/oa-provider', admin, { name: 'OpenAPI Games Ltd', version: created.version, ...reason('legal name') }), 200);
    const enabled = expectDocumented('POST', `${g}/providers/{provider_id}/enable`, await ops('POST', '/catalog/providers/oa-provider/enable', admin, reason('go live')), 200).provider;
    expectDocumented('POST', `${g}/providers/{provider_id}/disable`, await ops('POST', '/catalog/providers/oa-provider/disable', admin, { version: enabled.version, ...reason('paused') }), 200);

    const categories = expectDocumented('GET', `${g}/categories`, await ops('GET', '/catalog/categories', admin), 200).categories as Json[];
    const category = expectDocumented('POST', `${g}/categories`, await ops('POST', '/catalog/categories', admin, { category_id: 'oa-category', name: 'OpenAPI', sort: 90, ...reason('new lobby row') }), 201).category;
    expectDocumented('PATCH', `${g}/categories/{category_id}`, await ops('PATCH', '/catalog/categories/oa-category', admin, { name: 'OpenAPI picks', version: category.version, ...reason('rename') }), 200);

    expectDocumented('POST', `${g}/games`, await ops('POST', '/catalog/games', admin, {
      game_id: 'oa-gold-rush', provider_id: 'oa-provider', title: 'Gold Rush', category_id: 'oa-category', jurisdictions: ['MT'], rtp_bp: 9610, volatility: 'high',
      bet_limits: { EUR: { min_minor: 10, max_minor: 10_000 } }, ...reason('certified by the test lab'),
    }), 201);
    const games = expectDocumented('GET', `${g}/games`, await ops('GET', '/catalog/games', admin), 200).games as Json[];
    const game = games[0]!;
    expectDocumented('GET', `${g}/games/{game_id}`, await ops('GET', `/catalog/games/${game.game_id}`, admin), 200);
    const changed = expectDocumented('PATCH', `${g}/games/{game_id}`, await ops('PATCH', `/catalog/games/${game.game_id}`, admin, { title: `${game.title} (OA)`, version: game.version, ...reason('typo') }), 200).game;
    const off = expectDocumented('POST', `${g}/games/{game_id}/disable`, await ops('POST', `/catalog/games/${game.game_id}/disable`, admin, { version: changed.version, ...reason('maintenance') }), 200).game;
    expectDocumented('POST', `${g}/games/{game_id}/enable`, await ops('POST', `/catalog/games/${game.game_id}/enable`, admin, { version: off.version, ...reason('maintenance over') }), 200);
    expectDocumented('GET', `${g}/changes`, await ops('GET', '/catalog/changes?limit=20', admin), 200);
    expectDocumented('GET', '/brands/{brand}/games/rtp', await ops('GET', '/brands/aurora/games/rtp', admin), 200);
    expect(categories.length).toBeGreaterThan(0);
  });

  it('rewards rule sets: draft, read, dry run, publish, pause and retire a rule, retire the version', async () => {
    const p = await register();
    const r = '/brands/{brand}/rewards';
    const set = {
      id: 'oa-set', version: 1, caps: { points_per_day: 100, cash_minor_per_day: {} },
      rules: [
        { id: 'oa-points', version: 1, status: 'active', name: 'OA points', on: 'table.bet.settled', actions: [{ type: 'points', amount: 1 }] },
        { id: 'oa-xp', version: 1, status: 'active', name: 'OA xp', on: 'table.bet.settled', actions: [{ type: 'xp', amount: 1 }] },
      ],
    };
    const draft = expectDocumented('POST', `${r}/versions`, await ops('POST', '/brands/aurora/rewards/versions', admin, { rule_set: set, ...reason('autumn campaign') }), 201);
    const v = draft.version.version as number;
    expectDocumented('GET', `${r}/versions`, await ops('GET', '/brands/aurora/rewards/versions', admin), 200);
    expectDocumented('GET', `${r}/versions/{version}`, await ops('GET', `/brands/aurora/rewards/versions/${v}`, admin), 200);
    expectDocumented('POST', `${r}/versions/{version}/dry-run`, await ops('POST', `/brands/aurora/rewards/versions/${v}/dry-run`, admin, { player_id: p.playerId }), 200);
    expectDocumented('POST', `${r}/versions/{version}/publish`, await ops('POST', `/brands/aurora/rewards/versions/${v}/publish`, admin, reason('approved campaign')), 200);
    expectDocumented('POST', `${r}/rules/{rule_id}/pause`, await ops('POST', '/brands/aurora/rewards/rules/oa-points/pause', admin, reason('over budget')), 200);
    const live = expectDocumented('POST', `${r}/rules/{rule_id}/retire`, await ops('POST', '/brands/aurora/rewards/rules/oa-xp/retire', admin, reason('campaign over')), 200);
    expectDocumented('POST', `${r}/versions/{version}/retire`, await ops('POST', `/brands/aurora/rewards/versions/${live.version.version}/retire`, admin, reason('back to the default')), 200);
  });

  it('tournaments', async () => {
    const id = `oa-${Date.now().toString(36)}`;
    const def = { tournament_id: id, brand: 'aurora', name: 'OpenAPI cup', starts_at: Date.now(), ends_at: Date.now() + 3_600_000, currency: 'EUR', scoring: [{ term: 'stake', weight: 1 }], prizes: [1_000, 500], ...reason('launch promotion') };
    expectDocumented('POST', '/tournaments', await ops('POST', '/tournaments', admin, def), 201);
    expectDocumented('POST', '/tournaments', await ops('POST', '/tournaments', admin, def), 200);
    expect(expectDocumented('GET', '/tournaments', await ops('GET', '/tournaments?brand=aurora', admin), 200).tournaments.length).toBeGreaterThan(0);
    expectDocumented('GET', '/tournaments/{tournament_id}', await ops('GET', `/tournaments/${id}`, admin), 200);
    expect(expectDocumented('POST', '/tournaments/{tournament_id}/cancel', await ops('POST', `/tournaments/${id}/cancel`, admin, reason('budget withdrawn')), 200).tournament.status).toBe('cancelled');
    // a pool above the four-eyes threshold: pending until another operator approves it
    const big = { ...def, tournament_id: `${id}-big`, prizes: [500_000] };
    expect(expectDocumented('POST', '/tournaments', await ops('POST', '/tournaments', admin, big), 201).tournament.status).toBe('pending_approval');
    expect(expectDocumented('POST', '/tournaments/{tournament_id}/approve', await ops('POST', `/tournaments/${big.tournament_id}/approve`, compliance, reason('budget signed off')), 200).tournament.approved_by).toBe(`operator:${compliance.operatorId}`);
  });

  it('the flow met every JSON answer the document gives /v1/ops', () => {
    const documented: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      if (!path.startsWith('/v1/ops/')) continue;
      for (const [method, op] of Object.entries(methods)) {
        const ok = Object.entries(op.responses).some(([status, r]) => status.startsWith('2') && r.content?.['application/json']);
        if (ok) documented.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(documented.filter((r) => !met.has(r))).toEqual([]);
  });
});
