/**
 * `npm run bench` - runs the benchmarks of ../shared/design/TARGETS.md that exist here (E1, E2, E3, E4, E5, E5B, E6, P1, W1, W2, W3, W4, W5, W6),
 * one after another (never in parallel: they would measure each other), writes
 * bench/results/<ISO 8601 basic timestamp>.json and prints a compact table.
 *
 *   npm run bench                         all
 *   npm run bench -- --only E1            a subset (comma list: --only E1,E2)
 *   npm run bench -- --runs 9             runs per benchmark (default: each benchmark's own)
 *   npm run bench -- --e1-n 20000         operations per E1 request
 *   npm run bench -- --e2-bets 5000       bets per E2 run
 *   npm run bench -- --e3-players 1000    players under E3's mixed load (--e3-requests 6000 per run, 64 clients)
 *   npm run bench -- --e4-players 300     players at the table, each with the player channel open (E4; quick: --e4-players 50 --runs 1)
 *   npm run bench -- --e5-players 1000    players (one bet each) per E5 round; E5B: players at the Infinite blackjack table
 *   npm run bench -- --e6-bets 5000       bets per E6 run on PostgreSQL (a fresh cluster started and stopped by the bench)
 *   npm run bench -- --p1-requests 2000   requests per kind per P1 run (provider seamless-wallet API, no target yet)
 *   npm run bench -- --w1-events 10000000 events W1 loads (generated once into bench/.cache/)
 *   npm run bench -- --w2-events 10000000 events under W2's models (W1's cache, loaded once into bench/.cache/w2-base-<n>/)
 *   npm run bench -- --w2-project library W2 over models/ (default), bench (the 30 synthetic models of bench/w2) or both
 *   npm run bench -- --w3-players 100000 players simulated for W3's month (generated, loaded and built once into bench/.cache/w3-*)
 *   npm run bench -- --w4-samples 8       events W4 and W5 follow from the edge into DuckDB and the marts
 *   npm run bench -- --w6-samples 3       deposits W6 follows from the edge to the served overview page (npm start; minutes each)
 *
 * Exit code 0 when every selected benchmark ran (pass or fail is in the results), 1 when one could
 * not run (the others are still written).
 */
import { runE1 } from './e1-wallet-op.mjs';
import { runE2 } from './e2-http-bets.mjs';
import { runE3 } from './e3-mixed-load.mjs';
import { runE4 } from './e4-reward-latency.mjs';
import { runE5 } from './e5-table-settlement.mjs';
import { runE5B } from './e5b-blackjack-settlement.mjs';
import { runE6 } from './e6-postgres.mjs';
import { runP1 } from './provider-p1.mjs';
import { formatTable, machine as describeMachine, writeResults } from './lib/results.mjs';
import { runTs } from './lib/proc.mjs';

const BENCHMARKS = {
  E1: (m, o) => runE1({ machine: m, runs: o.runs, n: o['e1-n'] }),
  E2: (m, o) => runE2({ machine: m, runs: o.runs, bets: o['e2-bets'] }),
  E3: (m, o) => runE3({ machine: m, runs: o.runs, players: o['e3-players'], requests: o['e3-requests'] }),
  E4: (m, o) => runE4({ machine: m, runs: o.runs, players: o['e4-players'] }),
  E5: (m, o) => runE5({ machine: m, runs: o.runs, players: o['e5-players'] }),
  E5B: (m, o) => runE5B({ machine: m, runs: o.runs, players: o['e5-players'] }),
  E6: (m, o) => runE6({ machine: m, runs: o.runs, n: o['e6-bets'] }),
  P1: (m, o) => runP1({ machine: m, runs: o.runs, requests: o['p1-requests'] }),
  // The warehouse benchmarks are TypeScript (they drive warehouse/ and simulator/ directly).
  W1: async (m, o) => (await runTs('bench/w1-warehouse-ingest.ts', ['--events', String(o['w1-events'] ?? 10_000_000), '--runs', String(o.runs ?? 1)])).map((r) => ({ ...r, machine: m })),
  W2: async (m, o) => (await runTs('bench/w2-runner.ts', ['--events', String(o['w2-events'] ?? 10_000_000), '--runs', String(o.runs ?? 1), '--project', String(o['w2-project'] ?? 'library')])).map((r) => ({ ...r, machine: m })),
  W3: async (m, o) => (await runTs('bench/w3-monthly-pack.ts', ['--players', String(o['w3-players'] ?? 100_000), '--runs', String(o.runs ?? 3)])).map((r) => ({ ...r, machine: m })),
  W4: async (m, o) => (await runTs('bench/w4-freshness.ts', ['--samples', String(o['w4-samples'] ?? 8)])).map((r) => ({ ...r, machine: m })),
  W6: async (m, o) => (await runTs('bench/w6-dashboards-freshness.ts', ['--samples', String(o['w6-samples'] ?? 3)])).map((r) => ({ ...r, machine: m })),
};

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unexpected argument ${argv[i]}`);
    opts[m[1]] = m[2] ?? argv[++i];
  }
  const known = new Set(['only', 'runs', 'e1-n', 'e2-bets', 'e3-players', 'e3-requests', 'e4-players', 'e5-players', 'e6-bets', 'p1-requests', 'w1-events', 'w2-events', 'w2-project', 'w3-players', 'w4-samples', 'w6-samples']);
  for (const k of Object.keys(opts)) if (!known.has(k)) throw new Error(`unknown option --${k}`);
  for (const k of ['runs', 'e1-n', 'e2-bets', 'e3-players', 'e3-requests', 'e4-players', 'e5-players', 'e6-bets', 'p1-requests', 'w1-events', 'w2-events', 'w3-players', 'w4-samples', 'w6-samples']) {
    if (opts[k] === undefined) continue;
    const v = Number(opts[k]);
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${k} needs a positive integer`);
    opts[k] = v;
  }
  return opts;
}

async function main() {
  const [major] = process.versions.node.split('.').map(Number);
  if (major < 22) throw new Error(`Node >= 22 needed (this is ${process.version}); run through npm with node_modules/.bin first on PATH`);
  const opts = parseArgs(process.argv.slice(2));
  const ids = opts.only ? opts.only.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean) : Object.keys(BENCHMARKS);
  const unknown = ids.filter((id) => !BENCHMARKS[id]);
  if (unknown.length) throw new Error(`unknown benchmark ${unknown.join(', ')} (have ${Object.keys(BENCHMARKS).join(', ')})`);

  const started = new Date();
  const machine = await describeMachine();
  console.log(`machine: ${machine.cores} cores, ${machine.cpu}, node ${machine.node}, wrangler ${machine.wrangler}, load ${machine.loadavg_at_start.join(' ')}`);
  const results = [];
  let failed = 0;
  for (const id of ids) {
    try {
      results.push(...await BENCHMARKS[id](machine, opts));
    } catch (err) {
      failed++;
      console.error(`${id} did not complete: ${err?.stack ?? err}`);
    }
  }
  if (results.length === 0) throw new Error('no benchmark completed');

  const file = await writeResults(results, started);
  console.log('\n' + formatTable(results));
  console.log(`\nresults: ${file}`);
  if (failed) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err?.stack ?? err);
  process.exit(1);
});
