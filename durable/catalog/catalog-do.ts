/**
 * CatalogDO: the platform's one game catalog (named `catalog`; catalogStub in worker/catalog).
 * Providers, categories and games with their jurisdictions, declared RTP, volatility, stake limits
 * and enabled flags. Seeds itself from config/games.json on first use; afterwards every change
 * comes through the write methods below, each one SQLite transaction that writes the row, bumps
 * the catalog version and emits its `catalog.*.changed` event together.
 *
 * Reads are served from an in-memory snapshot rebuilt after each change (the object is single
 * threaded, so it is never stale). Lobbies read through the worker's per-isolate cache
 * (worker/catalog/cache.ts); money paths (the provider wallet) call `game()` here, fresh.
 */
import { DurableObject } from 'cloudflare:workers';
import { lobbyView } from '../../domain/catalog/lobby';
import { CATALOG_SEED, type CatalogSeed } from '../../domain/catalog/seed';
import type {
  CatalogSnapshot, Category, CategoryId, ChangeBy, Game, GameFilter, Lobby, Provider,
} from '../../domain/catalog/types';
import { fail, type Result } from '../../domain/errors';
import type { Currency } from '../../domain/money';
import { ObjectContext } from '../lib/object-context';
import type { OutboxRow } from '../lib/outbox';
import { OutboxShipper, objectShipper } from '../lib/shipper';
import { migrate } from '../lib/sql';
import { CatalogChanges } from './changes';
import { CATALOG_MIGRATIONS } from './schema';
import { CatalogStore } from './store';

const OUTBOX_PAGE_MAX = 1000;
const ALARM_BATCH_MAX = 100;
export const SEED_ACTOR = 'system:seed';

/** `snapshot(known)`: the whole catalog, or only its version when the caller already has it. */
export type SnapshotResult = { changed: true; snapshot: CatalogSnapshot } | { changed: false; catalog_version: number };

export class CatalogDO extends DurableObject<Env> {
  private readonly c: ObjectContext;
  private readonly store: CatalogStore;
  private readonly changes: CatalogChanges;
  private readonly shipper: OutboxShipper;
  private cached: CatalogSnapshot | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.c = new ObjectContext(ctx.storage);
    this.store = new CatalogStore(this.c);
    this.changes = new CatalogChanges(this.c, this.store);
    // The outbox is the catalog's history (outbox(), GET /v1/ops/catalog/changes): shipped rows stay.
    this.shipper = objectShipper(this.c, ctx, env.EVENTS, 'catalog', null);
    ctx.blockConcurrencyWhile(async () => {
      migrate(this.c.db, CATALOG_MIGRATIONS, ctx.storage);
      this.shipper.init();
      if (this.store.meta('seed_version') === null) this.tx(() => this.seed(CATALOG_SEED));
      this.c.schedules.rearm();
    });
  }

  /** Every change goes through here: one transaction, and the cached snapshot is dropped. */
  private tx<T>(fn: () => T): T {
    this.cached = null;
    // through ObjectContext.tx: a rolled-back transaction's alarm write is forgotten by the schedules too
    return this.c.tx(fn);
  }

  /** Seeds an empty catalog, each entry a change by the seed (so the warehouse sees the first state too). */
  private seed(seed: CatalogSeed): void {
    const by: ChangeBy = { actor: SEED_ACTOR, reason: `config/games.json ${seed.version}` };
    const must = <T extends { ok: boolean }>(r: T, what: string): void => {
      if (!r.ok) throw new Error(`invariant: catalog seed ${what} refused: ${JSON.stringify(r)}`);
    };
    for (const p of seed.providers) must(this.changes.createProvider({ ...p, enabled: p.enabled ?? true }, by), p.provider_id);
    for (const c of seed.categories) must(this.changes.createCategory(c, by), c.category_id);
    for (const g of seed.games) must(this.changes.createGame({ ...g, enabled: g.enabled ?? true }, by), g.game_id);
    this.store.setMeta('seed_version', seed.version);
  }

  private view(): CatalogSnapshot {
    this.cached ??= this.store.snapshot();
    return this.cached;
  }

  // ---- reads ---------------------------------------------------------------------------------

  catalogVersion(): number {
    return this.view().catalog_version;
  }

  /** The whole catalog; with `knownVersion` equal to the current one, only that version (cheap revalidation). */
  snapshot(knownVersion: number | null = null): SnapshotResult {
    const s = this.view();
    return knownVersion === s.catalog_version ? { changed: false, catalog_version: s.catalog_version } : { changed: true, snapshot: s };
  }

  /** One game and its provider (for availability: domain/catalog/availability.ts). */
  game(gameId: string): Result<{ game: Game; provider: Provider }> {
    const s = this.view();
    const game = s.games.find((g) => g.game_id === gameId);
    if (!game) return fail('game_not_found', `no game ${gameId}`, { game_id: gameId });
    const provider = s.providers.find((p) => p.provider_id === game.provider_id);
    if (!provider) throw new Error(`invariant: game ${gameId} has no provider ${game.provider_id}`);
    return { ok: true, game, provider };
  }

  /** Games by game_id, filtered (disabled ones included unless `enabled` says otherwise). */
  games(filter: GameFilter = {}): { catalog_version: number; games: Game[] } {
    const s = this.view();
    const games = s.games.filter((g) => (filter.provider_id === undefined || g.provider_id === filter.provider_id)
      && (filter.category_id === undefined || g.category_id === filter.category_id)
      && (filter.table_id === undefined || g.table_id === filter.table_id)
      && (filter.enabled === undefined || g.enabled === filter.enabled)
      && (filter.jurisdiction === undefined || g.jurisdictions.includes(filter.jurisdiction)));
    return { catalog_version: s.catalog_version, games };
  }

  /** What a player of `jurisdiction` may play (in `currency`, when given), grouped by category. */
  lobby(jurisdiction: string, currency: Currency | null = null, categoryId: CategoryId | null = null): Lobby {
    return lobbyView(this.view(), { jurisdiction, currency, category_id: categoryId });
  }

  providers(): Provider[] {
    return this.view().providers;
  }

  provider(providerId: string): Result<{ provider: Provider }> {
    const provider = this.view().providers.find((p) => p.provider_id === providerId);
    return provider ? { ok: true, provider } : fail('provider_not_found', `no provider ${providerId}`, { provider_id: providerId });
  }

  categories(): Category[] {
    return this.view().categories;
  }

  category(categoryId: string): Result<{ category: Category }> {
    const category = this.view().categories.find((c) => c.category_id === categoryId);
    return category ? { ok: true, category } : fail('category_not_found', `no category ${categoryId}`, { category_id: categoryId });
  }

  /** The change events, oldest first (seq > afterSeq): the catalog's history. */
  outbox(afterSeq = 0, limit = 100): OutboxRow[] {
    return this.c.outbox.list(afterSeq, Math.max(1, Math.min(limit, OUTBOX_PAGE_MAX)));
  }

  // ---- changes (actor: `operator:<id>`; reason kept on the event) -----------------------------

  createProvider(input: unknown, by: ChangeBy) {
    return this.tx(() => this.changes.createProvider(input, by));
  }

  updateProvider(providerId: string, expectedVersion: number, patch: unknown, by: ChangeBy) {
    return this.tx(() => this.changes.updateProvider(providerId, expectedVersion, patch, by));
  }

  setProviderEnabled(providerId: string, enabled: boolean, by: ChangeBy, expectedVersion: number | null = null) {
    return this.tx(() => this.changes.setProviderEnabled(providerId, enabled, by, expectedVersion));
  }

  createCategory(input: unknown, by: ChangeBy) {
    return this.tx(() => this.changes.createCategory(input, by));
  }

  updateCategory(categoryId: string, expectedVersion: number, patch: unknown, by: ChangeBy) {
    return this.tx(() => this.changes.updateCategory(categoryId, expectedVersion, patch, by));
  }

  createGame(input: unknown, by: ChangeBy) {
    return this.tx(() => this.changes.createGame(input, by));
  }

  updateGame(gameId: string, expectedVersion: number, patch: unknown, by: ChangeBy) {
    return this.tx(() => this.changes.updateGame(gameId, expectedVersion, patch, by));
  }

  setGameEnabled(gameId: string, enabled: boolean, by: ChangeBy, expectedVersion: number | null = null) {
    return this.tx(() => this.changes.setGameEnabled(gameId, enabled, by, expectedVersion));
  }

  // ---- alarm: only the outbox shipper's jobs -------------------------------------------------

  override async alarm(): Promise<void> {
    await this.shipper.alarmOnly(ALARM_BATCH_MAX);
  }
}
