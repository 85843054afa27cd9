/**
 * Live blackjack for players: the round and your hands (public view without a token), take a seat
 * or a place with a bet and side bets, bet behind a seat, decide (hit, stand, double, split,
 * surrender, insurance), and leave before the deal. Every move that adds a stake is idempotent on
 * an id the client chooses (bet_id, decision_id). The table's WebSocket pushes every step
 * (`blackjack.round` to everyone, `blackjack.hand` to the hand's player). docs/live-tables.md.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../http/app-env';
import { requirePlayer, verifySessionToken } from '../http/auth';
import { unwrap } from '../http/errors';
import { geoGate } from '../http/geo';
import { validationHook } from '../http/validation';
import { body, CurrencyCode, errors, json } from '../schemas';
import { BlackjackMoveAnswer, BlackjackRound } from '../tables/blackjack-schemas';
import { RoundId, TableId } from '../tables/schemas';
import { tableStub } from '../tables/stubs';

export const blackjack = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
blackjack.use('/tables/:table_id/blackjack/bets', geoGate, requirePlayer);
blackjack.use('/tables/:table_id/blackjack/behind', geoGate, requirePlayer);
blackjack.use('/tables/:table_id/blackjack/decisions', geoGate, requirePlayer);
blackjack.use('/tables/:table_id/blackjack/leave', geoGate, requirePlayer);

const TAG = 'Live blackjack';
const security = [{ bearer: [] }];
const TableParam = z.object({ table_id: TableId.openapi({ example: 'auto-blackjack-1' }) });
const Id = z.uuid().openapi({ description: 'Chosen by the client: a retry with the same id and body returns the same answer', example: '019a4b1e-7000-7abc-8def-0123456789ab' });
const Stake = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

const BetRequest = z.strictObject({
  bet_id: Id,
  round_id: RoundId,
  currency: CurrencyCode,
  seat: z.number().int().min(1).max(7).optional().openapi({ description: 'Seated tables: the seat to take (1-7). Infinite tables: omit' }),
  main_minor: Stake.openapi({ example: 1000 }),
  side_bets: z.strictObject({ perfect_pairs: Stake.optional(), twenty_one_plus_three: Stake.optional(), hot_3: Stake.optional() }).optional()
    .openapi({ description: 'Side bets offered by the table (rules.side_bets), each its own stake' }),
  client_seed: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional()
    .openapi({ description: "Automated tables: your seed for the shoe. The shoe's client seed is SHA-256 of every seat's seed (docs/fairness.md)" }),
}).openapi('BlackjackBetRequest');

const BehindRequest = z.strictObject({ bet_id: Id, round_id: RoundId, currency: CurrencyCode, seat: z.number().int().min(1).max(7), amount_minor: Stake })
  .openapi('BlackjackBehindRequest');

const DecisionRequest = z.strictObject({
  decision_id: Id,
  round_id: RoundId,
  box_id: z.string().min(1).max(80).openapi({ description: "Your box: 'seat-N' at a Seated table, 'player-<your id>' at an Infinite table", example: 'seat-3' }),
  hand_index: z.number().int().min(0).max(3).default(0).openapi({ description: 'Which hand of the box (splits add hands 1, 2, 3)' }),
  action: z.enum(['hit', 'stand', 'double', 'split', 'surrender', 'insurance', 'no_insurance']),
}).openapi('BlackjackDecisionRequest');

const LeaveRequest = z.strictObject({ round_id: RoundId, seat: z.number().int().min(1).max(7).optional() }).openapi('BlackjackLeaveRequest');

blackjack.openapi(createRoute({
  method: 'get', path: '/tables/{table_id}/blackjack/round', tags: [TAG], summary: 'The current round (or one round) and, with a token, your hands and the actions open to you',
  description: 'The dealer\'s hole card stays hidden until the dealer plays. `decision_due_at`: when the open decision times out (the hand stands; insurance is declined).',
  request: { params: TableParam, query: z.strictObject({ round_id: RoundId.optional() }) },
  responses: { 200: json(z.object({ round: BlackjackRound }), 'The round'), ...errors(400, 401, 404, 422) },
}), async (c) => {
  const { table_id } = c.req.valid('param');
  const { round_id } = c.req.valid('query');
  // optional token: without one the public view
  const token = c.req.header('Authorization')?.match(/^Bearer (.+)$/)?.[1];
  const auth = token ? await verifySessionToken(c.env, token) : null;
  const r = unwrap(await tableStub(c.env, table_id).blackjackRound(round_id ?? null, auth?.playerId ?? null));
  return c.json({ round: r.round }, 200);
});

const moveResponses = (what: string) => ({
  201: json(BlackjackMoveAnswer, what),
  200: json(BlackjackMoveAnswer, 'Replay of the same move'),
  ...errors(400, 401, 403, 404, 409, 422, 451),
});

blackjack.openapi(createRoute({
  method: 'post', path: '/tables/{table_id}/blackjack/bets', tags: [TAG], summary: 'Take a seat (or a place at an Infinite table) with a bet', security,
  description: 'Checks the seat, the side bets offered, the table limits per stake and your exposure; then reserves every stake in your wallet (responsible-gaming limits, '
    + 'exclusions and funds are checked there). All or nothing: if one stake is refused none is taken. Refusals: seat_taken, table_full, already_bet, side_bet_not_offered, '
    + 'bet_out_of_limits, exposure_exceeded, betting_closed, insufficient_funds...',
  request: { params: TableParam, body: body(BetRequest) },
  responses: moveResponses('Seated, stakes reserved'),
}), async (c) => {
  const { table_id } = c.req.valid('param');
  const { playerId, sessionId } = c.get('player');
  const r = unwrap(await tableStub(c.env, table_id).blackjackBet({ ...c.req.valid('json'), player_id: playerId, session_id: sessionId }));
  return c.json({ bets: r.bets, replayed: r.replayed, round: r.round }, r.replayed ? 200 : 201);
});

blackjack.openapi(createRoute({
  method: 'post', path: '/tables/{table_id}/blackjack/behind', tags: [TAG], summary: "Bet behind another player's seat (Seated tables)", security,
  description: "Wins, pushes and loses with the seat's first hand; it does not double or split with it.",
  request: { params: TableParam, body: body(BehindRequest) },
  responses: moveResponses('Bet behind reserved'),
}), async (c) => {
  const { table_id } = c.req.valid('param');
  const { playerId, sessionId } = c.get('player');
  const r = unwrap(await tableStub(c.env, table_id).blackjackBehind({ ...c.req.valid('json'), player_id: playerId, session_id: sessionId }));
  return c.json({ bets: r.bets, replayed: r.replayed, round: r.round }, r.replayed ? 200 : 201);
});

blackjack.openapi(createRoute({
  method: 'post', path: '/tables/{table_id}/blackjack/decisions', tags: [TAG], summary: 'Decide on a hand: hit, stand, double, split, surrender, or (under an ace) insurance', security,
  description: 'Seated: only the hand whose turn it is decides (not_your_turn otherwise). Infinite: each player decides their own hands. A double or split reserves the hand\'s stake again, '
    + 'insurance half the main stake: idempotent on decision_id. Refusals: double_needs_two_cards, double_not_allowed, split_unequal_cards, split_limit, surrender_not_offered, hand_finished, '
    + 'card_pending, insurance_not_offered, wrong_phase...',
  request: { params: TableParam, body: body(DecisionRequest) },
  responses: moveResponses('Decision applied (a money decision: its stake reserved)'),
}), async (c) => {
  const { table_id } = c.req.valid('param');
  const { playerId, sessionId } = c.get('player');
  const r = unwrap(await tableStub(c.env, table_id).blackjackDecide({ ...c.req.valid('json'), player_id: playerId, session_id: sessionId }));
  return c.json({ bets: r.bets, replayed: r.replayed, round: r.round }, r.replayed ? 200 : 201);
});

blackjack.openapi(createRoute({
  method: 'post', path: '/tables/{table_id}/blackjack/leave', tags: [TAG], summary: 'Leave before the deal (your seat or your bet behind); the stakes go back', security,
  request: { params: TableParam, body: body(LeaveRequest) },
  responses: { 200: json(BlackjackMoveAnswer, 'Left; the stakes given back are listed'), ...errors(400, 401, 403, 404, 409, 451) },
}), async (c) => {
  const { table_id } = c.req.valid('param');
  const { playerId } = c.get('player');
  const r = unwrap(await tableStub(c.env, table_id).blackjackLeave({ ...c.req.valid('json'), player_id: playerId }));
  return c.json({ bets: r.bets, replayed: r.replayed, round: r.round }, 200);
});
