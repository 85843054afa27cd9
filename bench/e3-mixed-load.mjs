/**
 * E3: 1,000 players, 64 concurrent clients, mixed deposits, bets and settlements. Target
 * (TARGETS.md): throughput >= 0.7x the floor's and p99 <= 50 ms; the floor is `/v1/health` under
 * the same load (same clients, same count, same worker, same run). `pass` judges both.
 *
 * Method. The real platform worker (wrangler dev on a frozen bundle, lib/proc.mjs). Setup (not
 * timed): N players registered and funded through the sandbox deposit, 32 at a time. Each run:
 * `requests` requests from 64 clients (each sends its next request when the previous answered,
 * keep-alive), each for a player drawn at random (two clients may hit the same player at once; its
 * object serialises them), of three kinds:
 *   deposit   20 %  POST /v1/wallet/deposits (sandbox: requested and completed in one call)
 *   bet       50 %  POST /v1/dev/rounds, no win: the stake reserved and posted
 *   settled   30 %  POST /v1/dev/rounds with a win: reserved, posted and the return credited
 * then the same count of GET /v1/health from the same 64 clients (order alternates per run).
 * Measured: requests/s over the run's wall time, per-request latency p50/p99 (nearest rank, over
 * all requests of all runs), per kind too. Afterwards every player's balance must equal its
 * deposits - stakes + wins as the client counted them.
 * Diagnostics beside the judged figures: CPU per request of each process of the wrangler group
 * and of this client (lib/cpu.mjs; locally every object shares the runtime's one thread, so CPU
 * per request is what bounds the throughput), and with E3_PROFILE=<file> a V8 CPU profile of the
 * worker's isolate during the first mixed series (lib/cpu-profile.mjs; it slows that series).
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { cpuSampler } from './lib/cpu.mjs';
import { startCpuProfile, summarize } from './lib/cpu-profile.mjs';
import { randomSecret as secret, startPlatform } from './lib/proc.mjs';
import { expectFetch, pool, timedFetch } from './lib/http.mjs';
import { latencyStats, median, round } from './lib/stats.mjs';

export const DEFAULTS = { runs: 3, players: 1_000, clients: 64, requests: 6_000, setupParallel: 32, logLevel: 'warn' };
const TARGET_RATIO = 0.7;
const TARGET_P99_MS = 50;
const FUNDING = 1_000_000;
const DEPOSIT = 500;
const STAKE = 100;
const WIN = 250;

const cpuLine = (cpu) => (cpu ? Object.entries(cpu).map(([k, v]) => `${k} ${v.total}`).join(', ') : 'n/a');
const json = (method, body, headers = {}) => ({ method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });


/** A deterministic mix (so every run sends the same kinds): 2 of 10 deposits, 5 bets, 3 settled rounds. */
const MIX = ['deposit', 'bet', 'settled', 'bet', 'bet', 'deposit', 'settled', 'bet', 'settled', 'bet'];

/** Median over runs of CPU us per request, per process role. */
function cpuMedian(series) {
  const roles = new Set(series.flatMap((x) => Object.keys(x.cpu ?? {})));
  return Object.fromEntries([...roles].map((role) => [role, median(series.map((x) => x.cpu?.[role]?.total).filter((v) => v !== undefined))]));
}

export async function runE3({ machine, runs = DEFAULTS.runs, players = DEFAULTS.players, clients = DEFAULTS.clients, requests = DEFAULTS.requests, logLevel = DEFAULTS.logLevel, log = console.log }) {
  const worker = await startPlatform({ logLevel });
  try {
    const base = worker.url;
    log(`E3: platform worker on ${base}; ${players} players, ${clients} clients, ${runs} runs x ${requests} requests (and as many /v1/health)`);
    const t0 = performance.now();
    const ledger = await pool(players, DEFAULTS.setupParallel, async () => {
      const reg = await expectFetch(`${base}/v1/players`, json('POST', { email: `bench-${randomUUID()}@example.com`, password: secret(), date_of_birth: '1990-01-15', country: 'MT' }), 201);
      const auth = { authorization: `Bearer ${reg.body.token}` };
      await expectFetch(`${base}/v1/wallet/deposits`, json('POST', { amount_minor: FUNDING, currency: 'EUR' }, { ...auth, 'idempotency-key': randomUUID() }), 201);
      return { auth, expected: FUNDING };
    });
    log(`  ${players} players registered and funded in ${Math.round(performance.now() - t0)} ms`);

    let roundNo = 0;
    const prefix = randomUUID().slice(0, 8);
    const send = {
      deposit: (p) => ({ url: `${base}/v1/wallet/deposits`, init: json('POST', { amount_minor: DEPOSIT, currency: 'EUR' }, { ...p.auth, 'idempotency-key': randomUUID() }), expect: 201, delta: DEPOSIT }),
      bet: (p) => ({ url: `${base}/v1/dev/rounds`, init: json('POST', { round_id: `${prefix}-${roundNo++}`, currency: 'EUR', amount_minor: STAKE, win_minor: 0 }, p.auth), expect: 200, delta: -STAKE }),
      settled: (p) => ({ url: `${base}/v1/dev/rounds`, init: json('POST', { round_id: `${prefix}-${roundNo++}`, currency: 'EUR', amount_minor: STAKE, win_minor: WIN }, p.auth), expect: 200, delta: WIN - STAKE }),
      health: () => ({ url: `${base}/v1/health`, init: undefined, expect: 200, delta: 0 }),
    };

    // CPU per request of each process (lib/cpu.mjs): shows whether the runtime's one thread is the bottleneck
    const sampler = cpuSampler(worker.pid, worker.port);
    async function series(kindOf) {
      const lat = new Array(requests);
      const kinds = new Array(requests);
      const before = sampler?.snapshot();
      const t = performance.now();
      await pool(requests, clients, async (i) => {
        const kind = kindOf(i);
        const p = ledger[Math.floor(Math.random() * ledger.length)];
        const req = send[kind](p);
        const r = await timedFetch(req.url, req.init);
        if (r.status !== req.expect) throw new Error(`${kind} -> ${r.status}: ${JSON.stringify(r.body).slice(0, 500)}`);
        p.expected += req.delta;
        lat[i] = r.ms;
        kinds[i] = kind;
      });
      const ms = performance.now() - t;
      const cpu = sampler ? sampler.perRequest(before, sampler.snapshot(), requests) : null;
      return { per_s: (requests * 1000) / ms, ms, lat, kinds, cpu };
    }

    const warm = requests;
    await series((i) => (i < warm / 2 ? MIX[i % MIX.length] : 'health')); // warm-up: every path and object once or more
    const mixed = [];
    const health = [];
    for (let r = 0; r < runs; r++) {
      const order = r % 2 ? ['health', 'mixed'] : ['mixed', 'health'];
      for (const k of order) {
        // E3_PROFILE=<file>: a V8 CPU profile of the runtime during the first mixed series (diagnostic: slows it)
        const profiler = k === 'mixed' && r === 0 && process.env.E3_PROFILE ? await startCpuProfile(worker.inspectorPort) : null;
        if (k === 'mixed') mixed.push(await series((i) => MIX[i % MIX.length]));
        if (profiler) {
          const summary = summarize(await profiler.stop(), 200);
          await writeFile(process.env.E3_PROFILE, JSON.stringify(summary, null, 1));
          log(`    profile (${profiler.target}): ${summary.total_ms} ms sampled, written to ${process.env.E3_PROFILE}`);
        }
        else health.push(await series(() => 'health'));
      }
      const ml = latencyStats(mixed[r].lat);
      const hl = latencyStats(health[r].lat);
      log(`  run ${r + 1}/${runs}: mixed ${Math.round(mixed[r].per_s)}/s (p50 ${round(ml.median_ms, 1)} ms, p99 ${round(ml.p99_ms, 1)} ms), health ${Math.round(health[r].per_s)}/s (p50 ${round(hl.median_ms, 1)} ms, p99 ${round(hl.p99_ms, 1)} ms)`);
      log(`    CPU us per request: mixed ${cpuLine(mixed[r].cpu)}; health ${cpuLine(health[r].cpu)}`);
    }

    // every request applied exactly once: each player's balance is what the client counted
    log(`  checking ${ledger.length} balances`);
    const wrong = [];
    await pool(ledger.length, DEFAULTS.setupParallel, async (i) => {
      const w = (await expectFetch(`${base}/v1/wallet`, { headers: ledger[i].auth })).body;
      const eur = w.balances.find((b) => b.currency === 'EUR');
      if (eur?.real_minor !== ledger[i].expected || eur?.held_minor !== 0) wrong.push({ player: i, expected: ledger[i].expected, real_minor: eur?.real_minor, held_minor: eur?.held_minor });
    });
    const check = { players: ledger.length, wrong: wrong.length, first_wrong: wrong.slice(0, 3), ok: wrong.length === 0 };

    const ratio = median(mixed.map((x, i) => x.per_s / health[i].per_s));
    const all = mixed.flatMap((x) => x.lat);
    const lat = latencyStats(all);
    const byKind = Object.fromEntries(['deposit', 'bet', 'settled'].map((k) => [k, latencyStats(mixed.flatMap((x) => x.lat.filter((_, i) => x.kinds[i] === k)))]));
    const h = latencyStats(health.flatMap((x) => x.lat));
    return [{
      id: 'E3',
      metric: `${players} players, ${clients} concurrent clients, mixed deposits / bets / settled rounds: throughput over /v1/health's under the same load, median of per-run ratios (p99 judged too)`,
      value: round(ratio, 2),
      unit: 'x floor',
      target: `>= ${TARGET_RATIO}`,
      p99_target_ms: TARGET_P99_MS,
      pass: ratio >= TARGET_RATIO && lat.p99_ms <= TARGET_P99_MS && check.ok,
      requests_per_s: round(median(mixed.map((x) => x.per_s)), 0),
      latency: { p50_ms: lat.median_ms, p99_ms: lat.p99_ms, max_ms: lat.max_ms },
      latency_by_kind: byKind,
      floor: { requests_per_s: round(median(health.map((x) => x.per_s)), 0), p50_ms: h.median_ms, p99_ms: h.p99_ms },
      cpu_us_per_request: { mixed: cpuMedian(mixed), health: cpuMedian(health) },
      runs: mixed.map((x, i) => ({ mixed_per_s: round(x.per_s, 0), health_per_s: round(health[i].per_s, 0), ratio: round(x.per_s / health[i].per_s, 2), mixed_p99_ms: latencyStats(x.lat).p99_ms, health_p99_ms: latencyStats(health[i].lat).p99_ms })),
      check,
      params: { runs, players, clients, requests_per_run: requests, mix: '20 % deposits, 50 % bets (reserve + post), 30 % settled rounds (reserve + post + win)', stake_minor: STAKE, win_minor: WIN, deposit_minor: DEPOSIT, client: 'node fetch (undici) keep-alive, 64 in flight', served: 'wrangler dev --no-bundle on a bundle built at start' },
      machine,
      summary: `${round(median(mixed.map((x) => x.per_s)), 0)} req/s, p50 ${lat.median_ms} ms, p99 ${lat.p99_ms} ms; /v1/health ${round(median(health.map((x) => x.per_s)), 0)} req/s, p99 ${h.p99_ms} ms`,
    }];
  } finally {
    await worker.stop();
  }
}
