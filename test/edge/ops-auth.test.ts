/**
 * Operator identity through real HTTP: bootstrap, password + TOTP enrolment and login, replayed and
 * wrong codes, recovery codes, lockout, session expiry and revocation, forged and cross-audience
 * tokens, CSRF on cookie sessions. Every refusal is checked for its answer and for no state change.
 */
import { SELF } from 'cloudflare:test';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { currentTotp } from '../../durable/operator/mfa';
import { call, expectError, register, uniqueEmail } from './helpers';
import {
  advanceOperator, auditEntries, BOOTSTRAP, bootstrapAdmin, createOperator, firstLogin, operatorNow, operatorObject, OP_PASSWORD,
} from './ops-helpers';

const login = (email: string, password = OP_PASSWORD) => call('POST', '/v1/ops/sessions', { email, password });
const mfa = (challenge_token: string, code: string, cookie = false) => call('POST', '/v1/ops/sessions/mfa', { challenge_token, code, cookie });

describe('operator identity', () => {
  it('bootstraps the first admin once, with the bootstrap secret only', async () => {
    const body = { email: uniqueEmail('boot'), display_name: 'Boot', password: OP_PASSWORD };
    // this file's storage starts empty: the first test bootstraps for real
    expectError(await call('POST', '/v1/ops/bootstrap', body), 401, 'unauthenticated');
    expectError(await call('POST', '/v1/ops/bootstrap', body, { headers: { Authorization: 'Bootstrap wrong-token-wrong-token' } }), 401, 'unauthenticated');
    const admin = await bootstrapAdmin();
    const me = await call('GET', '/v1/ops/me', undefined, { token: admin.token });
    expect(me.status).toBe(200);
    expect(me.body.operator.roles).toEqual(['admin']);
    expect(me.body.permissions).toContain('operator.manage');
    expectError(await call('POST', '/v1/ops/bootstrap', body, { headers: { Authorization: BOOTSTRAP } }), 409, 'invalid_state');
  });

  it('requires TOTP after the password, enrols on first login, and refuses wrong and replayed codes', async () => {
    const admin = await bootstrapAdmin();
    const support = await createOperator(admin, { roles: ['support_agent'] });
    // second login: no enrolment any more, a code is required
    await advanceOperator(support.operatorId, 31_000); // next TOTP step: the enrolment code was used
    const step1 = await login(support.email);
    expect(step1.status).toBe(200);
    expect(step1.body.enrolment).toBeNull();
    expectError(await mfa(step1.body.challenge_token, '000000'), 401, 'invalid_mfa_code');
    const now = await operatorNow(support.operatorId);
    const code = currentTotp(support.secret, now);
    const ok = await mfa(step1.body.challenge_token, code);
    expect(ok.status).toBe(201);
    // the challenge is single-use, and the same code cannot open another session
    expectError(await mfa(step1.body.challenge_token, code), 401, 'unauthenticated');
    const again = await login(support.email);
    expectError(await mfa(again.body.challenge_token, code), 401, 'invalid_mfa_code');
    expect((await operatorObject(support.operatorId).view()).sessions?.filter((s: { ended_at: number | null }) => s.ended_at === null)).toHaveLength(2);
  });

  it('accepts each recovery code once', async () => {
    const admin = await bootstrapAdmin();
    const op = await createOperator(admin, { roles: ['operator'] });
    expect(op.recoveryCodes).toHaveLength(10);
    const [first] = op.recoveryCodes;
    const a = await login(op.email);
    const used = await mfa(a.body.challenge_token, first!);
    expect(used.status).toBe(201);
    expect(used.body.operator.operator_id).toBe(op.operatorId);
    const b = await login(op.email);
    expectError(await mfa(b.body.challenge_token, first!), 401, 'invalid_mfa_code');
  });

  it('locks the operator after 5 failures in 15 minutes, then lets them in again', async () => {
    const admin = await bootstrapAdmin();
    const op = await createOperator(admin, { roles: ['analyst'] });
    for (let i = 0; i < 4; i++) expectError(await login(op.email, 'wrong-password-000'), 401, 'invalid_credentials');
    const fifth = await login(op.email, 'wrong-password-000');
    expectError(fifth, 429, 'rate_limited');
    expect(Number(fifth.headers.get('Retry-After'))).toBeGreaterThan(0);
    // even the right password is refused while locked
    expectError(await login(op.email), 429, 'rate_limited');
    await advanceOperator(op.operatorId, 15 * 60_000 + 1000);
    expect((await login(op.email)).status).toBe(200);
    const denied = (await auditEntries(admin, 'platform')).filter((e) => e.action === 'operator.login' && e.outcome === 'denied' && e.target_id === op.operatorId);
    expect(denied.length).toBeGreaterThanOrEqual(6);
  });

  it('answers unknown emails like wrong passwords', async () => {
    expectError(await login(uniqueEmail('nobody')), 401, 'invalid_credentials');
  });

  it('ends sessions when idle, at the maximum length, on logout, revocation or disabling', async () => {
    const admin = await bootstrapAdmin();
    const idle = await createOperator(admin, { roles: ['support_agent'] });
    await advanceOperator(idle.operatorId, 15 * 60_000);
    expectError(await call('GET', '/v1/ops/me', undefined, { token: idle.token }), 401, 'session_expired');

    const out = await createOperator(admin, { roles: ['support_agent'] });
    expect((await call('DELETE', '/v1/ops/sessions/current', undefined, { token: out.token })).status).toBe(204);
    expectError(await call('GET', '/v1/ops/me', undefined, { token: out.token }), 401, 'unauthenticated');

    const revoked = await createOperator(admin, { roles: ['marketer'] });
    const r = await call('POST', `/v1/ops/operators/${revoked.operatorId}/revoke-sessions`, { reason: 'laptop stolen' }, { token: admin.token });
    expect(r.status).toBe(200);
    expect(r.body.revoked).toBe(1);
    expectError(await call('GET', '/v1/ops/me', undefined, { token: revoked.token }), 401, 'unauthenticated');

    const disabled = await createOperator(admin, { roles: ['marketer'] });
    expect((await call('PATCH', `/v1/ops/operators/${disabled.operatorId}`, { status: 'disabled', reason: 'left the company' }, { token: admin.token })).status).toBe(200);
    expectError(await call('GET', '/v1/ops/me', undefined, { token: disabled.token }), 401, 'unauthenticated');
    expectError(await login(disabled.email), 401, 'invalid_credentials');
  });

  it('applies role changes on the next request', async () => {
    const admin = await bootstrapAdmin();
    const op = await createOperator(admin, { roles: ['support_agent'] });
    expect((await call('GET', '/v1/ops/me', undefined, { token: op.token })).body.permissions).not.toContain('kyc.review');
    await call('PATCH', `/v1/ops/operators/${op.operatorId}`, { roles: ['compliance_officer'], reason: 'promotion' }, { token: admin.token });
    expect((await call('GET', '/v1/ops/me', undefined, { token: op.token })).body.permissions).toContain('kyc.review');
  });

  it('refuses forged, foreign-audience and player tokens on operator routes, and operator tokens on player routes', async () => {
    const admin = await bootstrapAdmin();
    const forged = await new SignJWT({ sid: crypto.randomUUID() }).setProtectedHeader({ alg: 'HS256' }).setSubject(admin.operatorId)
      .setIssuer('edge-casino').setAudience('operator').setExpirationTime('1h').sign(new TextEncoder().encode('attacker-key-0123456789abcdefghijklmnop'));
    expectError(await call('GET', '/v1/ops/me', undefined, { token: forged }), 401, 'unauthenticated');
    const p = await register();
    expectError(await call('GET', '/v1/ops/me', undefined, { token: p.token }), 401, 'unauthenticated');
    expectError(await call('GET', '/v1/wallet', undefined, { token: admin.token }), 401, 'unauthenticated');
    const none = await call('GET', '/v1/ops/me');
    expectError(none, 401, 'unauthenticated');
    // a challenge token is not a session token either
    const op = await createOperator(admin, { roles: ['analyst'] });
    const ch = await login(op.email);
    expectError(await call('GET', '/v1/ops/me', undefined, { token: ch.body.challenge_token }), 401, 'unauthenticated');
  });

  it('puts panel sessions in an HttpOnly SameSite=Strict cookie and refuses changes without the CSRF token', async () => {
    const admin = await bootstrapAdmin();
    const email = uniqueEmail('csrf');
    await call('POST', '/v1/ops/operators', { email, display_name: 'Csrf', password: OP_PASSWORD, roles: ['admin'], brands: ['*'], jurisdictions: ['*'], vip_clearance: true }, { token: admin.token });
    const step1 = await login(email);
    const secret = step1.body.enrolment.secret as string;
    const done = await mfa(step1.body.challenge_token, currentTotp(secret), true);
    expect(done.status).toBe(201);
    expect(done.body.token).toBeNull();
    const csrf = done.body.csrf_token as string;
    const setCookie = done.headers.get('Set-Cookie') ?? '';
    expect(setCookie).toMatch(/ops_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const cookie = setCookie.split(';')[0]!;
    const viaCookie = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      SELF.fetch(`https://casino.test${path}`, { method, headers: { Cookie: cookie, 'Content-Type': 'application/json', ...headers }, body: body ? JSON.stringify(body) : undefined });
    const me = await viaCookie('GET', '/v1/ops/me');
    expect(me.status).toBe(200);
    expect((await me.json<{ csrf_token: string }>()).csrf_token).toBe(csrf);
    const target = await createOperator(admin, { roles: ['analyst'] });
    const before = await operatorObject(target.operatorId).view();
    const forgedPost = await viaCookie('PATCH', `/v1/ops/operators/${target.operatorId}`, { display_name: 'pwned', reason: 'csrf attack' });
    expect(forgedPost.status).toBe(403);
    expect((await forgedPost.json<{ error: { code: string } }>()).error.code).toBe('csrf_failed');
    const wrong = await viaCookie('PATCH', `/v1/ops/operators/${target.operatorId}`, { display_name: 'pwned', reason: 'csrf attack' }, { 'X-CSRF-Token': 'x'.repeat(43) });
    expect(wrong.status).toBe(403);
    expect(await operatorObject(target.operatorId).view()).toEqual(before);
    const good = await viaCookie('PATCH', `/v1/ops/operators/${target.operatorId}`, { display_name: 'Renamed', reason: 'typo in name' }, { 'X-CSRF-Token': csrf });
    expect(good.status).toBe(200);
  });

  it('audits logins, operator changes and denials with actor, action, target and ip', async () => {
    const admin = await bootstrapAdmin();
    const op = await createOperator(admin, { roles: ['support_agent'] });
    expectError(await call('POST', '/v1/ops/operators', { email: uniqueEmail('x'), display_name: 'X', password: OP_PASSWORD, roles: ['admin'], brands: ['*'], jurisdictions: ['*'], vip_clearance: true }, { token: op.token }), 403, 'forbidden');
    const entries = await auditEntries(admin, 'platform');
    const actions = entries.map((e) => `${e.action}:${e.outcome}`);
    expect(actions).toContain('operator.bootstrap:allowed');
    expect(actions).toContain('operator.create:allowed');
    expect(actions).toContain('operator.login:allowed');
    const denial = entries.find((e) => e.action === 'operator.manage' && e.outcome === 'denied');
    expect(denial).toMatchObject({ actor_id: op.operatorId, brand: 'platform', reason: expect.stringContaining('operator.manage') });
    expect(denial!.ip).toMatch(/^10\.0\./);
  });
});

describe('first login helper', () => {
  it('is what a new operator does', async () => {
    const admin = await bootstrapAdmin();
    const email = uniqueEmail('new');
    await call('POST', '/v1/ops/operators', { email, display_name: 'New', password: OP_PASSWORD, roles: ['dealer'], brands: ['aurora'], jurisdictions: ['MT'], vip_clearance: false }, { token: admin.token });
    const l = await firstLogin(email);
    expect(l.body.operator.mfa_enrolled).toBe(true);
  });
});
