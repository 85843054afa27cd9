/**
 * The warehouse's balances against the edge's, end to end on real parts (TARGETS.md R4): the
 * worker under `wrangler dev`, traffic from the simulator's API mode, `wh sync` from the same local
 * bucket, the models built by the loop's cycle (prod's first plan), then reconcile logging in to
 * the back office as an operator (password + TOTP) and reading every player's balances: after a
 * complete sync there is no difference and nothing in flight.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateApi, type ApiSummary } from '../../simulator/api';
import { openWarehouse } from '../../warehouse/db';
import { modelLoop } from '../../warehouse/loop';
import { readWarehouseBalances } from '../../warehouse/reconcile/command';
import { reconcile } from '../../warehouse/reconcile/reconcile';
import { sync } from '../../warehouse/sync';
import { devEdge } from './dev-edge';
import { bootstrapAdmin, type Platform } from './harness.mjs';

describe('edge balances == warehouse balances after a sync', () => {
  const edge = devEdge('recon');
  const { secrets } = edge;

  it('reconciles to 0 differences', async () => {
    const { worker, paths } = edge;
    const s: ApiSummary = await simulateApi({
      baseUrl: worker.baseUrl, players: 6, days: 1, tables: 1, seed: 'e2e-recon', concurrency: 4, maxSessions: 2, spins: 6, rounds: 2,
      providerSecret: secrets.PROVIDER_SECRET_SANDBOX_SLOTS, webhookSecret: secrets.PAYMENT_WEBHOOK_SECRET_SANDBOX,
    });
    expect(s.registrations).toBe(6);
    // bootstrapAdmin reads only baseUrl and bootstrapToken of the platform (no identity provider here)
    const admin = await bootstrapAdmin({ baseUrl: worker.baseUrl, bootstrapToken: secrets.OPS_BOOTSTRAP_TOKEN } as Platform);
    const source = await edge.source();
    try {
      const expected = { 'player.registered': s.registrations, 'wallet.deposit.completed': s.deposits, 'table.bet.placed': s.table_bets, 'provider.bet.debited': s.slot_rounds };
      await edge.syncUntil(source, expected);
      // Live tables go on settling the bets they hold after the simulator returns: sync, run the
      // models and reconcile until the edge is quiet (nothing in flight). A difference seen on the
      // way is kept for the message; the last pass must have none.
      const said: string[] = [];
      const models = modelLoop(join(process.cwd(), 'models'), (line) => said.push(line));
      const quiet = Date.now() + 150_000;
      const passes: string[] = [];
      let balances: Awaited<ReturnType<typeof readWarehouseBalances>>['balances'] = [];
      let brands: string[] = [];
      let r: Awaited<ReturnType<typeof reconcile>>;
      for (;;) {
        await new Promise((res) => setTimeout(res, 5_000)); // the last outbox batches land
        await sync({ paths, source });
        const wh = await openWarehouse(paths.db);
        try {
          await models.cycle(wh.con, Date.now());
          await models.cycle(wh.con, Date.now());
        } finally {
          wh.close();
        }
        ({ balances, brands } = await readWarehouseBalances(paths.db, 'prod'));
        expect(balances.length, said.join('\n')).toBeGreaterThan(0);
        r = await reconcile({ baseUrl: worker.baseUrl, credentials: { email: admin.email, password: admin.password, totpSecret: admin.totpSecret }, brands, warehouse: balances });
        passes.push(`${r.differences.length} differences, ${r.in_flight.length} in flight`);
        if ((r.differences.length === 0 && r.in_flight.length === 0) || Date.now() > quiet) break;
      }
      expect(r.players_edge, worker.logs().slice(-2000)).toBe(6);
      expect(r.differences, passes.join('; ')).toEqual([]);
      expect(r.in_flight, passes.join('; ')).toEqual([]);
      expect(balances.some((b) => b.real_minor > 0), 'some money moved').toBe(true);
      // a warehouse one minor unit off is caught, as a difference (the warehouse has the edge's last movement)
      const off = balances.map((b, i) => (i === 0 ? { ...b, real_minor: b.real_minor + 1, available_minor: b.available_minor + 1 } : b));
      const again = await reconcile({ baseUrl: worker.baseUrl, credentials: { email: admin.email, password: admin.password, totpSecret: admin.totpSecret }, brands, warehouse: off });
      expect(again.differences.map((d) => [d.player_id, d.field, d.delta])).toEqual([[off[0]!.player_id, 'available_minor', 1], [off[0]!.player_id, 'real_minor', 1]]);
    } finally {
      await source.close();
    }
  }, 420_000);
});
