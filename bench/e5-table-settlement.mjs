/**
 * E5: settle a live-table round holding 1,000 bets from 1,000 players. Target (issue 15): <= 1.5x
 * the floor measured in the same run, and <= 500 ms; `pass` judges the ratio.
 *
 * Method. Starts the real platform worker (wrangler dev on a frozen bundle, lib/proc.mjs), creates
 * the first admin through /v1/ops/bootstrap (TOTP enrolment computed here), registers N players
 * and funds each through the sandbox deposit (setup, not timed). Each run: the admin opens a round
 * on the dealer table roulette-1 (through the development route, betting held open 15 minutes: on
 * a loaded machine 1,000 bets can take longer than the 120 s a dealer may choose), every player
 * places one bet (mixed spots: straight, split, red, dozen, column, odd...) with 32 clients in
 * parallel, then the admin enters the result. That call closes betting, records the result and
 * settles every bet before it answers: per bet one RPC to the player's object (post the hold +
 * credit the return once), in waves of durable/table/settlement.ts's SETTLE_WAVE, and one table
 * transaction per wave. Measured:
 *   value        wall time of POST .../result (ms), median over runs  <- the E5 figure
 *   floor        wall time of POST /v1/dev/tables/roulette-1/rounds/{round}/floor-probe on the same
 *                round, just before and just after the result: the same table calls an empty
 *                method (PlayerDO.floorProbe) on the player object of every bet, in the same waves,
 *                recording nothing. The floor of a run is the mean of its two probes.
 *   ratio        value / floor per run, median over runs  <- judged (<= 1.5)
 *   settle_ms    the table's own clock from the start to the end of the settlement (round.settle_ms)
 * Each timed call (probe, result, probe) waits for a quiet runtime first (QUIET_MAX_MS: the
 * players' alarms of the previous phase run first).
 * Side by side in the same run: a round with a single bet (the fixed cost of a result call), and
 * the bets phase (1,000 bets, 32 in parallel) as bets/s. Afterwards each run checks the round's
 * totals: wagered = 1,000 x stake and returned = what the payout table says for the outcome, and
 * every bet 'settled'.
 * Diagnostic: with E5_PROFILE=<file>, a V8 CPU profile of the worker's isolate (lib/cpu-profile.mjs)
 * during the first timed run's floor probe before the result and during its result call (each its
 * own profile, so the result's CPU per bet reads against an empty call's); self and inclusive time
 * per function to <file>, the raw profiles beside it (<file>.result.cpuprofile, .probe.cpuprofile).
 * Sampling slows what it samples: that run's figures are not comparable with the others.
 */
import { randomUUID } from 'node:crypto';
import { randomSecret as secret, startPlatform } from './lib/proc.mjs';
import { expectFetch, pool, timedFetch } from './lib/http.mjs';
import { bootstrapAdmin, fundedPlayers, json, quietGate, runLine, settlementFigures } from './lib/table-platform.mjs';
import { round } from './lib/stats.mjs';
import { writeFile } from 'node:fs/promises';
import { startCpuProfile, summarize } from './lib/cpu-profile.mjs';

export const DEFAULTS = { runs: 5, players: 1_000, parallel: 32, logLevel: 'warn' };
const TARGET_MS = 500;
const TARGET_RATIO = 1.5;
const BETTING_SECONDS = 900;
const TABLE = 'roulette-1';
const STAKE = 100;
const DEPOSIT = 1_000_000;
const SPOTS = ['straight:17', 'split:17-20', 'red', 'black', 'dozen:2', 'column:1', 'odd', 'even', 'low', 'high', 'street:13', 'corner:17-18-20-21', 'sixline:13'];

/** The roulette return of a spot for a number, written independently of domain/games (a cross-check). */
const RED = new Set([1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36]);
function rouletteReturn(spot, n, stake) {
  const covers = {
    'straight:17': [17], 'split:17-20': [17, 20], 'street:13': [13, 14, 15], 'corner:17-18-20-21': [17, 18, 20, 21],
    'sixline:13': [13, 14, 15, 16, 17, 18], 'dozen:2': range(13, 24), 'column:1': range(1, 34).filter((x) => x % 3 === 1),
    red: [...RED], black: range(1, 36).filter((x) => !RED.has(x)), odd: range(1, 36).filter((x) => x % 2), even: range(1, 36).filter((x) => x % 2 === 0),
    low: range(1, 18), high: range(19, 36),
  }[spot];
  return covers.includes(n) ? stake * (36 / covers.length) : 0;
}
function range(a, b) {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

export async function runE5({ machine, runs = DEFAULTS.runs, players = DEFAULTS.players, parallel = DEFAULTS.parallel, logLevel = DEFAULTS.logLevel, log = console.log }) {
  const bootstrap = secret();
  const worker = await startPlatform({ vars: { OPS_BOOTSTRAP_TOKEN: bootstrap }, logLevel });
  try {
    const base = worker.url;
    log(`E5: platform worker on ${base}; ${runs} runs x ${players} bets from ${players} players, ${parallel} clients`);
    const { idleMs, quiet, waited } = await quietGate(base);
    // the admin (the dealer of every run), and the players, funded (set-up, not timed)
    const ops = await bootstrapAdmin(base, bootstrap);
    const t0 = performance.now();
    const tokens = await fundedPlayers(base, players, parallel, DEPOSIT);
    log(`  ${players} players registered and funded in ${Math.round(performance.now() - t0)} ms`);

    // E5_PROFILE: the first timed run's probe and result call, each profiled on its own
    const profiles = {};
    async function profiled(name, on, fn) {
      if (!on) return fn();
      const profiler = await startCpuProfile(worker.inspectorPort);
      try {
        return await fn();
      } finally {
        const raw = await profiler.stop();
        profiles[name] = summarize(raw, 200);
        await writeFile(`${process.env.E5_PROFILE}.${name}.cpuprofile`, JSON.stringify(raw));
        log(`    profile of the ${name} (${profiler.target}): ${profiles[name].total_ms} ms sampled, ${profiles[name].busy_ms} ms busy`);
      }
    }

    async function oneRound(betters, number, profile = false) {
      // betting held open long enough for this machine to take every bet (the result call closes it)
      const opened = await expectFetch(`${base}/v1/dev/tables/${TABLE}/rounds`, json('POST', { betting_seconds: BETTING_SECONDS }, ops), 201);
      const roundId = opened.body.round.round_id;
      const tb = performance.now();
      const spots = await pool(betters, parallel, async (i) => {
        const spot = SPOTS[i % SPOTS.length];
        await expectFetch(`${base}/v1/tables/${TABLE}/bets`, json('POST', { bet_id: randomUUID(), round_id: roundId, spot, amount_minor: STAKE, currency: 'EUR' }, tokens[i]), 201);
        return spot;
      });
      const betsMs = performance.now() - tb;
      const probe = async () => {
        const p = await expectFetch(`${base}/v1/dev/tables/${TABLE}/rounds/${roundId}/floor-probe`, json('POST', undefined, ops), 200);
        if (p.body.calls !== betters) throw new Error(`floor probe made ${p.body.calls} calls, expected ${betters}`);
        return { ms: p.ms, table_ms: p.body.ms };
      };
      await quiet();
      const before = await profiled('probe', profile, probe);
      await quiet();
      const result = await profiled('result', profile, () => timedFetch(`${base}/v1/ops/tables/${TABLE}/rounds/${roundId}/result`, json('POST', { outcome: { number } }, ops)));
      if (profile) {
        await writeFile(process.env.E5_PROFILE, JSON.stringify({ bets: betters, result_ms: result.ms, settle_ms: result.body?.round?.settle_ms, probe_ms: before.ms, ...profiles }, null, 1));
        log(`    profiles written to ${process.env.E5_PROFILE}`);
      }
      await quiet();
      const after = await probe();
      if (result.status !== 200 || result.body.round.state !== 'settled') throw new Error(`result: ${result.status} ${JSON.stringify(result.body).slice(0, 500)}`);
      const detail = (await expectFetch(`${base}/v1/ops/tables/${TABLE}/rounds/${roundId}`, { headers: ops })).body;
      const expectedReturn = spots.reduce((s, spot) => s + rouletteReturn(spot, number, STAKE), 0);
      const t = detail.totals[0] ?? {};
      const ok = t.bets === betters && t.wagered_minor === betters * STAKE && t.returned_minor === expectedReturn && detail.bets.every((b) => b.state === 'settled');
      if (!ok) throw new Error(`round ${roundId} totals ${JSON.stringify(detail.totals)} expected wagered ${betters * STAKE} returned ${expectedReturn}`);
      const floorMs = (before.ms + after.ms) / 2;
      return {
        result_ms: result.ms, settle_ms: result.body.round.settle_ms, bets_ms: betsMs, bets_per_s: (betters * 1000) / betsMs, returned_minor: expectedReturn,
        floor_ms: floorMs, floor_probes_ms: [before.ms, after.ms], floor_table_ms: [before.table_ms, after.table_ms], ratio: result.ms / floorMs,
      };
    }

    await oneRound(Math.min(100, players), 5); // warm-up: every code path once
    const full = [];
    const single = [];
    for (let r = 0; r < runs; r++) {
      const number = (r * 7 + 17) % 37;
      full.push(await oneRound(players, number, r === 0 && Boolean(process.env.E5_PROFILE)));
      single.push(await oneRound(1, number));
      log(runLine('result+settle', r, runs, full[r], single[r]));
    }
    const figures = settlementFigures({ full, single, targetRatio: TARGET_RATIO, targetMs: TARGET_MS, singleNote: 'the same call for a round with one bet: the fixed cost', clients: parallel });
    const { summary_ms: ms, ...reported } = figures;
    return [{
      id: 'E5',
      metric: `settle a table round holding ${players} bets from ${players} players: wall time of the dealer's result call (records the result, settles every bet) over the floor (${players} empty table -> player calls in the same waves), median over runs`,
      ...reported,
      quiet_waits_ms: waited,
      idle_health_ms: round(idleMs, 2),
      check: 'each run: round totals equal 1,000 x stake wagered and the independently computed roulette return; every bet settled',
      summary: `settle ${round(ms.value, 1)} ms, floor ${round(ms.floor, 1)} ms (${players} empty table -> player calls), single-bet round ${round(ms.single, 1)} ms`,
      params: { runs, players, betting_seconds: BETTING_SECONDS, bets_per_player: 1, stake_minor: STAKE, spots: SPOTS, table: TABLE, clients: parallel, served: 'wrangler dev --no-bundle on a bundle built at start', floor: 'POST /v1/dev/tables/{table}/rounds/{round}/floor-probe before and after the result (mean of the two)' },
      machine,
    }];
  } finally {
    await worker.stop();
  }
}
