#!/usr/bin/env node
/**
 * The statistical fairness check with fresh random seeds: deals 1,000,000 rounds per automated game
 * through the real provably-fair path (a new CSPRNG server seed every 1,000 rounds) and prints, as
 * JSON, the chi-square goodness of fit of the outcome frequencies against the exact probabilities.
 *
 *   node scripts/fairness-check.mjs [--rounds N] [--game roulette|baccarat] [--rounds-per-seed K]
 *
 * The domain is TypeScript with extensionless imports, which plain Node cannot load, so the check
 * (domain/fairness/fairness-check.ts) is bundled in memory with esbuild (installed with wrangler)
 * and imported from the bundle. Exit code 1 when a p-value is below 0.001.
 */
import { build } from 'esbuild';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ALPHA = 0.001;

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '1000000' },
    game: { type: 'string', multiple: true },
    'rounds-per-seed': { type: 'string', default: '1000' },
  },
});
const rounds = Number(values.rounds);
const roundsPerSeed = Number(values['rounds-per-seed']);
if (!Number.isSafeInteger(rounds) || rounds < 1 || !Number.isSafeInteger(roundsPerSeed) || roundsPerSeed < 1) {
  console.error('usage: node scripts/fairness-check.mjs [--rounds N] [--game roulette|baccarat] [--rounds-per-seed K]');
  process.exit(2);
}

const bundle = await build({
  stdin: {
    contents: `export { fairnessCheck } from './domain/fairness/fairness-check';
      export { newServerSeed } from './domain/fairness/provably-fair';
      export { GAME_KINDS } from './domain/games';`,
    resolveDir: ROOT,
    sourcefile: 'fairness-check-entry.ts',
    loader: 'ts',
  },
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  logLevel: 'error',
  absWorkingDir: ROOT,
});
const code = bundle.outputFiles[0].text;
const { fairnessCheck, newServerSeed, GAME_KINDS } = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);

const games = values.game ?? GAME_KINDS;
for (const game of games) {
  if (!GAME_KINDS.includes(game)) {
    console.error(`unknown game '${game}': one of ${GAME_KINDS.join(', ')}`);
    process.exit(2);
  }
}

const results = [];
for (const game of games) {
  const started = performance.now();
  const check = fairnessCheck(game, rounds, () => newServerSeed(), roundsPerSeed);
  results.push({
    game,
    rounds: check.rounds,
    rounds_per_seed: check.rounds_per_seed,
    seeds: Math.ceil(check.rounds / check.rounds_per_seed),
    chi_square: round(check.chi_square, 4),
    dof: check.dof,
    p_value: round(check.p_value, 6),
    pass: check.p_value > ALPHA,
    seconds: round((performance.now() - started) / 1000, 2),
    categories: check.categories,
    observed: check.observed,
    expected: check.expected.map((e) => round(e, 2)),
  });
}
const report = { check: 'chi-square goodness of fit', alpha: ALPHA, node: process.version, results };
// Indented, with the frequency arrays kept on one line each.
console.log(JSON.stringify(report, null, 2).replace(/\[\s+([^\[\]{}]*?)\s+\]/g, (_, items) => `[${items.split(/,\s+/).join(', ')}]`));
process.exit(results.every((r) => r.pass) ? 0 : 1);

function round(x, digits) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
