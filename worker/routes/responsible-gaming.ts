/**
 * Limits, cool-off and self-exclusion. Cool-off and self-exclusion are deliberately not
 * geo-blocked: a player abroad must always be able to stop themselves playing.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  COOL_OFF_HOURS_MAX, COOL_OFF_HOURS_MIN, MONEY_LIMIT_PERIODS, REALITY_CHECK_MINUTES, SELF_EXCLUSION_MONTHS_MAX,
  SELF_EXCLUSION_MONTHS_MIN, SESSION_TIME_MINUTES_MAX, type LimitKind, type LimitPeriod,
} from '../../domain/limits';
import type { Currency } from '../../domain/money';
import type { AppEnv } from '../http/app-env';
import { requirePlayer } from '../http/auth';
import { unwrap } from '../http/errors';
import { geoGate } from '../http/geo';
import { playerStub } from '../http/stubs';
import { validationHook } from '../http/validation';
import { AmountMinor, body, CurrencyCode, errors, json, Limit, Player } from '../schemas';

export const responsibleGaming = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const security = [{ bearer: [] }];

responsibleGaming.openapi(createRoute({
  method: 'get', path: '/limits', tags: ['Responsible gaming'], summary: 'Limits in force and pending', security,
  middleware: [geoGate, requirePlayer] as const,
  responses: { 200: json(z.object({ limits: z.array(Limit) }), 'Limits'), ...errors(401, 451) },
}), async (c) => {
  const { playerId, sessionId } = c.get('player');
  const r = unwrap(await playerStub(c.env, playerId).limits(sessionId));
  return c.json({ limits: r.limits }, 200);
});

const MoneyLimit = z.strictObject({
  period: z.enum(MONEY_LIMIT_PERIODS),
  currency: CurrencyCode,
  amount_minor: AmountMinor.nullable().openapi({ description: 'null removes the limit (after the cooling-off period)' }),
});
const SessionTimeLimit = z.strictObject({ minutes: z.number().int().min(1).max(SESSION_TIME_MINUTES_MAX).nullable() });
const RealityCheck = z.strictObject({ minutes: z.number().int().min(REALITY_CHECK_MINUTES.min).max(REALITY_CHECK_MINUTES.max).nullable() });

const LimitRequest = z.union([MoneyLimit, SessionTimeLimit, RealityCheck]).openapi('LimitRequest', {
  description: 'deposit/loss/wager: {period, currency, amount_minor}; session_time and reality_check: {minutes}',
});

responsibleGaming.openapi(createRoute({
  method: 'put', path: '/limits/{kind}', tags: ['Responsible gaming'], summary: 'Set, raise, lower or remove a limit', security,
  description: 'Lowering (or setting a first limit) applies at once. Raising or removing applies after 24 hours and shows as `pending` meanwhile. '
    + 'Limits are rolling windows (24 h, 7 d, 30 d) per currency. session_time ends a session after the given minutes; reality_check reminds at that interval.',
  middleware: [geoGate, requirePlayer] as const,
  request: {
    params: z.object({ kind: z.enum(['deposit', 'loss', 'wager', 'session_time', 'reality_check']) }),
    body: body(LimitRequest),
  },
  responses: { 200: json(z.object({ limit: Limit }), 'The limit after the change'), ...errors(400, 401, 451) },
}), async (c) => {
  const { kind } = c.req.valid('param');
  const raw = c.req.valid('json');
  const money = kind === 'deposit' || kind === 'loss' || kind === 'wager';
  const parsed = (money ? MoneyLimit : kind === 'session_time' ? SessionTimeLimit : RealityCheck).safeParse(raw);
  if (!parsed.success) validationHook({ success: false, error: parsed.error });
  const input = parsed.data as { period?: LimitPeriod; currency?: Currency; amount_minor?: number | null; minutes?: number | null };
  const { playerId, sessionId } = c.get('player');
  const r = unwrap(await playerStub(c.env, playerId).setLimit(sessionId, money
    ? { kind: kind as LimitKind, period: input.period!, currency: input.currency!, value: input.amount_minor ?? null }
    : { kind, period: 'session', currency: null, value: input.minutes ?? null }));
  return c.json({ limit: r.limit }, 200);
});

responsibleGaming.openapi(createRoute({
  method: 'post', path: '/cool-off', tags: ['Responsible gaming'], summary: 'Take a break (24 hours to 6 weeks)', security,
  middleware: [requirePlayer] as const,
  description: 'Ends all sessions and blocks login, deposits and bets at once until the period ends. A second cool-off can only lengthen it.',
  request: { body: body(z.strictObject({ hours: z.number().int().min(COOL_OFF_HOURS_MIN).max(COOL_OFF_HOURS_MAX) }).openapi('CoolOff')) },
  responses: { 200: json(z.object({ player: Player }), 'Cool-off started'), ...errors(400, 401) },
}), async (c) => {
  const { hours } = c.req.valid('json');
  const { playerId, sessionId } = c.get('player');
  const r = unwrap(await playerStub(c.env, playerId).coolOff(sessionId, hours));
  return c.json({ player: r.player }, 200);
});

const SelfExclusion = z.union([
  z.strictObject({ months: z.number().int().min(SELF_EXCLUSION_MONTHS_MIN).max(SELF_EXCLUSION_MONTHS_MAX) }),
  z.strictObject({ permanent: z.literal(true) }),
]).openapi('SelfExclusion', { description: `{months: ${SELF_EXCLUSION_MONTHS_MIN}..${SELF_EXCLUSION_MONTHS_MAX}} or {permanent: true}` });

responsibleGaming.openapi(createRoute({
  method: 'post', path: '/self-exclusion', tags: ['Responsible gaming'], summary: 'Self-exclude (6 months to permanent)', security,
  middleware: [requirePlayer] as const,
  description: 'Ends all sessions and blocks login, deposits and bets at once. It cannot be lifted or shortened early.',
  request: { body: body(SelfExclusion) },
  responses: { 200: json(z.object({ player: Player }), 'Self-exclusion started'), ...errors(400, 401) },
}), async (c) => {
  const input = c.req.valid('json');
  const { playerId, sessionId } = c.get('player');
  const r = unwrap(await playerStub(c.env, playerId).selfExclude(sessionId, 'permanent' in input ? { months: null, permanent: true } : { months: input.months, permanent: false }));
  return c.json({ player: r.player }, 200);
});
