/**
 * Every change of the catalog: validate (domain/catalog/rules.ts), check references and the
 * caller's version (optimistic concurrency), write the row and emit its event. Runs inside the
 * caller's transaction, so the row, the catalog version and the event commit together or not at
 * all; a refused change returns a failure before anything is written.
 *
 * An update that changes nothing is not a change: no version, no event (`changed: false`).
 * Anything created without `enabled` starts disabled: nothing goes live by accident.
 */
import type { z } from 'zod';
import {
  CATEGORIES_MAX, CategoryInputSchema, CategoryPatchSchema, firstIssue, GAMES_MAX, GameInputSchema, GamePatchSchema,
  PROVIDERS_MAX, ProviderInputSchema, ProviderPatchSchema,
} from '../../domain/catalog/rules';
import type { Category, ChangeBy, Game, Provider } from '../../domain/catalog/types';
import { fail, type Failure, type Result } from '../../domain/errors';
import type { ObjectContext } from '../lib/object-context';
import { normalJurisdictions, normalLimits, type CatalogStore } from './store';

/** An update's answer: the entity now, as it was before, and whether anything changed. */
type Changed<K extends string, T> = { [P in K]: T } & { before: T; changed: boolean };

const ACTOR_MAX = 200;
const REASON_MAX = 500;

function parse<T>(schema: z.ZodType<T>, input: unknown): { ok: true; value: T } | Failure {
  const r = schema.safeParse(input);
  if (r.success) return { ok: true, value: r.data };
  const issue = firstIssue(r.error);
  return fail('validation_failed', `${issue.path || '(input)'}: ${issue.message}`, { issues: r.error.issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join('.'), message: i.message })) });
}

function checkBy(by: ChangeBy): Failure | null {
  if (typeof by?.actor !== 'string' || by.actor.length < 1 || by.actor.length > ACTOR_MAX) return fail('validation_failed', 'actor: required');
  if (by.reason !== null && (typeof by.reason !== 'string' || by.reason.length > REASON_MAX)) return fail('validation_failed', `reason: at most ${REASON_MAX} characters`);
  return null;
}

function checkVersion(kind: string, id: string, current: number, expected: number | null): Failure | null {
  if (expected === null || expected === current) return null;
  return fail('version_conflict', `${kind} ${id} is at version ${current}, not ${expected}: reload and retry`, { expected_version: expected, current_version: current });
}

/** The fields whose values differ, sorted; the comparison is on normalised JSON. */
function diff<T extends object>(before: T, after: T, keys: readonly (keyof T & string)[]): string[] {
  return keys.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

function pick<T extends object>(row: T, keys: string[]): string {
  return JSON.stringify(Object.fromEntries(keys.map((k) => [k, row[k as keyof T]])));
}

const PROVIDER_FIELDS = ['name', 'enabled'] as const;
const CATEGORY_FIELDS = ['name', 'sort'] as const;
const GAME_FIELDS = ['title', 'category_id', 'jurisdictions', 'rtp_bp', 'volatility', 'bet_limits', 'enabled', 'table_id'] as const;

export class CatalogChanges {
  constructor(private readonly c: ObjectContext, private readonly store: CatalogStore) {}

  // ---- providers -----------------------------------------------------------------------------

  createProvider(input: unknown, by: ChangeBy): Result<{ provider: Provider }> {
    const bad = checkBy(by);
    if (bad) return bad;
    const p = parse(ProviderInputSchema, input);
    if (!p.ok) return p;
    if (this.store.provider(p.value.provider_id)) return fail('already_exists', `provider ${p.value.provider_id} exists`, { provider_id: p.value.provider_id });
    if (this.store.count('providers') >= PROVIDERS_MAX) return fail('invalid_state', `the catalog holds at most ${PROVIDERS_MAX} providers`);
    const provider: Provider = { provider_id: p.value.provider_id, name: p.value.name, enabled: p.value.enabled ?? false, version: 1, updated_at: this.c.now() };
    this.writeProvider('created', provider, [...PROVIDER_FIELDS].sort(), null, by);
    return { ok: true, provider };
  }

  updateProvider(id: string, expectedVersion: number, patch: unknown, by: ChangeBy): Result<Changed<'provider', Provider>> {
    const bad = checkBy(by);
    if (bad) return bad;
    const p = parse(ProviderPatchSchema, patch);
    if (!p.ok) return p;
    return this.changeProvider(id, expectedVersion, (cur) => ({ ...cur, ...p.value }), 'updated', by);
  }

  setProviderEnabled(id: string, enabled: boolean, by: ChangeBy, expectedVersion: number | null = null): Result<Changed<'provider', Provider>> {
    const bad = checkBy(by);
    if (bad) return bad;
    return this.changeProvider(id, expectedVersion, (cur) => ({ ...cur, enabled }), enabled ? 'enabled' : 'disabled', by);
  }

  private changeProvider(id: string, expected: number | null, apply: (p: Provider) => Provider, change: 'updated' | 'enabled' | 'disabled', by: ChangeBy): Result<Changed<'provider', Provider>> {
    const cur = this.store.provider(id);
    if (!cur) return fail('provider_not_found', `no provider ${id}`, { provider_id: id });
    const conflict = checkVersion('provider', id, cur.version, expected);
    if (conflict) return conflict;
    const next = apply(cur);
    const fields = diff(cur, next, PROVIDER_FIELDS);
    if (fields.length === 0) return { ok: true, provider: cur, before: cur, changed: false };
    const provider = { ...next, version: cur.version + 1, updated_at: this.c.now() };
    this.writeProvider(change, provider, fields, pick(cur, fields), by);
    return { ok: true, provider, before: cur, changed: true };
  }

  private writeProvider(change: 'created' | 'updated' | 'enabled' | 'disabled', p: Provider, fields: string[], before: string | null, by: ChangeBy): void {
    this.store.putProvider(p);
    const catalogVersion = this.store.bumpVersion();
    this.c.outbox.emit('catalog.provider.changed', {
      provider_id: p.provider_id, change, name: p.name, enabled: p.enabled, version: p.version, catalog_version: catalogVersion,
      changed_fields: fields.join(','), before, actor: by.actor, reason: by.reason,
    }, {}, this.c.now());
  }

  // ---- categories ----------------------------------------------------------------------------

  createCategory(input: unknown, by: ChangeBy): Result<{ category: Category }> {
    const bad = checkBy(by);
    if (bad) return bad;
    const p = parse(CategoryInputSchema, input);
    if (!p.ok) return p;
    if (this.store.category(p.value.category_id)) return fail('already_exists', `category ${p.value.category_id} exists`, { category_id: p.value.category_id });
    if (this.store.count('categories') >= CATEGORIES_MAX) return fail('invalid_state', `the catalog holds at most ${CATEGORIES_MAX} categories`);
    const category: Category = { ...p.value, version: 1, updated_at: this.c.now() };
    this.writeCategory('created', category, [...CATEGORY_FIELDS].sort(), null, by);
    return { ok: true, category };
  }

  updateCategory(id: string, expectedVersion: number, patch: unknown, by: ChangeBy): Result<Changed<'category', Category>> {
    const bad = checkBy(by);
    if (bad) return bad;
    const p = parse(CategoryPatchSchema, patch);
    if (!p.ok) return p;
    const cur = this.store.category(id);
    if (!cur) return fail('category_not_found', `no category ${id}`, { category_id: id });
    const conflict = checkVersion('category', id, cur.version, expectedVersion);
    if (conflict) return conflict;
    const next = { ...cur, ...p.value };
    const fields = diff(cur, next, CATEGORY_FIELDS);
    if (fields.length === 0) return { ok: true, category: cur, before: cur, changed: false };
    const category = { ...next, version: cur.version + 1, updated_at: this.c.now() };
    this.writeCategory('updated', category, fields, pick(cur, fields), by);
    return { ok: true, category, before: cur, changed: true };
  }

  private writeCategory(change: 'created' | 'updated', cat: Category, fields: string[], before: string | null, by: ChangeBy): void {
    this.store.putCategory(cat);
    const catalogVersion = this.store.bumpVersion();
    this.c.outbox.emit('catalog.category.changed', {
      category_id: cat.category_id, change, name: cat.name, sort: cat.sort, version: cat.version, catalog_version: catalogVersion,
      changed_fields: fields.join(','), before, actor: by.actor, reason: by.reason,
    }, {}, this.c.now());
  }

  // ---- games ---------------------------------------------------------------------------------

  createGame(input: unknown, by: ChangeBy): Result<{ game: Game }> {
    const bad = checkBy(by);
    if (bad) return bad;
    const p = parse(GameInputSchema, input);
    if (!p.ok) return p;
    const v = p.value;
    if (this.store.game(v.game_id)) return fail('already_exists', `game ${v.game_id} exists`, { game_id: v.game_id });
    if (this.store.count('games') >= GAMES_MAX) return fail('invalid_state', `the catalog holds at most ${GAMES_MAX} games`);
    if (!this.store.provider(v.provider_id)) return fail('provider_not_found', `no provider ${v.provider_id}`, { provider_id: v.provider_id });
    const game: Game = {
      game_id: v.game_id, provider_id: v.provider_id, title: v.title, category_id: v.category_id,
      jurisdictions: normalJurisdictions(v.jurisdictions), rtp_bp: v.rtp_bp, volatility: v.volatility, bet_limits: normalLimits(v.bet_limits),
      enabled: v.enabled ?? false, table_id: v.table_id ?? null, version: 1, updated_at: this.c.now(),
    };
    const refused = this.checkGameRefs(game);
    if (refused) return refused;
    this.writeGame('created', game, [...GAME_FIELDS].sort(), null, by);
    return { ok: true, game };
  }

  updateGame(id: string, expectedVersion: number, patch: unknown, by: ChangeBy): Result<Changed<'game', Game>> {
    const bad = checkBy(by);
    if (bad) return bad;
    const p = parse(GamePatchSchema, patch);
    if (!p.ok) return p;
    const v = p.value;
    return this.changeGame(id, expectedVersion, (cur) => ({
      ...cur, ...v,
      jurisdictions: normalJurisdictions(v.jurisdictions ?? cur.jurisdictions),
      bet_limits: normalLimits(v.bet_limits ?? cur.bet_limits),
      table_id: v.table_id === undefined ? cur.table_id : v.table_id,
    }), 'updated', by);
  }

  setGameEnabled(id: string, enabled: boolean, by: ChangeBy, expectedVersion: number | null = null): Result<Changed<'game', Game>> {
    const bad = checkBy(by);
    if (bad) return bad;
    return this.changeGame(id, expectedVersion, (cur) => ({ ...cur, enabled }), enabled ? 'enabled' : 'disabled', by);
  }

  private changeGame(id: string, expected: number | null, apply: (g: Game) => Game, change: 'updated' | 'enabled' | 'disabled', by: ChangeBy): Result<Changed<'game', Game>> {
    const cur = this.store.game(id);
    if (!cur) return fail('game_not_found', `no game ${id}`, { game_id: id });
    const conflict = checkVersion('game', id, cur.version, expected);
    if (conflict) return conflict;
    const next = apply(cur);
    const refused = this.checkGameRefs(next);
    if (refused) return refused;
    const fields = diff(cur, next, GAME_FIELDS);
    if (fields.length === 0) return { ok: true, game: cur, before: cur, changed: false };
    const game = { ...next, version: cur.version + 1, updated_at: this.c.now() };
    this.writeGame(change, game, fields, pick(cur, fields), by);
    return { ok: true, game, before: cur, changed: true };
  }

  /** The category must exist, and a table runs one game at most. */
  private checkGameRefs(g: Game): Failure | null {
    if (!this.store.category(g.category_id)) return fail('category_not_found', `no category ${g.category_id}`, { category_id: g.category_id });
    if (g.table_id !== null) {
      const other = this.store.gameOfTable(g.table_id);
      if (other && other.game_id !== g.game_id) return fail('already_exists', `table ${g.table_id} already runs game ${other.game_id}`, { table_id: g.table_id, game_id: other.game_id });
    }
    return null;
  }

  private writeGame(change: 'created' | 'updated' | 'enabled' | 'disabled', g: Game, fields: string[], before: string | null, by: ChangeBy): void {
    this.store.putGame(g);
    const catalogVersion = this.store.bumpVersion();
    this.c.outbox.emit('catalog.game.changed', {
      game_id: g.game_id, provider_id: g.provider_id, category_id: g.category_id, change, title: g.title, enabled: g.enabled,
      jurisdictions: g.jurisdictions.join(','), rtp_bp: g.rtp_bp, volatility: g.volatility, bet_limits: JSON.stringify(g.bet_limits),
      table_id: g.table_id, version: g.version, catalog_version: catalogVersion,
      changed_fields: fields.join(','), before, actor: by.actor, reason: by.reason,
    }, { table_id: g.table_id }, this.c.now());
  }
}
