/**
 * The player lobby through real HTTP: players registered in different jurisdictions see only the
 * games offered there, in their currency; disabled games and providers disappear at once (the
 * operator's change drops this isolate's copy), and the per-isolate copy of other isolates catches
 * up within its TTL.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { CATALOG_SEED } from '../../domain/catalog/seed';
import type { CatalogDO } from '../../durable/catalog/catalog-do';
import { CACHE_TTL_MS, catalogSnapshot } from '../../worker/catalog/cache';
import { call, expectError, register, type Json, type Registered } from './helpers';
import { bootstrapAdmin, type Operator } from './ops-helpers';

const catalog = () => env.CATALOG.getByName('catalog') as DurableObjectStub<CatalogDO>;
const from = (country: string) => ({ country, headers: { 'X-Dev-Country': country } });
const lobby = (p: Registered, query = '', country = 'MT') => call('GET', `/v1/games${query}`, undefined, { token: p.token, ...from(country) });
const ids = (body: Json): string[] => body.categories.flatMap((c: Json) => c.games.map((g: Json) => g.game_id)).sort();

/** What the seed offers in a jurisdiction and currency: the specification the lobby must meet. */
const offered = (jurisdiction: string, currency: string) => CATALOG_SEED.games
  .filter((g) => g.jurisdictions.includes(jurisdiction) && currency in g.bet_limits).map((g) => g.game_id).sort();

describe('lobby', () => {
  let malta: Registered;
  let british: Registered;
  let japanese: Registered;
  let admin: Operator;

  beforeAll(async () => {
    malta = await register({ country: 'MT' }, from('MT'));
    british = await register({ country: 'GB', currency: 'GBP' }, from('GB'));
    japanese = await register({ country: 'JP', currency: 'JPY' }, from('JP'));
    admin = await bootstrapAdmin();
  });

  it('lists only the games offered in the player\'s jurisdiction and currency, by category', async () => {
    const mt = await lobby(malta);
    expect(mt.status).toBe(200);
    expect(mt.body).toMatchObject({ jurisdiction: 'MT', currency: 'EUR' });
    expect(ids(mt.body)).toEqual(offered('MT', 'EUR'));
    expect(ids(mt.body)).toContain('sandbox-scroll-of-anubis');
    expect(ids(mt.body)).not.toContain('sandbox-neon-nights'); // GB and Ontario only
    expect(ids(mt.body)).not.toContain('sandbox-dragon-pearls'); // Curacao only

    const gb = await lobby(british, '', 'GB');
    expect(gb.body).toMatchObject({ jurisdiction: 'GB', currency: 'GBP' });
    expect(ids(gb.body)).toEqual(offered('GB', 'GBP'));
    expect(ids(gb.body)).toContain('sandbox-neon-nights');
    expect(ids(gb.body)).not.toContain('sandbox-scroll-of-anubis');

    const cw = await lobby(japanese, '', 'JP');
    expect(cw.body).toMatchObject({ jurisdiction: 'CW', currency: 'JPY' });
    expect(ids(cw.body)).toEqual(offered('CW', 'JPY'));
    expect(ids(cw.body)).toContain('sandbox-dragon-pearls');
    expect(ids(cw.body)).not.toContain('sandbox-viking-gold');

    // categories in lobby order, games by title; a player sees limits of the lobby currency only, not the jurisdiction list
    expect(mt.body.categories.map((c: Json) => c.category_id)).toEqual(['slots', 'live_roulette', 'live_baccarat', 'live_blackjack', 'table_games']);
    const slots = mt.body.categories[0].games as Json[];
    expect(slots.map((g) => g.title)).toEqual(slots.map((g) => g.title).sort((a, b) => a.localeCompare(b)));
    const roulette = mt.body.categories[1].games[0];
    expect(roulette).toEqual({
      game_id: 'live-roulette-1', provider_id: 'edge-studio', provider_name: 'Edge Studio (live tables)', title: 'Aurora Roulette',
      category_id: 'live_roulette', rtp_bp: 9730, volatility: 'medium', bet_limits: { EUR: { min_minor: 100, max_minor: 100000 } }, table_id: 'roulette-1',
    });
  });

  it('filters by category and by another currency of the jurisdiction; refuses currencies the jurisdiction does not offer', async () => {
    const live = await lobby(malta, '?category=live_roulette');
    expect(live.body.categories.map((c: Json) => c.category_id)).toEqual(['live_roulette']);
    expect(ids(live.body)).toEqual(['live-roulette-1']);

    const btc = await lobby(malta, '?currency=BTC');
    expect(btc.body.currency).toBe('BTC');
    expect(ids(btc.body)).toEqual(offered('MT', 'BTC'));
    expect(ids(btc.body)).not.toContain('live-roulette-1'); // the tables do not take BTC

    const gbp = await lobby(malta, '?currency=GBP');
    expectError(gbp, 422, 'unsupported_currency');
    expect(gbp.body.error.details).toMatchObject({ jurisdiction: 'MT', offered: ['EUR', 'BTC'] });
    expectError(await lobby(malta, '?currency=XYZ'), 400, 'validation_failed');
    expectError(await lobby(malta, '?sort=rtp'), 400, 'validation_failed');
    expect(ids((await lobby(malta, '?category=no-such-category')).body)).toEqual([]);

    const cats = await call('GET', '/v1/games/categories', undefined, { token: british.token, ...from('GB') });
    expect(cats.status).toBe(200);
    expect(cats.body.categories.map((c: Json) => [c.category_id, c.games])).toEqual([
      ['slots', offered('GB', 'GBP').filter((id) => id.startsWith('sandbox-')).length], ['live_roulette', 1], ['live_baccarat', 1], ['live_blackjack', 3], ['table_games', 2],
    ]);
  });

  it('one game: 200 when playable, 451 elsewhere, 404 unknown; players only, from licensed countries', async () => {
    const g = await call('GET', '/v1/games/sandbox-viking-gold', undefined, { token: british.token, ...from('GB') });
    expect(g.body.game).toMatchObject({ game_id: 'sandbox-viking-gold', bet_limits: { GBP: { min_minor: 10, max_minor: 10000 } } });
    expectError(await call('GET', '/v1/games/sandbox-viking-gold', undefined, { token: japanese.token, ...from('JP') }), 451, 'game_unavailable');
    expectError(await call('GET', '/v1/games/sandbox-neon-nights?currency=EUR', undefined, { token: british.token, ...from('GB') }), 422, 'unsupported_currency');
    expectError(await call('GET', '/v1/games/no-such-game', undefined, { token: malta.token, ...from('MT') }), 404, 'game_not_found');
    expectError(await call('GET', '/v1/games'), 401, 'unauthenticated');
    expectError(await call('GET', '/v1/games/categories', undefined, from('MT')), 401, 'unauthenticated');
    expectError(await call('GET', '/v1/games', undefined, { token: malta.token, ...from('US') }), 451, 'geo_blocked');
  });

  it('hides disabled games and every game of a disabled provider at once; shows them again when enabled', async () => {
    const disable = (path: string) => call('POST', `/v1/ops/catalog/${path}/disable`, { reason: 'lobby test' }, { token: admin.token });
    const enable = (path: string) => call('POST', `/v1/ops/catalog/${path}/enable`, { reason: 'lobby test' }, { token: admin.token });
    expect(ids((await lobby(malta)).body)).toContain('sandbox-cosmic-cash');

    expect((await disable('games/sandbox-cosmic-cash')).status).toBe(200);
    expect(ids((await lobby(malta)).body)).not.toContain('sandbox-cosmic-cash');
    expectError(await call('GET', '/v1/games/sandbox-cosmic-cash', undefined, { token: malta.token, ...from('MT') }), 409, 'game_disabled');

    expect((await disable('providers/sandbox-slots')).status).toBe(200);
    const mt = await lobby(malta);
    expect(ids(mt.body).filter((id) => id.startsWith('sandbox-'))).toEqual([]);
    expect(mt.body.categories.map((c: Json) => c.category_id)).toEqual(['live_roulette', 'live_baccarat', 'live_blackjack', 'table_games']); // empty categories are left out
    expectError(await call('GET', '/v1/games/sandbox-viking-gold', undefined, { token: malta.token, ...from('MT') }), 409, 'game_disabled');

    expect((await enable('providers/sandbox-slots')).status).toBe(200);
    expect(ids((await lobby(malta)).body)).toEqual(offered('MT', 'EUR').filter((id) => id !== 'sandbox-cosmic-cash'));
    expect((await enable('games/sandbox-cosmic-cash')).status).toBe(200);
    expect(ids((await lobby(malta)).body)).toEqual(offered('MT', 'EUR'));
  });

  it('a jurisdiction taken off a game takes it out of that jurisdiction\'s lobby only', async () => {
    const g = (await call('GET', '/v1/ops/catalog/games/sandbox-lucky-clover', undefined, { token: admin.token })).body.game;
    const r = await call('PATCH', '/v1/ops/catalog/games/sandbox-lucky-clover', { jurisdictions: ['GB', 'ON', 'GR'], version: g.version, reason: 'MT licence of the game lapsed' }, { token: admin.token });
    expect(r.status).toBe(200);
    expect(ids((await lobby(malta)).body)).not.toContain('sandbox-lucky-clover');
    expect(ids((await lobby(british, '', 'GB')).body)).toContain('sandbox-lucky-clover');
    expectError(await call('GET', '/v1/games/sandbox-lucky-clover', undefined, { token: malta.token, ...from('MT') }), 451, 'game_unavailable');
  });

  it('the per-isolate copy trusts itself for the TTL, then revalidates by version', async () => {
    const first = await catalogSnapshot(env);
    const g = (await catalog().game('sandbox-fruit-frenzy'));
    if (!g.ok) throw new Error('no game');
    // a change made elsewhere (not through this isolate's routes, so nothing invalidates the copy)
    expect(await catalog().setGameEnabled('sandbox-fruit-frenzy', !g.game.enabled, { actor: 'test', reason: 'cache test' })).toMatchObject({ ok: true, changed: true });
    expect((await catalogSnapshot(env)).catalog_version).toBe(first.catalog_version);
    const later = await catalogSnapshot(env, Date.now() + CACHE_TTL_MS + 1);
    expect(later.catalog_version).toBe(first.catalog_version + 1);
    expect(later.games.find((x) => x.game_id === 'sandbox-fruit-frenzy')!.enabled).toBe(!g.game.enabled);
    // unchanged since: the next revalidation keeps the same copy
    expect(await catalogSnapshot(env, Date.now() + 3 * CACHE_TTL_MS)).toEqual(later);
  });

  it('is in the OpenAPI document, with the catalog\'s back-office routes, schemas and examples', async () => {
    const doc = (await call('GET', '/v1/openapi.json')).body;
    for (const path of ['/v1/games', '/v1/games/categories', '/v1/games/{game_id}']) expect(doc.paths[path].get.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/v1/games'].get.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/Lobby');
    expect(doc.paths['/v1/games'].get.responses['451'].content['application/json'].schema.$ref).toBe('#/components/schemas/Error');
    expect(doc.components.schemas.LobbyGame.properties.rtp_bp.example).toBe(9730);
    const create = doc.paths['/v1/ops/catalog/games'].post;
    expect(create.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/NewGame');
    expect(doc.components.schemas.NewGame.example).toMatchObject({ rtp_bp: 9610, volatility: 'high' });
    expect(doc.components.schemas.GameChange.example).toMatchObject({ version: 3 });
    expect(Object.keys(doc.paths).filter((x) => x.startsWith('/v1/ops/catalog/')).length).toBeGreaterThanOrEqual(10);
  });
});
