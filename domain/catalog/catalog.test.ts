import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import tablesConfig from '../../config/tables.json';
import { analyseBlackjack } from '../fairness/blackjack-strategy';
import { blackjackRulesSchema } from '../games/blackjack/rules';
import { CURRENCIES, type Currency } from '../money';
import { availability } from './availability';
import { lobbyView } from './lobby';
import { JURISDICTION_IDS } from './rules';
import { CATALOG_SEED, loadCatalogSeed } from './seed';
import type { CatalogSnapshot, Game, Provider } from './types';

const provider = (over: Partial<Provider> = {}): Provider => ({ provider_id: 'p1', name: 'P1', enabled: true, version: 1, updated_at: 0, ...over });
const game = (over: Partial<Game> = {}): Game => ({
  game_id: 'g1', provider_id: 'p1', title: 'G1', category_id: 'slots', jurisdictions: ['MT'], rtp_bp: 9600, volatility: 'low',
  bet_limits: { EUR: { min_minor: 10, max_minor: 1000 } }, enabled: true, table_id: null, updated_at: 0, version: 1, ...over,
});

describe('availability', () => {
  it('answers in a fixed order: disabled, jurisdiction, currency, stake', () => {
    expect(availability(game(), provider(), 'MT', 'EUR', 10)).toEqual({ ok: true, limit: { min_minor: 10, max_minor: 1000 } });
    expect(availability(game({ enabled: false }), provider(), 'GB', 'GBP', 1)).toMatchObject({ ok: false, code: 'game_disabled' });
    expect(availability(game(), provider({ enabled: false }), 'GB', 'GBP', 1)).toMatchObject({ ok: false, code: 'game_disabled', details: { provider_id: 'p1' } });
    expect(availability(game(), provider(), 'GB', 'GBP', 1)).toMatchObject({ ok: false, code: 'game_unavailable' });
    expect(availability(game(), provider(), 'MT', 'BTC', 1)).toMatchObject({ ok: false, code: 'unsupported_currency' });
    expect(availability(game(), provider(), 'MT', 'EUR', 9)).toMatchObject({ ok: false, code: 'bet_out_of_limits', details: { min_minor: 10, max_minor: 1000 } });
    expect(availability(game(), provider(), 'MT', 'EUR', 1001)).toMatchObject({ ok: false, code: 'bet_out_of_limits' });
    expect(availability(game(), provider(), 'MT', 'EUR', 1000)).toMatchObject({ ok: true });
  });

  it('refuses to judge a game against another provider (a caller bug)', () => {
    expect(() => availability(game(), provider({ provider_id: 'p2' }), 'MT', 'EUR')).toThrow(/invariant/);
  });
});

describe('lobby (property)', () => {
  const arbGame = fc.record({
    n: fc.integer({ min: 0, max: 30 }),
    provider: fc.constantFrom('p1', 'p2'),
    category: fc.constantFrom('slots', 'live', 'orphan'),
    jurisdictions: fc.subarray([...JURISDICTION_IDS]),
    currencies: fc.subarray(['EUR', 'GBP', 'JPY', 'BTC'] as Currency[], { minLength: 1 }),
    enabled: fc.boolean(),
  });

  it('lists exactly the games availability() allows, never one unavailable in the jurisdiction', () => {
    fc.assert(fc.property(
      fc.uniqueArray(arbGame, { selector: (g) => g.n, maxLength: 25 }), fc.boolean(), fc.constantFrom(...JURISDICTION_IDS), fc.constantFrom<Currency | null>(null, 'EUR', 'GBP', 'BTC'),
      (specs, p2Enabled, jurisdiction, currency) => {
        const snapshot: CatalogSnapshot = {
          catalog_version: 1,
          providers: [provider(), provider({ provider_id: 'p2', name: 'P2', enabled: p2Enabled })],
          categories: [{ category_id: 'live', name: 'Live', sort: 2, version: 1, updated_at: 0 }, { category_id: 'slots', name: 'Slots', sort: 1, version: 1, updated_at: 0 }],
          games: specs.map((s) => game({
            game_id: `g${s.n}`, title: `T${30 - s.n}`, provider_id: s.provider, category_id: s.category, jurisdictions: s.jurisdictions, enabled: s.enabled,
            bet_limits: Object.fromEntries(s.currencies.map((c) => [c, { min_minor: 1, max_minor: 10 }])),
          })),
        };
        const lobby = lobbyView(snapshot, { jurisdiction, currency });
        const listed = lobby.categories.flatMap((c) => c.games.map((g) => g.game_id)).sort();
        const expected = snapshot.games.filter((g) => {
          const p = snapshot.providers.find((x) => x.provider_id === g.provider_id)!;
          const ok = currency ? availability(g, p, jurisdiction, currency).ok : g.enabled && p.enabled && g.jurisdictions.includes(jurisdiction);
          return ok && g.category_id !== 'orphan';
        }).map((g) => g.game_id).sort();
        expect(listed).toEqual(expected);
        expect(lobby.categories.map((c) => c.category_id)).toEqual(['slots', 'live'].filter((id) => lobby.categories.some((c) => c.category_id === id)));
        for (const c of lobby.categories) {
          expect(c.games.length).toBeGreaterThan(0);
          for (const g of c.games) if (currency) expect(Object.keys(g.bet_limits)).toEqual([currency]);
        }
      },
    ), { numRuns: 300 });
  });
});

describe('catalog seed (config/games.json)', () => {
  it('has the providers, categories and live games the platform relies on', () => {
    expect(CATALOG_SEED.providers.map((p) => p.provider_id)).toEqual(expect.arrayContaining(['edge-studio', 'sandbox-slots']));
    expect(CATALOG_SEED.categories.map((c) => c.category_id)).toEqual(expect.arrayContaining(['slots', 'live_roulette', 'live_baccarat', 'table_games']));
    const byId = new Map(CATALOG_SEED.games.map((g) => [g.game_id, g]));
    expect(byId.get('live-roulette-1')).toMatchObject({ table_id: 'roulette-1', rtp_bp: 9730 });
    expect(byId.get('live-baccarat-1')).toMatchObject({ table_id: 'baccarat-1', rtp_bp: 9894 });
    expect(CATALOG_SEED.games.filter((g) => g.provider_id === 'sandbox-slots').length).toBeGreaterThanOrEqual(8);
    for (const g of CATALOG_SEED.games) for (const c of Object.keys(g.bet_limits)) expect(CURRENCIES).toContain(c);
  });

  it("declares each blackjack table's RTP as the theoretical one of its rules (basic strategy, finite shoe)", () => {
    const blackjack = (tablesConfig.tables as { table_id: string; game: string; blackjack?: { rules: unknown } }[]).filter((t) => t.game === 'blackjack');
    expect(blackjack.length).toBeGreaterThan(0);
    for (const t of blackjack) {
      const declared = CATALOG_SEED.games.find((g) => g.table_id === t.table_id);
      const rules = blackjackRulesSchema.parse(t.blackjack?.rules);
      expect(declared?.rtp_bp, t.table_id).toBe(analyseBlackjack(rules).rtp_bp);
    }
  });

  it('refuses duplicates, dangling references and bad values', () => {
    const base = JSON.parse(JSON.stringify({ ...CATALOG_SEED }));
    const g0 = base.games[0];
    expect(() => loadCatalogSeed({ ...base, games: [...base.games, g0] })).toThrow(/appears twice/);
    expect(() => loadCatalogSeed({ ...base, games: [{ ...g0, provider_id: 'nobody' }] })).toThrow(/unknown provider/);
    expect(() => loadCatalogSeed({ ...base, games: [{ ...g0, category_id: 'nowhere' }] })).toThrow(/unknown category/);
    expect(() => loadCatalogSeed({ ...base, games: [{ ...g0, rtp_bp: 12_000 }] })).toThrow();
    expect(() => loadCatalogSeed({ ...base, games: [{ ...g0, jurisdictions: ['XX'] }] })).toThrow();
    expect(() => loadCatalogSeed({ ...base, games: [{ ...g0, table_id: 't' }, { ...base.games[1], table_id: 't' }] })).toThrow(/table t appears twice/);
  });
});
