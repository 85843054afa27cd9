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

const WheelTable = z.object({
  id: z.string(), name: z.string(),
  prizes: z.array(z.object({ id: z.string(), weight: z.number().int(), reward: z.object({}).passthrough().nullable().openapi({ description: "The prize's reward as the rule set's wheel gives it (an action: xp, points, badge, message, free_bet, cashback); null: a \"no prize\" slot." }) })),
}).openapi({ description: 'The prize table as granted (the rule set version of the grant): a later publish does not change it.' });

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
  spins: z.array(z.object({
    spin_id: z.string(), wheel_id: z.string(),
    wheel: WheelTable,
    commitment: z.string().openapi({ description: 'SHA-256 of the spin\'s server seed (hex): the seed is revealed when you spin, and must hash to this.' }),
    expires_at: z.number().int().nullable(), created_at: z.number().int(), status: z.enum(['available', 'expired']),
  })).openapi({ description: 'The 20 newest unspun wheel spins: spin one with POST /v1/players/me/rewards/spins/{spin_id}.' }),
}).openapi('Rewards');

const SpinResult = z.object({
  spin_id: z.string(), wheel_id: z.string(), prize_id: z.string(),
  reward: z.object({}).passthrough().nullable().openapi({ description: "The prize's reward as the rule set's wheel gives it (an action: xp, points, badge, message, free_bet, cashback); null: a \"no prize\" slot." }),
  delivered: z.boolean().openapi({ description: 'false: nothing to deliver (a "no prize" slot, a badge you own, a cash-like prize with no value in your currency).' }),
  prize_grant_id: z.string().openapi({ description: 'The grant id the prize was delivered under (recent_grants, free_bets, the wallet ledger\'s `reward` entry).' }),
  spun_at: z.number().int(), rule_id: z.string(), rule_version: z.number().int(),
  proof: z.object({ wheel: WheelTable, spin_id: z.string(), commitment: z.string(), server_seed: z.string(), prize_id: z.string() })
    .openapi({ description: 'Everything needed to re-draw the prize (docs/rewards.md "Wheel (provably fair)"): SHA-256(server_seed) = commitment, and the HMAC stream keyed by the seed picks prize_id from the wheel.' }),
}).openapi('WheelSpin');

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

const SpinParam = z.strictObject({
  spin_id: z.string().min(1).max(256).regex(/^[A-Za-z0-9:._-]+$/).openapi({ param: { name: 'spin_id', in: 'path' }, description: 'A spin of `spins[].spin_id`.' }),
});

rewards.openapi(createRoute({
  method: 'post', path: '/players/me/rewards/spins/{spin_id}', tags: ['Players'], summary: 'Spin a granted wheel spin',
  description: 'Draws the prize from the spin\'s committed server seed, delivers it (XP, points, a badge, a free bet token, a cashback into your real balance) and reveals the seed '
    + 'with a proof anyone can verify. Idempotent: spinning the same spin again answers the same result (200) and delivers nothing again. Refusals, with nothing changed: '
    + 'reward_spin_not_found 404 (unknown, or not yours), reward_spin_expired 409, reward_spin_player_at_risk 409 (a wheel with cash-like prizes while you may be at risk: try later), '
    + 'account_locked / self_excluded / cooling_off 403 (the spin waits), validation_failed 400 (a malformed id).',
  middleware: [geoGate, requirePlayer] as const, security: [{ bearer: [] }],
  request: { params: SpinParam },
  responses: { 200: json(z.object({ spin: SpinResult, replayed: z.literal(true) }), 'Spun already: the same result'), 201: json(z.object({ spin: SpinResult, replayed: z.literal(false) }), 'Spun'), ...errors(400, 401, 403, 404, 409, 451) },
}), async (c) => {
  const { playerId, sessionId } = c.get('player');
  const r = unwrap(await playerStub(c.env, playerId).spinWheel(sessionId, c.req.valid('param').spin_id));
  return r.replayed ? c.json({ spin: r.spin, replayed: true as const }, 200) : c.json({ spin: r.spin, replayed: false as const }, 201);
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
