/** Batch objects from the local R2 bucket that `wrangler dev` writes (through getPlatformProxy). */
import { openLocalLake, stateDir } from './local-r2';
import type { BatchObject, BatchSource } from './types';

export async function localR2Source(dir: string = stateDir()): Promise<BatchSource> {
  const lake = await openLocalLake(dir);
  return {
    name: `r2-local:${dir}`,
    async *list(prefix: string, startAfter?: string): AsyncIterable<BatchObject> {
      let cursor: string | undefined;
      do {
        const page = await lake.bucket.list({ prefix, startAfter, cursor, limit: 1000 });
        for (const o of page.objects) yield { key: o.key, size: o.size };
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
    },
    async get(key: string): Promise<Uint8Array> {
      const o = await lake.bucket.get(key);
      if (!o) throw new Error(`r2-local: object ${key} vanished between list and get`);
      return new Uint8Array(await o.arrayBuffer());
    },
    close: () => lake.dispose(),
  };
}
