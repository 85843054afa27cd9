/**
 * Development-only sandbox game: one instant round (bet reserved as a hold, posted, win credited)
 * through the player's real wallet. It lets the demo and `npm run bench` (E2) place bets over HTTP
 * before the live tables and the provider wallet API exist. Answers 404 outside development.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { isDevelopment, type AppEnv } from '../http/app-env';
import { requirePlayer } from '../http/auth';
import { ApiError, unwrap } from '../http/errors';
import { geoGate } from '../http/geo';
import { playerStub } from '../http/stubs';
import { validationHook } from '../http/validation';
import { DEVELOPMENT_TAG } from '../openapi';
import { AmountMinor, Balance, body, CurrencyCode, errors, json } from '../schemas';

export const dev = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
dev.use('/dev/*', async (c, next) => {
  if (!isDevelopment(c.env)) throw new ApiError('not_found');
  await next();
});

const InstantRound = z.strictObject({
  round_id: z.string().min(1).max(64).regex(/^[A-Za-z0-9_\-:.]+$/).openapi({ description: 'Client-chosen; a retry with the same id plays nothing twice' }),
  currency: CurrencyCode,
  amount_minor: AmountMinor,
  win_minor: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
}).openapi('InstantRound');

dev.openapi(createRoute({
  method: 'post', path: '/dev/rounds', tags: [DEVELOPMENT_TAG], summary: 'Play one sandbox round (development only)',
  security: [{ bearer: [] }], middleware: [geoGate, requirePlayer] as const,
  request: { body: body(InstantRound) },
  responses: { 200: json(z.object({ round_id: z.string(), replayed: z.boolean(), balances: z.array(Balance) }), 'Round settled'), ...errors(400, 401, 403, 404, 409, 422) },
}), async (c) => {
  const input = c.req.valid('json');
  const { playerId, sessionId } = c.get('player');
  const r = unwrap(await playerStub(c.env, playerId).instantRound(sessionId, input));
  return c.json({ round_id: r.round_id, replayed: r.replayed, balances: r.balances }, 200);
});
