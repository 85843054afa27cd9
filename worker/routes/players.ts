/** Registration, the player's own profile, and KYC submission. */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { BRANDS, DEFAULT_BRAND } from '../../domain/brands';
import { deviceOf } from '../../domain/device';
import { ageInYears, jurisdictionConfig, jurisdictionForCountry } from '../../domain/jurisdictions';
import { uuidv7 } from '../../domain/ids';
import { hashPassword } from '../../domain/password';
import { normalizeEmail } from '../../durable/directory/directory-do';
import { SESSION_MAX_MS } from '../../durable/player/sessions';
import { isDevelopment, type AppEnv } from '../http/app-env';
import { issueSessionToken, requirePlayer } from '../http/auth';
import { clientIp } from '../http/client-ip';
import { ApiError, unwrap } from '../http/errors';
import { geoGate } from '../http/geo';
import { limitClient, type ClientLimit } from '../http/rate-limit';
import { directoryStub, playerStub } from '../http/stubs';
import { validationHook } from '../http/validation';
import { body, Country, CurrencyCode, errors, json, Limit, Player, Session } from '../schemas';

export const players = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const DateOfBirth = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).refine((s) => {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s) && d.getTime() < Date.now() && Number(s.slice(0, 4)) >= 1900;
}, 'not a real past date').openapi({ example: '1990-04-12' });

const Registration = z.strictObject({
  email: z.email().max(254),
  password: z.string().min(10).max(128).openapi({ description: '10 to 128 characters' }),
  date_of_birth: DateOfBirth,
  country: Country.openapi({ description: 'Country of residence; decides the jurisdiction' }),
  currency: CurrencyCode.optional().openapi({ description: "Defaults to the jurisdiction's first currency" }),
  acquisition_source: z.string().min(1).max(64).regex(/^[a-z0-9_\-.]+$/).optional().openapi({ example: 'affiliate.casinoguide' }),
  brand: z.enum(BRANDS.map((b) => b.id) as [string, ...string[]]).optional()
    .openapi({ description: `The casino site the player signs up on (default ${DEFAULT_BRAND})`, example: DEFAULT_BRAND }),
}).openapi('Registration');

/** Registrations per client (IPv4 address or IPv6 /64) per hour. */
export const REGISTRATION_PER_CLIENT_MAX = 10;
const REGISTRATION_LIMIT: ClientLimit = { name: 'register-ip', max: REGISTRATION_PER_CLIENT_MAX, window_ms: 3_600_000, message: 'too many registrations from this address' };

/**
 * In development the machine itself (the demo seed, the simulator, the benchmarks, all on
 * loopback under wrangler dev) registers as many players as it likes. Cloudflare never reports a
 * loopback client, and production never skips the limit.
 */
const isLocalTool = (c: Context<AppEnv>) => isDevelopment(c.env) && ['127.0.0.1', '::1'].includes(clientIp(c.req.raw));

const Authenticated = z.object({ token: z.string(), player: Player, session: Session }).openapi('Authenticated');

players.openapi(createRoute({
  method: 'post', path: '/players', tags: ['Players'], summary: 'Register a player',
  description: 'Creates the account in the jurisdiction of the country of residence, checks the age gate and returns a session token. '
    + 'The first session\'s device (mobile, desktop, tablet, app, unknown) is read from the User-Agent, or from `X-Client: app/<platform>/<version>` sent by our apps. '
    + `${REGISTRATION_PER_CLIENT_MAX} registrations per client (IPv4 address or IPv6 /64) per hour, then 429 with Retry-After.`,
  middleware: [geoGate] as const,
  request: { body: body(Registration) },
  responses: { 201: json(Authenticated, 'Registered and logged in'), ...errors(400, 409, 422, 429, 451) },
}), async (c) => {
  const input = c.req.valid('json');
  if (!isLocalTool(c)) await limitClient(c, REGISTRATION_LIMIT);
  const residence = jurisdictionForCountry(input.country);
  if (!residence.ok) throw new ApiError(residence.code, `registration from residents of ${input.country} is not possible`, { country: input.country });
  const j = residence.jurisdiction;
  const currency = input.currency ?? j.currencies[0]!;
  if (!j.currencies.includes(currency)) throw new ApiError('unsupported_currency', `${j.name} accounts use ${j.currencies.join(', ')}`, { allowed: j.currencies });
  const age = ageInYears(input.date_of_birth, Date.now());
  if (age < j.min_age) throw new ApiError('underage', `players in ${j.name} must be at least ${j.min_age}`, { min_age: j.min_age });

  const email = normalizeEmail(input.email);
  const playerId = uuidv7();
  const directory = await directoryStub(c.env, email);
  unwrap(await directory.claim(email, playerId));
  try {
    const password_hash = await hashPassword(input.password);
    const registered = unwrap(await playerStub(c.env, playerId).register({
      player_id: playerId, brand: input.brand ?? DEFAULT_BRAND, email, password_hash, date_of_birth: input.date_of_birth, country: input.country, jurisdiction: j.id,
      currency, acquisition_source: input.acquisition_source ?? null, config_version: jurisdictionConfig.version,
    }, { country: c.get('country'), ip: c.req.header('CF-Connecting-IP') ?? null, user_agent: c.req.header('User-Agent')?.slice(0, 256) ?? null,
      device: deviceOf(c.req.header('User-Agent'), c.req.header('X-Client')) }));
    await directory.confirm(email, playerId);
    const token = await issueSessionToken(c.env, { playerId, sessionId: registered.session.session_id }, registered.session.created_at + SESSION_MAX_MS);
    return c.json({ token, player: registered.player, session: registered.session }, 201);
  } catch (err) {
    await directory.release(email, playerId);
    throw err;
  }
});

players.openapi(createRoute({
  method: 'get', path: '/players/me', tags: ['Players'], summary: 'The logged-in player',
  middleware: [geoGate, requirePlayer] as const, security: [{ bearer: [] }],
  responses: { 200: json(z.object({ player: Player, session: Session, limits: z.array(Limit) }), 'Profile, current session and limits'), ...errors(401, 451) },
}), async (c) => {
  const { playerId, sessionId } = c.get('player');
  const r = unwrap(await playerStub(c.env, playerId).me(sessionId));
  return c.json({ player: r.player, session: r.session, limits: r.limits }, 200);
});

const KycSubmission = z.strictObject({
  provider: z.enum(['sandbox']).openapi({ description: 'KYC provider. The sandbox (development only) decides at once.' }),
  document_type: z.enum(['passport', 'id_card', 'driving_licence']),
  document_number: z.string().min(3).max(64).regex(/^[A-Za-z0-9\-]+$/),
  sandbox_outcome: z.enum(['verified', 'rejected', 'pending']).optional().openapi({ description: 'Sandbox only: the decision to simulate (default verified)' }),
}).openapi('KycSubmission');

players.openapi(createRoute({
  method: 'post', path: '/players/me/kyc', tags: ['Players'], summary: 'Submit identity documents for KYC',
  middleware: [geoGate, requirePlayer] as const, security: [{ bearer: [] }],
  request: { body: body(KycSubmission) },
  responses: { 200: json(z.object({ player: Player }), 'KYC state after submission'), ...errors(400, 401, 409, 422, 451) },
}), async (c) => {
  const input = c.req.valid('json');
  if (!isDevelopment(c.env)) throw new ApiError('unknown_provider', 'the sandbox KYC provider only exists in development', { provider: input.provider });
  const { playerId, sessionId } = c.get('player');
  const r = unwrap(await playerStub(c.env, playerId).submitKyc(sessionId, input.sandbox_outcome ?? 'verified', input.provider));
  return c.json({ player: r.player }, 200);
});
