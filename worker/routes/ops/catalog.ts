/**
 * The game catalog in the back office: providers, categories and games (read with game.read,
 * changed with game.manage; both platform-wide), the catalog's change history, and the observed
 * RTP of provider games per brand. Every change names the version it was made against (409
 * version_conflict otherwise), carries a reason, becomes one `catalog.*.changed` event in CatalogDO
 * and one audit entry (platform shard) with the state before and after.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Permission } from '../../../domain/authz';
import type { ChangeBy } from '../../../domain/catalog/types';
import { isBrand } from '../../../domain/brands';
import { CurrencyCode } from '../../../domain/catalog/rules';
import { invalidateCatalogCache } from '../../catalog/cache';
import { ensureOperator } from '../../catalog/ops-auth';
import { gameRtpViews, guardBrandGameRead } from '../../catalog/rtp';
import {
  CatalogId, CategoryChange, GameChange, GameQuery, NewCategory, NewGame, NewProvider, ProviderChange, Toggle,
} from '../../catalog/schemas';
import { catalogStub } from '../../catalog/stub';
import type { AppEnv } from '../../http/app-env';
import { ApiError, unwrap } from '../../http/errors';
import { validationHook } from '../../http/validation';
import { guardPlatform, PLATFORM, recordAudit } from '../../ops/guard';
import {
  BrandGameRtp, CatalogChanges, CategoryAnswer, CategoryChanged, CategoryList, GameAnswer, GameChanged, GameDetail, GameList, ProviderAnswer, ProviderChanged, ProviderList,
} from '../../ops/catalog-views';
import { BrandParam } from '../../ops/schemas';
import { brandOpsStub } from '../../ops/stubs';
import { body, errors, json } from '../../schemas';

export const opsCatalog = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const TAG = 'Back office: game catalog';
const security = [{ bearer: [] }];
opsCatalog.use('/catalog/*', ensureOperator);

type Ctx = Context<AppEnv>;
type Kind = 'provider' | 'category' | 'game';

const ProviderParam = z.object({ provider_id: CatalogId.openapi({ param: { name: 'provider_id', in: 'path' }, example: 'sandbox-slots' }) });
const CategoryParam = z.object({ category_id: CatalogId.openapi({ param: { name: 'category_id', in: 'path' }, example: 'slots' }) });
const GameParam = z.object({ game_id: CatalogId.openapi({ param: { name: 'game_id', in: 'path' }, example: 'sandbox-starfall-fortune' }) });

function by(c: Ctx, reason: string): ChangeBy {
  return { actor: `operator:${c.get('operator').operator_id}`, reason };
}

async function guard(c: Ctx, permission: Permission, action: string, kind: Kind | 'catalog', id: string | null = null): Promise<void> {
  await guardPlatform(c, permission, action, kind, id);
}

/** After a change: this isolate's lobby copy is stale, and the change goes into the audit log. */
async function changed(c: Ctx, action: string, kind: Kind, id: string, reason: string, before: unknown, after: unknown): Promise<void> {
  invalidateCatalogCache();
  await recordAudit(c, { action, target_type: kind, target_id: id, brand: PLATFORM, reason, before: before ?? null, after });
}

// ---- providers ---------------------------------------------------------------------------------

opsCatalog.openapi(createRoute({
  method: 'get', path: '/catalog/providers', tags: [TAG], summary: 'Game providers', security,
  responses: { 200: json(ProviderList, 'Providers'), ...errors(401, 403) },
}), async (c) => {
  await guard(c, 'game.read', 'catalog.provider.list', 'catalog');
  return c.json({ providers: await catalogStub(c.env).providers() }, 200);
});

opsCatalog.openapi(createRoute({
  method: 'post', path: '/catalog/providers', tags: [TAG], summary: 'Add a provider (disabled unless `enabled: true`)', security,
  request: { body: body(NewProvider) },
  responses: { 201: json(ProviderAnswer, 'Created'), ...errors(400, 401, 403, 409) },
}), async (c) => {
  const { reason, ...input } = c.req.valid('json');
  await guard(c, 'game.manage', 'catalog.provider.create', 'provider', input.provider_id);
  const r = unwrap(await catalogStub(c.env).createProvider(input, by(c, reason)));
  await changed(c, 'catalog.provider.create', 'provider', input.provider_id, reason, null, r.provider);
  return c.json({ provider: r.provider }, 201);
});

opsCatalog.openapi(createRoute({
  method: 'get', path: '/catalog/providers/{provider_id}', tags: [TAG], summary: 'One provider', security,
  request: { params: ProviderParam },
  responses: { 200: json(ProviderAnswer, 'The provider'), ...errors(401, 403, 404) },
}), async (c) => {
  const { provider_id } = c.req.valid('param');
  await guard(c, 'game.read', 'catalog.provider.read', 'provider', provider_id);
  return c.json({ provider: unwrap(await catalogStub(c.env).provider(provider_id)).provider }, 200);
});

opsCatalog.openapi(createRoute({
  method: 'patch', path: '/catalog/providers/{provider_id}', tags: [TAG], summary: 'Rename a provider', security,
  request: { params: ProviderParam, body: body(ProviderChange) },
  responses: { 200: json(ProviderChanged, 'Updated (changed: false when nothing differed)'), ...errors(400, 401, 403, 404, 409) },
}), async (c) => {
  const { provider_id } = c.req.valid('param');
  const { reason, version, ...patch } = c.req.valid('json');
  await guard(c, 'game.manage', 'catalog.provider.update', 'provider', provider_id);
  const r = unwrap(await catalogStub(c.env).updateProvider(provider_id, version, patch, by(c, reason)));
  if (r.changed) await changed(c, 'catalog.provider.update', 'provider', provider_id, reason, r.before, r.provider);
  return c.json({ provider: r.provider, changed: r.changed }, 200);
});

// ---- categories --------------------------------------------------------------------------------

opsCatalog.openapi(createRoute({
  method: 'get', path: '/catalog/categories', tags: [TAG], summary: 'Lobby categories, in lobby order', security,
  responses: { 200: json(CategoryList, 'Categories'), ...errors(401, 403) },
}), async (c) => {
  await guard(c, 'game.read', 'catalog.category.list', 'catalog');
  return c.json({ categories: await catalogStub(c.env).categories() }, 200);
});

opsCatalog.openapi(createRoute({
  method: 'post', path: '/catalog/categories', tags: [TAG], summary: 'Add a category', security,
  request: { body: body(NewCategory) },
  responses: { 201: json(CategoryAnswer, 'Created'), ...errors(400, 401, 403, 409) },
}), async (c) => {
  const { reason, ...input } = c.req.valid('json');
  await guard(c, 'game.manage', 'catalog.category.create', 'category', input.category_id);
  const r = unwrap(await catalogStub(c.env).createCategory(input, by(c, reason)));
  await changed(c, 'catalog.category.create', 'category', input.category_id, reason, null, r.category);
  return c.json({ category: r.category }, 201);
});

opsCatalog.openapi(createRoute({
  method: 'patch', path: '/catalog/categories/{category_id}', tags: [TAG], summary: 'Rename or reorder a category', security,
  request: { params: CategoryParam, body: body(CategoryChange) },
  responses: { 200: json(CategoryChanged, 'Updated'), ...errors(400, 401, 403, 404, 409) },
}), async (c) => {
  const { category_id } = c.req.valid('param');
  const { reason, version, ...patch } = c.req.valid('json');
  await guard(c, 'game.manage', 'catalog.category.update', 'category', category_id);
  const r = unwrap(await catalogStub(c.env).updateCategory(category_id, version, patch, by(c, reason)));
  if (r.changed) await changed(c, 'catalog.category.update', 'category', category_id, reason, r.before, r.category);
  return c.json({ category: r.category, changed: r.changed }, 200);
});

// ---- games -------------------------------------------------------------------------------------

opsCatalog.openapi(createRoute({
  method: 'get', path: '/catalog/games', tags: [TAG], summary: 'Games, disabled ones included, filtered', security,
  request: { query: GameQuery },
  responses: { 200: json(GameList, 'Games by game_id'), ...errors(400, 401, 403) },
}), async (c) => {
  const q = c.req.valid('query');
  await guard(c, 'game.read', 'catalog.game.list', 'catalog');
  return c.json(await catalogStub(c.env).games(q), 200);
});

opsCatalog.openapi(createRoute({
  method: 'post', path: '/catalog/games', tags: [TAG], summary: 'Add a game (disabled unless `enabled: true`)', security,
  request: { body: body(NewGame) },
  responses: { 201: json(GameAnswer, 'Created'), ...errors(400, 401, 403, 404, 409) },
}), async (c) => {
  const { reason, ...input } = c.req.valid('json');
  await guard(c, 'game.manage', 'catalog.game.create', 'game', input.game_id);
  const r = unwrap(await catalogStub(c.env).createGame(input, by(c, reason)));
  await changed(c, 'catalog.game.create', 'game', input.game_id, reason, null, r.game);
  return c.json({ game: r.game }, 201);
});

opsCatalog.openapi(createRoute({
  method: 'get', path: '/catalog/games/{game_id}', tags: [TAG], summary: 'One game and its provider', security,
  request: { params: GameParam },
  responses: { 200: json(GameDetail, 'The game'), ...errors(401, 403, 404) },
}), async (c) => {
  const { game_id } = c.req.valid('param');
  await guard(c, 'game.read', 'catalog.game.read', 'game', game_id);
  const r = unwrap(await catalogStub(c.env).game(game_id));
  return c.json({ game: r.game, provider: r.provider }, 200);
});

opsCatalog.openapi(createRoute({
  method: 'patch', path: '/catalog/games/{game_id}', tags: [TAG], summary: 'Change a game: title, category, jurisdictions, RTP, volatility, limits, table', security,
  description: 'Send only the fields to change, with the `version` you read. Limits replace the whole per-currency map.',
  request: { params: GameParam, body: body(GameChange) },
  responses: { 200: json(GameChanged, 'Updated (changed: false when nothing differed)'), ...errors(400, 401, 403, 404, 409) },
}), async (c) => {
  const { game_id } = c.req.valid('param');
  const { reason, version, ...patch } = c.req.valid('json');
  await guard(c, 'game.manage', 'catalog.game.update', 'game', game_id);
  const r = unwrap(await catalogStub(c.env).updateGame(game_id, version, patch, by(c, reason)));
  if (r.changed) await changed(c, 'catalog.game.update', 'game', game_id, reason, r.before, r.game);
  return c.json({ game: r.game, changed: r.changed }, 200);
});

// ---- enable / disable --------------------------------------------------------------------------

for (const enabled of [true, false]) {
  const verb = enabled ? 'enable' : 'disable';
  opsCatalog.openapi(createRoute({
    method: 'post', path: `/catalog/providers/{provider_id}/${verb}`, tags: [TAG], security,
    summary: enabled ? 'Enable a provider (its enabled games return to lobbies)' : 'Disable a provider: all its games leave lobbies and refuse bets',
    request: { params: ProviderParam, body: body(Toggle) },
    responses: { 200: json(ProviderChanged, 'Done (changed: false when it already was)'), ...errors(400, 401, 403, 404, 409) },
  }), async (c) => {
    const { provider_id } = c.req.valid('param');
    const { reason, version } = c.req.valid('json');
    await guard(c, 'game.manage', `catalog.provider.${verb}`, 'provider', provider_id);
    const r = unwrap(await catalogStub(c.env).setProviderEnabled(provider_id, enabled, by(c, reason), version ?? null));
    if (r.changed) await changed(c, `catalog.provider.${verb}`, 'provider', provider_id, reason, r.before, r.provider);
    return c.json({ provider: r.provider, changed: r.changed }, 200);
  });

  opsCatalog.openapi(createRoute({
    method: 'post', path: `/catalog/games/{game_id}/${verb}`, tags: [TAG], security,
    summary: enabled ? 'Enable a game' : 'Disable a game: it leaves lobbies and refuses new bets',
    request: { params: GameParam, body: body(Toggle) },
    responses: { 200: json(GameChanged, 'Done (changed: false when it already was)'), ...errors(400, 401, 403, 404, 409) },
  }), async (c) => {
    const { game_id } = c.req.valid('param');
    const { reason, version } = c.req.valid('json');
    await guard(c, 'game.manage', `catalog.game.${verb}`, 'game', game_id);
    const r = unwrap(await catalogStub(c.env).setGameEnabled(game_id, enabled, by(c, reason), version ?? null));
    if (r.changed) await changed(c, `catalog.game.${verb}`, 'game', game_id, reason, r.before, r.game);
    return c.json({ game: r.game, changed: r.changed }, 200);
  });
}

// ---- history -----------------------------------------------------------------------------------

opsCatalog.openapi(createRoute({
  method: 'get', path: '/catalog/changes', tags: [TAG], summary: 'The catalog\'s change events, oldest first', security,
  description: 'Every change is one `catalog.provider.changed`, `catalog.category.changed` or `catalog.game.changed` event (the seed\'s too). Page with `after` = the last `seq`.',
  request: { query: z.strictObject({ after: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(500).default(100) }) },
  responses: { 200: json(CatalogChanges, 'Change events'), ...errors(400, 401, 403) },
}), async (c) => {
  const q = c.req.valid('query');
  await guard(c, 'game.read', 'catalog.changes', 'catalog');
  const rows = await catalogStub(c.env).outbox(q.after, q.limit);
  return c.json({ changes: rows.map((r) => ({ seq: r.seq, event: r.event })) }, 200);
});

// ---- observed RTP of provider games, per brand -------------------------------------------------

opsCatalog.openapi(createRoute({
  method: 'get', path: '/brands/{brand}/games/rtp', tags: [TAG], security,
  summary: 'Observed RTP of provider games over rolling windows (1h, 24h, 7d, 30d), against the configured RTP',
  description: 'From the brand\'s players\' provider transactions (stakes debited minus rolled back; wins credited), per game and currency. '
    + 'Needs game.read and the brand among the operator\'s brands. Live tables have their own per-table monitor.',
  middleware: [ensureOperator] as const,
  request: { params: BrandParam, query: z.strictObject({ game_id: CatalogId.optional(), currency: CurrencyCode.optional() }) },
  responses: {
    200: json(BrandGameRtp, 'Per game and currency, windows from 1h to 30d'),
    ...errors(400, 401, 403, 404),
  },
}), async (c) => {
  const { brand } = c.req.valid('param');
  const q = c.req.valid('query');
  if (!isBrand(brand)) throw new ApiError('not_found', `no brand ${brand}`);
  await guardBrandGameRead(c, brand, 'catalog.game.rtp');
  const [report, catalog] = await Promise.all([
    brandOpsStub(c.env, brand).gameRtp({ game_id: q.game_id ?? null, currency: q.currency ?? null }),
    catalogStub(c.env).games(),
  ]);
  return c.json({ brand, now_ms: report.now_ms, truncated: report.truncated, games: gameRtpViews(report, catalog.games) }, 200);
});
