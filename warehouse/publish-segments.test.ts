/**
 * `wh publish segments` against a small real HTTP server that plays the edge's part of the contract
 * (domain/segments.ts): it verifies the HMAC exactly as the worker does, keeps one snapshot per
 * player, and answers per item. The publisher's batching, signing, retries, summary, and its meta
 * table (what a restart does not resend) are what is tested; the worker's side is
 * test/edge/segments-publish.test.ts.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEGMENTS_BATCH_MAX, SNAPSHOT_ID_RE, SegmentsBatch } from '../domain/segments';
import { verifyRequest } from '../domain/signed-request';
import { openWarehouse, rows, type Warehouse } from './db';
import { formatPublish, PublishError, publishSegments, segmentsLoop, type PublishOptions } from './publish-segments';

const SECRET = 'node-test-segments-secret-0123456789abcdef';

type Edge = {
  url: string;
  requests: { items: { snapshot_id: string; player_id: string; segments: string[]; vip_tier: string | null }[] }[];
  held: Map<string, { snapshot_id: string; key: string }>;
  known: Set<string>;
  /** Status codes to answer before behaving (a queue): 503s to test the retries, 401 to test a refusal. */
  failWith: number[];
};

let server: Server;
let edge: Edge;
let dir: string;
let wh: Warehouse;

function startEdge(): Promise<void> {
  edge = { url: '', requests: [], held: new Map(), known: new Set(), failWith: [] };
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks);
      const answer = (status: number, body: unknown) => { res.writeHead(status, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(body)); };
      const verdict = await verifyRequest(SECRET, 'segments', new Uint8Array(raw), { timestamp: req.headers['x-timestamp'] as string, signature: req.headers['x-signature'] as string });
      if (verdict !== 'ok') return answer(401, { error: { code: verdict, message: verdict, details: {} } });
      const forced = edge.failWith.shift();
      if (forced) return answer(forced, { error: { code: 'forced', message: 'forced', details: {} } });
      const batch = SegmentsBatch.parse(JSON.parse(raw.toString('utf8')));
      if (batch.items.length > SEGMENTS_BATCH_MAX) return answer(422, { error: { code: 'batch_too_large', message: '', details: {} } });
      edge.requests.push(batch);
      const results = batch.items.map((i) => {
        if (!edge.known.has(i.player_id)) return { player_id: i.player_id, snapshot_id: i.snapshot_id, outcome: 'unknown_player' };
        const h = edge.held.get(i.player_id);
        const key = JSON.stringify([[...i.segments].sort(), i.vip_tier]);
        const outcome = h && i.snapshot_id === h.snapshot_id ? 'replayed' : h && i.snapshot_id < h.snapshot_id ? 'stale' : h?.key === key ? 'unchanged' : 'changed';
        if (outcome === 'changed' || outcome === 'unchanged') edge.held.set(i.player_id, { snapshot_id: i.snapshot_id, key });
        return { player_id: i.player_id, snapshot_id: i.snapshot_id, outcome };
      });
      answer(200, { results, summary: {} });
    });
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    edge.url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/internal/v1/segments`;
    ok();
  }));
}

const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const opts = (over: Partial<PublishOptions> = {}): PublishOptions => ({ url: edge.url, secret: SECRET, retryDelayMs: 1, ...over });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wh-segments-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(async () => {
  await startEdge();
  wh = await openWarehouse(join(dir, `${crypto.randomUUID()}.duckdb`));
  await wh.con.run('create schema marts');
});
afterEach(async () => {
  wh.close();
  await new Promise((ok) => server.close(ok));
});

describe('wh publish segments', () => {
  it('sends the relation in signed batches of at most 500, then nothing while it does not change', async () => {
    await wh.con.run(`create table marts.player_segments as
      select printf('00000000-0000-4000-8000-%012x', i) as player_id,
        case when i % 3 = 0 then ['whale', 'active'] when i % 3 = 1 then ['dormant'] else []::varchar[] end as segments,
        case when i % 10 = 0 then 'gold' else null end as vip_tier
      from range(1, 1201) t(i)`);
    for (let i = 1; i <= 1200; i++) if (i !== 7) edge.known.add(uuid(i));

    const s = await publishSegments(wh.con, opts());
    expect(edge.requests.map((r) => r.items.length)).toEqual([500, 500, 200]);
    expect(SNAPSHOT_ID_RE.test(s.snapshot_id!)).toBe(true);
    expect(new Set(edge.requests.flatMap((r) => r.items.map((i) => i.snapshot_id)))).toEqual(new Set([s.snapshot_id]));
    expect(s).toMatchObject({ rows: 1200, invalid: 0, to_send: 1200, sent: 1200, batches: 3, changed: 1199, unknown_player: 1, skipped: null });
    expect(edge.requests[0]!.items[2]).toEqual({ snapshot_id: s.snapshot_id, player_id: uuid(3), segments: ['active', 'whale'], vip_tier: null });
    expect(formatPublish(s)).toMatch(/sent 1200 in 3 batch\(es\): 1199 changed, 0 unchanged, 0 replayed, 0 stale, 1 unknown players/);

    const again = await publishSegments(wh.con, opts());
    expect(again.skipped).toBe('unchanged');
    expect(edge.requests).toHaveLength(3);
  });

  it('after a restart sends only the players whose row changed, and clears the ones gone from the relation', async () => {
    const path = join(dir, `${crypto.randomUUID()}.duckdb`);
    let w = await openWarehouse(path);
    await w.con.run(`create schema marts; create table marts.player_segments (player_id varchar, segments varchar, vip_tier varchar);
      insert into marts.player_segments values ('${uuid(1)}', 'whale, active', 'gold'), ('${uuid(2)}', 'dormant', null), ('${uuid(3)}', '', null)`);
    for (const n of [1, 2, 3]) edge.known.add(uuid(n));
    const first = await publishSegments(w.con, opts());
    expect(first).toMatchObject({ sent: 3, changed: 3 });
    w.close();

    w = await openWarehouse(path);
    await w.con.run(`update marts.player_segments set segments = 'whale' where player_id = '${uuid(1)}'; delete from marts.player_segments where player_id = '${uuid(2)}'`);
    const second = await publishSegments(w.con, opts({ now: () => Date.now() - 3_600_000 })); // a clock gone back: the id still grows
    expect(second.snapshot_id! > first.snapshot_id!).toBe(true);
    expect(edge.requests.at(-1)!.items).toEqual([
      { snapshot_id: second.snapshot_id, player_id: uuid(1), segments: ['whale'], vip_tier: 'gold' },
      { snapshot_id: second.snapshot_id, player_id: uuid(2), segments: [], vip_tier: null },
    ]);
    expect(second).toMatchObject({ rows: 2, to_send: 2, sent: 2, changed: 2 });
    const meta = await rows<{ player_id: string; snapshot_id: string; outcome: string }>(w.con, 'select player_id, snapshot_id, outcome from meta.segments_published order by 1');
    expect(meta.map((m) => [m.player_id, m.snapshot_id === second.snapshot_id, m.outcome])).toEqual([[uuid(1), true, 'changed'], [uuid(2), true, 'changed'], [uuid(3), false, 'changed']]);
    expect((await publishSegments(w.con, opts())).skipped).toBe('unchanged');
    w.close();
  });

  it('retries transient failures (503, 429) and stops at a refusal (401), recording only what the edge acknowledged', async () => {
    await wh.con.run(`create table marts.player_segments as select printf('00000000-0000-4000-8000-%012x', i) as player_id, ['a'] as segments, null::varchar as vip_tier from range(1, 4) t(i)`);
    for (const n of [1, 2, 3]) edge.known.add(uuid(n));
    edge.failWith = [503, 429];
    const logs: string[] = [];
    const s = await publishSegments(wh.con, opts({ batchSize: 2, log: (l) => logs.push(l) }));
    expect(s).toMatchObject({ sent: 3, batches: 2, changed: 3 });
    expect(logs.filter((l) => /retry/.test(l))).toHaveLength(2);

    await wh.con.run(`update marts.player_segments set segments = ['b']`);
    const refused = publishSegments(wh.con, opts({ secret: 'another-secret-that-the-edge-does-not-know' }));
    await expect(refused).rejects.toThrow(PublishError);
    await expect(refused).rejects.toThrow(/HTTP 401/);
    edge.failWith = [503, 503, 503, 503];
    await expect(publishSegments(wh.con, opts())).rejects.toThrow(/failed 4 times: HTTP 503/);
    const acked = await rows<{ n: number }>(wh.con, `select count(*) as n from meta.segments_published where row_hash = (select row_hash from meta.segments_published where player_id = '${uuid(1)}')`);
    expect(acked[0]!.n).toBe(3); // still the first publication's rows: nothing of the failed ones recorded
    // the next attempt sends them all again
    expect(await publishSegments(wh.con, opts())).toMatchObject({ sent: 3, changed: 3 });
  });

  it('skips a missing relation, counts invalid rows, does not send on --dry-run, and refuses to clear everyone from an empty relation', async () => {
    expect(await publishSegments(wh.con, opts())).toMatchObject({ skipped: 'missing' });
    await wh.con.run(`create table marts.player_segments (player_id varchar, segments varchar[], vip_tier varchar);
      insert into marts.player_segments values ('${uuid(1)}', ['vip'], 'gold'), ('not-a-uuid', ['x'], null), ('${uuid(2)}', ['Bad Name'], null), ('${uuid(3)}', ['a,b'], null)`);
    edge.known.add(uuid(1));
    const dry = await publishSegments(wh.con, opts({ dryRun: true }));
    expect(dry).toMatchObject({ rows: 4, invalid: 3, to_send: 1, sent: 0, dry_run: true });
    expect(formatPublish(dry)).toMatch(/dry run: nothing sent/);
    expect(edge.requests).toHaveLength(0);

    expect(await publishSegments(wh.con, opts())).toMatchObject({ sent: 1, changed: 1, invalid: 3 });
    await wh.con.run('delete from marts.player_segments');
    expect(await publishSegments(wh.con, opts())).toMatchObject({ skipped: 'refused_empty', sent: 0 });
    expect(edge.requests).toHaveLength(1);
  });

  it('in the loop: publishes when the relation appears or moves, and reads nothing else while it stays put', async () => {
    const logs: string[] = [];
    const loop = segmentsLoop({ ...opts(), log: (l) => logs.push(l) });
    await loop.cycle(wh.con);
    expect(logs).toEqual(['segments: no relation marts.player_segments yet; publishing starts when it exists']);
    await wh.con.run(`create table marts.player_segments as select '${uuid(1)}' as player_id, ['a'] as segments, 'gold' as vip_tier`);
    edge.known.add(uuid(1));
    await loop.cycle(wh.con);
    await loop.cycle(wh.con);
    expect(edge.requests).toHaveLength(1);
    await wh.con.run(`update marts.player_segments set vip_tier = 'platinum'`);
    edge.failWith = [400];
    await loop.cycle(wh.con); // refused: logged, the loop goes on and retries next cycle
    expect(logs.at(-1)).toMatch(/publication failed \(retried next cycle\).*HTTP 400/);
    await loop.cycle(wh.con);
    expect(edge.requests).toHaveLength(2);
    expect(edge.requests[1]!.items[0]!.vip_tier).toBe('platinum');
  });
});
