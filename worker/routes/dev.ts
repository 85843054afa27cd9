/**
 * Development-only sandbox game: one instant round (bet reserved as a hold, posted, win credited)
 * through the player's real wallet. It lets the demo and `npm run bench` (E2) place bets over HTTP
 * before the live tables and the provider wallet API exist. Answers 404 outside development.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { isDevelopment, type AppEnv } from '../http/app-env';
import { requirePlayer } from '../http/auth';
import { ApiError, unwrap } from '../http/errors';
import { geoGate } from '../http/geo';
import { playerStub } from '../http/stubs';
import { validationHook } from '../http/validation';
import { authorizeOrDeny, requireOperator } from '../ops/guard';
import { RoundId, TableId } from '../tables/schemas';
import { knownTable, tableStub } from '../tables/stubs';
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

// ---- live-table benchmarks (bench/e5-table-settlement.mjs, E3): development only, dealer permission

dev.use('/dev/tables/*', requireOperator);
const DevTableParam = z.object({ table_id: TableId });
const DevRoundParam = z.object({ table_id: TableId, round_id: RoundId });

async function mayOperate(c: Context<AppEnv>, tableId: string, action: string, roundId: string | null): Promise<void> {
  const table = knownTable(tableId);
  await authorizeOrDeny(c, 'table.operate', { brand: table.brand }, { action, target_type: roundId ? 'table_round' : 'table', target_id: roundId ?? table.table_id });
}

dev.openapi(createRoute({
  method: 'post', path: '/dev/tables/{table_id}/rounds', tags: [DEVELOPMENT_TAG], summary: 'Open a round with a long betting time (development only)', security: [{ bearer: [] }],
  description: 'As the back office\'s open, with up to an hour of betting: a benchmark placing 1,000 bets on a loaded development machine needs more than the 120 s a dealer may choose.',
  request: { params: DevTableParam, body: body(z.strictObject({ betting_seconds: z.number().int().min(3).max(3600) })) },
  responses: { 201: json(z.object({ round: z.object({ round_id: z.string() }).passthrough() }), 'Betting is open'), ...errors(400, 401, 403, 404, 409) },
}), async (c) => {
  const { table_id } = c.req.valid('param');
  await mayOperate(c, table_id, 'table.round.open', null);
  const r = unwrap(await tableStub(c.env, table_id).openRound(`operator:${c.get('operator').operator_id}`, c.req.valid('json').betting_seconds));
  return c.json({ round: r.round }, 201);
});

dev.openapi(createRoute({
  method: 'post', path: '/dev/tables/{table_id}/rounds/{round_id}/floor-probe', tags: [DEVELOPMENT_TAG], summary: 'Settlement floor probe (development only)', security: [{ bearer: [] }],
  description: 'One empty call from the table to the player object of every bet of the round, in the waves settlement uses; changes nothing. Bench E5 measures it beside the settlement.',
  request: { params: DevRoundParam },
  responses: { 200: json(z.object({ calls: z.number().int(), ms: z.number() }), 'Calls made, and the table\'s own time'), ...errors(400, 401, 403, 404) },
}), async (c) => {
  const { table_id, round_id } = c.req.valid('param');
  await mayOperate(c, table_id, 'table.round.read', round_id);
  const r = unwrap(await tableStub(c.env, table_id).floorProbe(round_id));
  return c.json({ calls: r.calls, ms: r.ms }, 200);
});

dev.openapi(createRoute({
  method: 'post', path: '/dev/tables/{table_id}/rounds/{round_id}/decision-timer', tags: [DEVELOPMENT_TAG], summary: 'Move or run a blackjack decision timer (development only)', security: [{ bearer: [] }],
  description: 'Moves the open decision timer of a blackjack round (insurance, or the decision window) to `due_in_seconds` from now; 0 runs it at once, as when the window runs out (insurance declined, every open hand stands; the dealer plays, the result is recorded and every stake settled before the answer). Bench E5 holds the window open while it measures the floor, then times this call.',
  request: { params: DevRoundParam, body: body(z.strictObject({ due_in_seconds: z.number().int().min(0).max(3600) })) },
  responses: { 200: json(z.object({ round: z.object({ round_id: z.string(), state: z.string() }).passthrough(), timer: z.string() }), 'The timer moved (or ran), and the round after it'), ...errors(400, 401, 403, 404, 409, 422) },
}), async (c) => {
  const { table_id, round_id } = c.req.valid('param');
  await mayOperate(c, table_id, 'table.round.timer', round_id);
  const r = unwrap(await tableStub(c.env, table_id).devDecisionTimer(round_id, c.req.valid('json').due_in_seconds));
  return c.json({ round: r.round, timer: r.timer }, 200);
});
