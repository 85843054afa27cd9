/**
 * E2: sequential bets over HTTP into one player. Target (TARGETS.md, issue 15): >= 0.85x the rate
 * of an empty object RPC through the same HTTP stack, measured in the same run; `pass` judges it.
 * Measured twice, one result each: through `wrangler dev` (its proxy workerd in front of the
 * runtime, as `npm start` serves) and through Miniflare directly (lib/miniflare.mjs: the same
 * bundle and bindings, no dev proxy).
 *
 * Method. Bundles and starts the real platform worker (`wrangler dev` on wrangler.toml, see
 * lib/proc.mjs; development mode, DEV_COUNTRY=MT, random SESSION_SIGNING_KEY and
 * PAYMENT_WEBHOOK_SECRET_SANDBOX passed with --var, an empty --env-file so no .dev.vars leaks in,
 * state in a fresh temp dir). Registers one player, deposits through the sandbox provider
 * (confirmed at once), then one client sends bets one after another (the next request after the
 * previous answer) over one keep-alive connection (Node fetch):
 *   POST /v1/dev/rounds {round_id: unique, currency: EUR, amount_minor: 100, win_minor: 0 | 190}
 * (JWT check, geo gate, validation, one PlayerDO RPC: session check + reserve + post [+ win]).
 * Side by side in every round, same count, order rotated per round:
 *   health       GET /v1/health: the bare round trip through the Hono app, no object, no auth
 *   wallet_read  GET /v1/wallet: JWT check + one PlayerDO RPC that reads (and touches the session)
 * and, for the floor of the plumbing, the E1 bench worker (bench/edge, no Hono) started alongside
 * (idle while not measured), with half the count:
 *   floor_empty  GET /health: workerd answers a constant, no object
 *   floor_rpc    GET /ping: one empty Durable Object RPC
 *   floor_op     GET /e1?op=reserve_post&n=1: one wallet op (reserve+post) and its commit
 * and, to split one bet into its layers, two bets that stop early on the platform worker:
 *   bet_no_token   POST /v1/dev/rounds without a token: routing, geo gate, 401 (no token check)
 *   bet_invalid    POST /v1/dev/rounds with a valid token and a stake of 0: routing, geo gate, the
 *                  token verified (HMAC) and the session's claims, body validation, 400; no RPC
 * Breakdown of a bet's median latency (`layers_ms`): HTTP + workerd = floor_empty; routing (Hono,
 * middleware, the geo gate, a 401) = bet_no_token - floor_empty; token = bet_invalid - bet_no_token (with the body
 * validation); RPC into an object = floor_rpc - floor_empty; the wallet transaction = floor_op -
 * floor_rpc; what is left (the player's session check, the dev round's own steps, the answer) =
 * bet - bet_invalid - (floor_op - floor_empty).
 * Value = median over runs of bets/s (count / wall time of the series). Latencies are per request
 * (ms): median and nearest-rank p99 over all measured requests of a kind. On Linux each series
 * also records CPU time per request of the client and of every wrangler process (lib/cpu.mjs).
 * Afterwards the balance must equal deposit - stakes + wins (every bet applied exactly once).
 */
import { randomUUID } from 'node:crypto';
import { cpuSampler } from './lib/cpu.mjs';
import { randomSecret as secret, runtimeUrl, startPlatform, startWrangler } from './lib/proc.mjs';
import { expectFetch, timedFetch } from './lib/http.mjs';
import { latencyStats, median, round } from './lib/stats.mjs';

export const DEFAULTS = { runs: 5, bets: 2_000, warmup: 300, logLevel: 'warn' };
const TARGET_RATIO = 0.85;
const STAKE = 100;
const WIN = 190;
const WIN_EVERY = 5; // every 5th round wins 190: the balance drains slowly, wins exercise creditWin
const DEPOSIT = 20_000_000;


/** Sends `count` requests one after another; returns wall time, latencies and CPU per request. */
async function series(count, makeRequest, samplers) {
  const lat = new Array(count);
  const before = samplers.map((x) => x.snapshot());
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const { url, init, expect } = makeRequest(i);
    const r = await timedFetch(url, init);
    if (r.status !== expect) throw new Error(`${init?.method ?? 'GET'} ${url} -> ${r.status}: ${JSON.stringify(r.body).slice(0, 1000)}`);
    lat[i] = r.ms;
  }
  const totalMs = performance.now() - t0;
  // Client CPU is in every snapshot; take it from the first sampler only.
  const cpu = {};
  samplers.forEach((x, j) => {
    for (const [role, v] of Object.entries(x.perRequest(before[j], x.snapshot(), count))) {
      if (role === 'client') { if (j === 0) cpu.client = v; } else cpu[`${x.name}.${role}`] = v;
    }
  });
  return { total_ms: totalMs, per_s: (count * 1000) / totalMs, lat, cpu };
}

/** Median over runs of CPU us per request, per process role (roles that stayed idle left out). */
function cpuSummary(runs) {
  const roles = new Set(runs.flatMap((r) => Object.keys(r.cpu)));
  const out = {};
  for (const role of roles) {
    const pick = (k) => median(runs.map((r) => r.cpu[role]?.[k]).filter((x) => x !== undefined));
    const total = Math.round(pick('total'));
    if (total > 0) out[role] = { user: Math.round(pick('user')), sys: Math.round(pick('sys')), total }; // idle processes left out
  }
  return out;
}


export async function runE2({ machine, runs = DEFAULTS.runs, bets = DEFAULTS.bets, warmup = DEFAULTS.warmup, logLevel = DEFAULTS.logLevel, log = console.log }) {
  const worker = await startPlatform({ logLevel });
  let floor = null;
  try {
    floor = await startWrangler({ label: 'bench worker', config: 'bench/edge/wrangler.toml', args: ['--log-level', logLevel], readyPath: '/health' });
    const direct = { platform: await runtimeUrl(worker, '/v1/health'), floor: await runtimeUrl(floor, '/health') };
    const stacks = {
      wrangler: { base: worker.url, floorUrl: floor.url, served: "wrangler dev's port: its proxy workerd forwards to the runtime workerd (as `npm start` serves)" },
      miniflare: { base: direct.platform, floorUrl: direct.floor, served: "Miniflare's own entry socket in the runtime workerd of the same wrangler dev: no dev proxy" },
    };
    const out = [];
    for (const [stack, urls] of Object.entries(stacks)) {
      log(`E2 (${stack}): platform worker on ${urls.base}, floor (bench) worker on ${urls.floorUrl}; ${runs} runs x ${bets} bets, warm-up ${warmup}`);
      out.push(await runStack(stack, urls, { worker, floor, machine, runs, bets, warmup, logLevel, log }));
    }
    return out;
  } finally {
    await floor?.stop();
    await worker.stop();
  }
}

async function runStack(stack, { base, floorUrl, served }, { worker, floor, machine, runs, bets, warmup, logLevel, log }) {
  {
    const json = (method, body, headers = {}) => ({ method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const samplers = [worker, floor].map((w, i) => {
      const x = cpuSampler(w.pid, w.port);
      return x && { ...x, name: i === 0 ? 'platform' : 'floor' };
    }).filter(Boolean);

    const reg = await expectFetch(`${base}/v1/players`, json('POST', {
      email: `bench-${randomUUID()}@example.com`, password: secret(), date_of_birth: '1990-01-15', country: 'MT',
    }), 201);
    const auth = { authorization: `Bearer ${reg.body.token}` };
    const dep = await expectFetch(`${base}/v1/wallet/deposits`, json('POST', { amount_minor: DEPOSIT, currency: 'EUR' }, { ...auth, 'idempotency-key': randomUUID() }), 201);
    if (dep.body.deposit.state !== 'completed') throw new Error(`sandbox deposit not completed: ${JSON.stringify(dep.body)}`);

    const prefix = randomUUID().slice(0, 8);
    let betNo = 0;
    let wins = 0;
    const kinds = {
      bet: () => {
        const i = betNo++;
        const win = i % WIN_EVERY === 0 ? WIN : 0;
        if (win) wins++;
        return { url: `${base}/v1/dev/rounds`, init: json('POST', { round_id: `${prefix}-${i}`, currency: 'EUR', amount_minor: STAKE, win_minor: win }, auth), expect: 200 };
      },
      bet_no_token: () => ({ url: `${base}/v1/dev/rounds`, init: json('POST', { round_id: `${prefix}-x`, currency: 'EUR', amount_minor: STAKE, win_minor: 0 }), expect: 401 }),
      bet_invalid: () => ({ url: `${base}/v1/dev/rounds`, init: json('POST', { round_id: `${prefix}-x`, currency: 'EUR', amount_minor: 0, win_minor: 0 }, auth), expect: 400 }),
      health: () => ({ url: `${base}/v1/health`, init: undefined, expect: 200 }),
      wallet_read: () => ({ url: `${base}/v1/wallet`, init: { headers: auth }, expect: 200 }),
      floor_empty: () => ({ url: `${floorUrl}/health`, init: undefined, expect: 200 }),
      floor_rpc: () => ({ url: `${floorUrl}/ping?object=e2`, init: undefined, expect: 200 }),
      floor_op: () => ({ url: `${floorUrl}/e1?object=e2&op=reserve_post&n=1`, init: undefined, expect: 200 }),
    };
    const count = (k) => (k.startsWith('floor_') ? Math.max(1, Math.floor(bets / 2)) : bets);
    await expectFetch(`${floorUrl}/setup?object=e2&limits=1`);
    const names = Object.keys(kinds);

    for (const k of names) await series(warmup, kinds[k], samplers);

    const measured = Object.fromEntries(names.map((k) => [k, []]));
    for (let r = 0; r < runs; r++) {
      const order = names.map((_, i) => names[(i + r) % names.length]);
      for (const k of order) measured[k].push(await series(count(k), kinds[k], samplers));
      log(`  run ${r + 1}/${runs}: ` + names.map((k) => `${k} ${Math.round(measured[k][r].per_s)}/s`).join(', '));
    }

    // Every bet applied exactly once: balance == deposit - stakes + wins.
    const wallet = (await expectFetch(`${base}/v1/wallet`, { headers: auth })).body;
    const eur = wallet.balances.find((b) => b.currency === 'EUR');
    const expected = DEPOSIT - betNo * STAKE + wins * WIN;
    const balanceCheck = { bets_sent: betNo, wins, expected_minor: expected, actual_minor: eur?.real_minor ?? null, ok: eur?.real_minor === expected && eur?.held_minor === 0 };

    const perS = (k) => measured[k].map((x) => x.per_s);
    const allLat = (k) => measured[k].flatMap((x) => x.lat);
    const betLat = latencyStats(allLat('bet'));
    // Per run: the other kind's rate over the bet rate = bet latency over the other's latency.
    const betOver = (other) => round(median(measured.bet.map((x, i) => measured[other][i].per_s / x.per_s)), 2);
    const side = (k) => ({ per_s: round(median(perS(k)), 0), ...latencyStats(allLat(k)), count_per_run: count(k), bet_over_this: betOver(k), cpu_us_per_request: cpuSummary(measured[k]) });
    const rate = median(perS('bet'));
    // per run: bet rate over the empty-RPC rate of the same run
    const value = median(measured.bet.map((x, i) => x.per_s / measured.floor_rpc[i].per_s));
    const med = (k) => median(allLat(k));
    const layers = {
      http_and_workerd: med('floor_empty'),
      routing_and_middleware: med('bet_no_token') - med('floor_empty'),
      token_and_validation: med('bet_invalid') - med('bet_no_token'),
      object_rpc: med('floor_rpc') - med('floor_empty'),
      wallet_transaction: med('floor_op') - med('floor_rpc'),
      rest_of_the_bet: med('bet') - med('bet_invalid') - (med('floor_op') - med('floor_empty')),
    };
    return {
      id: 'E2',
      variant: stack,
      metric: `sequential bets over HTTP into one player (POST /v1/dev/rounds, keep-alive) through ${stack === 'wrangler' ? 'wrangler dev' : 'Miniflare directly'}, over the rate of an empty object RPC through the same stack, median of per-run ratios`,
      value: round(value, 2),
      unit: 'x floor',
      target: `>= ${TARGET_RATIO}`,
      pass: value >= TARGET_RATIO && balanceCheck.ok,
      bets_per_s: round(rate, 0),
      floor_rpc_per_s: round(median(perS('floor_rpc')), 0),
      layers_ms: Object.fromEntries(Object.entries(layers).map(([k, v]) => [k, round(v, 3)])),
      layers_note: 'differences of median latencies of the kinds measured side by side (see the file header); they add up to the bet median',
      latency: betLat,
      latency_note: 'per request, over all measured bets of all runs; p99 is nearest-rank',
      min_run: round(Math.min(...perS('bet')), 0),
      runs: measured.bet.map((x) => ({ bets_per_s: round(x.per_s, 0), total_ms: round(x.total_ms, 1), ...latencyStats(x.lat) })),
      cpu_us_per_request: cpuSummary(measured.bet),
      cpu_note: 'CPU time (user/sys) per request of the client and of each wrangler process, median over runs; wall time minus CPU on the critical path is waiting',
      comparisons: Object.fromEntries(names.filter((k) => k !== 'bet').map((k) => [k, side(k)])),
      balance_check: balanceCheck,
      params: { runs, bets_per_run: bets, warmup_per_kind: warmup, stake_minor: STAKE, win_minor: WIN, win_every: WIN_EVERY, wrangler_log_level: logLevel, client: 'node fetch (undici) keep-alive, 1 connection, sequential', dev_country: 'MT', served },
      machine,
      summary: `${stack}: ${round(rate, 0)} bets/s, lat med ${betLat.median_ms} ms p99 ${betLat.p99_ms} ms; health ${round(median(perS('health')), 0)}/s; empty DO RPC ${round(median(perS('floor_rpc')), 0)}/s`,
    };
  }
}
