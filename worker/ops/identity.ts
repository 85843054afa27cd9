/**
 * Operator identity shared by every way in: provisioning (admin-created, bootstrap, or SSO on first
 * sign-in), turning a first factor into a challenge token, and a completed login into a session
 * (a bearer token for API clients, or the panel's HttpOnly cookie plus its CSRF token).
 */
import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import { settled } from '../http/errors';
import { fail, type Result } from '../../domain/errors';
import { uuidv7 } from '../../domain/ids';
import type { Challenge, OperatorAttributes, OperatorSessionView, OperatorView } from '../../durable/operator/operator-do';
import { OPERATOR_SESSION_MAX_MS } from '../../durable/operator/operator-do';
import type { AppEnv } from '../http/app-env';
import { SESSION_COOKIE } from './guard';
import { operatorStub, staffStub } from './stubs';
import { csrfToken, issueChallengeToken, issueOperatorToken } from './tokens';

export type NewOperator = OperatorAttributes & {
  email: string;
  display_name: string;
  password_hash: string | null;
  sso: { issuer: string; subject: string } | null;
};

export function ssoKey(issuer: string, subject: string): string {
  return `${issuer}#${subject}`;
}

/**
 * Claims the email (and SSO subject) in the staff directory, then creates the operator's object.
 * `firstOnly` (the bootstrap): the claim succeeds only while the directory is empty, checked in the
 * same transaction, otherwise `invalid_state`.
 */
export async function provisionOperator(env: Env, input: NewOperator, actor: string, opts: { firstOnly?: boolean } = {}): Promise<Result<{ operator: OperatorView }>> {
  const operatorId = uuidv7();
  const claim = settled(opts.firstOnly
    ? await staffStub(env).claimFirst({ operator_id: operatorId, email: input.email, display_name: input.display_name })
    : await staffStub(env).claim({
      operator_id: operatorId, email: input.email, display_name: input.display_name, sso_key: input.sso ? ssoKey(input.sso.issuer, input.sso.subject) : null,
    }));
  if (!claim.ok) return claim;
  const created = settled(await operatorStub(env, operatorId).create({
    operator_id: operatorId, email: input.email, display_name: input.display_name, roles: input.roles, brands: input.brands,
    jurisdictions: input.jurisdictions, vip_clearance: input.vip_clearance, password_hash: input.password_hash,
    sso_issuer: input.sso?.issuer ?? null, sso_subject: input.sso?.subject ?? null,
  }, actor));
  if (!created.ok) return created;
  await staffStub(env).sync(created.operator);
  return created;
}

export type ChallengeBody = { challenge_token: string; expires_at: number; enrolment: Challenge['enrolment'] };

export async function challengeBody(env: Env, operatorId: string, ch: Challenge): Promise<ChallengeBody> {
  return { challenge_token: await issueChallengeToken(env, operatorId, ch.challenge_id, ch.expires_at), expires_at: ch.expires_at, enrolment: ch.enrolment };
}

export type SessionBody = { token: string | null; csrf_token: string | null; expires_at: number; operator: OperatorView };

/** Issues the session: a bearer token in the body, or (for the panel) an HttpOnly SameSite=Strict cookie. */
export async function sessionBody(c: Context<AppEnv>, operator: OperatorView, session: OperatorSessionView, asCookie: boolean): Promise<SessionBody> {
  const token = await issueOperatorToken(c.env, { operatorId: operator.operator_id, sessionId: session.session_id }, session.created_at + OPERATOR_SESSION_MAX_MS);
  if (!asCookie) return { token, csrf_token: null, expires_at: session.expires_at, operator };
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true, sameSite: 'Strict', path: '/', secure: new URL(c.req.url).protocol === 'https:', maxAge: Math.floor(OPERATOR_SESSION_MAX_MS / 1000),
  });
  return { token: null, csrf_token: await csrfToken(c.env, session.session_id), expires_at: session.expires_at, operator };
}

export type SsoIdentity = {
  issuer: string;
  subject: string;
  email: string;
  display_name: string;
  attributes: OperatorAttributes;
  /** The IdP says the user passed MFA (amr contains mfa/otp/hwk...). */
  idp_mfa: boolean;
};

/**
 * First factor by SSO. Creates the operator on first sign-in (the IdP's groups decide roles), then
 * either opens a session (the IdP did MFA) or returns a challenge for our TOTP.
 */
export async function ssoSignIn(c: Context<AppEnv>, id: SsoIdentity, meta: { ip: string | null; user_agent: string | null }):
  Promise<Result<{ operator: OperatorView; session: OperatorSessionView | null; challenge: ChallengeBody | null }>> {
  if (id.attributes.roles.length === 0) return fail('forbidden', 'none of your identity provider groups maps to a back-office role');
  let operatorId = await staffStub(c.env).bySsoKey(ssoKey(id.issuer, id.subject));
  if (!operatorId) {
    const created = await provisionOperator(c.env, {
      ...id.attributes, email: id.email, display_name: id.display_name, password_hash: null, sso: { issuer: id.issuer, subject: id.subject },
    }, `sso:${id.issuer}`);
    if (!created.ok) return created;
    operatorId = created.operator.operator_id;
  }
  const r = settled(await operatorStub(c.env, operatorId).beginSsoLogin({ ...id.attributes, display_name: id.display_name }, id.idp_mfa, meta));
  if (!r.ok) return r;
  await staffStub(c.env).sync(r.operator);
  return { ok: true, operator: r.operator, session: r.session, challenge: r.session ? null : await challengeBody(c.env, operatorId, r) };
}
