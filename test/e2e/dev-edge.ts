/**
 * One fixture for the end-to-end tests that go from the edge into the warehouse: the real worker
 * under `wrangler dev` with fresh random secrets, a temporary warehouse directory beside it, and
 * the step every such test needs, "sync the local bucket into DuckDB until the events are there"
 * (outboxes ship within seconds and the queue delivers in batches, so one sync is not enough).
 *
 * Call `devEdge()` at the top of a `describe`: it registers the suite's beforeAll/afterAll, and
 * its fields are usable from the tests on.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { warehousePaths, type WarehousePaths } from '../../warehouse/config';
import { openWarehouse, rows } from '../../warehouse/db';
import type { BatchSource } from '../../warehouse/source/types';
import { localR2Source } from '../../warehouse/source/r2-local';
import { sync } from '../../warehouse/sync';
// @ts-expect-error plain JavaScript test plumbing (test/e2e/worker.mjs), untyped
import { freePort, startWorker } from './worker.mjs';

/** The secrets every worker needs; a suite adds its own (e.g. SEGMENTS_PUBLISH_SECRET). */
const BASE_SECRETS = ['SESSION_SIGNING_KEY', 'PAYMENT_WEBHOOK_SECRET_SANDBOX', 'OPS_BOOTSTRAP_TOKEN', 'PROVIDER_SECRET_SANDBOX_SLOTS'] as const;
const SYNC_DEADLINE_MS = 60_000;
const SYNC_PAUSE_MS = 2_000;

export const randomSecret = (): string => randomBytes(32).toString('base64url');

export type DevWorker = { baseUrl: string; stateDir: string; stop(): Promise<void>; logs(): string };

export type DevEdge<S extends string> = {
  readonly worker: DevWorker;
  readonly secrets: Record<(typeof BASE_SECRETS)[number] | S, string>;
  /** The suite's own warehouse (a temporary directory, deleted after the suite). */
  readonly paths: WarehousePaths;
  /** The worker's local EVENT_LAKE bucket as `wh sync` reads it; close it when done. */
  source(): Promise<BatchSource>;
  /** raw.events counted per event type. */
  eventCounts(): Promise<Record<string, number>>;
  /**
   * Syncs `source` until raw.events holds at least `expected` events of each type, then asserts
   * exactly `expected` (a count above it is an event loaded twice). Returns the last counts.
   */
  syncUntil(source: BatchSource, expected: Record<string, number>): Promise<Record<string, number>>;
};

export function devEdge<S extends string = never>(prefix: string, extraSecrets: readonly S[] = []): DevEdge<S> {
  const secrets = Object.fromEntries([...BASE_SECRETS, ...extraSecrets].map((k) => [k, randomSecret()])) as Record<(typeof BASE_SECRETS)[number] | S, string>;
  let worker: DevWorker | undefined;
  let root: string | undefined;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), `e2e-${prefix}-`));
    worker = await startWorker({ port: await freePort(), vars: { ENVIRONMENT: 'development', DEV_COUNTRY: 'MT' }, secrets }) as DevWorker;
  });
  afterAll(async () => {
    await worker?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const started = (): { worker: DevWorker; root: string } => {
    if (!worker || !root) throw new Error('devEdge: used before its beforeAll ran (call devEdge() inside describe, use it inside tests)');
    return { worker, root };
  };
  const paths = (): WarehousePaths => warehousePaths(join(started().root, 'warehouse'));

  const eventCounts = async (): Promise<Record<string, number>> => {
    const wh = await openWarehouse(paths().db);
    try {
      const counted = await rows<{ t: string; n: number }>(wh.con, 'select event_type as t, count(*)::int as n from raw.events group by 1');
      return Object.fromEntries(counted.map((r) => [r.t, r.n]));
    } finally {
      wh.close();
    }
  };

  return {
    get worker() { return started().worker; },
    secrets,
    get paths() { return paths(); },
    source: () => localR2Source(started().worker.stateDir),
    eventCounts,
    async syncUntil(source, expected) {
      const deadline = Date.now() + SYNC_DEADLINE_MS;
      let got: Record<string, number> = {};
      while (Date.now() < deadline) {
        await sync({ paths: paths(), source });
        got = await eventCounts();
        if (Object.entries(expected).every(([t, n]) => (got[t] ?? 0) >= n)) break;
        await new Promise((r) => setTimeout(r, SYNC_PAUSE_MS));
      }
      for (const [t, n] of Object.entries(expected)) expect(got[t] ?? 0, `${t}; worker log:\n${started().worker.logs().slice(-2000)}`).toBe(n);
      return got;
    },
  };
}
