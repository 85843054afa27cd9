/**
 * TARGETS R6, the authorization matrix: every back-office route x every role, plus player tokens
 * and no token. The expected matrix is written out by hand below (it is the specification), not
 * derived from config/policies.json, so a policy edit that opens or closes a route makes this fail.
 * A test also checks that every /v1/ops route in the OpenAPI document is in the matrix.
 *
 * "Allowed" means the request passed authorization: any answer but 401/403 (the target of a
 * decision may well be 404 or 409). "Denied" means 403 `forbidden` for operators and 401 for
 * players and anonymous callers, and an audit entry for the denial.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../domain/authz';
import { call, deposit, register, type Registered } from './helpers';
import { auditEntries, bootstrapAdmin, createOperator, type Operator } from './ops-helpers';

type Caller = Role | 'player' | 'anonymous';
type Case = { method: string; path: string; body?: unknown; headers?: Record<string, string>; allowed: Role[] };

const A: Role = 'admin';
const O: Role = 'operator';
const C: Role = 'compliance_officer';
const M: Role = 'marketer';
const N: Role = 'analyst';
const S: Role = 'support_agent';
const D: Role = 'dealer';

const unknownId = '01890000-0000-7000-8000-000000000000';
const reason = { reason: 'authorization matrix test' };
const day = new Date().toISOString().slice(0, 10);
let key = 0;
const idem = () => ({ 'Idempotency-Key': `matrix-${Date.now()}-${++key}` });

/** The specification: which roles may call each route. */
function matrix(playerId: string, operatorId: string): Case[] {
  const p = `/v1/ops/players/${playerId}`;
  const b = '/v1/ops/brands/aurora';
  const t = '/v1/ops/tables/roulette-1';
  const g = '/v1/ops/catalog';
  return [
    { method: 'GET', path: '/v1/ops/me', allowed: [...ROLES] },
    { method: 'GET', path: '/v1/ops/operators', allowed: [A] },
    { method: 'POST', path: '/v1/ops/operators', body: { email: `m${Date.now()}@example.test`, display_name: 'M', password: 'operator-password-123', roles: ['analyst'], brands: ['aurora'], jurisdictions: ['MT'], vip_clearance: false }, allowed: [A] },
    { method: 'GET', path: `/v1/ops/operators/${operatorId}`, allowed: [A] },
    { method: 'PATCH', path: `/v1/ops/operators/${operatorId}`, body: { display_name: 'Target', ...reason }, allowed: [A] },
    { method: 'POST', path: `/v1/ops/operators/${unknownId}/revoke-sessions`, body: reason, allowed: [A] },
    { method: 'POST', path: `/v1/ops/operators/${unknownId}/reset-mfa`, body: reason, allowed: [A] },
    { method: 'GET', path: p, allowed: [A, O, C, M, N, S] },
    { method: 'GET', path: `${p}?reveal=pii`, allowed: [A, C] },
    { method: 'GET', path: `${p}/ledger`, allowed: [A, O, C, S] },
    { method: 'GET', path: `${p}/timeline`, allowed: [A, O, C, S] },
    { method: 'POST', path: `${p}/lock`, body: reason, allowed: [A, O, C] },
    { method: 'POST', path: `${p}/unlock`, body: reason, allowed: [A, O, C] },
    { method: 'PUT', path: `${p}/vip`, body: { vip: false, ...reason }, allowed: [A, M] },
    { method: 'POST', path: `${p}/kyc-decision`, body: { decision: 'approve', ...reason }, allowed: [A, C] },
    { method: 'POST', path: `${p}/withdrawals/${unknownId}/decision`, body: { decision: 'reject', ...reason }, allowed: [A, O, C] },
    { method: 'POST', path: `${p}/withdrawals/${unknownId}/paid`, body: reason, allowed: [A, O, C] },
    { method: 'POST', path: `${p}/adjustments`, headers: idem(), body: { currency: 'EUR', bucket: 'real', amount_minor: 1, ...reason }, allowed: [A, O] },
    { method: 'POST', path: `${p}/adjustments/${unknownId}/decision`, body: { decision: 'approve', ...reason }, allowed: [A, C] },
    { method: 'POST', path: `${p}/disputes`, headers: idem(), body: { hold_id: 'no-such-hold', resolution: 'void', ...reason }, allowed: [A, O] },
    { method: 'GET', path: `${b}/players?q=example`, allowed: [A, O, C, M, N, S] },
    { method: 'GET', path: `${b}/summary`, allowed: [A, O, C, M, N, S] },
    { method: 'GET', path: `${b}/queues/kyc`, allowed: [A, C] },
    { method: 'GET', path: `${b}/queues/withdrawals`, allowed: [A, O, C] },
    { method: 'GET', path: `${b}/queues/adjustments`, allowed: [A, C] },
    { method: 'GET', path: `${b}/alerts`, allowed: [A, O, C] },
    { method: 'POST', path: `${b}/alerts/${unknownId}/resolve`, body: { note: 'matrix test' }, allowed: [A, O, C] },
    { method: 'GET', path: `${b}/exports/players.csv`, allowed: [A, C, N] },
    { method: 'GET', path: `${b}/audit?day=${day}`, allowed: [A, C] },
    { method: 'GET', path: `${b}/audit/verify?from=${day}&to=${day}`, allowed: [A, C] },
    // live tables (roulette-1 belongs to aurora)
    { method: 'GET', path: '/v1/ops/tables', allowed: [...ROLES] },
    { method: 'GET', path: `${t}/rounds/${unknownId}`, allowed: [A, O, C, N, D] },
    { method: 'GET', path: `${t}/rtp`, allowed: [A, O, C, N, D] },
    { method: 'POST', path: `${t}/rounds`, allowed: [A, D] },
    { method: 'POST', path: `${t}/rounds/${unknownId}/close`, allowed: [A, D] },
    { method: 'POST', path: `${t}/rounds/${unknownId}/result`, body: { outcome: { number: 7 } }, allowed: [A, D] },
    { method: 'POST', path: `${t}/rounds/${unknownId}/cards`, body: { card: 'KD' }, allowed: [A, D] },
    { method: 'POST', path: `${t}/rounds/${unknownId}/void`, body: reason, allowed: [A, O] },
    // the game catalog: game.read (A, O, C, M, N) reads, game.manage (A, O) changes; the first allowed pass creates matrix-*
    { method: 'GET', path: `${g}/providers`, allowed: [A, O, C, M, N] },
    { method: 'POST', path: `${g}/providers`, body: { provider_id: 'matrix-provider', name: 'Matrix', ...reason }, allowed: [A, O] },
    { method: 'GET', path: `${g}/providers/matrix-provider`, allowed: [A, O, C, M, N] },
    { method: 'PATCH', path: `${g}/providers/matrix-provider`, body: { name: 'Matrix', version: 1, ...reason }, allowed: [A, O] },
    { method: 'POST', path: `${g}/providers/matrix-provider/enable`, body: reason, allowed: [A, O] },
    { method: 'POST', path: `${g}/providers/matrix-provider/disable`, body: reason, allowed: [A, O] },
    { method: 'GET', path: `${g}/categories`, allowed: [A, O, C, M, N] },
    { method: 'POST', path: `${g}/categories`, body: { category_id: 'matrix-category', name: 'Matrix', sort: 99, ...reason }, allowed: [A, O] },
    { method: 'PATCH', path: `${g}/categories/matrix-category`, body: { sort: 99, version: 1, ...reason }, allowed: [A, O] },
    { method: 'GET', path: `${g}/games`, allowed: [A, O, C, M, N] },
    { method: 'POST', path: `${g}/games`, body: { game_id: 'matrix-game', provider_id: 'matrix-provider', title: 'Matrix', category_id: 'matrix-category', jurisdictions: ['MT'], rtp_bp: 9500, volatility: 'low', bet_limits: { EUR: { min_minor: 10, max_minor: 100 } }, ...reason }, allowed: [A, O] },
    { method: 'GET', path: `${g}/games/matrix-game`, allowed: [A, O, C, M, N] },
    { method: 'PATCH', path: `${g}/games/matrix-game`, body: { rtp_bp: 9500, version: 1, ...reason }, allowed: [A, O] },
    { method: 'POST', path: `${g}/games/matrix-game/enable`, body: reason, allowed: [A, O] },
    { method: 'POST', path: `${g}/games/matrix-game/disable`, body: reason, allowed: [A, O] },
    { method: 'GET', path: `${g}/changes`, allowed: [A, O, C, M, N] },
    { method: 'GET', path: `${b}/games/rtp`, allowed: [A, O, C, M, N] },
    // rewards rule sets: rewards.read (A, C, M), rewards.write (A, M), rewards.publish (A, C, M); unknown versions and rules are 404 once allowed
    { method: 'GET', path: `${b}/rewards/versions`, allowed: [A, C, M] },
    { method: 'POST', path: `${b}/rewards/versions`, body: { rule_set: { id: 'matrix', version: 1, caps: { points_per_day: 10, cash_minor_per_day: {} }, rules: [] }, ...reason }, allowed: [A, M] },
    { method: 'GET', path: `${b}/rewards/versions/999`, allowed: [A, C, M] },
    { method: 'POST', path: `${b}/rewards/versions/999/dry-run`, body: { player_id: playerId }, allowed: [A, C, M] },
    { method: 'POST', path: `${b}/rewards/versions/999/publish`, body: reason, allowed: [A, C, M] },
    { method: 'POST', path: `${b}/rewards/versions/999/retire`, body: reason, allowed: [A, C, M] },
    { method: 'POST', path: `${b}/rewards/rules/matrix-rule/pause`, body: reason, allowed: [A, C, M] },
    { method: 'POST', path: `${b}/rewards/rules/matrix-rule/retire`, body: reason, allowed: [A, C, M] },
    // tournaments: the marketers' rewards.write (A, M) creates and cancels, rewards.read (A, C, M) reads
    { method: 'POST', path: '/v1/ops/tournaments', body: { tournament_id: 'matrix-tournament', brand: 'aurora', name: 'Matrix', starts_at: Date.now(), ends_at: Date.now() + 3_600_000, currency: 'EUR', scoring: [{ term: 'bets', weight: 1 }], prizes: [100], ...reason }, allowed: [A, M] },
    { method: 'GET', path: '/v1/ops/tournaments?brand=aurora', allowed: [A, C, M] },
    { method: 'GET', path: '/v1/ops/tournaments/matrix-tournament', allowed: [A, C, M] },
    // four eyes on a large pool: adjustment.approve (A, C); the matrix tournament's pool is small, so an allowed call is 409 invalid_state
    { method: 'POST', path: '/v1/ops/tournaments/matrix-tournament/approve', body: reason, allowed: [A, C] },
    { method: 'POST', path: '/v1/ops/tournaments/matrix-tournament/cancel', body: reason, allowed: [A, M] },
  ];
}

/** Routes outside the matrix: they come before authentication (login, bootstrap, SSO) or end the caller's own session. */
const PRE_AUTH = new Set(['/v1/ops/bootstrap', '/v1/ops/sessions', '/v1/ops/sessions/mfa', '/v1/ops/sessions/current', '/v1/ops/sso/login', '/v1/ops/sso/callback']);

describe('authorization matrix (R6)', () => {
  let ops: Record<Role, Operator>;
  let target: Registered;
  let targetOperator: Operator;

  beforeAll(async () => {
    const admin = await bootstrapAdmin();
    ops = { admin: await createOperator(admin, { roles: ['admin'], brands: ['aurora'] }) } as Record<Role, Operator>;
    for (const role of ROLES) if (role !== 'admin') ops[role] = await createOperator(admin, { roles: [role], brands: ['aurora'] });
    targetOperator = await createOperator(admin, { roles: ['analyst'], brands: ['aurora'] });
    target = await register({ brand: 'aurora' });
    await deposit(target.token, 10_000);
  });

  it('covers every /v1/ops route of the OpenAPI document', async () => {
    const doc = await call('GET', '/v1/openapi.json');
    const documented = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith('/v1/ops/') && !PRE_AUTH.has(path))
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    const covered = new Set(matrix('{player_id}', '{operator_id}').map((c) => `${c.method} ${c.path.split('?')[0]!
      .replace(/\/operators\/[0-9a-f-]{36}/, '/operators/{operator_id}').replace(/\/withdrawals\/[0-9a-f-]{36}/, '/withdrawals/{withdrawal_id}')
      .replace(/\/adjustments\/[0-9a-f-]{36}/, '/adjustments/{adjustment_id}').replace(/\/alerts\/[0-9a-f-]{36}/, '/alerts/{alert_id}')
      .replace('/brands/aurora', '/brands/{brand}')
      .replace('/tables/roulette-1', '/tables/{table_id}').replace(/\/rounds\/[0-9a-f-]{36}/, '/rounds/{round_id}')
      .replace('/providers/matrix-provider', '/providers/{provider_id}').replace('/categories/matrix-category', '/categories/{category_id}')
      .replace('/games/matrix-game', '/games/{game_id}')
      .replace('/tournaments/matrix-tournament', '/tournaments/{tournament_id}')
      .replace('/rewards/versions/999', '/rewards/versions/{version}').replace('/rules/matrix-rule', '/rules/{rule_id}')}`));
    expect(documented.filter((r) => !covered.has(r))).toEqual([]);
  });

  it.each([...ROLES, 'player', 'anonymous'] as Caller[])('as %s: allowed where the matrix says, refused everywhere else', async (caller) => {
    const token = caller === 'anonymous' ? undefined : caller === 'player' ? target.token : ops[caller].token;
    const mismatches: string[] = [];
    for (const c of matrix(target.playerId, targetOperator.operatorId)) {
      const r = await call(c.method, c.path, c.body, { token, headers: c.headers });
      const allowed = caller !== 'player' && caller !== 'anonymous' && c.allowed.includes(caller);
      const code = r.body?.error?.code as string | undefined;
      const ok = allowed
        ? r.status !== 401 && r.status !== 403 && r.status < 500
        : (caller === 'player' || caller === 'anonymous') ? r.status === 401 && code === 'unauthenticated' : r.status === 403 && code === 'forbidden';
      if (!ok) mismatches.push(`${c.method} ${c.path}: expected ${allowed ? 'allowed' : 'denied'}, got ${r.status} ${code ?? ''}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('audits the denials', async () => {
    const denied = (await auditEntries(ops.admin, 'aurora')).filter((e) => e.outcome === 'denied');
    const actors = new Set(denied.map((e) => e.actor_id));
    for (const role of [O, M, N, S, 'dealer'] as Role[]) expect(actors.has(ops[role].operatorId), role).toBe(true);
  });
});

describe('attributes (ABAC): brand, jurisdiction, VIP clearance', () => {
  it('an operator sees only their brand, their jurisdictions, and VIPs only with clearance', async () => {
    const admin = await bootstrapAdmin();
    const maltaCompliance = await createOperator(admin, { roles: ['compliance_officer'], brands: ['aurora'], jurisdictions: ['MT'] });
    const sakuraSupport = await createOperator(admin, { roles: ['support_agent'], brands: ['sakura'] });
    const marketer = await createOperator(admin, { roles: ['marketer'], brands: ['aurora'], vip_clearance: true });
    const plainSupport = await createOperator(admin, { roles: ['support_agent'], brands: ['aurora'] });
    const maltese = await register({ brand: 'aurora', country: 'MT' });
    const british = await register({ brand: 'aurora', country: 'GB', currency: 'GBP' });
    const view = (op: Operator, id: string, q = '') => call('GET', `/v1/ops/players/${id}${q}`, undefined, { token: op.token });

    expect((await view(maltaCompliance, maltese.playerId)).status).toBe(200);
    expect((await view(maltaCompliance, british.playerId)).status).toBe(403);
    expect((await view(maltaCompliance, maltese.playerId, '?reveal=pii')).body.player.email).toBe(maltese.email);
    expect((await view(plainSupport, maltese.playerId)).body.player.email).not.toBe(maltese.email);
    expect((await view(plainSupport, maltese.playerId)).body.player.pii_masked).toBe(true);
    expect((await view(sakuraSupport, maltese.playerId)).status).toBe(403);
    expect((await call('GET', '/v1/ops/brands/aurora/players', undefined, { token: sakuraSupport.token })).status).toBe(403);

    // VIP: flagged by a marketer with clearance; then hidden from operators without it
    expect((await call('PUT', `/v1/ops/players/${maltese.playerId}/vip`, { vip: true, reason: 'high roller programme' }, { token: marketer.token })).status).toBe(200);
    expect((await view(plainSupport, maltese.playerId)).status).toBe(403);
    expect((await view(marketer, maltese.playerId)).status).toBe(200);
  });
});
