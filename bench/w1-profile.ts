/**
 * W1's breakdown: one `sync` of W1's cached objects (bench/.cache/w1-<n>/, made by
 * w1-warehouse-ingest.ts) into a fresh warehouse, with each SQL statement's wall time
 * (WH_PROFILE=1 in sync.ts) and the sync's phases on stderr. CPU per function:
 *
 *   WH_PROFILE=1 node --import tsx --cpu-prof --cpu-prof-dir /tmp/w1-prof bench/w1-profile.ts --events 1000000
 *
 * (the worker threads write their own .cpuprofile files beside the main thread's).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { warehousePaths } from '../warehouse/config';
import { dirSource } from '../warehouse/source/dir';
import { sync } from '../warehouse/sync';
import { dataset } from './w1-warehouse-ingest';

const { values } = parseArgs({ options: { events: { type: 'string' }, 'run-mb': { type: 'string' } } });
const data = await dataset(Number(values.events ?? 1_000_000), (m) => console.error(m));
const scratch = mkdtempSync(join(tmpdir(), 'w1-prof-'));
try {
  const cpu = process.cpuUsage();
  const t = await sync({
    paths: warehousePaths(join(scratch, 'warehouse')), source: dirSource(data.dir), log: (m) => console.error(m),
    runBytes: values['run-mb'] ? Number(values['run-mb']) * 1024 * 1024 : undefined,
  });
  const used = process.cpuUsage(cpu);
  console.error(`sync: ${t.events_new} events in ${t.ms} ms (${Math.round(t.events_new / (t.ms / 1000))}/s); process CPU ${((used.user + used.system) / 1000).toFixed(0)} ms`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
