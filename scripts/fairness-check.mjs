#!/usr/bin/env node
/**
 * The statistical fairness check with fresh random seeds, through the real provably-fair path (a new
 * CSPRNG server seed every 1,000 rounds), printed as JSON.
 *
 * - roulette, baccarat: 1,000,000 rounds per game, chi-square goodness of fit of the outcome
 *   frequencies against the exact probabilities.
 * - blackjack: the card chi-squares of 1,000,000 shoes (each of the first 6 cards over the 52 cards,
 *   and the first two as an ordered pair, domain/fairness/blackjack-simulation.ts), and 10,000,000
 *   hands of basic strategy (the derived chart the theoretical figure assumes) played by the engine,
 *   a fresh shoe each, whose observed RTP is compared with analyseBlackjack's as a z-score. The hands
 *   are shared among worker threads (--workers, default 2).
 *
 *   node scripts/fairness-check.mjs [--game roulette|baccarat|blackjack]... [--rounds N] [--rounds-per-seed K]
 *                                   [--hands N] [--rules classic_seated|classic_infinite|us_peek]... [--workers W]
 *
 * The domain is TypeScript with extensionless imports, which plain Node cannot load, so the check is
 * bundled in memory with esbuild and imported from the bundle (scripts/lib/import-domain.mjs). Exit code 1
 * when a chi-square p-value is below 0.001 or an RTP |z| is above 3.29 (two-sided 0.001).
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { importDomain } from './lib/import-domain.mjs';

const ALPHA = 0.001;
const Z_LIMIT = 3.2905;

const domain = await loadDomain();
/** The engine's rule sets the blackjack check can play, with the format their tables use. */
const RULE_SETS = {
  classic_seated: { rules: domain.CLASSIC_SEATED, format: 'seated' },
  classic_infinite: { rules: domain.CLASSIC_INFINITE, format: 'infinite' },
  us_peek: { rules: domain.US_PEEK, format: 'seated' },
};

if (!isMainThread) {
  // A worker: one contiguous range of blackjack hands, fresh seeds, totals back to the main thread.
  // In slices, so the main thread can show progress (stderr) on a long run.
  const { ruleSet, first, hands, roundsPerSeed } = workerData;
  const { rules, format } = RULE_SETS[ruleSet];
  const SLICE = 250_000;
  let totals = { hands: 0, net_minor: 0, net_squares_minor: 0 };
  for (let done = 0; done < hands; done += SLICE) {
    const slice = domain.playHands(rules, format, first + done, Math.min(SLICE, hands - done), () => domain.newServerSeed(), roundsPerSeed);
    totals = domain.addTotals(totals, slice);
    parentPort.postMessage({ progress: totals });
  }
  parentPort.postMessage({ totals });
} else {
  await main();
}

async function main() {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '1000000' },
      game: { type: 'string', multiple: true },
      'rounds-per-seed': { type: 'string', default: '1000' },
      hands: { type: 'string', default: '10000000' },
      rules: { type: 'string', multiple: true },
      workers: { type: 'string', default: '2' },
    },
  });
  const usage = 'usage: node scripts/fairness-check.mjs [--game roulette|baccarat|blackjack]... [--rounds N] [--rounds-per-seed K] [--hands N] [--rules classic_seated|classic_infinite|us_peek]... [--workers W]';
  const rounds = Number(values.rounds);
  const roundsPerSeed = Number(values['rounds-per-seed']);
  const hands = Number(values.hands);
  const workers = Number(values.workers);
  if (![rounds, roundsPerSeed, hands, workers].every((n) => Number.isSafeInteger(n) && n >= 1) || hands < 2) {
    console.error(usage);
    process.exit(2);
  }
  const allGames = [...domain.GAME_KINDS, 'blackjack'];
  const games = values.game ?? allGames;
  const ruleSets = values.rules ?? ['classic_seated'];
  for (const game of games) if (!allGames.includes(game)) fail(`unknown game '${game}': one of ${allGames.join(', ')}`);
  for (const r of ruleSets) if (!(r in RULE_SETS)) fail(`unknown rules '${r}': one of ${Object.keys(RULE_SETS).join(', ')}`);

  const results = [];
  for (const game of games) {
    if (game === 'blackjack') {
      results.push(...(await blackjack(rounds, roundsPerSeed, hands, ruleSets, workers)));
      continue;
    }
    const started = performance.now();
    const check = domain.fairnessCheck(game, rounds, () => domain.newServerSeed(), roundsPerSeed);
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
  const report = { check: 'chi-square goodness of fit; blackjack RTP z-score', alpha: ALPHA, z_limit: Z_LIMIT, node: process.version, results };
  // Indented, with the frequency arrays kept on one line each.
  console.log(JSON.stringify(report, null, 2).replace(/\[\s+([^\[\]{}]*?)\s+\]/g, (_, items) => `[${items.split(/,\s+/).join(', ')}]`));
  process.exit(results.every((r) => r.pass) ? 0 : 1);
}

/** The card check in this thread while the workers play the hands of each rule set. */
async function blackjack(rounds, roundsPerSeed, hands, ruleSets, workers) {
  const out = [];
  const started = performance.now();
  const pending = ruleSets.map((ruleSet) => playInWorkers(ruleSet, hands, roundsPerSeed, workers));
  const decks = RULE_SETS[ruleSets[0]].rules.decks;
  const cards = domain.blackjackCardCheck(rounds, () => domain.newServerSeed(), decks, roundsPerSeed);
  out.push({
    game: 'blackjack',
    check: 'cards',
    rounds: cards.rounds,
    decks: cards.decks,
    rounds_per_seed: cards.rounds_per_seed,
    tests: cards.tests.map((t) => ({ name: t.name, categories: t.categories, chi_square: round(t.statistic, 4), dof: t.dof, p_value: round(t.p_value, 6) })),
    pass: cards.tests.every((t) => t.p_value > ALPHA),
    seconds: round((performance.now() - started) / 1000, 2),
  });
  for (const [i, ruleSet] of ruleSets.entries()) {
    const { totals, seconds } = await pending[i];
    const { rules, format } = RULE_SETS[ruleSet];
    const check = domain.rtpCheck(rules, format, totals);
    out.push({
      game: 'blackjack',
      check: 'rtp',
      rules: ruleSet,
      format,
      table_rules: rules,
      hands: check.hands,
      strategy: "the engine's basicStrategy (the chart analyseBlackjack derives for the rules), insurance declined, a fresh shoe per hand",
      observed_rtp: round(check.observed_rtp, 6),
      theoretical_rtp: round(check.theoretical_rtp, 6),
      variance: round(check.variance, 4),
      standard_error: round(check.standard_error, 6),
      z: round(check.z, 3),
      pass: Math.abs(check.z) < Z_LIMIT,
      workers,
      seconds,
    });
  }
  return out;
}

/** Splits `hands` into `workers` contiguous ranges (distinct nonces), one worker thread each, and adds their totals. */
async function playInWorkers(ruleSet, hands, roundsPerSeed, workers) {
  const started = performance.now();
  const share = Math.ceil(hands / workers);
  const ranges = [];
  for (let first = 0; first < hands; first += share) ranges.push({ first, hands: Math.min(share, hands - first) });
  const parts = await Promise.all(ranges.map((range) => new Promise((done, failed) => {
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { ruleSet, roundsPerSeed, ...range }, argv: [] });
    worker.on('message', (message) => {
      if (message.totals) done(message.totals);
      else console.error(`[${ruleSet} worker ${range.first}] ${message.progress.hands} of ${range.hands} hands, net ${message.progress.net_minor} minor (${round((performance.now() - started) / 1000, 1)} s)`);
    });
    worker.once('error', failed);
    worker.once('exit', (code) => code !== 0 && failed(new Error(`worker exited with ${code}`)));
  })));
  const totals = parts.reduce((a, b) => domain.addTotals(a, b));
  return { totals, seconds: round((performance.now() - started) / 1000, 2) };
}

function loadDomain() {
  return importDomain(`export { fairnessCheck } from './domain/fairness/fairness-check';
        export { blackjackCardCheck, playHands, addTotals, rtpCheck } from './domain/fairness/blackjack-simulation';
        export { newServerSeed } from './domain/fairness/provably-fair';
        export { CLASSIC_SEATED, CLASSIC_INFINITE, US_PEEK } from './domain/games/blackjack';
        export { GAME_KINDS } from './domain/games';`);
}

function fail(message) {
  console.error(message);
  process.exit(2);
}

function round(x, digits) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
