/**
 * The event lake bucket as `wrangler dev` sees it locally: Miniflare's R2 over the same persisted
 * state directory, opened from Node through wrangler's getPlatformProxy(). Both can run at once
 * (wrangler dev writes batches while `wh sync` lists and reads them).
 */
import { resolve } from 'node:path';
import type { R2Bucket } from '@cloudflare/workers-types';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

/** wrangler dev's `--persist-to` directory (CASINO_STATE_DIR, as `npm start` uses it), default .wrangler/state. */
export function stateDir(): string {
  return resolve(process.env.CASINO_STATE_DIR || resolve(REPO_ROOT, '.wrangler', 'state'));
}

export type LocalLake = { bucket: R2Bucket; dispose(): Promise<void> };

export async function openLocalLake(dir: string = stateDir()): Promise<LocalLake> {
  // Loaded here, not at the top: wrangler takes seconds to import, and every `wh` command imports this module (REPO_ROOT).
  const { getPlatformProxy } = await import('wrangler');
  const proxy = await getPlatformProxy<{ EVENT_LAKE: R2Bucket }>({
    configPath: resolve(import.meta.dirname, 'lake.wrangler.toml'),
    // wrangler dev adds `v3` under its --persist-to directory; getPlatformProxy takes the full path.
    persist: { path: resolve(dir, 'v3') },
  });
  return { bucket: proxy.env.EVENT_LAKE, dispose: () => proxy.dispose() };
}
