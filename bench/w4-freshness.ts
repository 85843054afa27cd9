/**
 * W4 and W5 (TARGETS.md): an event at the edge -> visible in the warehouse (W4, raw.events) and in
 * the marts (W5), with the local platform running as `npm start` runs it; targets <= 60 s each.
 *
 * The real path end to end: the platform worker under `wrangler dev` (Durable Objects, the EVENTS
 * queue and the EVENT_LAKE bucket on Miniflare), and the warehouse loop as its own process
 * (`wh loop --source local --interval 5 --project models`, exactly what `npm start` spawns: sync,
 * then prod's due models). Each sample registers a player over HTTP and polls DuckDB (read-only,
 * between the loop's cycles) until that player's `player.registered` row is in raw.events (W4), and
 * then until the player's day is in `marts.fct_player_daily` with its login (W5; registration opens
 * the first session). Latency = visible - registration answered.
 *
 * Run alone: `npx tsx bench/w4-freshness.ts --samples 8` prints the JSON results.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
// @ts-expect-error plain ESM helper without types
import { startPlatform } from './lib/proc.mjs';
import { warehousePaths } from '../warehouse/config';
import { openWarehouse, rows } from '../warehouse/db';
import { REPO_ROOT } from '../warehouse/source/local-r2';

const TARGET_S = 60;
const SYNC_INTERVAL_S = 5;
const GIVE_UP_MS = 180_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};

export async function runW4(opts: { samples: number; log?: (m: string) => void }) {
  const log = opts.log ?? ((m: string) => console.error(m));
  const platform = await startPlatform();
  const scratch = mkdtempSync(join(tmpdir(), 'w4-'));
  const paths = warehousePaths(join(scratch, 'warehouse'));
  const loop = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'warehouse', 'cli.ts'), 'loop', '--source', 'local', '--interval', String(SYNC_INTERVAL_S), '--project', join(REPO_ROOT, 'models')], {
    cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CASINO_STATE_DIR: join(platform.dir, 'state'), WAREHOUSE_DIR: paths.dir },
  });
  let loopLog = '';
  loop.stdout.on('data', (d) => { loopLog += d; });
  loop.stderr.on('data', (d) => { loopLog += d; });
  try {
    const latencies: number[] = [];
    const martLatencies: number[] = [];
    // The player's day in fct_player_daily: registration opens the player's first session (a login).
    const martHas = (playerId: string) => `select count(*) > 0 as ok from marts.fct_player_daily where player_id = '${playerId}' and sessions >= 1`;
    for (let i = 0; i < opts.samples; i++) {
      const email = `w4-${Date.now()}-${i}@bench.example`;
      const res = await fetch(`${platform.url}/v1/players`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Dev-Country': 'MT', 'CF-Connecting-IP': `198.51.100.${10 + i}` },
        body: JSON.stringify({ email, password: 'correct horse battery staple 42', date_of_birth: '1990-01-01', country: 'MT', currency: 'EUR', acquisition_source: 'bench' }),
      });
      const body = await res.json() as { player?: { player_id?: string } };
      const answered = performance.now();
      const playerId = body.player?.player_id;
      if (res.status !== 201 || !playerId) throw new Error(`W4: registration answered ${res.status} ${JSON.stringify(body)}`);
      for (;;) {
        const wh = await openWarehouse(paths.db, { readOnly: true, lockWaitMs: 30_000 }).catch(() => null);
        let seen = false;
        if (wh) {
          try {
            seen = (await rows<{ n: number }>(wh.con, `select count(*) as n from raw.events where player_id = '${playerId}' and event_type = 'player.registered'`))[0]!.n > 0;
          } catch { /* not created yet */ } finally {
            wh.close();
          }
        }
        if (seen) break;
        if (performance.now() - answered > GIVE_UP_MS) throw new Error(`W4: ${playerId} not in the warehouse after ${GIVE_UP_MS / 1000} s; sync loop said:\n${loopLog.slice(-2000)}`);
        await sleep(250);
      }
      latencies.push((performance.now() - answered) / 1000);
      for (;;) {
        const wh = await openWarehouse(paths.db, { readOnly: true, lockWaitMs: 30_000 }).catch(() => null);
        let seen = false;
        if (wh) {
          try {
            seen = (await rows<{ ok: boolean }>(wh.con, martHas(playerId)))[0]!.ok === true;
          } catch (err) {
            // Only "not there yet" (the first plan not applied) is a reason to keep polling.
            if (!/does not exist/i.test(String((err as Error).message))) throw err;
          } finally {
            wh.close();
          }
        }
        if (seen) break;
        if (performance.now() - answered > GIVE_UP_MS) throw new Error(`W5: ${playerId} not in the mart after ${GIVE_UP_MS / 1000} s; the loop said:\n${loopLog.slice(-2000)}`);
        await sleep(250);
      }
      martLatencies.push((performance.now() - answered) / 1000);
      log(`W4/W5 sample ${i + 1}: raw.events ${latencies.at(-1)!.toFixed(1)} s, mart ${martLatencies.at(-1)!.toFixed(1)} s`);
      await sleep(Math.random() * SYNC_INTERVAL_S * 1000); // land at different points of the loop's cycle
    }
    const med = Math.round(quantile(latencies, 0.5) * 10) / 10;
    const p99 = Math.round(quantile(latencies, 0.99) * 10) / 10;
    const r1 = (x: number) => Math.round(x * 10) / 10;
    const w5 = { median_s: r1(quantile(martLatencies, 0.5)), p99_s: r1(quantile(martLatencies, 0.99)), max_s: r1(Math.max(...martLatencies)), samples: martLatencies.map(r1) };
    return [{
      id: 'W4',
      metric: 'player registered over HTTP -> its player.registered row in DuckDB raw.events (wrangler dev + the npm start loop), median seconds',
      value: med,
      unit: 's',
      target: `<= ${TARGET_S}`,
      pass: p99 <= TARGET_S,
      latency: { median_s: med, p99_s: p99, max_s: Math.round(Math.max(...latencies) * 10) / 10, samples: latencies.map((x) => Math.round(x * 10) / 10) },
      params: { samples: opts.samples, sync_interval_s: SYNC_INTERVAL_S, path: 'PlayerDO outbox -> alarm -> EVENTS queue -> consumer -> EVENT_LAKE (Miniflare) -> wh sync (getPlatformProxy) -> DuckDB' },
      summary: `p99 ${p99} s, max ${Math.round(Math.max(...latencies) * 10) / 10} s over ${opts.samples} samples; sync every ${SYNC_INTERVAL_S} s`,
    }, {
      id: 'W5',
      metric: 'player registered over HTTP -> its row in marts.fct_player_daily (wrangler dev + the npm start loop: sync, then the due models), median seconds',
      value: w5.median_s,
      unit: 's',
      target: `<= ${TARGET_S}`,
      pass: w5.p99_s <= TARGET_S,
      latency: w5,
      floor: { what: 'W4 in the same samples: the same event reaching raw.events', median_s: med, p99_s: p99 },
      params: { samples: opts.samples, loop_interval_s: SYNC_INTERVAL_S, mart: 'marts.fct_player_daily (allow_partials: today recomputed when events arrive)' },
      summary: `p99 ${w5.p99_s} s over ${opts.samples} samples; raw.events (W4) median ${med} s in the same samples, so the models add ${r1(w5.median_s - med)} s`,
    }];
  } finally {
    loop.kill('SIGTERM');
    await Promise.race([new Promise((r) => loop.once('exit', r)), sleep(10_000)]);
    await platform.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { samples: { type: 'string' } } });
  console.log(JSON.stringify(await runW4({ samples: Number(values.samples ?? 8) })));
}
