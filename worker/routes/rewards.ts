/**
 * The player's rewards (docs/rewards.md "Wiring"): what the rules granted them, read from their own
 * object; and the player channel, GET /v1/players/me/ws (docs/rewards.md "Player channel"), a
 * WebSocket held by that same object.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../http/app-env';
import { requirePlayer, verifySessionToken } from '../http/auth';
import { ApiError, fromFailure, unwrap } from '../http/errors';
import { geoGate } from '../http/geo';
import { playerStub } from '../http/stubs';
import { validationHook } from '../http/validation';
import type { Failure } from '../../domain/errors';
import { errors, json } from '../schemas';

export const rewards = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const Rewards = z.object({
  rule_set: z.object({ id: z.string(), version: z.number().int() }),
  xp: z.number().int(),
  level: z.object({ level: z.number().int(), name: z.string(), tier: z.string() }).nullable(),
  next_level: z.object({ level: z.number().int(), name: z.string(), min_xp: z.number().int() }).nullable(),
  points_balance: z.number().int(),
  missions: z.array(z.object({
    mission_id: z.string(), name: z.string(), step_index: z.number().int(), step_id: z.string().nullable(), step_name: z.string().nullable(),
    progress: z.number().int(), target: z.number().int().nullable(), completions: z.number().int(), expires_at: z.number().int().nullable(),
  })),
  badges: z.array(z.string()),
  recent_grants: z.array(z.object({
    grant_id: z.string(), kind: z.string(), amount: z.number().int().nullable(),
    value_minor: z.number().int().nullable().openapi({ description: 'Cash-like grants (free_bet, cashback): the offer\'s value in `currency`.' }),
    currency: z.string().nullable(),
    paid: z.boolean().nullable().openapi({ description: 'Cash-like grants only: true for a cashback (paid into the wallet\'s real balance, ledger kind `reward`), false for a free bet (a token: see `free_bets`).' }),
    rule_id: z.string(), rule_version: z.number().int(), detail: z.string().nullable(), at: z.number().int(),
  })),
  free_bets: z.array(z.object({
    grant_id: z.string(), currency: z.string(), value_minor: z.number().int(), table_id: z.string().nullable().openapi({ description: 'The one table it stakes a bet at; null: any table.' }),
    expires_at: z.number().int(), created_at: z.number().int(),
    status: z.enum(['available', 'used', 'expired']), used_at: z.number().int().nullable(), hold_id: z.string().nullable(),
  })).openapi({ description: 'The 20 newest free-bet tokens: one table bet each, the stake paid by the operator (not returned on a win).' }),
}).openapi('Rewards');

rewards.openapi(createRoute({
  method: 'get', path: '/players/me/rewards', tags: ['Players'], summary: "The player's rewards",
  description: 'XP, level, points balance, missions with progress, badges and the 20 most recent grants, as the live rule set granted them on the player\'s own events (table bets, provider bets and wins, deposits, logins). Self-excluded and cooling-off players earn nothing; players at risk get a break message instead of promotions.',
  middleware: [geoGate, requirePlayer] as const, security: [{ bearer: [] }],
  responses: { 200: json(Rewards, 'Rewards'), ...errors(401, 451) },
}), async (c) => {
  const { playerId, sessionId } = c.get('player');
  const r = unwrap(await playerStub(c.env, playerId).rewards(sessionId));
  return c.json(r.rewards, 200);
});

/**
 * The player channel. Browsers cannot set headers on a WebSocket, so the token travels as a
 * subprotocol, as for the table's socket: new WebSocket(url, ['casino.v1', 'bearer.' + token]).
 * Refusals (plain HTTP 426, no or a bad token 401, an ended session 401, geo 451) are the usual
 * JSON error; the player's object checks the session and answers the upgrade (durable/player/channel.ts).
 * Not in OpenAPI (it has no way to describe a WebSocket); docs/rewards.md documents the protocol.
 */
rewards.get('/players/me/ws', geoGate, async (c) => {
  if (c.req.header('Upgrade')?.toLowerCase() !== 'websocket') throw new ApiError('upgrade_required', 'this endpoint takes a WebSocket upgrade');
  const protocols = (c.req.header('Sec-WebSocket-Protocol') ?? '').split(',').map((p) => p.trim());
  const token = protocols.find((p) => p.startsWith('bearer.'))?.slice('bearer.'.length);
  const auth = token ? await verifySessionToken(c.env, token) : null;
  if (!auth) throw new ApiError('unauthenticated', "send the player token as the subprotocol 'bearer.<token>'");
  const headers = new Headers({ Upgrade: 'websocket', 'X-Session-Id': auth.sessionId });
  if (protocols.includes('casino.v1')) headers.set('Sec-WebSocket-Protocol', 'casino.v1');
  const res = await playerStub(c.env, auth.playerId).fetch(new Request('https://player.internal/ws', { headers }));
  if (res.status === 101) return res;
  throw fromFailure(await res.json<Failure>());
});
