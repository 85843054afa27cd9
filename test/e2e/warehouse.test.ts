/**
 * Every event into the warehouse, end to end on real parts: the worker under `wrangler dev`
 * (Durable Object outboxes -> the EVENTS queue -> the consumer -> the EVENT_LAKE bucket, all on
 * Miniflare), traffic from the simulator's API mode, and `wh sync` reading that same local bucket
 * through getPlatformProxy into DuckDB and the Parquet lake. What the API did must be in
 * raw.events exactly once; a re-run of sync changes nothing.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateApi, type ApiSummary } from '../../simulator/api';
import { openWarehouse, rows } from '../../warehouse/db';
import { modelLoop } from '../../warehouse/loop';
import { verify } from '../../warehouse/status';
import { sync } from '../../warehouse/sync';
import { devEdge } from './dev-edge';

describe('edge -> queue -> R2 -> wh sync -> DuckDB -> the models', () => {
  const edge = devEdge('wh');
  const { secrets } = edge;

  it('loads what the API did, each event exactly once, and a re-run changes nothing', async () => {
    const s: ApiSummary = await simulateApi({
      baseUrl: edge.worker.baseUrl, players: 4, days: 1, tables: 1, seed: 'e2e-wh', concurrency: 4, maxSessions: 2, spins: 5, rounds: 1,
      providerSecret: secrets.PROVIDER_SECRET_SANDBOX_SLOTS, webhookSecret: secrets.PAYMENT_WEBHOOK_SECRET_SANDBOX,
    });
    expect(s.registrations).toBe(4);
    const { paths } = edge;
    const source = await edge.source();
    const expected = { 'player.registered': s.registrations, 'wallet.deposit.completed': s.deposits, 'table.bet.placed': s.table_bets, 'provider.bet.debited': s.slot_rounds };
    try {
      await edge.syncUntil(source, expected);
      await new Promise((r) => setTimeout(r, 5_000)); // anything still in flight lands...
      await sync({ paths, source });
      const settled = await edge.eventCounts();
      for (const [t, n] of Object.entries(expected)) expect(settled[t]).toBe(n); // ...and nothing is counted twice
      const again = await sync({ paths, source });
      expect(again).toMatchObject({ objects: 0, events_new: 0 });
      expect(await edge.eventCounts()).toEqual(settled);
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
