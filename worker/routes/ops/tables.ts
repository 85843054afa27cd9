/**
 * Live tables in the back office. Dealers (table.operate) open betting, close it and enter results
 * — a studio feed uses a dealer's credentials the same way; operators (table.void) void a round
 * before its result, refunding every bet; table.read shows tables, rounds with their bets, and the
 * observed RTP. Tables belong to a brand (config/tables.json), so the brand rules apply. Every
 * action is audited in the brand's log.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { brandsFor, type Permission } from '../../../domain/authz';
import { TABLES, type TableConfig } from '../../../durable/table/config';
import type { AppEnv } from '../../http/app-env';
import { unwrap } from '../../http/errors';
import { validationHook } from '../../http/validation';
import { auditRefusals } from '../../ops/audit-refusals';
import { authorizeOrDeny, recordAudit, requireOperator } from '../../ops/guard';
import { Reason } from '../../ops/schemas';
import { body, errors, json } from '../../schemas';
import { RoundAnswer, RoundDetail, TableList, TableRtp } from '../../ops/table-views';
import { BlackjackCardAnswer } from '../../tables/blackjack-schemas';
import { RoundId, TableId } from '../../tables/schemas';
import { knownTable, tableStub } from '../../tables/stubs';

export const opsTables = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
opsTables.use('/tables', requireOperator);
opsTables.use('/tables/*', requireOperator, auditRefusals);

const TAG = 'Back office: live tables';
const security = [{ bearer: [] }];
const TableParam = z.object({ table_id: TableId });
const RoundParam = z.object({ table_id: TableId, round_id: RoundId });

type Ctx = Context<AppEnv>;

async function guardTable(c: Ctx, permission: Permission, tableId: string, action: string, roundId: string | null = null): Promise<TableConfig> {
  const table = knownTable(tableId);
  await authorizeOrDeny(c, permission, { brand: table.brand }, { action, target_type: roundId ? 'table_round' : 'table', target_id: roundId ?? table.table_id });
  return table;
}

async function audit(c: Ctx, table: TableConfig, action: string, roundId: string | null, extra: { reason?: string | null; before?: unknown; after?: unknown } = {}) {
  await recordAudit(c, {
    action, target_type: roundId ? 'table_round' : 'table', target_id: roundId ?? table.table_id, brand: table.brand,
    reason: extra.reason ?? null, before: extra.before ?? null, after: extra.after ?? null,
  });
}

const actor = (c: Ctx) => `operator:${c.get('operator').operator_id}`;

opsTables.openapi(createRoute({
  method: 'get', path: '/tables', tags: [TAG], summary: "Tables of the operator's brands", security,
  responses: { 200: json(TableList, 'Tables'), ...errors(401) },
}), async (c) => {
  const brands = brandsFor(c.get('operator'), 'table.read', [...new Set(TABLES.map((t) => t.brand))]);
  const mine = TABLES.filter((t) => brands.includes(t.brand));
  return c.json({ tables: await Promise.all(mine.map((t) => tableStub(c.env, t.table_id).view())) }, 200);
});

opsTables.openapi(createRoute({
  method: 'get', path: '/tables/{table_id}/rounds/{round_id}', tags: [TAG], summary: 'A round with its totals and every bet', security,
  request: { params: RoundParam },
  responses: { 200: json(RoundDetail, 'The round'), ...errors(400, 401, 403, 404) },
}), async (c) => {
  const { table_id, round_id } = c.req.valid('param');
  await guardTable(c, 'table.read', table_id, 'table.round.read', round_id);
  const r = unwrap(await tableStub(c.env, table_id).roundDetail(round_id));
  return c.json({ round: r.round, totals: r.totals, bets: r.bets }, 200);
});

opsTables.openapi(createRoute({
  method: 'get', path: '/tables/{table_id}/rtp', tags: [TAG], summary: 'Observed RTP over rolling windows, against the payout table', security,
  description: 'Settled bets per bet type and currency over the last 1 h, 24 h, 7 d and 30 d, with the theoretical RTP of the bet type and a z-score; `flagged` marks a deviation beyond what chance explains at that volume.',
  request: { params: TableParam },
  responses: { 200: json(TableRtp, 'Observed RTP'), ...errors(401, 403, 404) },
}), async (c) => {
  const { table_id } = c.req.valid('param');
  const table = await guardTable(c, 'table.read', table_id, 'table.rtp.read');
  const r = await tableStub(c.env, table_id).rtp();
  return c.json({ table_id: table.table_id, game: table.game, windows: r.windows }, 200);
});

opsTables.openapi(createRoute({
  method: 'post', path: '/tables/{table_id}/rounds', tags: [TAG], summary: 'Open betting on a new round (dealer)', security,
  description: 'The round closes by itself when the betting time runs out (the table\'s, or `betting_seconds` for this round), or earlier with /close. Refused while another round is open, closed or settling.',
  request: {
    params: TableParam,
    body: { required: false, content: { 'application/json': { schema: z.strictObject({ betting_seconds: z.number().int().min(3).max(120).optional().openapi({ description: "This round's betting time, instead of the table's", example: 20 }) }) } } },
  },
  responses: { 201: json(RoundAnswer, 'Betting is open'), ...errors(401, 403, 404, 409) },
}), async (c) => {
  const { table_id } = c.req.valid('param');
  const table = await guardTable(c, 'table.operate', table_id, 'table.round.open');
  const input = c.req.valid('json') ?? {};
  const r = unwrap(await tableStub(c.env, table_id).openRound(actor(c), input.betting_seconds));
  await audit(c, table, 'table.round.open', r.round.round_id, { after: { round_no: r.round.round_no, closes_at: r.round.closes_at } });
  return c.json({ round: r.round }, 201);
});

opsTables.openapi(createRoute({
  method: 'post', path: '/tables/{table_id}/rounds/{round_id}/close', tags: [TAG], summary: 'No more bets (dealer)', security,
  request: { params: RoundParam },
  responses: { 200: json(RoundAnswer, 'Betting closed'), ...errors(400, 401, 403, 404, 409) },
}), async (c) => {
  const { table_id, round_id } = c.req.valid('param');
  const table = await guardTable(c, 'table.operate', table_id, 'table.round.close', round_id);
  const r = unwrap(await tableStub(c.env, table_id).closeRound(round_id, actor(c)));
  await audit(c, table, 'table.round.close', round_id);
  return c.json({ round: r.round }, 200);
});

const ResultInput = z.strictObject({
  outcome: z.union([
    z.strictObject({ number: z.number().int() }).openapi({ description: 'Roulette: the winning number', example: { number: 17 } }),
    z.strictObject({ player: z.array(z.string().max(3)).max(3), banker: z.array(z.string().max(3)).max(3) })
      .openapi({ description: "Baccarat: the cards in deal order, e.g. 'AS', '10H', 'KD'", example: { player: ['9H', 'KD'], banker: ['7S', '10C'] } }),
  ]),
}).openapi('TableResult');

opsTables.openapi(createRoute({
  method: 'post', path: '/tables/{table_id}/rounds/{round_id}/result', tags: [TAG], summary: 'Enter the result and settle (dealer tables)', security,
  description: 'Closes betting if it is still open, records the result (checked against the game\'s rules, e.g. baccarat\'s third-card rules) and settles every bet before answering. A settlement interrupted midway is finished by the table\'s alarm; each bet is settled exactly once.',
  request: { params: RoundParam, body: body(ResultInput) },
  responses: { 200: json(RoundAnswer, 'Result recorded; the round is settled (or settling)'), ...errors(400, 401, 403, 404, 409, 422) },
}), async (c) => {
  const { table_id, round_id } = c.req.valid('param');
  const { outcome } = c.req.valid('json');
  const table = await guardTable(c, 'table.operate', table_id, 'table.round.result', round_id);
  const r = unwrap(await tableStub(c.env, table_id).enterResult(round_id, outcome, actor(c)));
  await audit(c, table, 'table.round.result', round_id, { after: { outcome, state: r.round.state } });
  return c.json({ round: r.round }, 200);
});

opsTables.openapi(createRoute({
  method: 'post', path: '/tables/{table_id}/rounds/{round_id}/cards', tags: [TAG], summary: 'Deal one card (blackjack dealer tables)', security,
  description: 'The dealer (or a studio feed with a dealer\'s credentials) enters each card as it leaves the shoe, in order: the opening deal, hits, doubles, split hands, then the dealer\'s cards. '
    + 'A card that cannot come next is refused and changes nothing: not a card (not_a_card), no card wanted now (no_card_needed), or more copies than the shoe holds (card_not_in_shoe). '
    + 'The card after the dealer\'s last one records the result and settles the round before answering. '
    + '`position` (the card\'s 0-based place among the round\'s cards) makes entry idempotent: the same card at a position already dealt is a replay that changes nothing, '
    + 'another card there or a position past the next one is refused (card_out_of_order). A feed that retries must send it.',
  request: { params: RoundParam, body: body(z.strictObject({
    card: z.string().min(2).max(3).openapi({ example: 'KD' }),
    position: z.number().int().min(0).max(1000).optional().openapi({ description: "The card's place among the round's cards, from 0", example: 4 }),
  })) },
  responses: { 200: json(BlackjackCardAnswer, 'Card dealt'), ...errors(400, 401, 403, 404, 409, 422) },
}), async (c) => {
  const { table_id, round_id } = c.req.valid('param');
  const { card, position } = c.req.valid('json');
  const table = await guardTable(c, 'table.operate', table_id, 'table.round.card', round_id);
  const r = unwrap(await tableStub(c.env, table_id).blackjackCard(round_id, card, position));
  await audit(c, table, 'table.round.card', round_id, { after: { card, ...(position === undefined ? {} : { position }), phase: r.round.phase } });
  return c.json({ round: r.round }, 200);
});

opsTables.openapi(createRoute({
  method: 'post', path: '/tables/{table_id}/rounds/{round_id}/void', tags: [TAG], summary: 'Void a round before its result, refunding every bet', security,
  description: 'Allowed while betting is open or closed; once a result is in, bets are corrected per player by dispute (/v1/ops/players/{id}/disputes).',
  request: { params: RoundParam, body: body(z.strictObject({ reason: Reason })) },
  responses: { 200: json(RoundAnswer, 'Voided; stakes are back'), ...errors(400, 401, 403, 404, 409) },
}), async (c) => {
  const { table_id, round_id } = c.req.valid('param');
  const { reason } = c.req.valid('json');
  const table = await guardTable(c, 'table.void', table_id, 'table.round.void', round_id);
  const r = unwrap(await tableStub(c.env, table_id).voidRound(round_id, actor(c), reason));
  await audit(c, table, 'table.round.void', round_id, { reason, after: { state: r.round.state } });
  return c.json({ round: r.round }, 200);
});
