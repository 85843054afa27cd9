/**
 * `wh publish aml-alerts` against a small real HTTP server playing the edge's part of the contract
 * (domain/aml-publish.ts): it verifies the HMAC with the `aml-alerts` action as the worker does,
 * parses each batch with the route's schema, and raises once per alert_id. What is tested: the rows
 * read (marts.aml_alerts with the brand of staging.stg_players), batching, signing, the meta table
 * (nothing acknowledged is sent again, unknown players are), and the loop step. The worker's side is
 * test/edge/aml-alerts.test.ts.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AML_BATCH_MAX, AmlAlertBatch, type AmlAlertItem } from '../domain/aml-publish';
import { verifyRequest } from '../domain/signed-request';
import { openWarehouse, rows, type Warehouse } from './db';
import { amlAlertsLoop, formatAmlPublish, publishAmlAlerts, type AmlPublishOptions } from './publish-aml';

const SECRET = 'node-test-aml-publish-secret-0123456789abcdef';

type Edge = { url: string; requests: AmlAlertItem[][]; raised: Map<string, AmlAlertItem>; known: Set<string>; refusals: number };

let server: Server;
let edge: Edge;
let dir: string;
let wh: Warehouse;

function startEdge(): Promise<void> {
  edge = { url: '', requests: [], raised: new Map(), known: new Set(), refusals: 0 };
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks);
      const answer = (status: number, body: unknown) => { res.writeHead(status, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(body)); };
      const verdict = await verifyRequest(SECRET, 'aml-alerts', new Uint8Array(raw), { timestamp: req.headers['x-timestamp'] as string, signature: req.headers['x-signature'] as string });
      if (verdict !== 'ok') { edge.refusals++; return answer(401, { error: { code: verdict, message: verdict, details: {} } }); }
      const parsed = AmlAlertBatch.safeParse(JSON.parse(raw.toString('utf8')));
      if (!parsed.success || parsed.data.items.length > AML_BATCH_MAX) { edge.refusals++; return answer(400, { error: { code: 'validation_failed', message: String(parsed.error), details: {} } }); }
      edge.requests.push(parsed.data.items);
      const results = parsed.data.items.map((i) => {
        if (!edge.known.has(i.player_id)) return { alert_id: i.alert_id, outcome: 'unknown_player' };
        if (edge.raised.has(i.alert_id)) return { alert_id: i.alert_id, outcome: 'duplicate' };
        edge.raised.set(i.alert_id, i);
        return { alert_id: i.alert_id, outcome: 'raised' };
      });
      answer(200, { results, summary: {} });
    });
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    edge.url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/internal/v1/aml-alerts`;
    ok();
  }));
}

const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const opts = (over: Partial<AmlPublishOptions> = {}): AmlPublishOptions => ({ url: edge.url, secret: SECRET, retryDelayMs: 1, ...over });

/** marts.aml_alerts with `n` alerts over players 1..n (player i's alert: md5 of i), and their registrations (brand by parity; none for `unregistered`). */
async function alerts(n: number, unregistered: number[] = []): Promise<void> {
  await wh.con.run(`create schema if not exists marts; create schema if not exists staging;
    create or replace table marts.aml_alerts as
    select md5('alert-' || i) as alert_id, 'structuring' as rule, printf('00000000-0000-4000-8000-%012x', i) as player_id, 'MT' as jurisdiction,
      'EUR' as currency, 2 as currency_exponent, timestamp '2026-11-02 09:00:00' as window_start, timestamp '2026-11-02 18:00:00' + to_minutes(i::integer) as window_end,
      date '2026-11-02' as alert_date, case when i % 2 = 0 then 'high' else 'medium' end as severity, 'open' as status, 'alert ' || i as summary
    from range(1, ${n + 1}) t(i);
    create or replace table staging.stg_players as
    select printf('00000000-0000-4000-8000-%012x', i) as player_id, 'registered' as change, case when i % 2 = 0 then 'aurora' else 'nova' end as brand
    from range(1, ${n + 1}) t(i) where i not in (${[0, ...unregistered].join(', ')})`);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wh-aml-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(async () => {
  await startEdge();
  wh = await openWarehouse(join(dir, `${crypto.randomUUID()}.duckdb`));
});
afterEach(async () => {
  wh.close();
  await new Promise((ok) => server.close(ok));
});

describe('wh publish aml-alerts', () => {
  it('sends every alert with its brand and window in signed batches of at most 500, then nothing already acknowledged', async () => {
    await alerts(1100, [7]);
    for (let i = 1; i <= 1100; i++) edge.known.add(uuid(i));
    const s = await publishAmlAlerts(wh.con, opts());
    expect(edge.requests.map((r) => r.length)).toEqual([500, 500, 99]);
    expect(s).toMatchObject({ rows: 1100, invalid: 1, to_send: 1099, sent: 1099, batches: 3, raised: 1099, duplicate: 0, unknown_player: 0, skipped: null });
    expect(edge.requests[0]![0]).toEqual({
      alert_id: (await rows<{ h: string }>(wh.con, "select md5('alert-1') as h"))[0]!.h, player_id: uuid(1), brand: 'nova', rule: 'structuring', severity: 'medium',
      jurisdiction: 'MT', currency: 'EUR', window_start: Date.parse('2026-11-02T09:00:00Z'), window_end: Date.parse('2026-11-02T18:01:00Z'), summary: 'alert 1',
    });
    expect(edge.requests[0]![1]!.brand).toBe('aurora');
    expect(formatAmlPublish(s)).toMatch(/1 without a brand or malformed \(not sent\), 1099 to send; sent 1099 in 3 batch\(es\): 1099 raised, 0 duplicate, 0 unknown players/);

    const again = await publishAmlAlerts(wh.con, opts());
    expect(again).toMatchObject({ skipped: 'unchanged', invalid: 1 });
    expect(edge.requests).toHaveLength(3);
    expect((await rows<{ n: number }>(wh.con, "select count(*)::integer as n from meta.aml_alerts_published where outcome = 'raised'"))[0]!.n).toBe(1099);
  });

  it('sends only new alerts after a restart; an alert the edge already holds (meta lost) comes back duplicate and is recorded', async () => {
    await alerts(3);
    for (const n of [1, 2, 3, 4]) edge.known.add(uuid(n));
    expect(await publishAmlAlerts(wh.con, opts())).toMatchObject({ sent: 3, raised: 3 });
    await alerts(4);
    expect(await publishAmlAlerts(wh.con, opts())).toMatchObject({ to_send: 1, sent: 1, raised: 1 });
    expect(edge.requests.at(-1)!.map((i) => i.player_id)).toEqual([uuid(4)]);
    await wh.con.run('delete from meta.aml_alerts_published');
    expect(await publishAmlAlerts(wh.con, opts())).toMatchObject({ sent: 4, raised: 0, duplicate: 4 });
    expect(edge.raised.size).toBe(4);
    expect(await publishAmlAlerts(wh.con, opts())).toMatchObject({ skipped: 'unchanged' });
  });

  it('does not record unknown players: the next publication tries them again', async () => {
    await alerts(2);
    edge.known.add(uuid(2));
    expect(await publishAmlAlerts(wh.con, opts())).toMatchObject({ raised: 1, unknown_player: 1 });
    edge.known.add(uuid(1));
    expect(await publishAmlAlerts(wh.con, opts())).toMatchObject({ to_send: 1, raised: 1 });
  });

  it('refuses a batch size over 500, needs a URL and secret, and a wrong secret stops at the first batch (401) recording nothing', async () => {
    await alerts(3);
    await expect(publishAmlAlerts(wh.con, opts({ batchSize: 501 }))).rejects.toThrow(/batch size/);
    await expect(publishAmlAlerts(wh.con, opts({ secret: '' }))).rejects.toThrow(/AML_PUBLISH_SECRET/);
    await expect(publishAmlAlerts(wh.con, opts({ secret: 'another-secret-of-the-segments-route-0123456789' }))).rejects.toThrow(/refused a batch of 3: HTTP 401/);
    expect(edge.refusals).toBe(1);
    expect((await rows<{ n: number }>(wh.con, 'select count(*)::integer as n from meta.aml_alerts_published'))[0]!.n).toBe(0);
    expect(await publishAmlAlerts(wh.con, opts({ dryRun: true }))).toMatchObject({ to_send: 3, sent: 0, dry_run: true });
  });

  it('without marts.aml_alerts says so; the loop step publishes when the alerts move and stays quiet otherwise', async () => {
    expect(await publishAmlAlerts(wh.con, opts())).toMatchObject({ skipped: 'missing' });
    const logs: string[] = [];
    const loop = amlAlertsLoop({ ...opts(), log: (l) => logs.push(l) });
    await loop.cycle(wh.con);
    await loop.cycle(wh.con);
    expect(logs).toEqual(['aml-alerts: no relation marts.aml_alerts yet; publishing starts when it exists']);
    await alerts(2);
    for (const n of [1, 2]) edge.known.add(uuid(n));
    await loop.cycle(wh.con);
    await loop.cycle(wh.con);
    expect(edge.requests).toHaveLength(1);
    await alerts(3);
    edge.known.add(uuid(3));
    await loop.cycle(wh.con);
    expect(edge.requests.map((r) => r.length)).toEqual([2, 1]);
    expect(logs.filter((l) => /raised/.test(l))).toHaveLength(2);
  });
});
