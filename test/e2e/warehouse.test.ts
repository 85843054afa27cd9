/**
 * Every event into the warehouse, end to end on real parts: the worker under `wrangler dev`
 * (Durable Object outboxes -> the EVENTS queue -> the consumer -> the EVENT_LAKE bucket, all on
 * Miniflare), traffic from the simulator's API mode, and `wh sync` reading that same local bucket
 * through getPlatformProxy into DuckDB and the Parquet lake. What the API did must be in
 * raw.events exactly once; a re-run of sync changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateApi, type ApiSummary } from '../../simulator/api';
import { warehousePaths } from '../../warehouse/config';
import { openWarehouse, rows } from '../../warehouse/db';
import { modelLoop } from '../../warehouse/loop';
import { localR2Source } from '../../warehouse/source/r2-local';
import { verify } from '../../warehouse/status';
import { sync } from '../../warehouse/sync';
// @ts-expect-error plain JavaScript test plumbing (test/e2e/worker.mjs), untyped
import { freePort, startWorker } from './worker.mjs';

const secret = () => randomBytes(32).toString('base64url');

describe('edge -> queue -> R2 -> wh sync -> DuckDB -> the models', () => {
  let worker: { baseUrl: string; stop(): Promise<void>; logs(): string; stateDir: string };
  let root: string;
  const secrets = { SESSION_SIGNING_KEY: secret(), PAYMENT_WEBHOOK_SECRET_SANDBOX: secret(), OPS_BOOTSTRAP_TOKEN: secret(), PROVIDER_SECRET_SANDBOX_SLOTS: secret() };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'e2e-wh-'));
    worker = await startWorker({ port: await freePort(), vars: { ENVIRONMENT: 'development', DEV_COUNTRY: 'MT' }, secrets });
  });
  afterAll(async () => {
    await worker?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('loads what the API did, each event exactly once, and a re-run changes nothing', async () => {
    const s: ApiSummary = await simulateApi({
      baseUrl: worker.baseUrl, players: 4, days: 1, tables: 1, seed: 'e2e-wh', concurrency: 4, maxSessions: 2, spins: 5, rounds: 1,
      providerSecret: secrets.PROVIDER_SECRET_SANDBOX_SLOTS, webhookSecret: secrets.PAYMENT_WEBHOOK_SECRET_SANDBOX,
    });
    expect(s.registrations).toBe(4);
    const paths = warehousePaths(join(root, 'warehouse'));
    const source = await localR2Source(worker.stateDir);
    const count = async () => {
      const wh = await openWarehouse(paths.db);
      try {
        return Object.fromEntries((await rows<{ t: string; n: number }>(wh.con, 'select event_type as t, count(*) as n from raw.events group by 1')).map((r) => [r.t, r.n]));
      } finally {
        wh.close();
      }
    };
    const expected = { 'player.registered': s.registrations, 'wallet.deposit.completed': s.deposits, 'table.bet.placed': s.table_bets, 'provider.bet.debited': s.slot_rounds };
    let got: Record<string, number> = {};
    const deadline = Date.now() + 60_000;
    try {
      // Outboxes ship within seconds and the queue delivers in batches: sync until it has all of it.
      while (Date.now() < deadline) {
        await sync({ paths, source });
        got = await count();
        if (Object.entries(expected).every(([t, n]) => (got[t] ?? 0) >= n)) break;
        await new Promise((r) => setTimeout(r, 2_000));
      }
      for (const [t, n] of Object.entries(expected)) expect(got[t] ?? 0, `${t}; worker log:\n${worker.logs().slice(-2000)}`).toBe(n);
      await new Promise((r) => setTimeout(r, 5_000)); // anything still in flight lands...
      await sync({ paths, source });
      const settled = await count();
      for (const [t, n] of Object.entries(expected)) expect(settled[t]).toBe(n); // ...and nothing is counted twice
      const again = await sync({ paths, source });
      expect(again).toMatchObject({ objects: 0, events_new: 0 });
      expect(await count()).toEqual(settled);
      expect(await verify(paths)).toEqual([]);
      const wh = await openWarehouse(paths.db);
      try {
        const q = await rows<{ n: number }>(wh.con, 'select count(*) as n from raw.quarantine');
        expect(q[0]!.n).toBe(0);
        // The loop's models half (what `npm start` runs after each sync), on the project's own
        // models/: the first cycle applies prod's first plan, the next runs what is due; the mart
        // then says what raw.events says, today included (allow_partials).
        const said: string[] = [];
        const models = modelLoop(join(process.cwd(), 'models'), (line) => said.push(line));
        await models.cycle(wh.con, Date.now());
        await models.cycle(wh.con, Date.now());
        expect(said.join('\n')).toContain('no prod environment yet: applying the first plan');
        const direct = 'select event_date, event_type, count(*) as events from raw.events group by all';
        const mart = 'select event_date, event_type, sum(events)::bigint as events from marts.platform_events_daily group by all';
        const diff = await rows(wh.con, `(${direct} except ${mart}) union all (${mart} except ${direct})`);
        expect(diff).toEqual([]);
        expect((await rows<{ n: number }>(wh.con, 'select count(*)::int as n from marts.platform_events_daily'))[0]!.n).toBeGreaterThan(0);
      } finally {
        wh.close();
      }
    } finally {
      await source.close();
    }
  });
});
