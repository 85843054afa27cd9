/**
 * Launch tokens: what a player's game launch hands to the provider, and what the provider sends
 * back as `token` with balance and bet (optionally with win and rollback). An HS256 JWT (jose)
 * signed with its own key derived from SESSION_SIGNING_KEY (http/keys.ts) and with its own
 * audience ('provider'), so neither kind of token is accepted where the other is expected. It binds the player, their
 * session, the game, its provider, the currency and the player's jurisdiction, and expires when the
 * session reaches its maximum length (12 h). The signature is necessary but not enough: a bet also
 * needs the session to be open, checked by the player's object in the same transaction.
 */
import { jwtVerify, SignJWT } from 'jose';
import { isUuid } from '../../domain/ids';
import { isCurrency, type Currency } from '../../domain/money';
import { ApiError } from '../http/errors';
import { purposeKey } from '../http/keys';

const ISSUER = 'edge-casino';
const AUDIENCE = 'provider';
/** Wins and rollbacks pay what is owed after the session: their token may be this far past its expiry. */
export const SETTLEMENT_TOKEN_GRACE_S = 35 * 24 * 3600;

export type LaunchClaims = {
  player_id: string;
  session_id: string;
  game_id: string;
  provider_id: string;
  currency: Currency;
  jurisdiction: string;
};

const signingKey = (env: Env) => purposeKey(env, 'provider_launch');

export async function issueLaunchToken(env: Env, c: LaunchClaims, expiresAtMs: number): Promise<string> {
  return new SignJWT({ sid: c.session_id, gid: c.game_id, pid: c.provider_id, cur: c.currency, jur: c.jurisdiction })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(c.player_id)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAtMs / 1000))
    .sign(await signingKey(env));
}

/** The claims, 'expired' (genuine but past its expiry), or 'invalid'. */
export async function verifyLaunchToken(env: Env, token: string, opts: { settlement: boolean } = { settlement: false }): Promise<LaunchClaims | 'expired' | 'invalid'> {
  if (!/^[A-Za-z0-9_\-.]{1,4096}$/.test(token)) return 'invalid';
  const key = await signingKey(env);
  try {
    const { payload: p } = await jwtVerify(token, key, {
      issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], clockTolerance: opts.settlement ? SETTLEMENT_TOKEN_GRACE_S : 0,
    });
    const ok = typeof p.sub === 'string' && isUuid(p.sub) && typeof p.sid === 'string' && isUuid(p.sid)
      && typeof p.gid === 'string' && typeof p.pid === 'string' && typeof p.cur === 'string' && isCurrency(p.cur) && typeof p.jur === 'string';
    if (!ok) return 'invalid';
    return { player_id: p.sub!, session_id: p.sid as string, game_id: p.gid as string, provider_id: p.pid as string, currency: p.cur as Currency, jurisdiction: p.jur as string };
  } catch (err) {
    return (err as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'expired' : 'invalid';
  }
}
