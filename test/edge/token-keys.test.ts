/**
 * One key per purpose (worker/http/keys.ts): a token signed with one purpose's key is refused for
 * any other purpose even when its claims are crafted to look exactly right (issuer, audience,
 * subject, session). Each crafted token is also shown to pass when signed with the right key, so
 * the key is the only thing that differs.
 */
import { env } from 'cloudflare:test';
import { decodeJwt, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { purposeKey, type KeyPurpose } from '../../worker/http/keys';
import { call, expectError, register } from './helpers';
import { bootstrapAdmin } from './ops-helpers';

/** A token with the given audience, subject and session, signed with the key of `purpose`. */
async function crafted(purpose: KeyPurpose, audience: string, sub: string, sid: string): Promise<string> {
  return new SignJWT({ sid }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(sub).setIssuer('edge-casino')
    .setAudience(audience).setIssuedAt().setExpirationTime('1h').sign(await purposeKey(env, purpose));
}

describe('keys per purpose', () => {
  it('an operator token signed with the player-session key is refused; with the operator key it passes', async () => {
    const admin = await bootstrapAdmin();
    const { sub, sid } = decodeJwt(admin.token) as { sub: string; sid: string };
    expectError(await call('GET', '/v1/ops/me', undefined, { token: await crafted('player_session', 'operator', sub, sid) }), 401, 'unauthenticated');
    expectError(await call('GET', '/v1/ops/me', undefined, { token: await crafted('csrf', 'operator', sub, sid) }), 401, 'unauthenticated');
    expectError(await call('GET', '/v1/ops/me', undefined, { token: await crafted('operator_challenge', 'operator', sub, sid) }), 401, 'unauthenticated');
    expect((await call('GET', '/v1/ops/me', undefined, { token: await crafted('operator_session', 'operator', sub, sid) })).status).toBe(200);
  });

  it('a player token signed with an operator key is refused; with the player-session key it passes', async () => {
    const p = await register();
    const { sub, sid } = decodeJwt(p.token) as { sub: string; sid: string };
    for (const purpose of ['operator_session', 'operator_challenge', 'provider_launch', 'csrf'] as const) {
      expectError(await call('GET', '/v1/wallet', undefined, { token: await crafted(purpose, 'player', sub, sid) }), 401, 'unauthenticated');
    }
    expect((await call('GET', '/v1/wallet', undefined, { token: await crafted('player_session', 'player', sub, sid) })).status).toBe(200);
  });

  it('the keys differ from each other and from the raw secret', async () => {
    const hex = (k: Uint8Array) => Array.from(k, (b) => b.toString(16).padStart(2, '0')).join('');
    const purposes: KeyPurpose[] = ['player_session', 'operator_session', 'operator_challenge', 'csrf', 'sso_state', 'provider_launch'];
    const keys = await Promise.all(purposes.map(async (p) => hex(await purposeKey(env, p))));
    expect(new Set(keys).size).toBe(purposes.length);
    expect(keys).not.toContain(hex(new TextEncoder().encode((env as unknown as Record<string, string>).SESSION_SIGNING_KEY!).slice(0, 32)));
  });
});
