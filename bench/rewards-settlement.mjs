/**
 * Rule cost (issue 17: "a settlement with 100 active rules against the same settlement with none,
 * side by side, target <= 1.25x"). Not in `npm run bench` (issue 17's figures are not in TARGETS.md
 * yet); run it alone:
 *
 *   nice -n 10 node bench/rewards-settlement.mjs [--runs 9] [--n 1000] [--singles 1500]
 *
 * bench/edge/rewards-worker.ts (its own Durable Object, `wrangler dev -c bench/edge/rewards-wrangler.toml`)
 * builds the real player-object parts (PlayerContext, Wallet, PlayerRewards) on the real player
 * schema and runs live-table bets exactly as PlayerDO does: the reserve transaction (the hold and the
 * `table.bet.placed` evaluation) and the settle transaction (the hold posted, the return credited,
 * the `table.bet.settled` evaluation with its state row, grants and events). One object per rule set:
 * `none` (the engine reached, no rule: the floor), `counter_only` (one counter on the settlement, no
 * rule: the engine's own bookkeeping, its state row rewritten each settlement), `deployed`
 * (config/rewards.json) and `rules_100` (100 active rules and 10 counters on the settlement). The
 * variants are interleaved.
 *
 * Two measurements, both side by side in the same run:
 *  - batch: per bet = (wall(/bet?n=N) - median of 3 x wall(/bet?n=0)) / N, as E1 (timers do not move
 *    during compute inside workerd); median over runs, "p99" = nearest-rank over the run means;
 *  - singles: one bet per request (`/bet?n=1`), each request timed from Node (HTTP + RPC + the two
 *    transactions), round-robin over the variants: median and nearest-rank p99 of the requests, the
 *    way a table's call meets the object.
 * Value = rules_100 / none at the median of the singles (target <= 1.25x); all four ratios are in the
 * result. Afterwards: Wallet.audit() must be clean, and a counting pass gives SQL statements per bet.
 * Writes bench/results/<timestamp>-rewards-settlement.json.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { expectFetch } from './lib/http.mjs';
import { startWrangler, REPO_ROOT } from './lib/proc.mjs';
import { isoBasic, machine } from './lib/results.mjs';
import { median, percentile, round } from './lib/stats.mjs';

const TARGET_RATIO = 1.25;
const SETS = ['none', 'counter_only', 'deployed', 'rules_100'];
const FLOOR = 'none';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '9' }, n: { type: 'string', default: '1000' }, singles: { type: 'string', default: '1500' } } });
const RUNS = Number(values.runs);
const N = Number(values.n);
const SINGLES = Number(values.singles);

const m = await machine();
const worker = await startWrangler({ label: 'rewards bench worker', config: 'bench/edge/rewards-wrangler.toml', args: ['--log-level', 'warn'], readyPath: '/health' });
console.log(`rewards bench worker on ${worker.url} (ready in ${worker.startupMs} ms); ${RUNS} runs x n=${N}, ${SINGLES} single bets per variant`);
const base = worker.url;
const url = (set, p, n = 0) => `${base}/${p}?object=${set}&n=${n}`;
try {
  for (const s of SETS) await expectFetch(url(s, 'setup'));
  for (const s of SETS) await expectFetch(url(s, 'bet', Math.max(50, Math.floor(N / 5)))); // warm-up: JIT, caches, the state at its steady size

  const batch = Object.fromEntries(SETS.map((s) => [s, []]));
  for (let r = 0; r < RUNS; r++) {
    const order = SETS.map((_, i) => SETS[(i + r) % SETS.length]);
    for (const s of order) {
      const zero = [];
      for (let i = 0; i < 3; i++) zero.push((await expectFetch(url(s, 'bet', 0))).ms);
      const full = (await expectFetch(url(s, 'bet', N))).ms;
      batch[s].push(((full - median(zero)) * 1000) / N);
    }
    console.log(`  run ${r + 1}/${RUNS}: ` + SETS.map((s) => `${s} ${round(batch[s][r], 1)}`).join(', ') + ' us/bet');
  }

  const singles = Object.fromEntries([...SETS, 'request_only'].map((s) => [s, []]));
  for (let i = 0; i < SINGLES; i++) {
    for (const s of SETS) singles[s].push((await expectFetch(url(s, 'bet', 1))).ms);
    singles.request_only.push((await expectFetch(url(FLOOR, 'bet', 0))).ms);
  }

  const counts = {};
  const audits = {};
  for (const s of SETS) {
    counts[s] = (await expectFetch(url(s, 'count', 100))).body;
    audits[s] = (await expectFetch(url(s, 'audit'))).body;
  }

  const batchStat = (s) => ({ median_us: round(median(batch[s]), 2), p99_us: round(percentile(batch[s], 99), 2) });
  const singleStat = (s) => ({ median_ms: round(median(singles[s]), 3), p99_ms: round(percentile(singles[s], 99), 3) });
  const variants = Object.fromEntries(SETS.map((s) => [s, {
    batch: batchStat(s), singles: singleStat(s), sql_statements_per_bet: counts[s].statements_per_op, audit: audits[s],
  }]));
  const ratio = (s) => ({
    singles_median: round(median(singles[s]) / median(singles[FLOOR]), 3),
    singles_p99: round(percentile(singles[s], 99) / percentile(singles[FLOOR], 99), 3),
    batch_median: round(median(batch[s]) / median(batch[FLOOR]), 3),
    batch_p99: round(percentile(batch[s], 99) / percentile(batch[FLOOR], 99), 3),
  });
  const r100 = ratio('rules_100');
  const clean = SETS.every((s) => audits[s].problems.length === 0);
  const result = {
    id: 'E4-rule-cost',
    metric: 'a live-table bet (reserve + settle transactions) in a player object with 100 active rules vs none, median of single requests',
    value: r100.singles_median, unit: 'x', target: `<= ${TARGET_RATIO}x`, pass: r100.singles_median <= TARGET_RATIO && clean,
    ratios: { rules_100: r100, deployed: ratio('deployed'), counter_only: ratio('counter_only') },
    floor: { key: FLOOR, what: 'the same bets with a rule set of no rules (the engine reached, returns at once)', ...variants[FLOOR] },
    request_only: { what: '/bet?n=0: the same request and RPC, no bet', ...singleStat('request_only') },
    variants,
    p99_note: `singles: nearest-rank p99 over ${SINGLES} requests; batch: nearest-rank over ${RUNS} run means`,
    params: { runs: RUNS, n: N, singles: SINGLES, worker: 'bench/edge/rewards-wrangler.toml' },
    machine: m,
    summary: `100 rules / none: singles median ${r100.singles_median}x, p99 ${r100.singles_p99}x; batch median ${r100.batch_median}x, p99 ${r100.batch_p99}x (target <= ${TARGET_RATIO}x)`,
  };
  const dir = path.join(REPO_ROOT, 'bench/results');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${isoBasic()}-rewards-settlement.json`);
  await writeFile(file, JSON.stringify([result], null, 2) + '\n');
  console.table(Object.fromEntries(SETS.map((s) => [s, { ...variants[s].batch, ...variants[s].singles, stmts: variants[s].sql_statements_per_bet, grants: audits[s].grants, state_bytes: audits[s].state_bytes, chunk_rows: audits[s].memory_chunk_rows, chunk_bytes: audits[s].memory_chunk_bytes, value_rows: audits[s].counter_value_rows, value_bytes: audits[s].counter_value_bytes }])));
  console.log(result.summary, `; request only ${result.request_only.median_ms} ms`);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
} finally {
  await worker.stop();
}
