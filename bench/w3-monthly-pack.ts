/**
 * W3 (TARGETS.md, issue 13): the monthly pack - every report, every parameter value, in each
 * report's formats (PDF + XLSX + CSV) - over a month of 100,000 simulated players, beside DuckDB
 * writing the same rows to CSV in the same run. Target: <= 30 s; the ratio is stated.
 *
 *   ours   `npm run wh -- export --all --period 2026-10 --out <fresh dir>`: the real CLI, spawned
 *          (process start, definitions, freshness, every section query, PDF, XLSX, CSV, manifest,
 *          Ed25519 signature, atomic version folders; the documents rendered on a pool of worker
 *          threads, one per core, unless WH_RENDER_WORKERS says otherwise), wall time from spawn to exit, plus its CPU
 *          time (the children's user + system time, from /proc/self/stat). The delivery is then
 *          checked with `export verify` (not timed) and its manifests counted.
 *   floor  DuckDB alone, in this process, on the same database file (read-only): for every run and
 *          section the export does, the engine's own section query (build.ts sectionQuery, the
 *          same SQL text, parameters written in as literals) as `COPY (<query>) TO '<file>.csv'`.
 *          No freshness check, no typing in JS, no totals, no rendering, no signing: the least any
 *          exporter must execute to get these rows out of the marts.
 *
 * One more pass, not judged: the same export in process (export.ts's steps one by one) with each
 * step timed per report: build (queries), PDF, XLSX, CSV, deliver (hash, sign, write). That is where
 * the time goes.
 *
 * Data (bench/w3/data.ts, made once, cached in bench/.cache/w3-<players>-<profile>/): October 2026
 * for N players from the simulator's fast mode with the `light` activity profile, loaded with
 * `sync`, models built with `plan prod --auto-apply`. Runs alternate which side goes first.
 *
 * Run alone: `node --import tsx bench/w3-monthly-pack.ts --players 100000 --runs 3` prints the JSON
 * results; `npm run bench -- --only W3` runs it through bench/run.mjs.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { ActivityProfileName } from '../simulator/fast';
import { openWarehouse } from '../warehouse/db';
import { buildCache, buildDocument, sectionQuery } from '../warehouse/reports/build';
import { loadReports, REPORT_DIR, type ReportFormat } from '../warehouse/reports/definition';
import { deliver } from '../warehouse/reports/delivery';
import { expandRuns, type ExportRun } from '../warehouse/reports/export';
import { renderCsv } from '../warehouse/reports/render/csv';
import { renderPdf } from '../warehouse/reports/render/pdf';
import { renderXlsx } from '../warehouse/reports/render/xlsx';
import { signingKeyFromPem } from '../warehouse/reports/signing';
import { envRelation, PROD } from '../warehouse/runner/names';
import { REPO_ROOT } from '../warehouse/source/local-r2';
import { PERIOD, w3Data, type W3Data } from './w3/data';
import { median, p99, r1 } from './w2/common';

const TARGET_MS = 30_000;

/** CPU time (ms) of this process's waited-for children so far (cutime + cstime of /proc/self/stat). */
function childrenCpuMs(): number {
  try {
    const s = readFileSync('/proc/self/stat', 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[13]) + Number(f[14])) * 10; // cutime, cstime in clock ticks (USER_HZ 100)
  } catch {
    return NaN;
  }
}

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string; ms: number; cpu_ms: number }> {
  return new Promise((resolve, reject) => {
    const cpu0 = childrenCpuMs();
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'warehouse', 'cli.ts'), ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr, ms: performance.now() - t0, cpu_ms: childrenCpuMs() - cpu0 }));
  });
}

/** Files and bytes under a folder (recursive). */
function tally(dir: string, by: Record<string, { files: number; bytes: number }> = {}): Record<string, { files: number; bytes: number }> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) tally(p, by);
    else {
      const ext = e.name.includes('.') ? e.name.slice(e.name.lastIndexOf('.') + 1) : e.name;
      const t = (by[ext] ??= { files: 0, bytes: 0 });
      t.files++;
      t.bytes += statSync(p).size;
    }
  }
  return by;
}

// ---- the floor: the same section queries, DuckDB alone, COPY ... TO csv ----

type FloorQuery = { report: string; file: string; sql: string };

/** A bound value as a SQL literal (the floor's COPY takes no parameters). */
function literal(v: DuckDBValue): string {
  if (v === null) return 'null';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return `'${String(v).replaceAll("'", "''")}'`;
}

/** Every section query the export runs, as the engine writes it, with its parameters written in. */
async function floorQueries(con: DuckDBConnection, runs: ExportRun[]): Promise<FloorQuery[]> {
  const types = new Map<string, Map<string, string>>();
  const out: FloorQuery[] = [];
  for (const run of runs) {
    for (const s of run.def.sections) {
      const relation = envRelation(s.from, PROD);
      if (!types.has(relation)) {
        const r = await con.runAndReadAll(`describe select * from ${relation}`);
        types.set(relation, new Map(r.getRows().map((row) => [String(row[0]), String(row[1])])));
      }
      const { sql, values } = sectionQuery(s, run.params, relation, types.get(relation)!);
      // \$(\d+) takes the whole number, so $1 never eats the start of $10
      const text = sql.replace(/\$(\d+)/g, (_, n: string) => literal(values[Number(n) - 1]!));
      const p = run.params;
      const name = [run.def.id, p.period.label, p.jurisdiction, p.brand, p.currency, s.id].filter((x) => x !== undefined).join('-');
      out.push({ report: run.def.id, file: `${name}.csv`, sql: text });
    }
  }
  return out;
}

async function floor(db: string, queries: FloorQuery[], outDir: string): Promise<{ ms: number; cpu_ms: number; per_report_ms: Record<string, number>; rows: number }> {
  mkdirSync(outDir, { recursive: true });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const wh = await openWarehouse(db, { readOnly: true });
  const per: Record<string, number> = {};
  let rows = 0;
  try {
    for (const q of queries) {
      const t = performance.now();
      const r = await wh.con.runAndReadAll(`copy (${q.sql}) to '${join(outDir, q.file).replaceAll("'", "''")}' (format csv, header)`);
      rows += Number(r.getRows()[0]?.[0] ?? 0);
      per[q.report] = (per[q.report] ?? 0) + (performance.now() - t);
    }
  } finally {
    wh.close();
  }
  const ms = performance.now() - t0;
  const c = process.cpuUsage(cpu0);
  return { ms, cpu_ms: Math.round((c.user + c.system) / 1000), per_report_ms: Object.fromEntries(Object.entries(per).map(([k, v]) => [k, Math.round(v)])), rows };
}

// ---- where the time goes: the export's steps in process, timed per report ----

type Steps = { runs: number; build_ms: number; pdf_ms: number; xlsx_ms: number; csv_ms: number; deliver_ms: number; rows: number; pdf_bytes: number; xlsx_bytes: number };

async function breakdown(db: string, runs: ExportRun[], now: Date, root: string, signerPem: string): Promise<{ total_ms: number; first_pdf_ms: number; per_report: Record<string, Steps> }> {
  const signer = signingKeyFromPem(signerPem);
  const per: Record<string, Steps> = {};
  const t0 = performance.now();
  let firstPdf = NaN;
  const wh = await openWarehouse(db, { readOnly: true });
  const cache = buildCache(); // as exportReports does: one warehouse state for every document
  try {
    for (const run of runs) {
      const s = (per[run.def.id] ??= { runs: 0, build_ms: 0, pdf_ms: 0, xlsx_ms: 0, csv_ms: 0, deliver_ms: 0, rows: 0, pdf_bytes: 0, xlsx_bytes: 0 });
      s.runs++;
      let t = performance.now();
      const doc = await buildDocument(wh.con, run.def, run.params, { now, env: PROD, cache });
      s.build_ms += performance.now() - t;
      const rows = doc.sections.reduce((n, x) => n + x.rows.length, 0);
      s.rows += rows;
      const files = [];
      const base = [doc.report_id, doc.params.period.label, doc.params.jurisdiction, doc.params.brand, doc.params.currency].filter((x) => x !== undefined).join('-');
      for (const f of run.def.formats as ReportFormat[]) {
        t = performance.now();
        if (f === 'pdf') {
          const bytes = await renderPdf(doc);
          const ms = performance.now() - t;
          if (Number.isNaN(firstPdf)) firstPdf = ms;
          s.pdf_ms += ms;
          s.pdf_bytes += bytes.length;
          files.push({ name: `${base}.pdf`, bytes, rows });
        } else if (f === 'xlsx') {
          const bytes = await renderXlsx(doc);
          s.xlsx_ms += performance.now() - t;
          s.xlsx_bytes += bytes.length;
          files.push({ name: `${base}.xlsx`, bytes, rows });
        } else {
          for (const c of renderCsv(doc)) files.push({ name: c.name, bytes: new TextEncoder().encode(c.text), rows: c.rows });
          s.csv_ms += performance.now() - t;
        }
      }
      t = performance.now();
      await deliver(root, { document: doc, files }, { signer });
      s.deliver_ms += performance.now() - t;
    }
  } finally {
    wh.close();
  }
  for (const s of Object.values(per)) for (const k of ['build_ms', 'pdf_ms', 'xlsx_ms', 'csv_ms', 'deliver_ms'] as const) s[k] = Math.round(s[k]);
  return { total_ms: Math.round(performance.now() - t0), first_pdf_ms: Math.round(firstPdf), per_report: per };
}

// ---- the benchmark ----

export async function runW3(opts: { players: number; runs: number; profile: ActivityProfileName; breakdown: boolean; log?: (m: string) => void }) {
  const log = opts.log ?? ((m: string) => console.error(m));
  const data: W3Data = await w3Data({ players: opts.players, profile: opts.profile, log });
  const now = new Date();
  const defs = await loadReports(join(REPO_ROOT, REPORT_DIR));
  const runsToDo = expandRuns({ reports: defs, period: PERIOD }, now);
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const env = { WAREHOUSE_DIR: data.dir, REPORTS_SIGNING_KEY: pem };

  const wh = await openWarehouse(data.db, { readOnly: true });
  let queries: FloorQuery[];
  try {
    queries = await floorQueries(wh.con, runsToDo);
  } finally {
    wh.close();
  }
  log(`W3: ${runsToDo.length} documents (${defs.map((d) => `${d.id} x${runsToDo.filter((r) => r.def.id === d.id).length}`).join(', ')}), ${queries.length} section queries, over ${data.events} events of ${data.players} players`);

  type Run = { order: string; ms: number; cpu_ms: number; floor_ms: number; floor_cpu_ms: number; ratio: number; deliveries: number; files: Record<string, { files: number; bytes: number }>; floor_rows: number; floor_per_report_ms: Record<string, number> };
  const runs: Run[] = [];
  for (let r = 0; r < opts.runs; r++) {
    const scratch = mkdtempSync(join(tmpdir(), 'w3-'));
    const say = (m: string) => log(`W3 run ${r + 1}: ${m}`);
    try {
      const floorFirst = r % 2 === 1;
      let f!: Awaited<ReturnType<typeof floor>>;
      let ours!: Awaited<ReturnType<typeof runCli>>;
      const doFloor = async () => {
        f = await floor(data.db, queries, join(scratch, 'floor'));
        say(`DuckDB alone: ${queries.length} COPY ... TO csv, ${f.rows} rows in ${Math.round(f.ms)} ms`);
      };
      const doOurs = async () => {
        ours = await runCli(['export', '--all', '--period', PERIOD, '--out', join(scratch, 'out')], env);
        if (ours.code !== 0) throw new Error(`W3: wh export exited ${ours.code}: ${ours.stderr.slice(-2000)}`);
        say(`wh export --all: ${Math.round(ours.ms)} ms wall, ${ours.cpu_ms} ms CPU`);
      };
      if (floorFirst) { await doFloor(); await doOurs(); } else { await doOurs(); await doFloor(); }
      const delivered = ours.stdout.split('\n').filter((l) => l.startsWith('delivered')).length;
      if (delivered !== runsToDo.length) throw new Error(`W3: wh export delivered ${delivered} of ${runsToDo.length} documents:\n${ours.stdout.slice(-2000)}`);
      const v = await runCli(['export', 'verify', join(scratch, 'out')], env);
      if (v.code !== 0) throw new Error(`W3: export verify failed: ${v.stdout.slice(-2000)} ${v.stderr.slice(-1000)}`);
      runs.push({ order: floorFirst ? 'floor-first' : 'ours-first', ms: Math.round(ours.ms), cpu_ms: ours.cpu_ms, floor_ms: Math.round(f.ms), floor_cpu_ms: f.cpu_ms, ratio: r1(ours.ms / f.ms), deliveries: delivered, files: tally(join(scratch, 'out')), floor_rows: f.rows, floor_per_report_ms: f.per_report_ms });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  let steps: Awaited<ReturnType<typeof breakdown>> | undefined;
  if (opts.breakdown) {
    const scratch = mkdtempSync(join(tmpdir(), 'w3-steps-'));
    try {
      steps = await breakdown(data.db, runsToDo, now, join(scratch, 'out'), pem);
      log(`W3: in process, step by step: ${steps.total_ms} ms; per report ${JSON.stringify(steps.per_report)}`);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  const ms = runs.map((x) => x.ms);
  const value = median(ms);
  const floorMs = median(runs.map((x) => x.floor_ms));
  const ratio = r1(value / floorMs);
  return [{
    id: 'W3',
    metric: `the monthly pack: \`wh export --all --period ${PERIOD}\` (every report, every jurisdiction and day, PDF + XLSX + CSV, signed) over a month of ${data.players} simulated players (${data.events} events), median wall ms over runs`,
    value: Math.round(value),
    unit: 'ms',
    target: `<= ${TARGET_MS}`,
    pass: value <= TARGET_MS,
    ...(runs.length > 1 ? { p99_ms: Math.round(p99(ms)) } : {}),
    runs,
    comparisons: {
      duckdb_alone: {
        median_ms: Math.round(floorMs), ...(runs.length > 1 ? { p99_ms: Math.round(p99(runs.map((x) => x.floor_ms))) } : {}),
        ratio_ours_to_floor: ratio, cpu_ratio: r1(median(runs.map((x) => x.cpu_ms)) / Math.max(1, median(runs.map((x) => x.floor_cpu_ms)))),
        what: `the same ${queries.length} section queries (build.ts sectionQuery) as COPY (...) TO csv, one DuckDB connection, read-only, no rendering`,
      },
    },
    ...(steps ? { breakdown: steps } : {}),
    params: { players: data.players, events: data.events, profile: data.profile, period: PERIOD, documents: runsToDo.length, section_queries: queries.length, runs: opts.runs, render_workers: process.env.WH_RENDER_WORKERS ?? `${availableParallelism()} (one per core)`, data: { generate_s: data.generate_s, sync_s: data.sync_s, plan_s: data.plan_s, gzip_mb: data.gzip_mb, models_digest: data.models_digest } },
    summary: `DuckDB alone ${Math.round(floorMs)} ms (ours/floor ${ratio}x); ${runsToDo.length} documents`,
  }];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { players: { type: 'string' }, runs: { type: 'string' }, profile: { type: 'string' }, 'no-breakdown': { type: 'boolean' } } });
  const out = await runW3({ players: Number(values.players ?? 100_000), runs: Number(values.runs ?? 3), profile: (values.profile ?? 'light') as ActivityProfileName, breakdown: !values['no-breakdown'] });
  console.log(JSON.stringify(out));
}
