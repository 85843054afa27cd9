/**
 * What the warehouse's end-to-end tests share: a warehouse of their own (a temporary root holding
 * `batches/`, the event batches a test writes and syncs from, and `warehouse/`), `wh` run on it as
 * `npm run wh` runs it, read-only queries, and the check that the models' unit-test fixtures are
 * events the edge could have sent.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateEvent } from '../../domain/events';
import { uuidv7 } from '../../domain/ids';
import { warehousePaths } from '../config';
import { openWarehouse, rows } from '../db';
import { loadProject } from '../runner/files/project';
import { runWh, type WhResult } from './wh-cli';

export function scratchWarehouse(name: string) {
  const root = mkdtempSync(join(tmpdir(), `wh-${name}-`));
  const dir = join(root, 'warehouse');
  return {
    root,
    batches: join(root, 'batches'),
    dir,
    wh: (...args: string[]): Promise<WhResult> => runWh(dir, args),
    async q<T = Record<string, unknown>>(sql: string): Promise<T[]> {
      const w = await openWarehouse(warehousePaths(dir).db, { readOnly: true });
      try {
        return await rows<T>(w.con, sql);
      } finally {
        w.close();
      }
    },
  };
}

/**
 * Every `raw.events` row of the models' unit tests (models/tests/*.yaml) whose type starts with
 * `prefix`, validated against the edge's own schema: `failures` names each row that is not an event
 * the edge could have sent.
 */
export async function fixtureEvents(modelsDir: string, prefix: string): Promise<{ checked: number; failures: string[] }> {
  const project = await loadProject(modelsDir);
  let checked = 0;
  const failures: string[] = [];
  for (const test of project.tests) {
    const input = test.inputs['raw.events'];
    if (!input || !('rows' in input)) continue;
    for (const row of input.rows) {
      if (typeof row.event_type !== 'string' || !row.event_type.startsWith(prefix)) continue;
      const occurredAt = Date.parse(`${String(row.occurred_at).replace(' ', 'T')}Z`);
      const result = validateEvent({
        event_id: uuidv7(occurredAt), event_type: row.event_type, schema_version: 1, occurred_at: occurredAt,
        player_id: row.player_id ?? null, table_id: row.table_id ?? null, round_id: row.round_id ?? null,
        jurisdiction: row.jurisdiction ?? null, currency: row.currency ?? null, payload: JSON.parse(String(row.payload)),
      });
      if (!result.ok) failures.push(`${test.name} ${String(row.event_id)}: ${JSON.stringify(result)}`);
      checked++;
    }
  }
  return { checked, failures };
}
