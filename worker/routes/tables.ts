/**
 * Live tables for players and spectators: the tables and their current round (public), round
 * history with the data to verify automated rounds, placing bets (players), the player's own bets,
 * and the table's WebSocket (GET /v1/tables/{table_id}/ws; not in OpenAPI, see docs/live-tables.md).
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { TABLES } from '../../durable/table/config';
import type { AppEnv } from '../http/app-env';
import { requirePlayer, verifySessionToken } from '../http/auth';
import { ApiError, unwrap } from '../http/errors';
import { geoGate } from '../http/geo';
import { playerStub } from '../http/stubs';
import { validationHook } from '../http/validation';
import { body, errors, json } from '../schemas';
import { Bet, PlaceBet, PublicRound, RoundId, Table, TableId } from '../tables/schemas';
import { knownTable, tableStub } from '../tables/stubs';
import { TableLeaderboard } from '../tournaments/schemas';

export const tables = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
tables.use('/tables/:table_id/bets', geoGate, requirePlayer);

const TAG = 'Live tables';
const security = [{ bearer: [] }];
const TableParam = z.object({ table_id: TableId });

tables.openapi(createRoute({
  method: 'get', path: '/tables', tags: [TAG], summary: 'Live tables and their current rounds',
  responses: { 200: json(z.object({ tables: z.array(Table) }), 'Every configured table') },
}), async (c) => {
  const views = await Promise.all(TABLES.map((t) => tableStub(c.env, t.table_id).view()));
  return c.json({ tables: views }, 200);
});

tables.openapi(createRoute({
  method: 'get', path: '/tables/{table_id}', tags: [TAG], summary: 'One table and its current round',
  request: { params: TableParam },
  responses: { 200: json(Table, 'The table'), ...errors(404) },
}), async (c) => {
  const { table_id } = c.req.valid('param');
  return c.json(await tableStub(c.env, table_id).view(), 200);
});

tables.openapi(createRoute({
  method: 'get', path: '/tables/{table_id}/rounds', tags: [TAG], summary: 'Round history, newest first',
  description: 'Keyset pagination on round_no: pass `next_before` as `before`.',
  request: { params: TableParam, query: z.strictObject({ before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(), limit: z.coerce.number().int().min(1).max(100).default(20) }) },
  responses: { 200: json(z.object({ rounds: z.array(PublicRound), next_before: z.number().int().nullable() }), 'A page of rounds'), ...errors(400, 404) },
}), async (c) => {
  const { table_id } = c.req.valid('param');
  const q = c.req.valid('query');
  return c.json(await tableStub(c.env, table_id).history({ before: q.before ?? null, limit: q.limit }), 200);
});

tables.openapi(createRoute({
  method: 'get', path: '/tables/{table_id}/rounds/{round_id}', tags: [TAG], summary: 'One round, with what is needed to verify it',
  description: 'For automated tables the commitment is published when betting opens and the seed once the result is in: '
    + 'sha256(seed) must equal the commitment, and the outcome must re-derive from HMAC-SHA256(seed, "<table_id>:<round_id>:<counter>") as described in docs/fairness.md.',
  request: { params: z.object({ table_id: TableId, round_id: RoundId }) },
  responses: { 200: json(z.object({ round: PublicRound }), 'The round'), ...errors(400, 404) },
}), async (c) => {
  const { table_id, round_id } = c.req.valid('param');
  return c.json({ round: unwrap(await tableStub(c.env, table_id).round(round_id)).round }, 200);
});

tables.openapi(createRoute({
  method: 'get', path: '/tables/{table_id}/leaderboard', tags: [TAG], summary: "Today's top net winners at the table",
  description: 'From the table\'s own settled bets of the current UTC day, per currency: what each player won beyond their stakes, positive only, '
    + 'largest first (ties: who got there first). Players are shown by the handle the table socket shows, never their id (docs/tournaments.md).',
  request: { params: TableParam, query: z.strictObject({ limit: z.coerce.number().int().min(1).max(50).default(10) }) },
  responses: { 200: json(TableLeaderboard, 'The leaderboard'), ...errors(400, 404) },
}), async (c) => {
  const { table_id } = c.req.valid('param');
  const { limit } = c.req.valid('query');
  return c.json(await tableStub(c.env, table_id).leaderboard(limit), 200);
});

tables.openapi(createRoute({
  method: 'post', path: '/tables/{table_id}/bets', tags: [TAG], summary: 'Place a bet on the open round', security,
  description: 'Checks the spot, the table limits and your exposure in the round, then reserves the stake in your wallet '
    + '(responsible-gaming limits, exclusions and funds are checked there). Settlement posts the stake and credits any return. '
    + '`bet_id` makes the call idempotent. Confirmations and settlements are also pushed on the table WebSocket. '
    + 'With `free_bet_id` the stake is that free bet, not your money (refused with free_bet_not_found 404, free_bet_used or free_bet_expired 409, '
    + 'free_bet_wrong_amount, free_bet_wrong_currency or free_bet_wrong_table 422, and nothing changed): a win pays the return without the stake.',
  request: { params: TableParam, body: body(PlaceBet) },
  responses: {
    201: json(z.object({ bet: Bet, replayed: z.boolean(), available_minor: z.number().int().nullable() }), 'Bet accepted'),
    200: json(z.object({ bet: Bet, replayed: z.boolean(), available_minor: z.number().int().nullable() }), 'Replay of an accepted bet'),
    ...errors(400, 401, 403, 404, 409, 422, 451),
  },
}), async (c) => {
  const { table_id } = c.req.valid('param');
  const input = c.req.valid('json');
  const { playerId, sessionId } = c.get('player');
  const r = unwrap(await tableStub(c.env, table_id).placeBet({ ...input, player_id: playerId, session_id: sessionId }));
  return c.json({ bet: r.bet, replayed: r.replayed, available_minor: r.available_minor }, r.replayed ? 200 : 201);
});

tables.openapi(createRoute({
  method: 'get', path: '/tables/{table_id}/bets', tags: [TAG], summary: 'Your bets in a round', security,
  request: { params: TableParam, query: z.strictObject({ round_id: RoundId }) },
  responses: { 200: json(z.object({ bets: z.array(Bet) }), 'Your bets'), ...errors(400, 401, 404, 451) },
}), async (c) => {
  const { table_id } = c.req.valid('param');
  const { round_id } = c.req.valid('query');
  const { playerId } = c.get('player');
  return c.json({ bets: await tableStub(c.env, table_id).myBets(playerId, round_id) }, 200);
});

/**
 * The table's WebSocket. Browsers cannot set headers on a WebSocket, so the player token comes as
 * a subprotocol: new WebSocket(url, ['casino.v1', 'bearer.' + token]). Without a token you watch
 * as a spectator (no chat, no personal messages). The player's session must still be open.
 */
tables.get('/tables/:table_id/ws', geoGate, async (c) => {
  const table = knownTable(c.req.param('table_id'));
  if (c.req.header('Upgrade')?.toLowerCase() !== 'websocket') throw new ApiError('validation_failed', 'this endpoint takes a WebSocket upgrade');
  const protocols = (c.req.header('Sec-WebSocket-Protocol') ?? '').split(',').map((p) => p.trim());
  const token = protocols.find((p) => p.startsWith('bearer.'))?.slice('bearer.'.length);
  const headers = new Headers({ Upgrade: 'websocket' });
  if (protocols.includes('casino.v1')) headers.set('Sec-WebSocket-Protocol', 'casino.v1');
  if (token) {
    const auth = await verifySessionToken(c.env, token);
    if (!auth) throw new ApiError('unauthenticated');
    unwrap(await playerStub(c.env, auth.playerId).me(auth.sessionId)); // the session must still be open
    headers.set('X-Player-Id', auth.playerId);
    headers.set('X-Session-Id', auth.sessionId);
  }
  return tableStub(c.env, table.table_id).fetch(new Request('https://table.internal/ws', { headers }));
});
