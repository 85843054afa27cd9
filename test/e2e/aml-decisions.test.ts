/**
 * The AML decision loop end to end on real parts (docs/aml.md): the worker under `wrangler dev` with
 * its own AML_PUBLISH_SECRET; a player registers and makes five deposits within the hour over HTTP
 * (a tiny real history); `wh sync` loads the events from the same local bucket and the project's
 * models (prod's first plan, as the loop applies it) raise a velocity alert in marts.aml_alerts; the
 * publisher (`wh publish aml-alerts`) sends it over real HTTP with the HMAC and the brand's ops object
 * raises it; the first admin decides it through the back-office API; the resulting
 * ops.alert.resolved goes outbox -> queue -> lake -> `wh sync`, and after the loop's run
 * marts.rpt_suspicious_activity shows the alert decided, by whom and when. A second decision is 409
 * and changes nothing, at the edge or in the warehouse. The finer rules are in
 * test/edge/aml-alerts.test.ts, warehouse/publish-aml.test.ts and warehouse/aml-decisions.test.ts.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openWarehouse, rows } from '../../warehouse/db';
import { modelLoop } from '../../warehouse/loop';
import { sync } from '../../warehouse/sync';
import { runWh } from '../../warehouse/testing/wh-cli';
import { devEdge, randomSecret } from './dev-edge';
import { bootstrapAdmin, type Platform } from './harness.mjs';

const BRAND = 'aurora';
const DAY_MS = 86_400_000;

type Alert = { alert_id: string; rule: string; state: string; decision: string | null; resolved_by: string | null; resolved_at: number | null };

describe('marts.aml_alerts -> edge -> an operator\'s decision -> lake -> rpt_suspicious_activity', () => {
  const edge = devEdge('aml', ['AML_PUBLISH_SECRET']);
  const { secrets } = edge;

  it('publishes the warehouse\'s alert, takes one decision, refuses a second, and the report shows the first', async () => {
    const { worker, paths } = edge;
    const base = worker.baseUrl;
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

    // The alert's window is the UTC day of the deposits (its id below names it): a run that would
    // straddle midnight waits for the new day rather than compute the id of the wrong one.
    const toMidnight = DAY_MS - (Date.now() % DAY_MS);
    if (toMidnight < 120_000) await new Promise((r) => setTimeout(r, toMidnight + 1_000));

    // A tiny history: one player, five deposit attempts within the hour (the velocity rule's minimum).
    const reg = await post('/v1/players', { email: `aml.${Date.now()}@example.test`, password: 'correct horse battery', date_of_birth: '1990-01-15', country: 'MT', brand: BRAND });
    expect(reg.status, worker.logs()).toBe(201);
    const { player, token } = (await reg.json()) as { player: { player_id: string }; token: string };
    for (let i = 0; i < 5; i++) {
      const d = await post('/v1/wallet/deposits', { amount_minor: 2_000, currency: 'EUR', provider: 'sandbox' }, { Authorization: `Bearer ${token}`, 'Idempotency-Key': `e2e-aml-${i}` });
      expect(d.status, await d.clone().text()).toBeLessThan(300);
    }
    const day = new Date().toISOString().slice(0, 10);
    // The warehouse's id: md5 of rule, player and window key (models/marts/aml_alerts.sql), stable across rebuilds.
    const alertId = createHash('md5').update(`velocity|${player.player_id}|${day}`).digest('hex');

    const source = await edge.source();
    const said: string[] = [];
    const models = modelLoop(join(process.cwd(), 'models'), (line) => said.push(line));
    const syncUntil = (type: string, n: number) => edge.syncUntil(source, { [type]: n });
    /** The loop's models half: prod's first plan the first time, then what is due (open intervals whose inputs moved). */
    const runModels = async () => {
      const wh = await openWarehouse(paths.db);
      try {
        await models.cycle(wh.con, Date.now());
        await models.cycle(wh.con, Date.now());
      } finally {
        wh.close();
      }
    };
    const report = async () => {
      const wh = await openWarehouse(paths.db, { readOnly: true });
      try {
        return await rows<Record<string, unknown>>(wh.con, `select alert_id, rule, player_id::varchar as player_id, brand, status, decision, decided_by,
            epoch_ms(decided_at)::bigint as decided_at_ms from marts.rpt_suspicious_activity where player_id = '${player.player_id}'`);
      } finally {
        wh.close();
      }
    };

    /**
     * `wh plan --restate <model> --auto-apply`: rebuilds that FULL model (and what is downstream of
     * it) now. The loop would rebuild marts.aml_alerts at its next 15-minute tick and the report at
     * the next hour (their crons); the test does not wait for the clock.
     */
    const restate = async (model: string) => {
      const r = await runWh(paths.dir, ['plan', '--restate', model, '--start', day, '--end', day, '--auto-apply']);
      expect(r.code, `${r.out}\n${r.err}`).toBe(0);
    };
    const publish = (secretValue: string) => runWh(paths.dir, ['publish', 'aml-alerts', '--base-url', base], { AML_PUBLISH_SECRET: secretValue });

    try {
      await syncUntil('wallet.deposit.requested', 5);
      await syncUntil('player.registered', 1);
      await runModels();
      await restate('marts.aml_alerts');
      {
        const wh = await openWarehouse(paths.db, { readOnly: true });
        try {
          const alerts = await rows(wh.con, `select alert_id, rule, severity, status, deposits from marts.aml_alerts where player_id = '${player.player_id}'`);
          expect(alerts, said.join('\n')).toEqual([{ alert_id: alertId, rule: 'velocity', severity: 'medium', status: 'open', deposits: 5 }]);
        } finally {
          wh.close();
        }
      }
      // `wh publish aml-alerts`: over real HTTP, signed with the worker's AML_PUBLISH_SECRET; another secret is refused.
      const forged = await publish(randomSecret());
      expect(forged.code).not.toBe(0);
      expect(`${forged.out}${forged.err}`).toMatch(/HTTP 401.*invalid_signature/);
      const published = await publish(secrets.AML_PUBLISH_SECRET);
      expect(published.out, `${published.err}\n${worker.logs().slice(-2000)}`).toContain('aml-alerts from marts.aml_alerts: 1 rows, 1 to send; sent 1 in 1 batch(es): 1 raised, 0 duplicate, 0 unknown players');
      const again = await publish(secrets.AML_PUBLISH_SECRET);
      expect(again.out, again.err).toContain('every alert of marts.aml_alerts was acknowledged before (1 rows)');
      expect((await report()).map((r) => [r.alert_id, r.status])).toEqual([[alertId, 'open']]);

      // The back office: the first admin (every permission, alert.resolve included) sees the alert and decides it.
      const admin = await bootstrapAdmin({ baseUrl: base, bootstrapToken: secrets.OPS_BOOTSTRAP_TOKEN } as Platform);
      const auth = { Authorization: `Bearer ${admin.token}` };
      const list = async (state: 'open' | 'resolved') => {
        const res = await fetch(`${base}/v1/ops/brands/${BRAND}/alerts?state=${state}&limit=200`, { headers: auth });
        expect(res.status).toBe(200);
        return ((await res.json()) as { alerts: Alert[] }).alerts.filter((a) => a.alert_id === alertId);
      };
      expect((await list('open')).map((a) => [a.rule, a.state])).toEqual([['aml.velocity', 'open']]);
      const resolve = (body: unknown) => post(`/v1/ops/brands/${BRAND}/alerts/${alertId}/resolve`, body, auth);
      const first = await resolve({ note: 'five small deposits while the card was declined; explained', decision: 'no_action' });
      expect(first.status, await first.clone().text()).toBe(200);
      const decided = ((await first.json()) as { alert: Alert }).alert;
      const actor = `operator:${(admin.operator as { operator_id: string }).operator_id}`;
      expect(decided).toMatchObject({ alert_id: alertId, rule: 'aml.velocity', state: 'resolved', decision: 'no_action', resolved_by: actor });
      expect(typeof decided.resolved_at).toBe('number');

      // A second decision (another value) is refused and the first stands.
      const second = await resolve({ note: 'on second thought', decision: 'reported' });
      expect(second.status).toBe(409);
      expect(await second.json()).toMatchObject({ error: { code: 'invalid_state', details: { decision: 'no_action', resolved_by: actor } } });
      expect(await list('open')).toEqual([]);
      expect((await list('resolved')).map((a) => [a.decision, a.resolved_by, a.resolved_at])).toEqual([['no_action', actor, decided.resolved_at]]);

      // ops.alert.resolved travels outbox -> queue -> R2 -> sync; the loop's run updates the report.
      await syncUntil('ops.alert.resolved', 1);
      await runModels();
      await restate('marts.rpt_suspicious_activity');
      const expected = { alert_id: alertId, rule: 'velocity', player_id: player.player_id, brand: BRAND, status: 'decided', decision: 'no_action', decided_by: actor, decided_at_ms: decided.resolved_at };
      expect(await report(), said.join('\n')).toEqual([expected]);

      // Nothing more arrives from the refused decision: one resolution event, the report unchanged.
      await new Promise((r) => setTimeout(r, 5_000));
      await sync({ paths, source });
      expect((await edge.eventCounts())['ops.alert.resolved']).toBe(1);
      await runModels();
      await restate('marts.rpt_suspicious_activity');
      expect(await report()).toEqual([expected]);
    } finally {
      await source.close();
    }
  }, 300_000);
});
