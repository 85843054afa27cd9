/**
 * The catalog's rows: reads into the shared shapes (domain/catalog/types.ts) and plain writes. It
 * checks nothing; CatalogChanges validates and decides, then calls here inside its transaction.
 * Lists are stored normalised (jurisdictions sorted, bet limits in CURRENCIES order) so that equal
 * configurations are equal strings, which is what change detection compares.
 */
import type { CatalogSnapshot, Category, Game, GameFilter, Provider } from '../../domain/catalog/types';
import { CURRENCIES } from '../../domain/money';
import type { ObjectContext } from '../lib/object-context';

type ProviderRow = Omit<Provider, 'enabled'> & { enabled: number };
type GameRow = Omit<Game, 'enabled' | 'jurisdictions' | 'bet_limits'> & { enabled: number; jurisdictions: string; bet_limits: string };

export function normalJurisdictions(js: readonly string[]): string[] {
  return [...new Set(js)].sort();
}

export function normalLimits(limits: Game['bet_limits']): Game['bet_limits'] {
  const out: Game['bet_limits'] = {};
  for (const c of CURRENCIES) {
    const l = limits[c];
    if (l) out[c] = { min_minor: l.min_minor, max_minor: l.max_minor };
  }
  return out;
}

const provider = (r: ProviderRow): Provider => ({ provider_id: r.provider_id, name: r.name, enabled: r.enabled === 1, version: r.version, updated_at: r.updated_at });
const game = (r: GameRow): Game => ({
  game_id: r.game_id, provider_id: r.provider_id, title: r.title, category_id: r.category_id,
  jurisdictions: JSON.parse(r.jurisdictions) as string[], rtp_bp: r.rtp_bp, volatility: r.volatility,
  bet_limits: JSON.parse(r.bet_limits) as Game['bet_limits'], enabled: r.enabled === 1, table_id: r.table_id,
  updated_at: r.updated_at, version: r.version,
});

export class CatalogStore {
  constructor(private readonly c: ObjectContext) {}

  // ---- meta ----------------------------------------------------------------------------------

  meta(key: string): string | null {
    return this.c.db.first<{ value: string }>`select value from meta where key = ${key}`?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.c.db.run`insert into meta (key, value) values (${key}, ${value}) on conflict (key) do update set value = excluded.value`;
  }

  catalogVersion(): number {
    return Number(this.meta('catalog_version') ?? 0);
  }

  /** The next catalog version; every change takes one. */
  bumpVersion(): number {
    const next = this.catalogVersion() + 1;
    this.setMeta('catalog_version', String(next));
    return next;
  }

  // ---- reads ---------------------------------------------------------------------------------

  provider(id: string): Provider | null {
    const r = this.c.db.first<ProviderRow>`select * from providers where provider_id = ${id}`;
    return r ? provider(r) : null;
  }

  providers(): Provider[] {
    return this.c.db.all<ProviderRow>`select * from providers order by provider_id`.map(provider);
  }

  category(id: string): Category | null {
    return this.c.db.first<Category>`select category_id, name, sort, version, updated_at from categories where category_id = ${id}`;
  }

  categories(): Category[] {
    return this.c.db.all<Category>`select category_id, name, sort, version, updated_at from categories order by sort, name`;
  }

  game(id: string): Game | null {
    const r = this.c.db.first<GameRow>`select * from games where game_id = ${id}`;
    return r ? game(r) : null;
  }

  gameOfTable(tableId: string): Game | null {
    const r = this.c.db.first<GameRow>`select * from games where table_id = ${tableId}`;
    return r ? game(r) : null;
  }

  games(f: GameFilter = {}): Game[] {
    const rows = this.c.db.all<GameRow>`select * from games
      where (${f.provider_id ?? null} is null or provider_id = ${f.provider_id ?? null})
        and (${f.category_id ?? null} is null or category_id = ${f.category_id ?? null})
        and (${f.table_id ?? null} is null or table_id = ${f.table_id ?? null})
        and (${f.enabled === undefined ? null : Number(f.enabled)} is null or enabled = ${f.enabled === undefined ? null : Number(f.enabled)})
      order by game_id`;
    const list = rows.map(game);
    return f.jurisdiction ? list.filter((g) => g.jurisdictions.includes(f.jurisdiction!)) : list;
  }

  count(table: 'providers' | 'categories' | 'games'): number {
    switch (table) {
      case 'providers': return this.c.db.first<{ n: number }>`select count(*) as n from providers`!.n;
      case 'categories': return this.c.db.first<{ n: number }>`select count(*) as n from categories`!.n;
      case 'games': return this.c.db.first<{ n: number }>`select count(*) as n from games`!.n;
    }
  }

  snapshot(): CatalogSnapshot {
    return { catalog_version: this.catalogVersion(), providers: this.providers(), categories: this.categories(), games: this.games() };
  }

  // ---- writes (insert or replace the whole row) ---------------------------------------------

  putProvider(p: Provider): void {
    this.c.db.run`insert into providers (provider_id, name, enabled, version, updated_at)
      values (${p.provider_id}, ${p.name}, ${Number(p.enabled)}, ${p.version}, ${p.updated_at})
      on conflict (provider_id) do update set name = excluded.name, enabled = excluded.enabled, version = excluded.version, updated_at = excluded.updated_at`;
  }

  putCategory(c: Category): void {
    this.c.db.run`insert into categories (category_id, name, sort, version, updated_at)
      values (${c.category_id}, ${c.name}, ${c.sort}, ${c.version}, ${c.updated_at})
      on conflict (category_id) do update set name = excluded.name, sort = excluded.sort, version = excluded.version, updated_at = excluded.updated_at`;
  }

  putGame(g: Game): void {
    const js = JSON.stringify(normalJurisdictions(g.jurisdictions));
    const limits = JSON.stringify(normalLimits(g.bet_limits));
    this.c.db.run`insert into games (game_id, provider_id, title, category_id, jurisdictions, rtp_bp, volatility, bet_limits, enabled, table_id, version, updated_at)
      values (${g.game_id}, ${g.provider_id}, ${g.title}, ${g.category_id}, ${js}, ${g.rtp_bp}, ${g.volatility}, ${limits}, ${Number(g.enabled)}, ${g.table_id}, ${g.version}, ${g.updated_at})
      on conflict (game_id) do update set title = excluded.title, category_id = excluded.category_id, jurisdictions = excluded.jurisdictions,
        rtp_bp = excluded.rtp_bp, volatility = excluded.volatility, bet_limits = excluded.bet_limits, enabled = excluded.enabled,
        table_id = excluded.table_id, version = excluded.version, updated_at = excluded.updated_at`;
  }
}
