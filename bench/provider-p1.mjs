/**
 * P1: the provider seamless-wallet API's sequential throughput (no target in TARGETS.md yet: the
 * result says target null, pass null).
 *
 * Method. Bundles and starts the real platform worker like E2 (`wrangler dev` on a bundle built
 * once, development mode, DEV_COUNTRY=MT, random SESSION_SIGNING_KEY, PAYMENT_WEBHOOK_SECRET_SANDBOX
 * and PROVIDER_SECRET_SANDBOX_SLOTS passed with --var, an empty env file, state in a fresh temp
 * dir). Registers one player, deposits through the sandbox payment provider, launches
 * sandbox-starfall-fortune (POST /v1/games/{id}/launch) for the launch token, then one client sends
 * signed provider requests one after another over one keep-alive connection (Node fetch), each
 * signed when sent (HMAC-SHA256 over "<unix s>.<action>.<raw body>", node:crypto; its cost is in the
 * client's time):
 *   bet      POST /v1/provider/sandbox-slots/bet, a new tx_id and round each (signature, launch
 *            token, catalog game() RPC, one PlayerDO RPC: session + limits + hold reserve + post + event)
 *   win      POST .../win against one of the bets above (signature, one PlayerDO RPC: creditWin)
 *   balance  POST .../balance (signature, launch token, one read-only PlayerDO RPC)
 *   replay   a bet repeated (its first result answered again: the idempotent path)
 *   dev_round   POST /v1/dev/rounds, E2's bet (player JWT, one PlayerDO RPC: session + reserve + post),
 *            the same money movement without signature, launch token, catalog and provider record
 *   wallet_read GET /v1/wallet (player JWT, one PlayerDO RPC that reads), next to balance
 *   health   GET /v1/health, the bare round trip through the Hono app, for the ratio
 * Same count per kind, order rotated per run. Value = median over runs of bet requests/s (count /
 * wall time of the series); the other kinds are reported side by side with their ratio to bets.
 * Latencies are per request (ms): median and nearest-rank p99 over all measured requests of a kind.
 * Afterwards the balance must equal deposit - stakes + wins (every transaction applied once).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { randomSecret as secret, startPlatform } from './lib/proc.mjs';
import { expectFetch, timedFetch } from './lib/http.mjs';
import { latencyStats, median, round } from './lib/stats.mjs';

export const DEFAULTS = { runs: 5, requests: 1_000, warmup: 200, logLevel: 'warn' };
const PROVIDER = 'sandbox-slots';
const GAME = 'sandbox-starfall-fortune';
const STAKE = 100;
const WIN = 180;
const DEPOSIT = 20_000_000;


/** What a provider does: sign the exact bytes it sends. */
function signed(key, action, body) {
  const raw = JSON.stringify(body);
  const ts = String(Math.floor(Date.now() / 1000));
  const sig = createHmac('sha256', key).update(`${ts}.${action}.`).update(raw).digest('hex');
  return { method: 'POST', headers: { 'content-type': 'application/json', 'x-timestamp': ts, 'x-signature': `sha256=${sig}` }, body: raw };
}

async function series(count, makeRequest) {
  const lat = new Array(count);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const { url, init, check } = makeRequest(i);
    const r = await timedFetch(url, init);
    if (r.status !== 200 || (check && !check(r.body))) throw new Error(`${init?.method ?? 'GET'} ${url} -> ${r.status}: ${JSON.stringify(r.body).slice(0, 1000)}`);
    lat[i] = r.ms;
  }
  const totalMs = performance.now() - t0;
  return { total_ms: totalMs, per_s: (count * 1000) / totalMs, lat };
}


export async function runP1({ machine, runs = DEFAULTS.runs, requests = DEFAULTS.requests, warmup = DEFAULTS.warmup, logLevel = DEFAULTS.logLevel, log = console.log }) {
  const providerSecret = secret();
  const worker = await startPlatform({ vars: { PROVIDER_SECRET_SANDBOX_SLOTS: providerSecret }, logLevel });
  try {
    const base = worker.url;
    const api = `${base}/v1/provider/${PROVIDER}`;
    log(`P1: platform worker on ${base}; ${runs} runs x ${requests} requests per kind, warm-up ${warmup}`);
    const json = (method, body, headers = {}) => ({ method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const reg = await expectFetch(`${base}/v1/players`, json('POST', {
      email: `bench-p1-${randomUUID()}@example.com`, password: secret(), date_of_birth: '1990-01-15', country: 'MT',
    }), 201);
    const auth = { authorization: `Bearer ${reg.body.token}` };
    const dep = await expectFetch(`${base}/v1/wallet/deposits`, json('POST', { amount_minor: DEPOSIT, currency: 'EUR' }, { ...auth, 'idempotency-key': randomUUID() }), 201);
    if (dep.body.deposit.state !== 'completed') throw new Error(`sandbox deposit not completed: ${JSON.stringify(dep.body)}`);
    const launch = await expectFetch(`${base}/v1/games/${GAME}/launch`, json('POST', {}, auth), 200);
    const token = launch.body.token;
    const playerId = launch.body.player_id;

    const prefix = randomUUID().slice(0, 8);
    const placed = []; // bets not yet won: the win series credits against them
    let bets = 0;
    let wins = 0;
    let devRounds = 0;
    const kinds = {
      bet: () => {
        const i = bets++;
        const tx = `${prefix}-b${i}`;
        placed.push({ tx, round: `${prefix}-r${i}` });
        return { url: `${api}/bet`, init: signed(providerSecret, 'bet', { token, tx_id: tx, round_id: `${prefix}-r${i}`, game_id: GAME, currency: 'EUR', amount_minor: STAKE }), check: (b) => b.replayed === false };
      },
      win: () => {
        const b = placed.shift();
        if (!b) throw new Error('no bet left to win against');
        wins++;
        return { url: `${api}/win`, init: signed(providerSecret, 'win', { player_id: playerId, tx_id: `${b.tx}-w`, round_id: b.round, game_id: GAME, currency: 'EUR', amount_minor: WIN, bet_tx_id: b.tx }), check: (x) => x.replayed === false };
      },
      balance: () => ({ url: `${api}/balance`, init: signed(providerSecret, 'balance', { token }) }),
      replay: () => ({ url: `${api}/bet`, init: signed(providerSecret, 'bet', { token, tx_id: `${prefix}-b0`, round_id: `${prefix}-r0`, game_id: GAME, currency: 'EUR', amount_minor: STAKE }), check: (b) => b.replayed === true }),
      dev_round: () => {
        devRounds++;
        return { url: `${base}/v1/dev/rounds`, init: json('POST', { round_id: `${prefix}-d${devRounds}`, currency: 'EUR', amount_minor: STAKE, win_minor: 0 }, auth) };
      },
      wallet_read: () => ({ url: `${base}/v1/wallet`, init: { headers: auth } }),
      health: () => ({ url: `${base}/v1/health`, init: undefined }),
    };
    // bets first in each run, so the win series always has bets to settle
    const names = Object.keys(kinds);
    for (const k of names) await series(warmup, kinds[k]);
    const measured = Object.fromEntries(names.map((k) => [k, []]));
    for (let r = 0; r < runs; r++) {
      const others = names.filter((k) => k !== 'bet');
      const order = ['bet', ...others.map((_, i) => others[(i + r) % others.length])];
      for (const k of order) measured[k].push(await series(requests, kinds[k]));
      log(`  run ${r + 1}/${runs}: ` + names.map((k) => `${k} ${Math.round(measured[k][r].per_s)}/s`).join(', '));
    }

    const bal = await expectFetch(`${api}/balance`, signed(providerSecret, 'balance', { token }), 200);
    const expected = DEPOSIT - (bets + devRounds) * STAKE + wins * WIN;
    const balanceCheck = { bets, wins, dev_rounds: devRounds, expected_minor: expected, actual_minor: bal.body.balance_minor, ok: bal.body.balance_minor === expected };

    const perS = (k) => measured[k].map((x) => x.per_s);
    const allLat = (k) => measured[k].flatMap((x) => x.lat);
    const betOver = (other) => round(median(measured.bet.map((x, i) => measured[other][i].per_s / x.per_s)), 2);
    const side = (k) => ({ per_s: round(median(perS(k)), 0), ...latencyStats(allLat(k)), bet_over_this: betOver(k) });
    const value = median(perS('bet'));
    const betLat = latencyStats(allLat('bet'));
    return [{
      id: 'P1',
      metric: 'provider seamless-wallet API: sequential signed bet requests into one player (POST /v1/provider/{id}/bet, keep-alive), median requests/s over runs',
      value: round(value, 0),
      unit: 'requests/s',
      target: null,
      pass: null,
      target_note: 'not in TARGETS.md; E2 (>= 2,000 bets/s over HTTP) is the nearest target',
      latency: betLat,
      latency_note: 'per request, over all measured bets of all runs; p99 is nearest-rank',
      min_run: round(Math.min(...perS('bet')), 0),
      runs: measured.bet.map((x) => ({ requests_per_s: round(x.per_s, 0), total_ms: round(x.total_ms, 1), ...latencyStats(x.lat) })),
      comparisons: Object.fromEntries(names.filter((k) => k !== 'bet').map((k) => [k, side(k)])),
      balance_check: balanceCheck,
      params: { runs, requests_per_kind_per_run: requests, warmup_per_kind: warmup, stake_minor: STAKE, win_minor: WIN, game_id: GAME, provider_id: PROVIDER, wrangler_log_level: logLevel, client: 'node fetch (undici) keep-alive, 1 connection, sequential, each request HMAC-signed when sent', dev_country: 'MT', served: 'wrangler dev --no-bundle on a bundle built at start (no reloads mid-run)' },
      machine,
      summary: `bet lat med ${betLat.median_ms} ms p99 ${betLat.p99_ms} ms; win ${round(median(perS('win')), 0)}/s, balance ${round(median(perS('balance')), 0)}/s, replay ${round(median(perS('replay')), 0)}/s, dev round ${round(median(perS('dev_round')), 0)}/s (bet/dev round ${betOver('dev_round')}x), health ${round(median(perS('health')), 0)}/s; balance check ${balanceCheck.ok ? 'ok' : 'FAILED'}`,
    }];
  } finally {
    await worker.stop();
  }
}
