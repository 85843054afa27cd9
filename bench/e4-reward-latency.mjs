/**
 * E4: a table's settlement -> the reward message on the player's WebSocket, with hundreds of players
 * at a table, each with their player channel open (GET /v1/players/me/ws, docs/rewards.md "Player
 * channel"). Target (TARGETS.md E4): p99 <= 50 ms.
 *
 * Method. Starts the real platform worker (wrangler dev on a frozen bundle, lib/proc.mjs), the first
 * admin (the dealer) and N funded players (set-up, not timed), and opens N player channels (Node's
 * WebSocket, the token as the subprotocol, as a browser does). Each run: the admin opens a round on
 * the dealer table roulette-1 (development route, betting held open), every player bets once
 * (32 clients), the runtime is left to calm down (lib/table-platform.mjs quietGate), then the admin
 * enters the result: the table settles every bet, one call to each player's object, which posts the
 * stake, credits the return and evaluates the live rule set (config/rewards.json: settled-table-bet
 * grants 10 XP and 5 points) in one transaction, and after the commit sends the grants on the
 * player's socket. Per bet:
 *   latency      arrival of the settled bet's XP grant on the client (wall clock) - the message's
 *                `at` (the player object's clock when the table's settle call reached it, before
 *                its transaction): the player's settlement transaction, the send, and the delivery
 *                through workerd and wrangler's proxy to the socket  <- the E4 figure (p50, p99)
 *   from_result  arrival - the moment the client sent the result call: also the table's recording
 *                of the result and its settlement waves (the bet's place in the queue; E5's part)
 * Floor, same run, after each round once the runtime is quiet again: every player's socket sends
 * `{"type":"floor"}` at once (a burst of N, like the settlement's; development only): the object
 * writes one key and answers with its clock. The runtime holds any message that follows a write
 * until the write is durable (the output gate), exactly as it holds the reward after the
 * settlement's commit: so the floor is what any message about committed state costs, with no
 * settlement and no rules. floor = arrival - server_time, measured exactly as the latency is (same
 * clocks, same path out of the object); the round trip is reported beside it. Beside it, the same
 * burst of `{"type":"time"}` (no write: the transport alone).
 * Both clocks are the machine's wall clock (Node's performance.timeOrigin + now(), workerd's
 * Date.now() as of the last I/O), so one-way times are comparable to the millisecond; the floor
 * shows any skew (it would be negative).
 * Side by side in the same run: SINGLE_ROUNDS rounds with one bet each (one player alone at the
 * table, measured the same way): the path itself, without the queue of the other players' settlements
 * on workerd's one thread.
 * Checked per run: every player received exactly their bet's two settlement grants (XP and points),
 * naming settled-table-bet and the round, and nothing the player must not see (no suppression).
 */
import { randomUUID } from 'node:crypto';
import { randomSecret as secret, startPlatform } from './lib/proc.mjs';
import { expectFetch, pool, timedFetch } from './lib/http.mjs';
import { bootstrapAdmin, fundedPlayers, json, quietGate, sleep } from './lib/table-platform.mjs';
import { median, percentile, round } from './lib/stats.mjs';

export const DEFAULTS = { runs: 3, players: 300, parallel: 32, logLevel: 'warn' };
const TARGET_P99_MS = 50;
const BETTING_SECONDS = 900;
const TABLE = 'roulette-1';
const STAKE = 100;
const DEPOSIT = 1_000_000;
const SPOTS = ['red', 'black', 'odd', 'even', 'low', 'high', 'dozen:2', 'column:1'];
const MESSAGE_WAIT_MS = 120_000;
const SINGLE_ROUNDS = 5;

const wallNow = () => performance.timeOrigin + performance.now();

/** A player's channel: records every message with its arrival time, and lets a run wait for one. */
async function openChannel(base, token) {
  const url = `${base.replace(/^http/, 'ws')}/v1/players/me/ws`;
  const ws = new WebSocket(url, ['casino.v1', `bearer.${token}`]);
  const waiting = [];
  const seen = [];
  ws.addEventListener('message', (e) => {
    const at = wallNow();
    const m = JSON.parse(e.data);
    seen.push(m);
    for (let i = waiting.length - 1; i >= 0; i--) {
      if (waiting[i].match(m)) waiting.splice(i, 1)[0].resolve({ m, at });
    }
  });
  const next = (match, ms = MESSAGE_WAIT_MS) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message within ${ms} ms`)), ms);
    waiting.push({ match, resolve: (x) => { clearTimeout(timer); resolve(x); } });
  });
  const snapshot = next((m) => m.type === 'rewards.snapshot', 60_000);
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve, { once: true });
    ws.addEventListener('error', () => reject(new Error(`player channel refused (${url})`)), { once: true });
  });
  await snapshot;
  return { ws, next, seen };
}

export async function runE4({ machine, runs = DEFAULTS.runs, players = DEFAULTS.players, parallel = DEFAULTS.parallel, logLevel = DEFAULTS.logLevel, log = console.log }) {
  const bootstrap = secret();
  const worker = await startPlatform({ vars: { OPS_BOOTSTRAP_TOKEN: bootstrap }, logLevel });
  const channels = [];
  try {
    const base = worker.url;
    log(`E4: platform worker on ${base}; ${runs} runs x ${players} players at ${TABLE}, each with the player channel open`);
    const { idleMs, quiet, waited } = await quietGate(base);
    const ops = await bootstrapAdmin(base, bootstrap);
    const t0 = performance.now();
    const auths = await fundedPlayers(base, players, parallel, DEPOSIT);
    const tokens = auths.map((a) => a.authorization.slice('Bearer '.length));
    channels.push(...await pool(players, parallel, (i) => openChannel(base, tokens[i])));
    log(`  ${players} players registered, funded and connected in ${Math.round(performance.now() - t0)} ms`);

    async function burst(type) {
      await quiet();
      const sent = wallNow();
      const answers = await Promise.all(channels.map((ch) => {
        const p = ch.next((m) => m.type === type);
        ch.ws.send(JSON.stringify({ type }));
        return p;
      }));
      return { one_way: answers.map(({ m, at }) => at - m.server_time), round_trip: answers.map(({ at }) => at - sent) };
    }
    async function floorBurst() {
      const f = await burst('floor');
      const t = await burst('time');
      return { ...f, transport: t.one_way };
    }

    async function oneRound(count, number, first = 0) {
      const opened = await expectFetch(`${base}/v1/dev/tables/${TABLE}/rounds`, json('POST', { betting_seconds: BETTING_SECONDS }, ops), 201);
      const roundId = opened.body.round.round_id;
      const who = channels.slice(first, first + count);
      await pool(count, parallel, (i) => expectFetch(`${base}/v1/tables/${TABLE}/bets`, json('POST', { bet_id: randomUUID(), round_id: roundId, spot: SPOTS[i % SPOTS.length], amount_minor: STAKE, currency: 'EUR' }, auths[first + i]), 201));
      const isSettlementGrant = (m) => m.type === 'rewards.grant' && m.round_id === roundId && String(m.source_event_id).startsWith('bet-settled:');
      const arrivals = who.map((ch) => ch.next((m) => isSettlementGrant(m) && m.kind === 'xp'));
      await quiet();
      const sent = wallNow();
      const result = await timedFetch(`${base}/v1/ops/tables/${TABLE}/rounds/${roundId}/result`, json('POST', { outcome: { number } }, ops));
      if (result.status !== 200 || result.body.round.state !== 'settled') throw new Error(`result: ${result.status} ${JSON.stringify(result.body).slice(0, 500)}`);
      const got = await Promise.all(arrivals);
      await sleep(200); // the points grant follows the XP grant in the same send
      for (const [i, ch] of who.entries()) {
        const grants = ch.seen.filter(isSettlementGrant);
        const ok = grants.length === 2 && grants.every((g) => g.rule_id === 'settled-table-bet') && grants.map((g) => g.kind).sort().join() === 'points,xp';
        if (!ok) throw new Error(`player ${i}: settlement grants ${JSON.stringify(grants)}`);
        if (ch.seen.some((m) => m.type === 'rewards.suppressed' || m.type === 'error')) throw new Error(`player ${i}: a message the player must not get`);
        ch.seen.length = 0;
      }
      return {
        latency: got.map(({ m, at }) => at - m.at), from_result: got.map(({ at }) => at - sent),
        result_ms: result.ms, settle_ms: result.body.round.settle_ms,
      };
    }

    await oneRound(Math.min(50, players), 5); // warm-up: every code path once
    await floorBurst();
    const all = { latency: [], from_result: [], floor: [], floor_rt: [], transport: [], single: [] };
    const perRun = [];
    for (let r = 0; r < runs; r++) {
      const x = await oneRound(players, (r * 7 + 17) % 37);
      const f = await floorBurst();
      const single = [];
      for (let k = 0; k < SINGLE_ROUNDS; k++) single.push(...(await oneRound(1, (r * 5 + k) % 37, (r * SINGLE_ROUNDS + k) % players)).latency);
      all.single.push(...single);
      all.latency.push(...x.latency); all.from_result.push(...x.from_result); all.floor.push(...f.one_way); all.floor_rt.push(...f.round_trip); all.transport.push(...f.transport);
      const run = {
        p50_ms: round(median(x.latency), 1), p99_ms: round(percentile(x.latency, 99), 1), max_ms: round(Math.max(...x.latency), 1),
        from_result_p50_ms: round(median(x.from_result), 1), from_result_p99_ms: round(percentile(x.from_result, 99), 1),
        floor_p50_ms: round(median(f.one_way), 1), floor_p99_ms: round(percentile(f.one_way, 99), 1), floor_round_trip_p99_ms: round(percentile(f.round_trip, 99), 1), transport_p99_ms: round(percentile(f.transport, 99), 1),
        result_ms: round(x.result_ms, 1), settle_ms: x.settle_ms, single_bet_ms: single.map((v) => round(v, 1)),
      };
      perRun.push(run);
      log(`  run ${r + 1}/${runs}: settlement -> reward p50 ${run.p50_ms} ms p99 ${run.p99_ms} ms (max ${run.max_ms}); floor (write + message) p50 ${run.floor_p50_ms} p99 ${run.floor_p99_ms} ms, transport alone p99 ${run.transport_p99_ms} ms; from the result call p50 ${run.from_result_p50_ms} p99 ${run.from_result_p99_ms} ms; result call ${run.result_ms} ms (table settle_ms ${run.settle_ms}); alone at the table ${run.single_bet_ms.join(' / ')} ms`);
    }
    const p50 = median(all.latency);
    const p99 = percentile(all.latency, 99);
    const floorP50 = median(all.floor);
    const floorP99 = percentile(all.floor, 99);
    return [{
      id: 'E4',
      metric: `a table's settlement -> the reward message on the player's WebSocket (player channel), ${players} players at ${TABLE}: p99 over every bet of every run, from the player object's clock at the table's settle call to arrival on the client`,
      value: round(p99, 1),
      unit: 'ms',
      target: `<= ${TARGET_P99_MS}`,
      pass: p99 <= TARGET_P99_MS,
      p50_ms: round(p50, 1),
      p99_ms: round(p99, 1),
      max_ms: round(Math.max(...all.latency), 1),
      floor: { what: 'a burst of N `floor` requests on the same sockets: the object writes one key and answers with its clock, held by the runtime until the write is durable (as the reward is); arrival - server_time, measured as the latency is', p50_ms: round(floorP50, 1), p99_ms: round(floorP99, 1), round_trip_p50_ms: round(median(all.floor_rt), 1), round_trip_p99_ms: round(percentile(all.floor_rt, 99), 1) },
      transport: { what: 'the same burst of `time` requests: no write, so no wait for durability; arrival - server_time', p50_ms: round(median(all.transport), 1), p99_ms: round(percentile(all.transport, 99), 1) },
      ratio_p50: round(p50 / Math.max(floorP50, 0.1), 2),
      ratio_p99: round(p99 / Math.max(floorP99, 0.1), 2),
      from_result_call: { what: 'arrival - the client sending the result call: the table records the result and settles every bet in waves first (E5)', p50_ms: round(median(all.from_result), 1), p99_ms: round(percentile(all.from_result, 99), 1) },
      single_bet: { what: `a round with one bet (one player alone at the table), ${SINGLE_ROUNDS} per run, measured as the latency is`, p50_ms: round(median(all.single), 1), max_ms: round(Math.max(...all.single), 1), samples: all.single.length },
      samples: all.latency.length,
      runs: perRun,
      quiet_waits_ms: waited,
      idle_health_ms: round(idleMs, 2),
      check: 'each run: every player received exactly the two settlement grants of their bet (settled-table-bet XP and points, naming the round), and no suppression or error',
      summary: `settlement -> reward p50 ${round(p50, 1)} ms, p99 ${round(p99, 1)} ms; floor (one durable write, then a message) p50 ${round(floorP50, 1)} ms, p99 ${round(floorP99, 1)} ms`,
      params: { runs, players, table: TABLE, stake_minor: STAKE, spots: SPOTS, clients: parallel, rule_set: 'config/rewards.json (live)', served: 'wrangler dev --no-bundle on a bundle built at start' },
      machine,
    }];
  } finally {
    for (const ch of channels) { try { ch.ws.close(); } catch { /* closing */ } }
    await worker.stop();
  }
}
