/**
 * The reports' half of the warehouse loop (`wh loop`, what `npm start` runs): after the models,
 * deliver every report whose period is due (schedule.ts) and not yet delivered, once the marts it
 * reads are fresh through the end of that period. A due report whose marts are still stale waits,
 * said once; a delivered one is never re-delivered by the loop (a re-run by hand with different
 * figures is a new version, with its changes stated: delivery.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { loadReports, type ReportDefinition } from './definition';
import { asTarget, type DeliveryTarget } from './delivery';
import { ReportInputError } from './errors';
import { exportReports, expandRuns, parameterSets, type ParameterValues } from './export';
import { duePeriods } from './schedule';
import { resolveSigningKey } from './signing';

export interface ReportsLoopOptions {
  /** models/reports */
  project: string;
  /** The delivery folder, or another target (an R2 prefix: command.ts's deliveryTarget). */
  root: DeliveryTarget | string;
  /** Where the demo signing key lives when REPORTS_SIGNING_KEY is not set. */
  demoKeyDir: string;
  log: (line: string) => void;
  /** Minimum time between two checks (the loop cycles every few seconds; reports are monthly and daily). */
  everyMs?: number;
}

/** The folder parameters of a run, in delivery.ts's order: how listDeliveries names them. */
const folderParams = (p: ParameterValues) => [p.jurisdiction, p.brand, p.currency].filter((x): x is string => x !== undefined);

export function reportsLoop(opts: ReportsLoopOptions): { cycle(con: DuckDBConnection, now: number): Promise<void> } {
  let lastCheck = -Infinity;
  const target = asTarget(opts.root);
  const said = new Set<string>();
  const once = (key: string, line: string) => {
    if (!said.has(key)) opts.log(line);
    said.add(key);
  };
  return {
    async cycle(con, now) {
      if (now - lastCheck < (opts.everyMs ?? 60_000)) return;
      lastCheck = now;
      let defs: ReportDefinition[];
      try {
        defs = await loadReports(opts.project);
      } catch (err) {
        once(`defs:${(err as Error).message}`, `reports: definitions do not load, nothing scheduled: ${(err as Error).message}`);
        return;
      }
      for (const def of defs) {
        let delivered;
        try {
          delivered = await target.deliveries(def.id);
        } catch (err) {
          once(`list:${def.id}`, `reports: cannot read deliveries of ${def.id}: ${(err as Error).message}`);
          continue;
        }
        // One schedule per parameter set: one per jurisdiction for a `per` parameter.
        for (const values of parameterSets(def, {}, true)) {
          const params = folderParams(values).join('/');
          const last = delivered.filter((d) => d.parameters.join('/') === params).map((d) => d.period).sort().at(-1);
          for (const due of duePeriods(def.schedule, def.period, now, last)) {
            const key = `${def.id}/${due.period.label}/${params}`;
            try {
              const runs = expandRuns({ reports: [def], period: due.period.label, ...values }, new Date(now));
              const signer = resolveSigningKey(process.env, opts.demoKeyDir).key;
              for (const o of await exportReports(con, runs, { now: new Date(now), root: target, signer })) {
                opts.log(`reports: ${o.result.status} ${def.id} ${due.period.label}${params ? ` ${params}` : ''} v${o.result.version} -> ${o.result.dir}${due.overdue ? ' (overdue)' : ''}`);
              }
            } catch (err) {
              if (err instanceof ReportInputError && err.code === 'stale_models') once(key, `reports: ${key} is due${due.overdue ? ' and OVERDUE' : ''}; waiting for its marts: ${err.message}`);
              else once(`${key}:${(err as Error).message}`, `reports: ${key} failed (retried next check): ${(err as Error).message}`);
            }
          }
        }
      }
    },
  };
}
