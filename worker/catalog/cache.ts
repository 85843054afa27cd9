/**
 * A per-isolate copy of the catalog for the lobby, so that player traffic does not all land on the
 * platform's one CatalogDO. The copy is trusted for CACHE_TTL_MS; after that the next request
 * revalidates it with one cheap RPC (`snapshot(knownVersion)` answers only the version when nothing
 * changed). Requests do not share an in-flight revalidation: Workers ties I/O to the request that
 * started it, and a burst of version checks every TTL is cheap. An operator change made through this
 * isolate drops the copy at once (invalidateCatalogCache); other isolates see it within the TTL.
 *
 * Only lobby reads use this. Anything that moves money (the provider wallet) asks the object.
 */
import type { CatalogSnapshot } from '../../domain/catalog/types';
import { catalogStub } from './stub';

export const CACHE_TTL_MS = 10_000;

let copy: { snapshot: CatalogSnapshot; checkedAt: number } | null = null;
/** Bumped by invalidation, so an answer that was in flight across a change is not kept. */
let generation = 0;

async function revalidate(env: Env, now: number): Promise<CatalogSnapshot> {
  const gen = generation;
  const known = copy?.snapshot ?? null;
  const r = await catalogStub(env).snapshot(known?.catalog_version ?? null);
  // With no known version the object always answers the snapshot, so `known` is set when unchanged.
  const snapshot = r.changed ? r.snapshot : known!;
  if (gen === generation) copy = { snapshot, checkedAt: now };
  return snapshot;
}

export async function catalogSnapshot(env: Env, now = Date.now()): Promise<CatalogSnapshot> {
  if (copy && now - copy.checkedAt < CACHE_TTL_MS) return copy.snapshot;
  return revalidate(env, now);
}

export function invalidateCatalogCache(): void {
  generation++;
  copy = null;
}
