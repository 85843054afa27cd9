/**
 * Rewards engine micro-benchmark (issue 17, the engine part of E4's "100 active rules cost <= 1.25x
 * none"): the pure `evaluate` of domain/rewards on a stream of table settlements, the same events
 * side by side against
 *
 *   - none: a rule set with no rule or counter for `table.bet.settled` (its 100 rules and 10 counters on
 *     `table.bet.placed`): the
 *     floor, what every settlement pays anyway (duplicate check, day/session roll, remembering the id);
 *   - rules_100: 100 active rules on `table.bet.settled` with 10 counters (fact filters, counter
 *     thresholds, streaks, distinct rounds, group-by table, A/B with holdout, caps and pacing): the
 *     usual case, where most rules' conditions do not hold for a given settlement (the set of
 *     bench/lib/rewards-rules.ts, which bench/edge/rewards-worker.ts settles too);
 *   - rules_100_all_hold: 100 rules whose conditions all hold (each grants points until the daily
 *     cap, then is suppressed): the worst case, 100 outcomes per event.
 *
 * Each evaluation is timed alone (process.hrtime.bigint), the variants interleaved in blocks so
 * drift on a shared machine hits all alike; the state carries over from event to event as it would
 * in a player's object. Writes bench/results/<timestamp>-rewards-engine.json.
 *
 *   nice -n 10 npx tsx bench/rewards-engine.ts [--events 2000] [--blocks 10]
 */
import { execFileSync } from 'node:child_process';
import { writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { CasinoEvent } from '../domain/events';
import { compileRuleSet, evaluate, initialState, RuleSet, type CompiledRuleSet, type RewardsState } from '../domain/rewards';
import { betSettled, playerContext, T0 } from '../domain/rewards/test-fixtures';
import { benchRuleSet } from './lib/rewards-rules';

// Typed copies of bench/lib's helpers (plain .mjs without types): nearest-rank percentiles, the machine.
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
function summarize(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
  const mid = s.length >> 1;
  const median = s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
  return { n: s.length, median, p99: at(99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}
function machine() {
  let commit: string | null = null;
  try { commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(); } catch { /* not a checkout */ }
  return { cores: os.availableParallelism(), node: process.version, cpu: os.cpus()[0]?.model.trim() ?? 'unknown', loadavg_at_start: os.loadavg().map((x) => round(x)), commit };
}
const isoBasic = (d = new Date()) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');

const { values } = parseArgs({ options: { events: { type: 'string', default: '2000' }, blocks: { type: 'string', default: '10' } } });
const EVENTS = Number(values.events);
const BLOCKS = Number(values.blocks);

function ruleSet(on: string, allHold = false): CompiledRuleSet {
  return compileRuleSet(RuleSet.parse({
    ...benchRuleSet('bench', on, allHold),
    levels: [{ level: 1, name: 'One', tier: 'one', min_xp: 0 }, { level: 2, name: 'Two', tier: 'two', min_xp: 1_000 }],
  }));
}

const variants: { name: string; compiled: CompiledRuleSet }[] = [
  { name: 'none', compiled: ruleSet('table.bet.placed') },
  { name: 'rules_100', compiled: ruleSet('table.bet.settled') },
  { name: 'rules_100_all_hold', compiled: ruleSet('table.bet.settled', true) },
];

// A settlement stream: ~one bet every 20 s over a few hours, a few tables, wins and losses.
const results = ['win', 'lose', 'lose', 'push', 'lose', 'win'] as const;
const events: CasinoEvent[] = Array.from({ length: EVENTS }, (_, i) => betSettled(T0 + i * 20_000, results[i % results.length] ?? 'lose', { round: `r${i}`, table: `baccarat-${i % 3}`, amount: 500 + (i % 7) * 1_000 }));
const ctx = playerContext({ budget_remaining_minor: {} });

const machineAtStart = machine();
const samples = new Map(variants.map((v) => [v.name, [] as number[]]));
const outcomesPerEvent = new Map(variants.map((v) => [v.name, 0]));
// Warm up every variant (JIT), then measure blocks, interleaved.
for (const v of variants) { let s = initialState(); for (const e of events.slice(0, 500)) s = evaluate(s, e, v.compiled, ctx).state; }
for (let b = 0; b < BLOCKS; b++) {
  for (const v of variants) {
    let state: RewardsState = initialState();
    const out = samples.get(v.name) ?? [];
    let outcomes = 0;
    for (const e of events) {
      const t = process.hrtime.bigint();
      const r = evaluate(state, e, v.compiled, ctx);
      out.push(Number(process.hrtime.bigint() - t) / 1_000);
      state = r.state;
      outcomes += r.outcomes.length;
    }
    outcomesPerEvent.set(v.name, outcomes / events.length);
  }
}

const summary = Object.fromEntries(variants.map((v) => {
  const s = summarize(samples.get(v.name) ?? []);
  return [v.name, { median_us: round(s.median, 2), p99_us: round(s.p99, 2), mean_us: round(s.mean, 2), n: s.n, outcomes_per_event: round(outcomesPerEvent.get(v.name) ?? 0, 2) }];
}));
const floor = summary.none;
const ratio = (name: string) => ({
  median: round((summary[name]?.median_us ?? NaN) / (floor?.median_us ?? NaN), 2),
  p99: round((summary[name]?.p99_us ?? NaN) / (floor?.p99_us ?? NaN), 2),
});
const result = {
  id: 'E4-rules', metric: 'rewards evaluate(), 100 active rules vs none, per settlement', unit: 'us',
  value: summary.rules_100?.median_us, floor_us: floor?.median_us, ratio_100_rules_vs_none: ratio('rules_100'), ratio_100_all_hold_vs_none: ratio('rules_100_all_hold'),
  note: 'engine only: the 1.25x target of E4 is for the whole settlement (table -> player object -> socket), where this cost is added to the RPC and the transaction',
  variants: summary, params: { events: EVENTS, blocks: BLOCKS }, machine: machineAtStart,
};
const dir = path.join(import.meta.dirname, 'results');
await mkdir(dir, { recursive: true });
const file = path.join(dir, `${isoBasic()}-rewards-engine.json`);
await writeFile(file, JSON.stringify([result], null, 2) + '\n');
console.table(summary);
console.log('ratio rules_100 / none:', ratio('rules_100'), ' rules_100_all_hold / none:', ratio('rules_100_all_hold'));
console.log(`wrote ${path.relative(process.cwd(), file)}`);
