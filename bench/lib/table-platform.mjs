/**
 * What the live-table benchmarks (E5 roulette, E5B blackjack) share around the platform worker: a
 * quiet runtime before each timed call, the first admin (the dealer of every run), and funded
 * players. Set-up, never timed.
 */
import { randomUUID } from 'node:crypto';
import { totpCode } from '../../scripts/ops-code.mjs';
import { randomSecret as secret } from './proc.mjs';
import { expectFetch, pool } from './http.mjs';
import { median, percentile, round } from './stats.mjs';

/**
 * Before each timed call the runtime must be quiet: every bet and every settlement sets off its
 * player's background work (outbox shipping right after the call, or the relay to the brand's back
 * office by alarm), and locally all objects share workerd's one thread, so a call made during that
 * storm measures the storm (at load ~20 the storm after a settled round took over a minute). Quiet
 * = two `GET /v1/health` in a row within 3x (+ 20 ms) of the idle latency measured at start-up,
 * polled every 500 ms, for at most QUIET_MAX_MS.
 */
export const QUIET_MAX_MS = 180_000;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const json = (method, body, headers = {}) => ({ method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });

/** Measures the idle health latency now; `quiet()` then waits for it, and `waited` lists each wait (ms). */
export async function quietGate(base) {
  const healthMs = async () => (await expectFetch(`${base}/v1/health`)).ms;
  const idle = [];
  for (let i = 0; i < 7; i++) idle.push(await healthMs());
  const idleMs = median(idle);
  const waited = [];
  async function quiet() {
    const t = performance.now();
    let calm = 0;
    while (calm < 2 && performance.now() - t < QUIET_MAX_MS) {
      calm = (await healthMs()) <= 3 * idleMs + 20 ? calm + 1 : 0;
      if (calm < 2) await sleep(500);
    }
    waited.push(Math.round(performance.now() - t));
  }
  return { idleMs, quiet, waited };
}

/** The first admin through the bootstrap token, past MFA: the headers of an operator who may run every table. */
export async function bootstrapAdmin(base, bootstrap) {
  const boot = await expectFetch(`${base}/v1/ops/bootstrap`, json('POST', { email: `bench-admin-${randomUUID()}@example.com`, display_name: 'Bench Admin', password: secret() }, { authorization: `Bootstrap ${bootstrap}` }), 201);
  const mfa = await expectFetch(`${base}/v1/ops/sessions/mfa`, json('POST', { challenge_token: boot.body.challenge.challenge_token, code: totpCode(boot.body.challenge.enrolment.secret) }), 201);
  return { authorization: `Bearer ${mfa.body.token}` };
}

/** `players` players registered from Malta and funded with `deposit` EUR minor units, `parallel` at a time: their auth headers. */
export async function fundedPlayers(base, players, parallel, deposit) {
  return pool(players, parallel, async () => {
    const reg = await expectFetch(`${base}/v1/players`, json('POST', { email: `bench-${randomUUID()}@example.com`, password: secret(), date_of_birth: '1990-01-15', country: 'MT' }), 201);
    const auth = { authorization: `Bearer ${reg.body.token}` };
    await expectFetch(`${base}/v1/wallet/deposits`, json('POST', { amount_minor: deposit, currency: 'EUR' }, { ...auth, 'idempotency-key': randomUUID() }), 201);
    return auth;
  });
}

/**
 * The figures both table benchmarks report from their timed rounds: `full` (every player at the
 * table) and `single` (one player, the fixed cost), each `{ result_ms, settle_ms, floor_ms,
 * floor_probes_ms, floor_table_ms, ratio, bets_per_s }`. The value is the median ratio of the timed
 * call to its floor measured on the same round; `perRun` adds a benchmark's own columns to each run.
 */
export function settlementFigures({ full, single, targetRatio, targetMs, singleNote, clients, perRun = () => ({}) }) {
  const value = median(full.map((x) => x.result_ms));
  const floor = median(full.map((x) => x.floor_ms));
  const ratio = median(full.map((x) => x.ratio));
  const singleMs = median(single.map((x) => x.result_ms));
  return {
    value: round(ratio, 2),
    unit: 'x floor',
    target: `<= ${targetRatio}`,
    pass: ratio <= targetRatio,
    result_ms: round(value, 1),
    floor_ms: round(floor, 1),
    absolute_target: `<= ${targetMs} ms`,
    absolute_pass: value <= targetMs,
    p99_ms: round(percentile(full.map((x) => x.result_ms), 99), 1),
    settle_ms_inside_table: { median: median(full.map((x) => x.settle_ms)), max: Math.max(...full.map((x) => x.settle_ms)) },
    runs: full.map((x, i) => ({
      result_ms: round(x.result_ms, 1), settle_ms: x.settle_ms, floor_ms: round(x.floor_ms, 1), floor_probes_ms: x.floor_probes_ms.map((y) => round(y, 1)),
      floor_table_ms: x.floor_table_ms, ratio: round(x.ratio, 2), ...perRun(x), bets_per_s: round(x.bets_per_s, 0), single_round_result_ms: round(single[i].result_ms, 1),
    })),
    comparisons: {
      single_round: { result_ms_median: round(singleMs, 1), note: singleNote },
      full_over_single: round(value / singleMs, 1),
      placing_bets: { per_s_median: round(median(full.map((x) => x.bets_per_s)), 0), clients },
    },
    summary_ms: { value, floor, single: singleMs },
  };
}

/** One run's log line: the timed call, its floor (with both probes and the table's own time), the ratio and the one-player round. */
export function runLine(label, r, runs, f, single) {
  return `  run ${r + 1}/${runs}: ${label} ${round(f.result_ms, 1)} ms (table settle_ms ${f.settle_ms}${f.cards ? `; ${f.cards}` : ''}), floor ${round(f.floor_ms, 1)} ms (probes ${f.floor_probes_ms.map((x) => round(x, 1)).join(' / ')}; table ${f.floor_table_ms.join(' / ')}), ratio ${round(f.ratio, 2)}x, one-player round ${round(single.result_ms, 1)} ms, bets ${Math.round(f.bets_per_s)}/s`;
}
