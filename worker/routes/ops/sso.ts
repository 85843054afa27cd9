/**
 * Corporate sign-in for operators (OpenID Connect): /sso/login sends the browser to the identity
 * provider, /sso/callback brings it back. The provider's groups decide roles (config/sso.json); the
 * first sign-in creates the operator. When the provider asserts MFA the panel session opens at
 * once, otherwise the callback answers with our second-factor page (worker/ops/mfa-page.ts says
 * why both are pages rather than redirects). Paths are relative to /v1/ops.
 * Both routes answer 404 while OIDC_ISSUER is unset.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../../http/app-env';
import { clientIp } from '../../http/client-ip';
import { ApiError, fromFailure } from '../../http/errors';
import { validationHook } from '../../http/validation';
import { errors } from '../../schemas';
import { PLATFORM, recordAudit } from '../../ops/guard';
import { sessionBody, ssoSignIn } from '../../ops/identity';
import { mfaPage, onwardPage } from '../../ops/mfa-page';
import { authorizationUrl, type SsoSettings, ssoSettings, verifiedSignIn } from '../../ops/sso';

export const opsSso = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const TAG = 'Back office: sessions';

function settingsOr404(c: Context<AppEnv>): SsoSettings {
  const s = ssoSettings(c.env);
  if (!s) throw new ApiError('not_found', 'SSO is not configured');
  return s;
}

opsSso.openapi(createRoute({
  method: 'get', path: '/sso/login', tags: [TAG], summary: 'Operator sign-in with the identity provider (OpenID Connect)',
  description: 'For browsers: redirects to the identity provider with PKCE (S256), state and nonce, kept for ten minutes in an HttpOnly cookie scoped to the callback. 404 when SSO is not configured.',
  responses: {
    302: { description: "To the identity provider's authorization endpoint", headers: z.object({ Location: z.string() }) },
    ...errors(401, 404),
  },
}), async (c) => {
  const url = await authorizationUrl(c, settingsOr404(c));
  return c.redirect(url.href, 302);
});

const CallbackQuery = z.object({
  code: z.string().max(2048).optional(),
  state: z.string().max(512).optional(),
  iss: z.string().max(2048).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(2048).optional(),
});

opsSso.openapi(createRoute({
  method: 'get', path: '/sso/callback', tags: [TAG], summary: 'Where the identity provider sends the browser back',
  description: 'Checks the state against the sign-in cookie, exchanges the code (PKCE), validates the ID token, requires a verified email and maps the groups claim to roles, brands and jurisdictions (config/sso.json; union over groups). '
    + 'The first sign-in creates the operator. When the ID token\'s `amr` says the provider did MFA (mfa, otp, hwk, swk or sms), the panel session cookie is set and a page takes the browser on to /ops '
    + '(a page, not a redirect, so that the SameSite=Strict cookie goes with the panel\'s first request); otherwise the answer is a page that enrols or asks for our TOTP and completes with POST /v1/ops/sessions/mfa. '
    + 'Failures: 401 `sso_failed` with `details.reason` (no_sign_in, state_mismatch, idp_error, code_rejected, invalid_response, no_email, email_unverified, too_many_groups, idp_unavailable); 403 `forbidden` when no group maps to a role (no operator is created).',
  request: { query: CallbackQuery },
  responses: {
    200: { description: 'HTML: the second-factor page, or (session cookie set) a page that moves on to /ops', content: { 'text/html': { schema: z.string() } } },
    ...errors(400, 401, 403, 404, 409, 429),
  },
}), async (c) => {
  const { identity, groups } = await verifiedSignIn(c, settingsOr404(c));
  const r = await ssoSignIn(c, identity, { ip: clientIp(c.req.raw), user_agent: c.req.header('User-Agent')?.slice(0, 256) ?? null });
  if (!r.ok) {
    await recordAudit(c, { action: 'operator.login.sso', target_type: 'operator', target_id: null, brand: PLATFORM, outcome: 'denied', reason: r.code, after: { issuer: identity.issuer, subject: identity.subject, groups } },
      { operator_id: 'anonymous', email: identity.email, roles: [] });
    throw fromFailure(r);
  }
  if (r.session) {
    await recordAudit(c, { action: 'operator.login', target_type: 'operator', target_id: r.operator.operator_id, brand: PLATFORM, after: { session_id: r.session.session_id, method: r.session.method, groups } }, r.operator);
    await sessionBody(c, r.operator, r.session, true);
  }
  const page = r.session ? onwardPage() : mfaPage({ challenge: r.challenge!, operator: r.operator });
  return c.html(page.html, 200, page.headers);
});
