/**
 * npm run simulate -- [options]: realistic casino traffic, through the real API (default) or, with
 * --fast, generated directly as R2 event batches. docs/simulator.md explains both.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { simulateApi, type ApiSummary } from './api';
import { FAST_DEFAULTS } from './model';
import { ACTIVITY_PROFILES, type ActivityProfileName } from './fast';
import { directorySink, writeHistory, type BatchSink } from './sink';

const HELP = `usage: npm run simulate -- [--players N] [--days D] [--tables T] [--seed S] [options]

API mode (default): drives a running platform (npm start) through its public HTTP API only.
  --base-url URL      the platform (default http://127.0.0.1:\${PORT:-8787})
  --concurrency C     players simulated at once (default 8)
  --max-sessions K    sessions per player at most (default 4)
  --spins N           slot spins per slot stint (default 12); --rounds N table rounds per table stint (default 2)
  --no-ops            do not log in a back-office operator to approve/pay withdrawals
  --table-games G     only tables of these games (comma list of roulette, baccarat, blackjack)
  --days D shapes each player's lifecycle (how many sessions before churn), but the platform stamps
  every event with its real clock: API mode's events all carry today's timestamps. Secrets come
  from .dev.vars (PROVIDER_SECRET_SANDBOX_SLOTS, PAYMENT_WEBHOOK_SECRET_SANDBOX) and the operator
  from demo-operators.json, as npm start writes them. Only automated tables are used (T <= 4:
  roulette and baccarat first, then blackjack Seated and Infinite, played with the simulated
  player's policy: side bets, decisions, insurance).

Fast mode (--fast): generates the same event stream directly as R2 batch objects (gzip NDJSON,
  ~5,000 events each) spread over D days ending now, with the daily shape of a casino.
  --state-dir DIR     the local lake of wrangler dev (default CASINO_STATE_DIR or .wrangler/state)
  --out-dir DIR       write the objects as files under DIR instead (benchmarks)
  --now ISO|ms        end of the history (default: now); fix it for byte-identical output
  --batch-events N    events per object (default 5000)
  --profile P         how much each player plays: default, or light (fewer, shorter sessions and
                      stints: ~1/200 of the events per player, for 100,000-player benchmarks)
  --no-rewards        do not run the rewards engine over the players' events (no rewards.* events;
                      about half the generation time; simulator/fast-rewards.ts)
  Tables: T of the configured tables: roulette and baccarat, automated first (1-4, dealer tables with a
  dealer's results), then blackjack (5-7: Seated, Infinite, Seated with a dealer); --tables 7 plays them all.

Common: --players N, --days D (defaults: API mode 50 players, 7 days; fast mode 300 players, 120 days:
  enough history for every segment and alert of the warehouse, churn and reactivation after 30 days,
  and held-out months for the LTV back-test; ~3.5M events), --tables T (default 2), --seed S
  (default "casino"), --json (summary as JSON)`;

const API_DEFAULTS = { players: 50, days: 7 } as const;

const { values } = parseArgs({
  options: {
    players: { type: 'string' },
    days: { type: 'string' },
    tables: { type: 'string', default: '2' },
    seed: { type: 'string', default: 'casino' },
    fast: { type: 'boolean', default: false },
    'base-url': { type: 'string' },
    concurrency: { type: 'string', default: '8' },
    'max-sessions': { type: 'string', default: '4' },
    spins: { type: 'string', default: '12' },
    rounds: { type: 'string', default: '2' },
    'no-ops': { type: 'boolean', default: false },
    'table-games': { type: 'string' },
    'state-dir': { type: 'string' },
    'out-dir': { type: 'string' },
    now: { type: 'string' },
    'batch-events': { type: 'string', default: '5000' },
    profile: { type: 'string', default: 'default' },
    'no-rewards': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  allowPositionals: false,
});

if (values.help) {
  console.log(HELP);
  process.exit(0);
}

/** --table-games: a comma list of the games the API mode may sit at. */
function tableGames(v: string): ('roulette' | 'baccarat' | 'blackjack')[] {
  const games = v.split(',').map((g) => g.trim()).filter(Boolean);
  const known = ['roulette', 'baccarat', 'blackjack'] as const;
  const bad = games.filter((g) => !(known as readonly string[]).includes(g));
  if (bad.length > 0 || games.length === 0) {
    console.error(`--table-games: expected a comma list of ${known.join(', ')}; got ${v}`);
    process.exit(2);
  }
  return games as ('roulette' | 'baccarat' | 'blackjack')[];
}

function num(name: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) {
    console.error(`--${name} must be a number >= ${min}, not '${v}'\n\n${HELP}`);
    process.exit(2);
  }
  return n;
}

const defaults = values.fast ? FAST_DEFAULTS : API_DEFAULTS;
const players = Math.floor(num('players', values.players ?? String(defaults.players), 0));
const days = num('days', values.days ?? String(defaults.days), 0.01);
const tables = Math.floor(num('tables', values.tables, 0));
const seed = values.seed;

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

if (values.fast) {
  const now = values.now === undefined ? Date.now() : /^\d+$/.test(values.now) ? Number(values.now) : Date.parse(values.now);
  if (!Number.isFinite(now)) {
    console.error(`--now must be an ISO time or epoch milliseconds, not '${values.now}'`);
    process.exit(2);
  }
  if (!Object.hasOwn(ACTIVITY_PROFILES, values.profile)) {
    console.error(`--profile must be one of ${Object.keys(ACTIVITY_PROFILES).join(', ')}, not '${values.profile}'`);
    process.exit(2);
  }
  const profile = values.profile as ActivityProfileName;
  let sink: BatchSink;
  let dispose = async () => {};
  let where: string;
  if (values['out-dir']) {
    where = resolve(values['out-dir']);
    sink = directorySink(where);
  } else {
    const { openLocalLake, stateDir } = await import('../warehouse/source/local-r2');
    const dir = values['state-dir'] ? resolve(values['state-dir']) : stateDir();
    const lake = await openLocalLake(dir);
    sink = lake.bucket as unknown as BatchSink;
    dispose = () => lake.dispose();
    where = `local lake in ${dir}`;
  }
  const started = performance.now();
  let lastPrint = 0;
  try {
    const res = await writeHistory({
      players, days, tables, seed, now, sink, profile, rewards: !values['no-rewards'], batchEvents: Math.floor(num('batch-events', values['batch-events'], 1)),
      onBatch: ({ counts }) => {
        const t = performance.now();
        if (!values.json && t - lastPrint > 1000) {
          lastPrint = t;
          const at = counts.last_at ? new Date(counts.last_at).toISOString().slice(0, 16) : '-';
          process.stderr.write(`\r[simulate] ${fmt(counts.events)} events, simulated up to ${at}, ${fmt(Math.round(counts.events / ((t - started) / 1000)))} events/s   `);
        }
      },
    });
    if (!values.json) process.stderr.write('\n');
    const secs = res.elapsed_ms / 1000;
    if (values.json) {
      console.log(JSON.stringify({ mode: 'fast', days, tables, seed, now, profile, where, ...res, events_per_s: Math.round(res.events / secs) }, null, 2));
    } else {
      const { by_type, ...c } = res;
      console.log(`fast mode: ${fmt(res.events)} events in ${fmt(res.objects)} objects (${(res.bytes / 1e6).toFixed(1)} MB gzip) to ${where}`);
      console.log(`  ${secs.toFixed(1)} s: ${fmt(Math.round(res.events / secs))} events/s written (generation alone ${fmt(Math.round(res.events / (res.generate_ms / 1000)))} events/s)`);
      console.log(`  from ${c.first_at ? new Date(c.first_at).toISOString() : '-'} to ${c.last_at ? new Date(c.last_at).toISOString() : '-'}`);
      console.log(`  players ${fmt(c.players)} (churned ${fmt(c.churned)}), sessions ${fmt(c.sessions)}, deposits ${fmt(c.deposits)} (+${fmt(c.deposits_failed)} failed, ${fmt(c.deposit_refusals)} over a limit)`);
      console.log(`  table bets ${fmt(c.table_bets)} in ${fmt(c.table_rounds)} rounds, slot rounds ${fmt(c.slot_rounds)} (${fmt(c.slot_rollbacks)} rolled back)`);
      console.log(`  withdrawals ${fmt(c.withdrawals)} (paid ${fmt(c.withdrawals_paid)}, rejected ${fmt(c.withdrawals_rejected)}, cancelled ${fmt(c.withdrawals_cancelled)}), KYC ${fmt(c.kyc_submissions)}, limit changes ${fmt(c.limit_changes)}, cool-offs ${fmt(c.cool_offs)}, self-exclusions ${fmt(c.self_exclusions)}`);
      console.log(`  reactivated ${fmt(c.reactivated)}, loss-chasing redeposits ${fmt(c.chase_redeposits)} (stake raises ${fmt(c.chase_raises)}), structuring deposits ${fmt(c.structuring_deposits)}, quick cash-outs ${fmt(c.quick_cashouts)}`);
      console.log(`  operators: adjustments ${fmt(c.adjustments)}, alerts ${fmt(c.alerts)}, rounds voided ${fmt(c.rounds_voided)}, holds expired ${fmt(c.holds_expired)}`);
      console.log('  by type:');
      for (const [k, v] of Object.entries(by_type).sort((a, b) => b[1] - a[1])) console.log(`    ${k.padEnd(32)} ${fmt(v)}`);
    }
  } finally {
    await dispose();
  }
} else {
  const baseUrl = values['base-url'] ?? `http://127.0.0.1:${process.env.PORT || 8787}`;
  const line = (s: ApiSummary) => `players ${s.players_done}/${s.players}, deposits ${s.deposits}, table bets ${s.table_bets}, slot rounds ${s.slot_rounds}, withdrawals ${s.withdrawals}, refusals ${Object.values(s.refusals).reduce((a, b) => a + b, 0)}, errors ${Object.values(s.errors).reduce((a, b) => a + b, 0)}, ${Math.round(s.elapsed_ms / 1000)} s`;
  try {
    const s = await simulateApi({
      baseUrl, players, days, tables, seed, concurrency: Math.floor(num('concurrency', values.concurrency, 1)),
      maxSessions: Math.floor(num('max-sessions', values['max-sessions'], 1)), spins: Math.floor(num('spins', values.spins, 0)), rounds: Math.floor(num('rounds', values.rounds, 1)),
      ...(values['no-ops'] ? { ops: null } : {}),
      ...(values['table-games'] ? { tableGames: tableGames(values['table-games']) } : {}),
      onProgress: values.json ? undefined : (s) => process.stderr.write(`\r[simulate] ${line(s)}   `),
    });
    if (values.json) {
      console.log(JSON.stringify({ mode: 'api', base_url: baseUrl, days, tables, seed, ...s }, null, 2));
    } else {
      process.stderr.write('\n');
      console.log(`API mode against ${baseUrl} (events carry today's timestamps: the platform's clock)`);
      console.log(`  ${line(s)}`);
      console.log(`  registrations ${s.registrations}, logins ${s.logins}, KYC verified ${s.kyc_verified} (+${s.kyc_other} other), deposit webhooks ${s.deposit_webhooks}, rollbacks ${s.slot_rollbacks}`);
      console.log(`  withdrawals paid ${s.withdrawals_paid}, rejected ${s.withdrawals_rejected}, cancelled ${s.withdrawals_cancelled}; limit changes ${s.limit_changes}, cool-offs ${s.cool_offs}, self-exclusions ${s.self_exclusions}, churned ${s.churned}; ${s.requests} requests`);
      const bj = s.blackjack;
      if (bj.bets > 0) console.log(`  blackjack: ${bj.bets} seats/places (in table bets), ${bj.side_bets} side bets, ${bj.decisions} decisions, ${bj.insurance_answers} insurance answers, ${bj.rounds_settled} rounds followed to settlement`);
      console.log(`  loss-chasing redeposits ${s.chase_redeposits}, structuring deposits ${s.structuring_deposits}, quick cash-outs ${s.quick_cashouts}; operator adjustments ${s.adjustments}, VIP flags ${s.vip_flags}`);
      console.log(`  refusals by design: ${Object.entries(s.refusals).map(([k, v]) => `${k} x${v}`).join(', ') || 'none'}`);
      console.log(`  errors: ${Object.entries(s.errors).map(([k, v]) => `${k} x${v}`).join(', ') || 'none'}`);
      for (const n of s.notes) console.log(`  note: ${n}`);
    }
    if (Object.keys(s.errors).length) process.exitCode = 1;
  } catch (err) {
    console.error(`simulate: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
