#!/usr/bin/env -S npx tsx
/**
 * `npm run wh -- <command>`: the warehouse from the command line.
 *
 *   sync        load new R2 batch objects into DuckDB + the Parquet lake (once, or --watch)
 *   status      what is loaded: events, quarantine, objects, runs, lake
 *   verify      invariants: unique event_ids, lake == raw.events, every run's lake written
 *   compact     the lake's closed days: each (day, type) partition's small files folded into one (compact.ts)
 *   quarantine  the lines refused, with their reasons
 *   query SQL   any read-only SQL against the warehouse, as a table, Arrow IPC, CSV or JSON
 *   serve       a read-only HTTP endpoint over the warehouse (Arrow IPC / JSON / CSV), see serve.ts
 *   loop        sync --watch (compacting the lake's closed days once a day), then prod's due models after each sync (loop.ts), then publishes segments
 *               when SEGMENTS_PUBLISH_URL and SEGMENTS_PUBLISH_SECRET are set, and AML alerts when
 *               AML_PUBLISH_URL and AML_PUBLISH_SECRET are: what `npm start` runs
 *   publish segments  segment membership and VIP tiers to the edge (publish-segments.ts, docs/segments.md)
 *   publish aml-alerts  marts.aml_alerts to the edge, for operators to decide (publish-aml.ts, docs/aml.md)
 *   snapshot    prod's marts and seeds copied into a DuckDB file of their own for the Evidence dashboards
 *               (dashboards-snapshot.ts, dashboards/README.md)
 *   export      regulator and management packs: PDF, XLSX and CSV from models/reports/, delivered with a
 *               signed manifest; `export verify` checks one (reports/, docs/reports.md)
 *   reconcile   each player's balances in marts.player_balances against the edge's, through the back-office
 *               API as an operator with read rights (reconcile/, docs/models.md "Reconciliation")
 *   plan, run, test, audit, diff, dag, render, lineage, models, env, janitor: the SQL models
 *               (runner/commands.ts, docs/models.md)
 *
 * Writers (sync) take the warehouse through withWriter() (writer.ts): while another process
 * writes they print one line naming it and wait their turn; --no-wait fails at once with exit 3.
 * Environment: WAREHOUSE_DIR (data/warehouse), CASINO_STATE_DIR (wrangler dev's state, for
 * --source local), R2_* (for --source s3, see source/r2-s3.ts).
 */
import { createWriteStream, existsSync, renameSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { warehousePaths, type WarehousePaths } from './config';
import { isLockConflict, openWarehouse, rows } from './db';
import type { Format } from './formats';
import { Refusal, useEnv } from './reader';
import { modelLoop, type ModelCycle, type ModelLoop } from './loop';
import { amlAlertsLoop, amlPublishUrl, formatAmlPublish, publishAmlAlerts } from './publish-aml';
import { DEFAULT_SEGMENTS_RELATION, PublishError, formatPublish, publishSegments, publishUrl, segmentsLoop } from './publish-segments';
import { RUNNER_USAGE, RUNNER_VERBS, UsageError, runnerCommand } from './runner/commands';
import { PROD } from './runner/names';
import { RECONCILE_USAGE, reconcileCommand } from './reconcile/command';
import { EXPORT_USAGE } from './reports/usage';
import { ReconcileError } from './reconcile/reconcile';
import { dirSource } from './source/dir';
import { localR2Source } from './source/r2-local';
import { s3Source } from './source/r2-s3';
import type { BatchSource } from './source/types';
import { status, verify } from './status';
import { compactLake, lakeCompactor } from './compact';
import { recoverLake } from './lake';
import { sync, type SyncStep } from './sync';
import { WriterBusyError, busyHolder, waitingLine, withWriter } from './writer';

const USAGE = `usage: npm run wh -- <command> [options]

commands:
  sync [--source local|s3|dir:<path>] [--watch] [--interval <seconds>] [--full] [--run-mb <n>] [--no-wait]
  loop [--source ...] [--interval <seconds>] [--project <dir>] [--dashboards-snapshot <file> [--dashboards-snapshot-seconds 15]]
        sync --watch, then prod's due models each cycle (npm start); with --dashboards-snapshot, the dashboards'
        snapshot after a cycle that changed a mart (at most once per interval; dashboards-loop.ts)
  compact [--before YYYY-MM-DD] [--no-wait]   fold each closed day's lake files into one per (day, type) (default: days before yesterday, UTC)
  status
  verify
  quarantine [--limit <n>]
  query "<sql>" [--format table|arrow|csv|json] [--env <name>] [--out <file>] [--limit <n>] [--no-wait]
  serve [--port 8788] [--host 127.0.0.1] [--env prod] [--insecure-local]
  snapshot [--out <file>] [--brand <id>]   prod's marts + seeds into a file Evidence's DuckDB 1.4 reads (default
        WAREHOUSE_DIR/dashboards.duckdb); --brand: only that brand's rows (the deployed brand builds, dashboards/README.md)
  publish segments [--relation ${DEFAULT_SEGMENTS_RELATION}] [--base-url http://127.0.0.1:8787] [--batch-size 500] [--dry-run]
  publish aml-alerts [--base-url http://127.0.0.1:8787] [--batch-size 500] [--dry-run]
  ${RECONCILE_USAGE}
  ${EXPORT_USAGE}

${RUNNER_USAGE}

exit codes: 0 ok, 1 failed (e.g. bad SQL, a delivery that does not verify), 2 bad usage or input (nothing written), 3 busy (--no-wait while another process writes)

environment: WAREHOUSE_DIR (default data/warehouse), CASINO_STATE_DIR (wrangler dev state, default
.wrangler/state), R2_ACCOUNT_ID / R2_ENDPOINT, R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY, R2_BUCKET (--source s3),
WH_SERVE_TOKEN (serve's bearer token), WH_SERVE_MAX_ROWS (1000000), WH_SERVE_TIMEOUT_MS (30000),
SEGMENTS_PUBLISH_URL (the edge's /internal/v1/segments; --base-url overrides), SEGMENTS_PUBLISH_SECRET (its HMAC secret),
SEGMENTS_RELATION (default ${DEFAULT_SEGMENTS_RELATION}), AML_PUBLISH_URL (the edge's /internal/v1/aml-alerts; --base-url
overrides), AML_PUBLISH_SECRET (its HMAC secret), OPS_EMAIL / OPS_PASSWORD / OPS_TOTP_SECRET (reconcile's operator;
else the demo operators file of \`npm start\`, OPS_DEMO_FILE), REPORTS_DIR (deliveries: a folder, default data/reports, or r2://<bucket>/<prefix>),
REPORTS_SIGNING_KEY / _FILE (Ed25519 PKCS#8 PEM; else a demo key in WAREHOUSE_DIR/keys), REPORTS_VERIFY_KEY / _FILE`;

/** Readers wait for a writer as long as it takes, saying once who they wait for (never silently). */
const tellWaiting = (paths: WarehousePaths) => (err: Error) => console.error(waitingLine(busyHolder(paths, err)));

/** Exit code of a command that would have to wait for another process and was told not to. */
const EXIT_BUSY = 3;

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

/**
 * `sync` once or `--watch`; `loop` is `sync --watch` plus prod's due models after each sync, in the
 * same process and the same writer cycle (loop.ts): what `npm start` runs.
 */
/** A step after the models in each loop cycle: a publisher to the edge, or the reports' schedule. Each logs and swallows its own failures. */
type AfterModels = { cycle(con: import('@duckdb/node-api').DuckDBConnection, models?: ModelCycle): Promise<unknown> };

async function runSync(values: Record<string, string | boolean | undefined>, models?: ModelLoop, after: AfterModels[] = []): Promise<void> {
  const paths = warehousePaths();
  const source = await openSource(String(values.source ?? 'local'));
  const runMb = values['run-mb'] === undefined ? undefined : Number(values['run-mb']);
  if (runMb !== undefined && !(runMb > 0)) fail('--run-mb must be a positive number');
  const interval = Number(values.interval ?? 5);
  if (!(interval > 0)) fail('--interval must be a positive number of seconds');
  const log = (m: string) => console.log(`[wh] ${m}`);
  const label = models ? `loop (${source.name})` : values.watch ? `sync --watch (${source.name})` : `sync (${source.name})`;
  const compactor = lakeCompactor(paths.lake, log);
  // The writer is held for one cycle only, so CLI writers waiting for it get their turn in between.
  const once = async () => {
    const t = await withWriter(paths, label, async (warehouse) => {
      const synced = await sync({ paths, source, full: Boolean(values.full), runBytes: runMb ? runMb * 1024 * 1024 : undefined, checkpoint: crashCheckpoint(), log, warehouse });
      // The loop folds the small lake files of days that closed (once at start, then once a day).
      if (models) await compactor.cycle(warehouse.con, Date.now());
      // The models run even when this sync brought nothing: a cron tick or an open interval can be due.
      const ran = models ? await models.cycle(warehouse.con, Date.now()) : undefined;
      // Then what the models computed flows on: segments and AML alerts back to the edge, then any
      // report whose period is due and whose marts are fresh through it.
      for (const step of after) await step.cycle(warehouse.con, ran);
      return synced;
    }, { wait: !values['no-wait'] });
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
      log(`${models ? "sync + models cycle" : "sync"} failed (${failures} in a row), retrying: ${(err as Error).message}`);
    }
    const wait = Math.min(interval * 1000 * 2 ** Math.min(failures, 4), 60_000);
    for (let waited = 0; waited < wait && !stopping; waited += 200) await new Promise((r) => setTimeout(r, 200));
  }
  await source.close();
  log('stopped');
}

/**
 * `wh query`: read-only, streamed chunk by chunk into the chosen format. --out writes a sibling
 * `.partial` file and renames it at the end, so a failed query leaves no half file behind.
 */
async function runQuery(paths: WarehousePaths, sql: string, values: Record<string, string | boolean | undefined>): Promise<void> {
  // Loaded here, not at the top: apache-arrow takes ~0.4 s to import, which every other verb would pay.
  const { FORMATS, arrowStream, csvPieces, jsonPieces, rowBudget, textRows } = await import('./formats');
  if (!sql) fail('query needs SQL, e.g. npm run wh -- query "select event_type, count(*) from raw.events group by 1"');
  const format = String(values.format ?? 'table') as Format;
  if (!FORMATS.includes(format)) fail(`--format must be one of ${FORMATS.join(', ')}, not '${format}'`);
  const out = values.out === undefined ? undefined : String(values.out);
  if (format === 'arrow' && !out && process.stdout.isTTY) fail('--format arrow writes binary: give --out <file>, or pipe stdout into a file or program');
  if (format === 'table' && out) fail('--out needs --format arrow, csv or json');
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) fail('--limit must be a positive integer');
  if (!existsSync(paths.db)) fail(`no warehouse at ${paths.db}: run \`npm run wh -- sync\` first`, 1);
  const wh = await openWarehouse(paths.db, {
    readOnly: true,
    lockWaitMs: values['no-wait'] ? 0 : Infinity,
    onWait: (err) => console.error(waitingLine(busyHolder(paths, err))),
  }).catch((err) => {
    if (isLockConflict(err)) fail(`the warehouse is busy: ${waitingLine(busyHolder(paths, err)).replace(/^\[wh\] waiting for the warehouse: /, '').replace(/…$/, '')}`, EXIT_BUSY);
    throw err;
  });
  try {
    // Unqualified names resolve in the environment's schemas (prod: marts, ...; dev: marts__dev, ...).
    await useEnv(wh.con, String(values.env ?? PROD));
    const result = await wh.con.stream(sql);
    // The table is for eyes: at most 10,000 rows unless --limit says otherwise, and it says when it stopped.
    const budget = rowBudget(limit ?? (format === 'table' ? 10_000 : Infinity), 'truncate');
    if (format === 'table') printTable(await textRows(result, budget));
    else {
      const source = Readable.from(format === 'arrow' ? arrowStream(result, budget) : format === 'csv' ? csvPieces(result, budget) : jsonPieces(result, budget));
      if (out) {
        const partial = `${out}.partial`;
        try {
          await pipeline(source, createWriteStream(partial));
          renameSync(partial, out);
        } catch (err) {
          rmSync(partial, { force: true });
          throw err;
        }
      } else await pipeline(source, process.stdout);
    }
    if (budget.truncated) console.error(`wh: stopped after ${budget.rows} rows (${limit === undefined ? 'the table shows 10000 at most; use --limit or another --format' : '--limit'}); the answer has more`);
    else if (out) console.error(`wh: wrote ${budget.rows} rows to ${out}`);
  } catch (err) {
    if (err instanceof Refusal) fail(err.message, err.code === 'bad_env' ? 2 : 1);
    fail((err as Error).message, 1);
  } finally {
    wh.close();
  }
}

async function runServe(paths: WarehousePaths, values: Record<string, string | boolean | undefined>): Promise<void> {
  const port = Number(values.port ?? 8788);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port must be a port number');
  const positive = (name: string, fallback: number) => {
    const v = process.env[name];
    if (v === undefined || v === '') return fallback;
    const n = Number(v);
    if (!(Number.isInteger(n) && n > 0)) fail(`${name} must be a positive integer, not '${v}'`);
    return n;
  };
  const { startServer } = await import('./serve');
  let server;
  try {
    server = await startServer({
      paths, port, host: String(values.host ?? '127.0.0.1'), env: String(values.env ?? PROD),
      token: process.env.WH_SERVE_TOKEN || null, insecureLocal: Boolean(values['insecure-local']),
      maxRows: positive('WH_SERVE_MAX_ROWS', 1_000_000), timeoutMs: positive('WH_SERVE_TIMEOUT_MS', 30_000),
      log: (line) => console.log(line),
    });
  } catch (err) {
    return fail((err as Error).message);
  }
  console.log(`[wh serve] ${server.url} over ${paths.db} (read-only${process.env.WH_SERVE_TOKEN ? ', bearer token' : ', NO TOKEN: --insecure-local'})`);
  const stop = () => {
    console.log('[wh serve] stopping');
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** `wh publish segments|aml-alerts`: once, under the writer lock (it records what it published in meta); --dry-run only reads. */
async function runPublish(paths: WarehousePaths, positionals: string[], values: Record<string, string | boolean | undefined>): Promise<void> {
  if (!['segments', 'aml-alerts'].includes(positionals[0] ?? '') || positionals.length > 1) {
    fail(`publish what? usage: npm run wh -- publish segments [--relation <schema.name>] [--base-url <url>] [--dry-run] | publish aml-alerts [--base-url <url>] [--dry-run]`);
  }
  const batchSize = values['batch-size'] === undefined ? undefined : Number(values['batch-size']);
  const baseUrl = values['base-url'] === undefined ? undefined : String(values['base-url']);
  const dryRun = Boolean(values['dry-run']);
  const log = (m: string) => console.error(`[wh] ${m}`);
  const aml = positionals[0] === 'aml-alerts';
  const [urlVar, secretVar] = aml ? ['AML_PUBLISH_URL', 'AML_PUBLISH_SECRET'] : ['SEGMENTS_PUBLISH_URL', 'SEGMENTS_PUBLISH_SECRET'];
  const url = aml ? amlPublishUrl(baseUrl) : publishUrl(baseUrl);
  const secret = process.env[secretVar] ?? '';
  if (!dryRun && !url) fail(`no URL: set ${urlVar} or pass --base-url`);
  if (!dryRun && !secret) fail(`${secretVar} is not set (the worker's secret of the same name)`);
  if (!existsSync(paths.db)) fail(`no warehouse at ${paths.db}: run \`npm run wh -- sync\` first`, 1);
  const once = async <S>(label: string, publish: (con: import('@duckdb/node-api').DuckDBConnection) => Promise<S>): Promise<S> => (dryRun
    ? await (async () => {
      const wh = await openWarehouse(paths.db, { readOnly: true, lockWaitMs: Infinity, onWait: tellWaiting(paths) });
      try { return await publish(wh.con); } finally { wh.close(); }
    })()
    : await withWriter(paths, label, (wh) => publish(wh.con), { wait: !values['no-wait'] }));
  try {
    if (aml) {
      const summary = await once('publish aml-alerts', (con) => publishAmlAlerts(con, { url, secret, dryRun, batchSize, log }));
      console.log(formatAmlPublish(summary));
      if (summary.skipped === 'missing') process.exitCode = 1;
      return;
    }
    const opts = { relation: String(values.relation ?? (process.env.SEGMENTS_RELATION || DEFAULT_SEGMENTS_RELATION)), url, secret, dryRun, batchSize, log };
    const summary = await once('publish segments', (con) => publishSegments(con, opts));
    console.log(formatPublish(summary));
    if (summary.skipped === 'missing' || summary.skipped === 'refused_empty') process.exitCode = 1;
  } catch (err) {
    if (err instanceof PublishError) fail(err.message, 1);
    throw err;
  }
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command && RUNNER_VERBS.has(command) && !rest.includes('--help') && !rest.includes('-h')) {
    try {
      process.exitCode = await runnerCommand(command, rest);
    } catch (err) {
      if (err instanceof UsageError) fail(err.message);
      throw err;
    }
    return;
  }
  if (command === 'export') {
    // Loaded here, not at the top: the renderers (pdfkit, fontkit, exceljs) take seconds to import,
    // which every other verb would pay.
    const { exportCommand } = await import('./reports/command');
    process.exitCode = await exportCommand(rest);
    return;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        source: { type: 'string' }, watch: { type: 'boolean' }, interval: { type: 'string' }, full: { type: 'boolean' },
        'run-mb': { type: 'string' }, limit: { type: 'string' }, help: { type: 'boolean', short: 'h' },
        format: { type: 'string' }, env: { type: 'string' }, out: { type: 'string' }, 'no-wait': { type: 'boolean' },
        port: { type: 'string' }, host: { type: 'string' }, 'insecure-local': { type: 'boolean' }, project: { type: 'string' },
        relation: { type: 'string' }, 'base-url': { type: 'string' }, 'batch-size': { type: 'string' }, 'dry-run': { type: 'boolean' },
        'operator-email': { type: 'string' }, brand: { type: 'string' }, concurrency: { type: 'string' }, strict: { type: 'boolean' },
        before: { type: 'string' },
        'dashboards-snapshot': { type: 'string' }, 'dashboards-snapshot-seconds': { type: 'string' },
      },
    });
  } catch (err) {
    return fail(`${(err as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (!command || command === 'help' || command === '--help' || command === '-h' || values.help) {
    console.log(USAGE);
    return;
  }
  const paths = warehousePaths();
  switch (command) {
    case 'sync':
      return runSync(values);
    case 'loop': {
      const log = (m: string) => console.log(`[wh] ${m}`);
      const publishers: AfterModels[] = [];
      const url = publishUrl(undefined);
      const secret = process.env.SEGMENTS_PUBLISH_SECRET ?? '';
      if (!url || !secret) log('segments are not published (set SEGMENTS_PUBLISH_URL and SEGMENTS_PUBLISH_SECRET to publish them after the models)');
      else publishers.push(segmentsLoop({ url, secret, relation: process.env.SEGMENTS_RELATION || undefined, log }));
      const amlUrl = amlPublishUrl(undefined);
      const amlSecret = process.env.AML_PUBLISH_SECRET ?? '';
      if (!amlUrl || !amlSecret) log('AML alerts are not published (set AML_PUBLISH_URL and AML_PUBLISH_SECRET to publish them after the models)');
      else publishers.push(amlAlertsLoop({ url: amlUrl, secret: amlSecret, log }));
      const project = resolve(values.project ?? 'models');
      const [{ reportsLoop }, { deliveryTarget, demoKeyDir }] = await Promise.all([import('./reports/scheduled'), import('./reports/command')]);
      const reports = reportsLoop({ project: resolve(project, 'reports'), root: deliveryTarget(), demoKeyDir: demoKeyDir(paths.dir), log });
      const steps: AfterModels[] = [...publishers, { cycle: (con) => reports.cycle(con, Date.now()) }];
      if (values['dashboards-snapshot']) {
        // Last: the snapshot is what the dashboards' rebuild reads (npm start, scripts/dashboards-live.mjs).
        const seconds = Number(values['dashboards-snapshot-seconds'] ?? 15);
        if (!(seconds >= 0)) fail('--dashboards-snapshot-seconds must be a number of seconds >= 0');
        const { dashboardsSnapshotLoop } = await import('./dashboards-loop');
        steps.push(dashboardsSnapshotLoop({ out: resolve(String(values['dashboards-snapshot'])), minIntervalMs: seconds * 1000, log }));
      }
      return runSync({ ...values, watch: true }, modelLoop(project, log), steps);
    }
    case 'publish':
      return runPublish(paths, positionals, values);
    case 'compact': {
      const before = values.before;
      if (before !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(before)) fail('--before must be a day, YYYY-MM-DD');
      const log = (m: string) => console.log(`[wh] ${m}`);
      const r = await withWriter(paths, 'compact', async (wh) => {
        // runs whose lake files a crash left unwritten are finished first: their rows belong in the files compacted
        await recoverLake(wh.con, paths.lake);
        return compactLake(wh.con, paths.lake, { before, log });
      }, { wait: !values['no-wait'] });
      if (r.partitions === 0 && r.recovered === 0) log('nothing to compact: every closed (day, type) partition holds one file');
      return;
    }
    case 'status': {
      const s = await status(paths, { onWait: tellWaiting(paths) });
      console.log(`warehouse ${paths.dir}`);
      printTable([s.totals]);
      console.log('\nevents by type');
      printTable(s.by_type);
      console.log('\nlast runs');
      printTable(s.runs);
      return;
    }
    case 'verify': {
      const problems = await verify(paths, { onWait: tellWaiting(paths) });
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
      const wh = await openWarehouse(paths.db, { readOnly: true, lockWaitMs: Infinity, onWait: tellWaiting(paths) });
      try {
        printTable(await rows(wh.con, `select quarantined_at, object_key, reason, left(line, 120) as line from raw.quarantine order by quarantined_at desc limit ${limit}`));
      } finally {
        wh.close();
      }
      return;
    }
    case 'snapshot': {
      const { defaultSnapshotPath, snapshotWarehouse } = await import('./dashboards-snapshot');
      const out = values.out === undefined ? defaultSnapshotPath(paths) : resolve(String(values.out));
      const s = await snapshotWarehouse(paths, out, { onWait: tellWaiting(paths), brand: values.brand === undefined ? undefined : String(values.brand) });
      console.log(`[wh] snapshot of ${s.tables.length} marts and seeds${s.brand ? ` limited to brand ${s.brand}` : ''} (${s.tables.reduce((n, t) => n + t.rows, 0)} rows, ${(s.bytes / 1024 / 1024).toFixed(1)} MB) in ${s.ms} ms -> ${s.file}`);
      if (s.withheld.length) console.log(`[wh] copied empty for brand ${s.brand} (cross-brand marts, no brand or player column): ${s.withheld.join(', ')}`);
      return;
    }
    case 'query':
      return runQuery(paths, positionals.join(' ').trim(), values);
    case 'serve':
      return runServe(paths, values);
    case 'reconcile':
      try {
        process.exitCode = await reconcileCommand(values);
      } catch (err) {
        if (err instanceof ReconcileError) fail(err.message, 1);
        throw err;
      }
      return;
    default:
      fail(`unknown command '${command}'\n${USAGE}`);
  }
}

main().catch((err) => {
  if (err instanceof WriterBusyError) {
    console.error(`wh: ${err.message}`);
    process.exit(EXIT_BUSY);
  }
  console.error(`wh: ${(err as Error)?.stack ?? err}`);
  process.exit(1);
});
