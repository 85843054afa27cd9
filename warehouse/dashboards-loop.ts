/**
 * The dashboards' step of the warehouse loop (`wh loop --dashboards-snapshot <file>`, what `npm start`
 * runs): after a cycle whose models changed a mart or a seed, write the dashboards' snapshot
 * (dashboards-snapshot.ts) on the writer connection the loop already holds, then say so on one line
 * that `npm start` reacts to (scripts/dashboards-live.mjs rebuilds the site from it).
 *
 * Why here and not a watcher of casino.duckdb: the loop knows when prod's models changed a mart, and
 * it holds the only writer; a second process would wait for the file between cycles and copy after
 * every sync, changed or not.
 *
 * At most one snapshot per `minIntervalMs`: the marts change every cycle while events flow (every
 * few seconds) and a copy costs seconds of the writer's time, while a build of the site takes a
 * minute or more. A change inside the interval is not lost: it is written by the first cycle after it.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { rows } from './db';
import { writeSnapshot, SNAPSHOT_SCHEMAS, type SnapshotSummary } from './dashboards-snapshot';
import type { ModelCycle } from './loop';

/** The line the loop prints after each snapshot; scripts/start.mjs matches it (keep them in step). */
export const SNAPSHOT_WRITTEN = 'dashboards snapshot written';

/** Whether a model's data is in the snapshot (`marts.*`, `seeds.*`). */
export const inSnapshot = (model: string) => (SNAPSHOT_SCHEMAS as readonly string[]).includes(model.split('.')[0] ?? '');

/** The decision alone (no I/O): a pending change is written once the interval since the last write has passed. */
export function snapshotPlanner(minIntervalMs: number) {
  let pending = true; // the first cycle writes one: the site must show this warehouse, not the last run's
  let lastAt = -Infinity;
  return {
    /** Records a cycle's changes; true when a snapshot is due now. */
    due(changed: string[], now: number): boolean {
      if (changed.some(inSnapshot)) pending = true;
      return pending && now - lastAt >= minIntervalMs;
    },
    written(now: number) {
      pending = false;
      lastAt = now;
    },
  };
}

export function dashboardsSnapshotLoop(opts: { out: string; minIntervalMs: number; log: (line: string) => void; clock?: () => number }) {
  const clock = opts.clock ?? Date.now;
  const planner = snapshotPlanner(opts.minIntervalMs);
  return {
    async cycle(con: DuckDBConnection, models?: ModelCycle): Promise<SnapshotSummary | null> {
      if (!planner.due(models?.changed ?? [], clock())) return null;
      const [db] = await rows<{ name: string }>(con, 'select current_database() as name');
      const hasMarts = (await rows<{ n: number }>(con, `select count(*)::int as n from duckdb_views() where database_name = current_database() and schema_name = 'marts'`))[0]!.n > 0
        || (await rows<{ n: number }>(con, `select count(*)::int as n from duckdb_tables() where database_name = current_database() and schema_name = 'marts'`))[0]!.n > 0;
      if (!hasMarts) return null; // no prod yet: the first plan writes them, and the snapshot follows
      try {
        const s = await writeSnapshot(con, db!.name, opts.out);
        planner.written(clock());
        opts.log(`${SNAPSHOT_WRITTEN}: ${s.tables.length} marts and seeds, ${s.tables.reduce((n, t) => n + t.rows, 0)} rows in ${s.ms} ms -> ${s.file}`);
        return s;
      } catch (err) {
        // The loop goes on: the site keeps its last good build, and the next cycle tries again.
        opts.log(`dashboards snapshot failed (the next cycle tries again): ${(err as Error).message}`);
        return null;
      }
    },
  };
}
