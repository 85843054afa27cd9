/**
 * `npm run wh -- export`: regulator and management packs from the command line.
 *
 *   export <report> --period 2026-10 [--jurisdiction MT] [--brand b] [--currency EUR] [--out <dir>] [--format pdf,xlsx,csv]
 *   export --all --period 2026-10 [--out <dir>]      every report for that period (each jurisdiction, each day)
 *   export verify <dir>                              hashes and signature of a delivery (a version, a report, or the root)
 *
 * A delivery location (--out, REPORTS_DIR, verify's argument) is a folder path or an R2 prefix
 * `r2://<bucket>/<prefix>` (r2-delivery.ts), reached through the S3 API with the credentials
 * `wh sync --source s3` uses (R2_ACCOUNT_ID or R2_ENDPOINT, R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY).
 *   export list                                      the report definitions and their schedules
 *
 * Exit codes: 0 delivered (or unchanged), 1 failed (verify found a problem, a broken warehouse),
 * 2 bad input (unknown report, malformed or unfinished period, unknown jurisdiction, stale marts):
 * nothing written.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { warehousePaths } from '../config';
import { openWarehouse } from '../db';
import { REPO_ROOT } from '../source/local-r2';
import { s3ConfigFromEnv } from '../source/r2-s3';
import { busyHolder, waitingLine } from '../writer';
import { FORMATS, loadReport, loadReports, ReportDefinitionError, REPORT_DIR, type ReportDefinition, type ReportFormat } from './definition';
import { ReportInputError } from './errors';
import { localFolderTarget, type DeliveryTarget } from './delivery';
import { exportReports, expandRuns } from './export';
import { s3ObjectStore, type ObjectStore } from './object-store';
import { parseR2Address, r2PrefixTarget, verifyR2Delivery } from './r2-delivery';
import { resolveSigningKey, trustedPublicKey } from './signing';
import { formatVerify, verifyDelivery } from './verify';

import { EXPORT_USAGE } from './usage';

export { EXPORT_USAGE };

/** Where deliveries go unless --out says otherwise: REPORTS_DIR, else data/reports. A folder path or `r2://<bucket>/<prefix>`. */
export function deliveryRoot(out?: string, env = process.env): string {
  const where = out ?? (env.REPORTS_DIR || join(REPO_ROOT, 'data', 'reports'));
  return where.startsWith('r2://') ? where : resolve(where);
}

/** The R2 bucket of an `r2://` address, through the S3 API with the event source's endpoint and credentials. */
function r2Store(address: string, env: NodeJS.ProcessEnv): { store: ObjectStore; prefix: string } {
  const parsed = parseR2Address(address);
  if (!parsed) throw new ExportUsage(`'${address}' is not an R2 prefix: r2://<bucket>/<prefix>`);
  let cfg;
  try {
    cfg = s3ConfigFromEnv(env);
  } catch (err) {
    throw new ExportUsage(`${address}: ${(err as Error).message.replace(/^s3 source: /, '')} (an R2 API token with Object Read & Write on bucket ${parsed.bucket})`);
  }
  return { store: s3ObjectStore({ ...cfg, bucket: parsed.bucket }), prefix: parsed.prefix };
}

/** The delivery target a location names: a local folder, or an R2 prefix for `r2://<bucket>/<prefix>`. */
export function deliveryTarget(out?: string, env = process.env): DeliveryTarget {
  const where = deliveryRoot(out, env);
  if (!where.startsWith('r2://')) return localFolderTarget(where);
  const { store, prefix } = r2Store(where, env);
  return r2PrefixTarget(store, prefix);
}

/** Where `npm start` keeps its demo signing key when no REPORTS_SIGNING_KEY is configured. */
export const demoKeyDir = (warehouseDir: string) => join(warehouseDir, 'keys');

class ExportUsage extends Error {}

export async function exportCommand(args: string[]): Promise<number> {
  try {
    return await runExport(args);
  } catch (err) {
    if (err instanceof ReportInputError || err instanceof ExportUsage || err instanceof ReportDefinitionError) {
      console.error(`wh export: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

async function runExport(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args, allowPositionals: true,
      options: {
        period: { type: 'string' }, jurisdiction: { type: 'string' }, brand: { type: 'string' }, currency: { type: 'string' },
        out: { type: 'string' }, format: { type: 'string' }, env: { type: 'string' }, all: { type: 'boolean' }, project: { type: 'string' },
      },
    });
  } catch (err) {
    throw new ExportUsage(`${(err as Error).message}\nusage: npm run wh -- ${EXPORT_USAGE}`);
  }
  const { values, positionals } = parsed;
  const dir = resolve(values.project ?? REPORT_DIR);
  const paths = warehousePaths();

  if (positionals[0] === 'verify') {
    if (positionals.length !== 2) throw new ExportUsage('usage: npm run wh -- export verify <dir|r2://bucket/prefix>');
    const publicKey = trustedPublicKey(process.env, demoKeyDir(paths.dir));
    let result;
    if (positionals[1]!.startsWith('r2://')) {
      const { store, prefix } = r2Store(positionals[1]!, process.env);
      result = await verifyR2Delivery(store, prefix, { publicKey });
    } else {
      const target = resolve(positionals[1]!);
      if (!existsSync(target)) throw new ExportUsage(`no delivery at ${target}`);
      result = verifyDelivery(target, { publicKey });
    }
    console.log(formatVerify(result));
    return result.ok ? 0 : 1;
  }
  if (positionals[0] === 'list') {
    for (const def of await loadReports(dir)) {
      const params = Object.entries(def.parameters).map(([k, p]) => `${p!.required ? '' : '['}--${k}${p!.per ? ' (each)' : ''}${p!.required ? '' : ']'}`).join(' ');
      console.log(`${def.id.padEnd(22)} ${def.period.padEnd(5)} ${def.formats.join(',').padEnd(13)} ${def.schedule.cron} ${def.schedule.timezone}${def.schedule.due_day ? ` due day ${def.schedule.due_day}` : ''}  ${params}`);
    }
    return 0;
  }

  if (!values.period) throw new ExportUsage(`--period is required\nusage: npm run wh -- ${EXPORT_USAGE}`);
  let reports: ReportDefinition[];
  if (values.all) {
    if (positionals.length > 0) throw new ExportUsage('give a report or --all, not both');
    reports = await loadReports(dir);
  } else {
    if (positionals.length !== 1) throw new ExportUsage(`which report? usage: npm run wh -- ${EXPORT_USAGE}`);
    reports = [await loadReport(dir, positionals[0]!)];
  }
  const formats = values.format === undefined ? undefined : values.format.split(',').map((f) => f.trim());
  for (const f of formats ?? []) if (!(FORMATS as readonly string[]).includes(f)) throw new ExportUsage(`unknown format '${f}' (${FORMATS.join(', ')})`);

  const now = new Date();
  const runs = expandRuns({ reports, period: values.period, jurisdiction: values.jurisdiction, brand: values.brand, currency: values.currency }, now);
  if (!existsSync(paths.db)) throw new ReportInputError('stale_models', `no warehouse at ${paths.db}: run \`npm run wh -- sync\` and \`plan\` first`);
  const root = deliveryTarget(values.out);
  const { key, source } = resolveSigningKey(process.env, demoKeyDir(paths.dir));
  const wh = await openWarehouse(paths.db, { readOnly: true, lockWaitMs: Infinity, onWait: (err) => console.error(waitingLine(busyHolder(paths, err))) });
  try {
    const outcomes = await exportReports(wh.con, runs, { now, env: values.env, root, signer: key, formats: formats as ReportFormat[] | undefined });
    for (const o of outcomes) {
      const what = `${o.run.def.id} ${o.run.params.period.label}${o.run.params.jurisdiction ? ` ${o.run.params.jurisdiction}` : ''}${o.run.params.brand ? ` ${o.run.params.brand}` : ''}`;
      console.log(o.result.status === 'unchanged'
        ? `unchanged  ${what}: v${o.result.version} stands (same figures) ${o.result.dir}`
        : `delivered  ${what}: v${o.result.version} (${o.files} files) ${o.result.dir}${o.result.manifest.changes ? `\n           changes from v${o.result.version - 1}: ${o.result.manifest.changes.summary}` : ''}`);
    }
    console.error(`wh export: signed with ${source}`);
    return 0;
  } finally {
    wh.close();
  }
}
