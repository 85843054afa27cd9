/**
 * Where a SEED model's CSV is and what it holds. The content hash joins the seed's fingerprint,
 * so editing the CSV is a new version (a new table), like editing a query.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ModelDef } from './types';
import { ModelError } from './types';

/** The CSV's absolute path: `kind.path` is relative to the model file. */
export function seedPath(root: string, def: ModelDef): string {
  if (def.kind.name !== 'SEED') throw new Error(`${def.name} is not a SEED`);
  return join(root, dirname(def.where.file), def.kind.path);
}

export function seedContentHash(root: string, def: ModelDef): string {
  const path = seedPath(root, def);
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch (err) {
    throw new ModelError(`seed file ${path} cannot be read: ${(err as Error).message}`, def.where, def.name);
  }
}
