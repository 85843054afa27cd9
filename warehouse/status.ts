/** What the warehouse holds, and the invariants a sync must keep (used by `wh status`/`wh verify` and tests). */
import { existsSync } from 'node:fs';
import type { WarehousePaths } from './config';
import { openWarehouse, rows } from './db';
import { lakeScanSql } from './lake';

/** `onWait` is told once when a writer holds the file; the open then waits for it as long as it takes. */
export type ReadOptions = { onWait?: (err: Error) => void };

async function open(paths: WarehousePaths, opts: ReadOptions) {
  // A warehouse nobody synced yet: create it empty rather than fail.
  return openWarehouse(paths.db, { readOnly: existsSync(paths.db), ...(opts.onWait ? { onWait: opts.onWait, lockWaitMs: Infinity } : {}) });
}

const hasLake = (paths: WarehousePaths) => existsSync(paths.lake);

export async function status(paths: WarehousePaths, opts: ReadOptions = {}) {
  const wh = await open(paths, opts);
  try {
    const totals = (await rows(wh.con, `select
        (select count(*) from raw.events) as events,
        (select count(*) from raw.quarantine) as quarantined,
        (select count(*) from meta.loaded_objects) as objects,
        (select coalesce(sum(duplicates), 0) from meta.loaded_objects) as duplicates_skipped,
        (select count(*) from meta.sync_runs) as runs,
        (select strftime(max(occurred_at), '%Y-%m-%d %H:%M:%S') from raw.events) as newest_event_utc,
        ${hasLake(paths) ? `(select count(*) from ${lakeScanSql(paths.lake)})` : '0'} as lake_rows`))[0]!;
    const by_type = await rows(wh.con, 'select event_type, count(*) as events, min(event_date) as first_day, max(event_date) as last_day from raw.events group by 1 order by 2 desc');
    const runs = await rows(wh.con, `select run_id, strftime(committed_at, '%Y-%m-%d %H:%M:%S') as committed_utc, objects, lines, events_new, duplicates, quarantined, lake_written
      from meta.sync_runs order by run_id desc limit 5`);
    return { totals, by_type, runs };
  } finally {
    wh.close();
  }
}

/** Empty when healthy; else one line per broken invariant. */
export async function verify(paths: WarehousePaths, opts: ReadOptions = {}): Promise<string[]> {
  const wh = await open(paths, opts);
  try {
    const problems: string[] = [];
    const dup = (await rows<{ n: number }>(wh.con, 'select count(*) as n from (select event_id from raw.events group by 1 having count(*) > 1)'))[0]!.n;
    if (dup > 0) problems.push(`${dup} event_id(s) appear more than once in raw.events`);
    const pending = (await rows<{ n: number }>(wh.con, 'select count(*) as n from meta.sync_runs where not lake_written'))[0]!.n;
    if (pending > 0) problems.push(`${pending} run(s) not yet written to the lake (the next sync finishes them)`);
    const events = (await rows<{ n: number }>(wh.con, 'select count(*) as n from raw.events'))[0]!.n;
    const lake = hasLake(paths) ? (await rows<{ n: number; d: number }>(wh.con, `select count(*) as n, count(distinct event_id) as d from ${lakeScanSql(paths.lake)}`))[0]! : { n: 0, d: 0 };
    if (lake.n !== events) problems.push(`lake has ${lake.n} rows, raw.events ${events}`);
    if (lake.d !== lake.n) problems.push(`lake has ${lake.n - lake.d} duplicate row(s)`);
    const counted = (await rows<{ n: number }>(wh.con, 'select coalesce(sum(events_new), 0) as n from meta.loaded_objects'))[0]!.n;
    if (counted !== events) problems.push(`meta.loaded_objects counts ${counted} new events, raw.events has ${events}`);
    return problems;
  } finally {
    wh.close();
  }
}
