/**
 * A bigger project for W2's plan time: the 30-model tree copied `copies` times, copy k's models
 * renamed `schema.table` -> `schema.table_kNN` (files `schema/table_kNN.sql`, as the loader wants a
 * file named like its model), every reference between them renamed the same way, so each copy is
 * the same DAG on its own; all copies read the one `raw.events` (declared once) and share the
 * project's config.yaml. 10 copies of 30 = 300 models.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';

const MODEL_REF = /\b(staging|intermediate|marts)\.([a-z_][a-z0-9_]*)\b/gi;

function files(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir).sort()) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(root, p));
    }
  };
  walk(root);
  return out;
}

/** Writes the replicated tree into `dst` (replacing it) and returns the number of models (externals excluded). */
export function replicateProject(src: string, dst: string, copies: number): number {
  rmSync(dst, { recursive: true, force: true });
  mkdirSync(dst, { recursive: true });
  let models = 0;
  for (const rel of files(src)) {
    const from = join(src, rel);
    const top = rel.split('/')[0]!;
    if (!rel.endsWith('.sql') || top === 'external') {
      mkdirSync(dirname(join(dst, rel)), { recursive: true });
      copyFileSync(from, join(dst, rel));
      continue;
    }
    const text = readFileSync(from, 'utf8');
    for (let k = 1; k <= copies; k++) {
      const suffix = `_k${String(k).padStart(2, '0')}`;
      const out = join(dst, dirname(rel), `${basename(rel, '.sql')}${suffix}.sql`);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, text.replace(MODEL_REF, (_m, schema: string, table: string) => `${schema}.${table}${suffix}`));
      models++;
    }
  }
  return models;
}
