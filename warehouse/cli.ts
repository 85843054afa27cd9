#!/usr/bin/env -S npx tsx
/**
 * `npm run wh -- <command>`: the warehouse from the command line.
 *
 *   sync        load new R2 batch objects into DuckDB + the Parquet lake (once, or --watch)
 *   status      what is loaded: events, quarantine, objects, runs, lake
 *   verify      invariants: unique event_ids, lake == raw.events, every run's lake written
 *   quarantine  the lines refused, with their reasons
 *   query SQL   any read-only SQL against the warehouse (e.g. over raw.events)
 *
 * Environment: WAREHOUSE_DIR (data/warehouse), CASINO_STATE_DIR (wrangler dev's state, for
 * --source local), R2_* (for --source s3, see source/r2-s3.ts).
 */
import { parseArgs } from 'node:util';
import { warehousePaths } from './config';
import { openWarehouse, rows } from './db';
import { dirSource } from './source/dir';
import { localR2Source } from './source/r2-local';
import { s3Source } from './source/r2-s3';
import type { BatchSource } from './source/types';
import { status, verify } from './status';
import { sync, type SyncStep } from './sync';

const USAGE = `usage: npm run wh -- <command> [options]

commands:
  sync [--source local|s3|dir:<path>] [--watch] [--interval <seconds>] [--full] [--run-mb <n>]
  status
  verify
  quarantine [--limit <n>]
  query "<sql>"

environment: WAREHOUSE_DIR (default data/warehouse), CASINO_STATE_DIR (wrangler dev state, default
.wrangler/state), R2_ACCOUNT_ID / R2_ENDPOINT, R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY, R2_BUCKET (--source s3)`;

function fail(msg: string, code = 2): never {
  console.error(`wh: ${msg}`);
  process.exit(code);
}

async function openSource(spec: string): Promise<BatchSource> {
  if (spec === 'local') return localR2Source();
  if (spec === 's3') return s3Source();
  if (spec.startsWith('dir:')) return dirSource(spec.slice(4));
  return fail(`unknown --source '${spec}' (local, s3 or dir:<path>)`);
}

/** Test seam: WH_CRASH_AT=<step> kills this process (SIGKILL, no cleanup) at that step of the first run. */
function crashCheckpoint(): ((step: SyncStep) => void) | undefined {
  const at = process.env.WH_CRASH_AT;
  if (!at) return undefined;
  return (step) => {
    if (step === at) process.kill(process.pid, 'SIGKILL');
  };
}

function printTable(list: Record<string, unknown>[]): void {
  if (list.length === 0) {
    console.log('(no rows)');
    return;
  }
  const cols = Object.keys(list[0]!);
  const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const width = cols.map((c) => Math.min(60, Math.max(c.length, ...list.map((r) => cell(r[c]).length))));
  const fmt = (vals: string[]) => vals.map((v, i) => (v.length > width[i]! ? `${v.slice(0, width[i]! - 1)}…` : v.padEnd(width[i]!))).join('  ');
  console.log(fmt(cols));
  console.log(fmt(width.map((w) => '-'.repeat(w))));
  for (const r of list) console.log(fmt(cols.map((c) => cell(r[c]))));
}

async function runSync(values: Record<string, string | boolean | undefined>): Promise<void> {
  const paths = warehousePaths();
  const source = await openSource(String(values.source ?? 'local'));
  const runMb = values['run-mb'] === undefined ? undefined : Number(values['run-mb']);
  if (runMb !== undefined && !(runMb > 0)) fail('--run-mb must be a positive number');
  const interval = Number(values.interval ?? 5);
  if (!(interval > 0)) fail('--interval must be a positive number of seconds');
  const log = (m: string) => console.log(`[wh] ${m}`);
  const once = async () => {
    const t = await sync({ paths, source, full: Boolean(values.full), runBytes: runMb ? runMb * 1024 * 1024 : undefined, checkpoint: crashCheckpoint(), log });
    if (t.objects > 0 || t.lake_recovered.length > 0 || !values.watch) {
      const rate = t.ms > 0 ? Math.round((t.lines / t.ms) * 1000) : 0;
      log(`synced ${t.objects} objects (${t.lines} lines, ${t.events_new} new events, ${t.duplicates} duplicates, ${t.quarantined} quarantined) in ${t.ms} ms (${rate} lines/s)` +
        (t.lake_recovered.length ? `; finished the lake files of interrupted run(s) ${t.lake_recovered.join(', ')}` : ''));
    }
  };
  if (!values.watch) {
    try {
      await once();
    } finally {
      await source.close();
    }
    return;
  }
  let stopping = false;
  const stop = () => {
    stopping = true;
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  log(`watching ${source.name} every ${interval}s -> ${paths.db}`);
  let failures = 0;
  while (!stopping) {
    try {
      await once();
      failures = 0;
    } catch (err) {
      failures++;
      log(`sync failed (${failures} in a row), retrying: ${(err as Error).message}`);
    }
    const wait = Math.min(interval * 1000 * 2 ** Math.min(failures, 4), 60_000);
    for (let waited = 0; waited < wait && !stopping; waited += 200) await new Promise((r) => setTimeout(r, 200));
  }
  await source.close();
  log('stopped');
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        source: { type: 'string' }, watch: { type: 'boolean' }, interval: { type: 'string' }, full: { type: 'boolean' },
        'run-mb': { type: 'string' }, limit: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return fail(`${(err as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (!command || command === 'help' || values.help) {
    console.log(USAGE);
    return;
  }
  const paths = warehousePaths();
  switch (command) {
    case 'sync':
      return runSync(values);
    case 'status': {
      const s = await status(paths);
      console.log(`warehouse ${paths.dir}`);
      printTable([s.totals]);
      console.log('\nevents by type');
      printTable(s.by_type);
      console.log('\nlast runs');
      printTable(s.runs);
      return;
    }
    case 'verify': {
      const problems = await verify(paths);
      if (problems.length === 0) console.log('ok: event_ids unique, lake rows == raw.events rows, every run written to the lake');
      else {
        for (const p of problems) console.error(`FAIL ${p}`);
        process.exit(1);
      }
      return;
    }
    case 'quarantine': {
      const limit = Number(values.limit ?? 20);
      if (!Number.isInteger(limit) || limit < 1) fail('--limit must be a positive integer');
      const wh = await openWarehouse(paths.db, { readOnly: true });
      try {
        printTable(await rows(wh.con, `select quarantined_at, object_key, reason, left(line, 120) as line from raw.quarantine order by quarantined_at desc limit ${limit}`));
      } finally {
        wh.close();
      }
      return;
    }
    case 'query': {
      const sql = positionals.join(' ').trim();
      if (!sql) fail('query needs SQL, e.g. npm run wh -- query "select event_type, count(*) from raw.events group by 1"');
      const wh = await openWarehouse(paths.db, { readOnly: true });
      try {
        printTable(await rows(wh.con, sql));
      } catch (err) {
        fail((err as Error).message, 1);
      } finally {
        wh.close();
      }
      return;
    }
    default:
      fail(`unknown command '${command}'\n${USAGE}`);
  }
}

main().catch((err) => {
  console.error(`wh: ${(err as Error)?.stack ?? err}`);
  process.exit(1);
});
