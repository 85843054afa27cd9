/**
 * One report run from definition to delivery: resolve the runs asked for, build every document
 * first (so bad input or a stale mart refuses the whole request before a single file is written),
 * then render each document in its formats and deliver it (a new signed version, or "unchanged").
 * Rendering runs on a pool of worker threads (render/pool.ts), the costliest documents first;
 * delivery (hashes, manifest, signature, writes) stays here, in run order.
 *
 * Used by `npm run wh -- export` (command.ts) and by the warehouse loop's schedule (loop.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { jurisdictionConfig } from '../../domain/jurisdictions';
import { BRANDS } from '../../domain/brands';
import { buildCache, buildDocument, reportParams } from './build';
import type { ReportDefinition, ReportFormat } from './definition';
import { deliver, type DeliveryResult, type DeliveryTarget, type RenderedFile } from './delivery';
import type { ReportDocument, ReportParams } from './document';
import { ReportInputError } from './errors';
import { parsePeriod } from './period';
import { createRenderer, renderCost, renderWorkers } from './render/pool';
import type { SigningKey } from './signing';

/** What a caller asks for: one report (with its parameters) or every report, for one period. */
export interface ExportRequest {
  /** Report ids to run; `all` runs every definition. */
  reports: ReportDefinition[];
  period: string;
  jurisdiction?: string;
  brand?: string;
  currency?: string;
  /** Restrict the formats (default: each definition's own). */
  formats?: ReportFormat[];
}

/** One document to produce: a definition with resolved parameters. */
export interface ExportRun {
  def: ReportDefinition;
  params: ReportParams;
}

/**
 * The runs a request means. A parameter marked `per: true` and not given expands to one run per
 * value (every jurisdiction of config/jurisdictions.json, every brand). With several reports
 * (`--all`), a month period also runs each day report for every day of that month, and a
 * parameter a report does not take is simply not passed to it.
 */
export function expandRuns(req: ExportRequest, now: Date): ExportRun[] {
  const runs: ExportRun[] = [];
  const single = req.reports.length === 1;
  for (const def of req.reports) {
    const periods = periodsFor(def, req.period, now, single);
    for (const period of periods) {
      for (const values of parameterSets(def, req, single)) {
        runs.push({ def, params: reportParams(def, { period, ...values }, now) });
      }
    }
  }
  return runs;
}

function periodsFor(def: ReportDefinition, period: string, now: Date, single: boolean): string[] {
  if (single || def.period === 'month' || !/^\d{4}-\d{2}$/.test(period)) return [period];
  // A day report inside `--all --period <month>`: every day of that month.
  const month = parsePeriod(period, 'month', now);
  const days: string[] = [];
  for (let t = Date.parse(`${month.start}T00:00:00Z`); t < Date.parse(`${month.end}T00:00:00Z`); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

export type ParameterValues = { jurisdiction?: string; brand?: string; currency?: string };

/** The parameter values of each run of `def` for what was given (a `per` parameter not given: one set per configured value). */
export function parameterSets(def: ReportDefinition, req: ParameterValues, single: boolean): ParameterValues[] {
  let sets: ParameterValues[] = [{}];
  const expand = (name: keyof ParameterValues, given: string | undefined, all: string[]) => {
    const declared = def.parameters[name];
    if (given !== undefined) {
      // One report: pass it on, so a parameter it does not take is refused (unknown_parameter).
      if (declared || single) sets = sets.map((s) => ({ ...s, [name]: given }));
      return;
    }
    if (declared?.per) sets = sets.flatMap((s) => all.map((v) => ({ ...s, [name]: v })));
  };
  expand('jurisdiction', req.jurisdiction, jurisdictionConfig.jurisdictions.map((j) => j.id));
  expand('brand', req.brand, BRANDS.map((b) => b.id));
  expand('currency', req.currency, []);
  return sets;
}

export interface ExportOutcome {
  run: ExportRun;
  result: DeliveryResult;
  files: number;
}

/**
 * Builds every run's document, then renders and delivers each to `root` (a folder path, or a
 * target such as an R2 prefix: delivery.ts). Any ReportInputError (bad period,
 * unknown jurisdiction, stale marts...) is thrown before the first delivery, so nothing is written.
 *
 * `renderWorkers`: worker threads for rendering (default WH_RENDER_WORKERS, else one per core; 0 =
 * in this thread). The files' bytes are the same either way; only the wall time differs.
 */
export async function exportReports(con: DuckDBConnection, runs: ExportRun[], opts: { now: Date; env?: string; root: DeliveryTarget | string; signer: SigningKey; formats?: ReportFormat[]; renderWorkers?: number }): Promise<ExportOutcome[]> {
  if (runs.length === 0) throw new ReportInputError('unknown_report', 'nothing to export: no report matches');
  // Started before the queries, so the workers load pdfkit and exceljs while DuckDB works.
  const renderer = createRenderer(renderWorkers(runs.length, opts.renderWorkers));
  try {
    const docs: ReportDocument[] = [];
    // one warehouse state for every document: the runner's state, column types, latest event and missing days read once
    const cache = buildCache();
    for (const run of runs) docs.push(await buildDocument(con, run.def, run.params, { now: opts.now, env: opts.env, cache }));
    // Pooled: every document queued now, costliest first (the longest job first keeps the workers
    // evenly busy to the end), delivered in run order as each is ready. In this thread: one by one.
    const rendering = new Array<Promise<RenderedFile[]>>(runs.length);
    if (renderer.pooled) {
      const order = runs.map((_, i) => i).sort((a, b) => renderCost(docs[b]!) - renderCost(docs[a]!) || a - b);
      for (const i of order) {
        rendering[i] = renderer.render(docs[i]!, opts.formats ?? runs[i]!.def.formats);
        // a rejection is taken where it is awaited, in run order; this keeps a later one from going unhandled meanwhile
        rendering[i].catch(() => {});
      }
    }
    const outcomes: ExportOutcome[] = [];
    for (let i = 0; i < runs.length; i++) {
      const run = runs[i]!;
      const files = await (rendering[i] ?? renderer.render(docs[i]!, opts.formats ?? run.def.formats));
      outcomes.push({ run, result: await deliver(opts.root, { document: docs[i]!, files }, { signer: opts.signer }), files: files.length });
    }
    return outcomes;
  } finally {
    await renderer.close();
  }
}
