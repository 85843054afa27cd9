/**
 * W3's data, made once and cached: a month of simulated events for N players (the simulator's fast
 * mode, `light` activity profile: every behaviour and event type, fewer and shorter sessions, so
 * 100,000 players are ~3M events and minutes of generation instead of hours), loaded with the real
 * `sync` and built with the runner's `plan prod --auto-apply` over the model library.
 *
 *   bench/.cache/w3-<players>-<profile>/events/      the batch objects (gzip NDJSON), manifest.json
 *   bench/.cache/w3-<players>-<profile>/warehouse/   casino.duckdb with raw.events and prod built; ready.json
 *
 * The month is October 2026: the history is the 31 days ending 2026-11-01T00:00Z (players register
 * over the month, as a month of a growing casino), and the models are planned at 2026-11-02T00:00Z so
 * every mart is complete (fresh) through the month's end. When the model library changes (its files'
 * digest differs from ready.json's), the same warehouse is planned again: the runner rebuilds only
 * the models whose definition changed.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { directorySink, writeHistory } from '../../simulator/sink';
import type { ActivityProfileName } from '../../simulator/fast';
import { warehousePaths } from '../../warehouse/config';
import { openWarehouse } from '../../warehouse/db';
import { dirSource } from '../../warehouse/source/dir';
import { REPO_ROOT } from '../../warehouse/source/local-r2';
import { sync } from '../../warehouse/sync';
import { CACHE, engine, runnerPlanApply } from '../w2/common';

export const PERIOD = '2026-10';
/** The end of the simulated history: the month's end. */
export const HISTORY_END = Date.UTC(2026, 10, 1, 0, 0, 0);
export const HISTORY_DAYS = 31;
/** The runner's clock for the plan: a day after the month, so every daily interval of the month is complete. */
export const PLAN_NOW = Date.UTC(2026, 10, 2, 0, 0, 0);
export const TABLES = 4;
export const LIBRARY = resolve(REPO_ROOT, 'models');

export type W3Data = { dir: string; db: string; events: number; players: number; profile: ActivityProfileName; objects: number; gzip_mb: number; models_digest: string; generate_s: number | null; sync_s: number | null; plan_s: number | null };

/** Digest of the model library's files (SQL, YAML, seeds): a changed library means a new plan. */
export function libraryDigest(root = LIBRARY): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(relative(root, p)).update('\0').update(readFileSync(p)).update('\0');
    }
  };
  walk(root);
  return h.digest('hex').slice(0, 16);
}

export async function w3Data(opts: { players: number; profile: ActivityProfileName; log: (m: string) => void }): Promise<W3Data> {
  const { players, profile, log } = opts;
  const dir = join(CACHE, `w3-${players}-${profile}`);
  const eventsDir = join(dir, 'events');
  const manifest = join(eventsDir, 'manifest.json');
  let generateS: number | null = null;
  if (!existsSync(manifest)) {
    log(`W3: generating a month of events for ${players} players (profile ${profile}) into ${eventsDir} (once; cached)`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(eventsDir, { recursive: true });
    let last = 0;
    const w = await writeHistory({
      players, days: HISTORY_DAYS, tables: TABLES, seed: 'w3', now: HISTORY_END, profile, sink: directorySink(eventsDir),
      onBatch: ({ counts }) => {
        if (counts.events - last >= 500_000) {
          last = counts.events;
          log(`W3: ${counts.events} events, simulated up to ${counts.last_at ? new Date(counts.last_at).toISOString().slice(0, 16) : '-'}`);
        }
      },
    });
    generateS = Math.round(w.elapsed_ms / 1000);
    writeFileSync(manifest, JSON.stringify({ events: w.events, objects: w.objects, bytes: w.bytes, generate_s: generateS, counts: { ...w, by_type: undefined }, by_type: w.by_type }, null, 2));
    log(`W3: ${w.events} events in ${w.objects} objects (${(w.bytes / 1e6).toFixed(0)} MB gzip), generated in ${generateS} s`);
  }
  const ev = JSON.parse(readFileSync(manifest, 'utf8')) as { events: number; objects: number; bytes: number; generate_s: number };

  const paths = warehousePaths(join(dir, 'warehouse'));
  const readyFile = join(paths.dir, 'ready.json');
  const digest = libraryDigest();
  const ready = existsSync(readyFile) ? (JSON.parse(readFileSync(readyFile, 'utf8')) as { events: number; models_digest: string; sync_s: number; plan_s: number }) : null;
  let syncS = ready?.sync_s ?? null;
  let planS = ready?.plan_s ?? null;
  if (!ready || ready.events !== ev.events || !existsSync(paths.db)) {
    log(`W3: loading ${ev.events} events into ${paths.db} with sync (once; cached)`);
    rmSync(paths.dir, { recursive: true, force: true });
    const t = performance.now();
    const s = await sync({ paths, source: dirSource(eventsDir), log: (m) => log(`W3 sync: ${m}`) });
    if (s.events_new !== ev.events) throw new Error(`W3: sync loaded ${s.events_new} of ${ev.events} events`);
    syncS = Math.round((performance.now() - t) / 1000);
    // W3 reads the marts only; the Parquet lake is not needed (and is large)
    rmSync(paths.lake, { recursive: true, force: true });
    rmSync(paths.scratch, { recursive: true, force: true });
  }
  if (!ready || ready.events !== ev.events || ready.models_digest !== digest) {
    log(`W3: building the model library (plan prod --auto-apply at ${new Date(PLAN_NOW).toISOString()}) into ${paths.db} (once per library version; cached)`);
    const wh = await openWarehouse(paths.db);
    try {
      const t = performance.now();
      const r = await runnerPlanApply(engine, wh.con, LIBRARY, PLAN_NOW);
      planS = Math.round((performance.now() - t) / 1000);
      const slow = Object.entries(r.per_model_ms).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([m, ms]) => `${m} ${Math.round(ms / 1000)} s`).join(', ');
      log(`W3: models built in ${planS} s (slowest: ${slow})`);
      await wh.con.run('checkpoint');
    } finally {
      wh.close();
    }
    writeFileSync(readyFile, JSON.stringify({ events: ev.events, models_digest: digest, sync_s: syncS, plan_s: planS }));
  }
  const wh = await openWarehouse(paths.db, { readOnly: true });
  let regs: number;
  try {
    regs = Number((await wh.con.runAndReadAll("select count(*) from raw.events where event_type = 'player.registered'")).getRows()[0]![0]);
  } finally {
    wh.close();
  }
  return { dir: paths.dir, db: paths.db, events: ev.events, players: regs, profile, objects: ev.objects, gzip_mb: Math.round(ev.bytes / 1e6), models_digest: digest, generate_s: ev.generate_s ?? generateS, sync_s: syncS, plan_s: planS };
}
