/**
 * Imports TypeScript modules of the domain from a plain Node script. The domain is TypeScript with
 * extensionless imports, which Node cannot load, so the named exports are bundled in memory with
 * esbuild (installed with wrangler) and imported from the bundle.
 *
 *   const { analyseBlackjack } = await importDomain(`export { analyseBlackjack } from './domain/fairness/blackjack-strategy';`);
 */
import { build } from 'esbuild';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `entry`: export statements with paths relative to the project's root. */
export async function importDomain(entry) {
  const bundle = await build({
    stdin: { contents: entry, resolveDir: ROOT, sourcefile: 'domain-entry.ts', loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    logLevel: 'error',
    absWorkingDir: ROOT,
  });
  return import(`data:text/javascript;base64,${Buffer.from(bundle.outputFiles[0].text).toString('base64')}`);
}
