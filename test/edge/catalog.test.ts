/**
 * The game catalog through the back-office API and CatalogDO's RPC: the seed, operator changes
 * (each one event in the object's outbox and one audit entry), optimistic concurrency, refused
 * input leaving everything as it was, and who may read or change what.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { availability } from '../../domain/catalog/availability';
import { CATALOG_SEED } from '../../domain/catalog/seed';
import { validateEvent, type CasinoEvent } from '../../domain/events';
import type { BrandOpsDO } from '../../durable/brand-ops/brand-ops-do';
import { batch, event, snapshot } from '../../durable/brand-ops/test-fixtures';
import type { CatalogDO } from '../../durable/catalog/catalog-do';
import { signProviderRequest, type ProviderAction } from '../../worker/provider/signature';
import { call, deposit, expectError, register, type Json } from './helpers';
import { auditEntries, bootstrapAdmin, createOperator, type Operator } from './ops-helpers';

const C = '/v1/ops/catalog';
const catalog = () => env.CATALOG.getByName('catalog') as DurableObjectStub<CatalogDO>;
const get = (op: Operator, path: string) => call('GET', path, undefined, { token: op.token });
const send = (op: Operator, method: string, path: string, body: unknown) => call(method, path, body, { token: op.token });

async function events(): Promise<CasinoEvent[]> {
  return (await catalog().outbox(0, 1000)).map((r) => r.event);
}

/** Everything a refused change must leave alone: the rows and the event log. */
async function state(): Promise<{ snapshot: Json; events: number }> {
  const s = await catalog().snapshot(null);
  return { snapshot: s.changed ? s.snapshot : {}, events: (await events()).length };
}

const newGame = (over: Json = {}) => ({
  game_id: `test-game-${crypto.randomUUID().slice(0, 8)}`, provider_id: 'sandbox-slots', title: 'Test Game', category_id: 'slots',
  jurisdictions: ['MT'], rtp_bp: 9500, volatility: 'medium', bet_limits: { EUR: { min_minor: 10, max_minor: 5000 } }, reason: 'catalog test', ...over,
});

describe('game catalog', () => {
  let admin: Operator;
  let operator: Operator;
  let marketer: Operator;
  let support: Operator;

  beforeAll(async () => {
    admin = await bootstrapAdmin();
    operator = await createOperator(admin, { roles: ['operator'] });
    marketer = await createOperator(admin, { roles: ['marketer'] });
    support = await createOperator(admin, { roles: ['support_agent'] });
  });

  it('seeds itself once from config/games.json, every entry an event of the seed', async () => {
    const r = await get(admin, `${C}/games`);
    expect(r.status).toBe(200);
    expect(r.body.games.map((g: Json) => g.game_id).sort()).toEqual(CATALOG_SEED.games.map((g) => g.game_id).sort());
    expect(r.body.games.find((g: Json) => g.game_id === 'live-roulette-1')).toMatchObject({ table_id: 'roulette-1', rtp_bp: 9730, provider_id: 'edge-studio', category_id: 'live_roulette', enabled: true, version: 1 });
    expect(r.body.games.find((g: Json) => g.game_id === 'live-baccarat-1')).toMatchObject({ table_id: 'baccarat-1', rtp_bp: 9894 });
    const rtps = new Set(r.body.games.filter((g: Json) => g.category_id === 'slots').map((g: Json) => g.rtp_bp));
    expect(rtps.size).toBeGreaterThan(4);
    expect((await get(admin, `${C}/providers`)).body.providers.map((p: Json) => p.provider_id)).toEqual(['edge-studio', 'sandbox-slots']);
    expect((await get(admin, `${C}/categories`)).body.categories.map((c: Json) => c.category_id)).toEqual(['slots', 'live_roulette', 'live_baccarat', 'live_blackjack', 'table_games']);

    const seedEvents = (await events()).filter((e) => e.payload.actor === 'system:seed');
    expect(seedEvents).toHaveLength(CATALOG_SEED.providers.length + CATALOG_SEED.categories.length + CATALOG_SEED.games.length);
    expect(seedEvents.every((e) => e.payload.change === 'created' && e.payload.before === null)).toBe(true);
    const roulette = seedEvents.find((e) => e.payload.game_id === 'live-roulette-1')!;
    expect(roulette).toMatchObject({ event_type: 'catalog.game.changed', table_id: 'roulette-1', payload: { jurisdictions: 'CW,GB,GR,MT,ON', rtp_bp: 9730 } });
    expect(JSON.parse(roulette.payload.bet_limits as string).EUR).toEqual({ min_minor: 100, max_minor: 100000 });
    // catalog_version counts the changes
    expect(seedEvents.map((e) => e.payload.catalog_version)).toEqual(seedEvents.map((_, i) => i + 1));
  });

  it('an operator changes a game: new version, one event with before and after, one audit entry', async () => {
    const before = (await get(operator, `${C}/games/sandbox-starfall-fortune`)).body;
    expect(before.provider).toMatchObject({ provider_id: 'sandbox-slots', enabled: true });
    const n = (await events()).length;
    const r = await send(operator, 'PATCH', `${C}/games/sandbox-starfall-fortune`, { rtp_bp: 9610, jurisdictions: ['MT', 'GB'], version: before.game.version, reason: 'lower RTP variant, provider notice 42' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ changed: true, game: { rtp_bp: 9610, jurisdictions: ['GB', 'MT'], version: before.game.version + 1 } });

    const added = (await events()).slice(n);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      event_type: 'catalog.game.changed',
      payload: {
        game_id: 'sandbox-starfall-fortune', change: 'updated', rtp_bp: 9610, jurisdictions: 'GB,MT', changed_fields: 'jurisdictions,rtp_bp',
        actor: `operator:${operator.operatorId}`, reason: 'lower RTP variant, provider notice 42', version: before.game.version + 1,
      },
    });
    expect(JSON.parse(added[0]!.payload.before as string)).toEqual({ jurisdictions: before.game.jurisdictions, rtp_bp: before.game.rtp_bp });
    expect(validateEvent(added[0]).ok).toBe(true);

    const entry = (await auditEntries(admin, 'platform')).find((e) => e.action === 'catalog.game.update' && e.target_id === 'sandbox-starfall-fortune');
    expect(entry).toMatchObject({ actor_id: operator.operatorId, target_type: 'game', outcome: 'allowed', reason: 'lower RTP variant, provider notice 42' });
    expect(JSON.parse(entry!.before).rtp_bp).toBe(before.game.rtp_bp);
    expect(JSON.parse(entry!.after).rtp_bp).toBe(9610);

    // the same values again change nothing: no version, no event
    const again = await send(operator, 'PATCH', `${C}/games/sandbox-starfall-fortune`, { rtp_bp: 9610, version: r.body.game.version, reason: 'again' });
    expect(again.body).toMatchObject({ changed: false, game: { version: r.body.game.version } });
    expect(await events()).toHaveLength(n + 1);
  });

  it('refuses a change made against an old version (409 version_conflict) and keeps the newer one', async () => {
    const g = (await get(admin, `${C}/games/sandbox-fruit-frenzy`)).body.game;
    const first = await send(admin, 'PATCH', `${C}/games/sandbox-fruit-frenzy`, { title: 'Fruit Frenzy Deluxe', version: g.version, reason: 'rename by marketing' });
    expect(first.status).toBe(200);
    const s0 = await state();
    const stale = await send(operator, 'PATCH', `${C}/games/sandbox-fruit-frenzy`, { volatility: 'high', version: g.version, reason: 'stale edit' });
    expectError(stale, 409, 'version_conflict');
    expect(stale.body.error.details).toEqual({ expected_version: g.version, current_version: g.version + 1 });
    expect(await state()).toEqual(s0);
    // a toggle with a stale version is refused too; without one it applies to the current state
    expectError(await send(operator, 'POST', `${C}/games/sandbox-fruit-frenzy/disable`, { version: g.version, reason: 'stale' }), 409, 'version_conflict');
    expect(await state()).toEqual(s0);
  });

  it('refuses bad input with 400/404/409 and changes nothing', async () => {
    const g = (await get(admin, `${C}/games/sandbox-lucky-clover`)).body.game;
    const patch = (body: Json) => send(admin, 'PATCH', `${C}/games/sandbox-lucky-clover`, { version: g.version, reason: 'bad input test', ...body });
    const s0 = await state();
    const cases: [Promise<{ status: number; body: Json }>, number, string][] = [
      [patch({ rtp_bp: 7999 }), 400, 'validation_failed'],
      [patch({ rtp_bp: 10_000 }), 400, 'validation_failed'],
      [patch({ rtp_bp: 9612.5 }), 400, 'validation_failed'],
      [patch({ jurisdictions: ['MT', 'XX'] }), 400, 'validation_failed'],
      [patch({ jurisdictions: ['MT', 'MT'] }), 400, 'validation_failed'],
      [patch({ bet_limits: { EUR: { min_minor: 500, max_minor: 100 } } }), 400, 'validation_failed'],
      [patch({ bet_limits: { XYZ: { min_minor: 1, max_minor: 100 } } }), 400, 'validation_failed'],
      [patch({ bet_limits: {} }), 400, 'validation_failed'],
      [patch({ volatility: 'extreme' }), 400, 'validation_failed'],
      [patch({ enabled: false }), 400, 'validation_failed'], // enabling has its own routes
      [patch({ provider_id: 'edge-studio' }), 400, 'validation_failed'], // fixed for life
      [send(admin, 'PATCH', `${C}/games/sandbox-lucky-clover`, { rtp_bp: 9500, version: g.version }), 400, 'validation_failed'], // no reason
      [send(admin, 'PATCH', `${C}/games/sandbox-lucky-clover`, { rtp_bp: 9500, reason: 'no version' }), 400, 'validation_failed'],
      [patch({ category_id: 'no-such-category' }), 404, 'category_not_found'],
      [patch({ table_id: 'roulette-1' }), 409, 'already_exists'], // live-roulette-1 runs on it
      [send(admin, 'PATCH', `${C}/games/no-such-game`, { rtp_bp: 9500, version: 1, reason: 'unknown game' }), 404, 'game_not_found'],
      [send(admin, 'POST', `${C}/games`, newGame({ provider_id: 'no-such-provider' })), 404, 'provider_not_found'],
      [send(admin, 'POST', `${C}/games`, newGame({ category_id: 'no-such-category' })), 404, 'category_not_found'],
      [send(admin, 'POST', `${C}/games`, newGame({ game_id: 'sandbox-lucky-clover' })), 409, 'already_exists'],
      [send(admin, 'POST', `${C}/games`, newGame({ game_id: 'Bad Id!' })), 400, 'validation_failed'],
      [send(admin, 'POST', `${C}/games`, newGame({ extra: 1 })), 400, 'validation_failed'],
      [send(admin, 'POST', `${C}/providers`, { provider_id: 'sandbox-slots', name: 'Again', reason: 'duplicate' }), 409, 'already_exists'],
      [send(admin, 'POST', `${C}/categories`, { category_id: 'slots', name: 'Again', sort: 1, reason: 'duplicate' }), 409, 'already_exists'],
      [send(admin, 'POST', `${C}/games/no-such-game/disable`, { reason: 'unknown game' }), 404, 'game_not_found'],
      [send(admin, 'POST', `${C}/providers/no-such-provider/enable`, { reason: 'unknown provider' }), 404, 'provider_not_found'],
      [send(admin, 'PATCH', `${C}/categories/no-such-category`, { name: 'X', version: 1, reason: 'unknown category' }), 404, 'category_not_found'],
      [call('PATCH', `${C}/games/sandbox-lucky-clover`, '{"rtp_bp": 95', { token: admin.token }), 400, 'malformed_json'],
    ];
    for (const [res, status, code] of cases) expectError(await res, status, code);
    expect(await state()).toEqual(s0);
  });

  it('the object checks its input too (RPC callers get the same refusals)', async () => {
    const s0 = await state();
    const by = { actor: 'test', reason: null };
    expect(await catalog().updateGame('sandbox-lucky-clover', 1, { rtp_bp: 12_000 }, by)).toMatchObject({ ok: false, code: 'validation_failed' });
    expect(await catalog().createGame({ game_id: 'x' }, by)).toMatchObject({ ok: false, code: 'validation_failed' });
    expect(await catalog().setGameEnabled('sandbox-lucky-clover', false, { actor: '', reason: null })).toMatchObject({ ok: false, code: 'validation_failed' });
    expect(await state()).toEqual(s0);
  });

  it('creates providers, categories and games (disabled unless asked), enables and disables them, each an event', async () => {
    const n = (await events()).length;
    const p = await send(operator, 'POST', `${C}/providers`, { provider_id: 'acme-slots', name: 'Acme Slots', reason: 'contract signed' });
    expect(p.status).toBe(201);
    expect(p.body.provider).toMatchObject({ provider_id: 'acme-slots', enabled: false, version: 1 });
    const cat = await send(operator, 'POST', `${C}/categories`, { category_id: 'jackpots', name: 'Jackpots', sort: 15, reason: 'new section' });
    expect(cat.status).toBe(201);
    const g = await send(operator, 'POST', `${C}/games`, newGame({ game_id: 'acme-gold-rush', provider_id: 'acme-slots', category_id: 'jackpots', jurisdictions: ['MT', 'GR', 'GB'] }));
    expect(g.status).toBe(201);
    expect(g.body.game).toMatchObject({ enabled: false, version: 1, jurisdictions: ['GB', 'GR', 'MT'] });

    const en = await send(operator, 'POST', `${C}/games/acme-gold-rush/enable`, { reason: 'certified', version: 1 });
    expect(en.body).toMatchObject({ changed: true, game: { enabled: true, version: 2 } });
    expect((await send(operator, 'POST', `${C}/games/acme-gold-rush/enable`, { reason: 'twice' })).body).toMatchObject({ changed: false, game: { version: 2 } });
    expect((await send(operator, 'POST', `${C}/providers/acme-slots/enable`, { reason: 'go live' })).body).toMatchObject({ changed: true, provider: { enabled: true, version: 2 } });
    expect((await send(operator, 'PATCH', `${C}/providers/acme-slots`, { name: 'Acme Gaming', version: 2, reason: 'rebrand' })).body).toMatchObject({ changed: true, provider: { name: 'Acme Gaming', version: 3 } });
    expect((await send(operator, 'PATCH', `${C}/categories/jackpots`, { sort: 5, version: 1, reason: 'first in lobby' })).body).toMatchObject({ changed: true, category: { sort: 5, version: 2 } });
    expect((await send(operator, 'POST', `${C}/games/acme-gold-rush/disable`, { reason: 'complaint under review' })).body).toMatchObject({ changed: true, game: { enabled: false, version: 3 } });

    const added = (await events()).slice(n);
    expect(added.map((e) => `${e.event_type}:${e.payload.change}`)).toEqual([
      'catalog.provider.changed:created', 'catalog.category.changed:created', 'catalog.game.changed:created', 'catalog.game.changed:enabled',
      'catalog.provider.changed:enabled', 'catalog.provider.changed:updated', 'catalog.category.changed:updated', 'catalog.game.changed:disabled',
    ]);
    for (const e of added) expect(validateEvent(e)).toMatchObject({ ok: true });
    expect(added.at(-1)!.payload).toMatchObject({ changed_fields: 'enabled', before: '{"enabled":true}', reason: 'complaint under review' });
    // catalog versions keep counting, one per change
    const versions = added.map((e) => e.payload.catalog_version as number);
    expect(versions).toEqual(versions.map((_, i) => versions[0]! + i));

    const audited = (await auditEntries(admin, 'platform')).filter((e) => e.actor_id === operator.operatorId && e.action.startsWith('catalog.'));
    expect(audited.map((e) => e.action)).toEqual(expect.arrayContaining([
      'catalog.provider.create', 'catalog.category.create', 'catalog.game.create', 'catalog.game.enable', 'catalog.provider.enable',
      'catalog.provider.update', 'catalog.category.update', 'catalog.game.disable',
    ]));
    // the no-op enable was not audited as a change
    expect(audited.filter((e) => e.action === 'catalog.game.enable')).toHaveLength(1);

    // the history endpoint pages through the same events
    const page = await get(marketer, `${C}/changes?after=${n}&limit=3`);
    expect(page.body.changes.map((c: Json) => c.event.event_type)).toEqual(added.slice(0, 3).map((e) => e.event_type));
  });

  it('game() answers the game with its provider, for the availability check of the provider wallet', async () => {
    const r = await catalog().game('sandbox-viking-gold');
    if (!r.ok) throw new Error('no game');
    expect(availability(r.game, r.provider, 'MT', 'EUR', 100)).toMatchObject({ ok: true });
    expect(availability(r.game, r.provider, 'CW', 'EUR', 100)).toMatchObject({ ok: false, code: 'game_unavailable' });
    expect(availability(r.game, r.provider, 'MT', 'EUR', 1)).toMatchObject({ ok: false, code: 'bet_out_of_limits', details: { min_minor: 10, max_minor: 10000 } });
    expect(await catalog().game('no-such-game')).toMatchObject({ ok: false, code: 'game_not_found' });
    expect((await catalog().games({ table_id: 'baccarat-1' })).games.map((g) => g.game_id)).toEqual(['live-baccarat-1']);
    expect((await catalog().games({ provider_id: 'edge-studio' })).games).toHaveLength(7);
  });

  it('reads need game.read and changes game.manage; denials are 403 and audited', async () => {
    for (const op of [marketer]) {
      expect((await get(op, `${C}/games`)).status).toBe(200);
      expect((await get(op, `${C}/games/live-roulette-1`)).status).toBe(200);
    }
    const s0 = await state();
    const denied = await send(marketer, 'PATCH', `${C}/games/live-roulette-1`, { rtp_bp: 9999, version: 1, reason: 'not mine to change' });
    expectError(denied, 403, 'forbidden');
    expect(denied.body.error.details).toMatchObject({ permission: 'game.manage', rule: 'role' });
    expectError(await send(marketer, 'POST', `${C}/games/live-roulette-1/disable`, { reason: 'nope' }), 403, 'forbidden');
    expectError(await get(support, `${C}/games`), 403, 'forbidden');
    expectError(await call('GET', `${C}/games`), 401, 'unauthenticated');
    expect(await state()).toEqual(s0);
    const entries = (await auditEntries(admin, 'platform')).filter((e) => e.outcome === 'denied' && e.action.startsWith('catalog.'));
    expect(entries.find((e) => e.actor_id === marketer.operatorId && e.action === 'catalog.game.update')).toMatchObject({ target_type: 'game', target_id: 'live-roulette-1' });
    expect(entries.some((e) => e.actor_id === support.operatorId && e.reason.startsWith('game.read'))).toBe(true);
  });

  it('observed RTP per provider game of a brand, against the configured RTP; game.read and the brand needed', async () => {
    const ops = env.BRAND_OPS.getByName('ops:aurora') as DurableObjectStub<BrandOpsDO>;
    const p = snapshot({ brand: 'aurora' });
    const now = Date.now();
    const common = { provider_id: 'sandbox-slots', game_id: 'sandbox-viking-gold', balance_after_minor: 0 };
    const debit = (tx: string, amount: number) => event(p, 'provider.bet.debited', { ...common, tx_id: tx, round_id: `r-${tx}`, amount_minor: amount, hold_id: `h-${tx}`, real_minor: amount, bonus_minor: 0 }, { at: now });
    const win = (tx: string, bet: string, amount: number) => event(p, 'provider.win.credited', { ...common, tx_id: tx, round_id: `r-${bet}`, amount_minor: amount, bet_tx_id: bet }, { at: now });
    const rollback = (bet: string, amount: number) => event(p, 'provider.bet.rolled_back', { ...common, tx_id: bet, round_id: `r-${bet}`, amount_minor: amount, rollback_tx_id: `rb-${bet}` }, { at: now });
    const events = [debit('b1', 1000), win('w1', 'b1', 1500), debit('b2', 2000), debit('b3', 500), rollback('b3', 500), win('w2', 'b2', 0)];
    await ops.ingest(batch(p, ...events, events[0]!)); // a duplicate counts once

    const analyst = await createOperator(admin, { roles: ['analyst'], brands: ['aurora'] });
    const r = await get(analyst, '/v1/ops/brands/aurora/games/rtp?game_id=sandbox-viking-gold');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ brand: 'aurora', truncated: false });
    expect(r.body.games).toHaveLength(1);
    const g = r.body.games[0];
    expect(g).toMatchObject({ game_id: 'sandbox-viking-gold', provider_id: 'sandbox-slots', title: 'Viking Gold', currency: 'EUR', configured_rtp_bp: 9700 });
    expect(g.windows.map((w: Json) => w.window)).toEqual(['1h', '24h', '7d', '30d']);
    const sameHour = Math.floor(r.body.now_ms / 3_600_000) === Math.floor(now / 3_600_000);
    for (const w of g.windows.filter((x: Json) => sameHour || x.window !== '1h')) { // an hour boundary may fall between
      expect(w).toMatchObject({ bets: 2, wagered_minor: 3000, returned_minor: 1500, observed_rtp: 0.5, theoretical_rtp: 0.97, std_error: null, z: null });
      expect(w.flag).toBeNull(); // far off, but 2 bets are not evidence
    }
    expect((await get(analyst, '/v1/ops/brands/aurora/games/rtp?currency=GBP')).body.games).toEqual([]);
    expectError(await get(analyst, '/v1/ops/brands/aurora/games/rtp?currency=XYZ'), 400, 'validation_failed');
    expectError(await get(analyst, '/v1/ops/brands/nowhere/games/rtp'), 404, 'not_found');

    // game.read, but not of this brand; this brand, but no game.read
    const sakuraAnalyst = await createOperator(admin, { roles: ['analyst'], brands: ['sakura'] });
    const other = await get(sakuraAnalyst, '/v1/ops/brands/aurora/games/rtp');
    expectError(other, 403, 'forbidden');
    expect(other.body.error.details).toMatchObject({ permission: 'game.read', rule: 'brand_in_operator_brands' });
    expectError(await get(support, '/v1/ops/brands/aurora/games/rtp'), 403, 'forbidden');
    const denied = (await auditEntries(admin, 'aurora')).find((e) => e.actor_id === sakuraAnalyst.operatorId && e.outcome === 'denied');
    expect(denied).toMatchObject({ action: 'catalog.game.rtp', target_type: 'brand', target_id: 'aurora' });
  });

  it('end to end: signed provider transactions of a player reach the brand\'s RTP view through the relay', async () => {
    const secret = env.PROVIDER_SECRET_SANDBOX_SLOTS;
    const prov = async (action: ProviderAction, body: Json) => {
      const raw = JSON.stringify(body);
      const r = await call('POST', `/v1/provider/sandbox-slots/${action}`, raw, { headers: { 'Content-Type': 'application/json', ...await signProviderRequest(secret, action, raw) } });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    };
    const p = await register({ brand: 'sakura' });
    await deposit(p.token, 10_000);
    const game_id = 'sandbox-cosmic-cash';
    const launched = await call('POST', `/v1/games/${game_id}/launch`, {}, { token: p.token });
    expect(launched.status, JSON.stringify(launched.body)).toBe(200);
    const token = launched.body.token as string;
    const base = { game_id, currency: 'EUR' };
    await prov('bet', { ...base, token, tx_id: 'e2e-b1', round_id: 'e2e-r1', amount_minor: 1000 });
    await prov('win', { ...base, player_id: p.playerId, tx_id: 'e2e-w1', round_id: 'e2e-r1', amount_minor: 400, bet_tx_id: 'e2e-b1' });
    await prov('bet', { ...base, token, tx_id: 'e2e-b2', round_id: 'e2e-r2', amount_minor: 500 });
    await prov('rollback', { ...base, player_id: p.playerId, tx_id: 'e2e-rb2', bet_tx_id: 'e2e-b2', round_id: 'e2e-r2' });
    await prov('bet', { ...base, token, tx_id: 'e2e-b1', round_id: 'e2e-r1', amount_minor: 1000 }); // a provider retry: applied once

    const view = await vi.waitFor(async () => {
      const r = await get(admin, `/v1/ops/brands/sakura/games/rtp?game_id=${game_id}`);
      const w = r.body.games?.[0]?.windows.find((x: Json) => x.window === '30d');
      if (!w || w.bets !== 1 || w.returned_minor !== 400) throw new Error(`not yet: ${JSON.stringify(r.body)}`);
      return r.body.games[0];
    }, { timeout: 10_000, interval: 50 });
    expect(view).toMatchObject({ game_id, provider_id: 'sandbox-slots', currency: 'EUR', configured_rtp_bp: 9690 });
    expect(view.windows.find((x: Json) => x.window === '30d')).toMatchObject({ bets: 1, wagered_minor: 1000, returned_minor: 400, observed_rtp: 0.4, theoretical_rtp: 0.969 });
  });
});
