/**
 * Batch objects from a directory whose relative paths are the object keys (what the simulator's
 * `--out-dir` writes, and a copy of a bucket made with any S3 tool). Used by benchmarks and for
 * loading exported batches without R2.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { BatchObject, BatchSource } from './types';

/** Every file under `dir`, recursively (nothing when `dir` does not exist). */
export async function* walkFiles(dir: string): AsyncIterable<string> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walkFiles(p);
    else if (e.isFile()) yield p;
  }
}

export function dirSource(root: string): BatchSource {
  const base = resolve(root);
  return {
    name: `dir:${base}`,
    async *list(prefix: string, startAfter?: string): AsyncIterable<BatchObject> {
      const found: BatchObject[] = [];
      for await (const file of walkFiles(base)) {
        const key = relative(base, file).split(sep).join('/');
        if (key.startsWith(prefix) && (startAfter === undefined || key > startAfter)) found.push({ key, size: (await stat(file)).size });
      }
      yield* found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async get(key: string): Promise<Uint8Array> {
      return new Uint8Array(await readFile(join(base, ...key.split('/'))));
    },
    close: async () => {},
  };
}
