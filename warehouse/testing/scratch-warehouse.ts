/**
 * What the warehouse's end-to-end tests share: a warehouse of their own (a temporary root holding
 * `batches/`, the event batches a test writes and syncs from, and `warehouse/`), `wh` run on it as
 * `npm run wh` runs it, events loaded and the models built as production does, read-only queries,
 * fixture events checked against the edge's own schemas, and the check that the models' unit-test
 * fixtures are events the edge could have sent.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BATCH_FORMAT, batchObjectKey, encodeBatchObject } from '../../domain/event-batch';
import { validateEvent, type CasinoEvent } from '../../domain/events';
import { uuidv7 } from '../../domain/ids';
import { directorySink } from '../../simulator/sink';
import { warehousePaths } from '../config';
import { openWarehouse, rows } from '../db';
import { loadProject } from '../runner/files/project';
import { runWh, type WhResult } from './wh-cli';

export function scratchWarehouse(name: string) {
  const root = mkdtempSync(join(tmpdir(), `wh-${name}-`));
  const dir = join(root, 'warehouse');
  const batches = join(root, 'batches');
  /** `wh sync` from `batches/`, then `wh plan --auto-apply`: throws with the CLI's output if either fails. */
  const syncAndPlan = async (): Promise<void> => {
    for (const args of [['sync', '--source', `dir:${batches}`], ['plan', '--auto-apply']]) {
      const r = await runWh(dir, args);
      if (r.code !== 0) throw new Error(`wh ${args.join(' ')} exited ${r.code}\n${r.out}\n${r.err}`);
    }
  };
  return {
    root,
    batches,
    dir,
    wh: (...args: string[]): Promise<WhResult> => runWh(dir, args),
    syncAndPlan,
    /** `events` as one batch object, in time order as the edge's shipper writes them (`tag` names it), then syncAndPlan. */
    async loadEvents(events: readonly CasinoEvent[], tag: string): Promise<void> {
      const sorted = [...events].sort((a, b) => a.occurred_at - b.occurred_at);
      await directorySink(batches).put(batchObjectKey(sorted.at(-1)!.occurred_at + 1_000, tag), await encodeBatchObject(sorted.map((e) => JSON.stringify(e))), {
        customMetadata: { format: BATCH_FORMAT, events: String(sorted.length) },
      });
      await syncAndPlan();
    },
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

/** An event as the edge emits it, validated against domain/events.ts: a fixture that drifts fails here. */
export function edgeEvent(
  type: string, occurredAt: number, payload: Record<string, unknown>,
  envelope: { player: string | null; table?: string | null; round?: string | null; currency?: string | null },
): CasinoEvent {
  const input = {
    event_id: uuidv7(occurredAt), event_type: type, schema_version: 1, occurred_at: occurredAt,
    player_id: envelope.player, table_id: envelope.table ?? null, round_id: envelope.round ?? null,
    jurisdiction: 'MT', currency: envelope.currency === undefined ? 'EUR' : envelope.currency, payload,
  };
  const result = validateEvent(input);
  if (!result.ok) throw new Error(`fixture event does not follow domain/events.ts: ${result.reason}\n${JSON.stringify(input)}`);
  return result.event;
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
