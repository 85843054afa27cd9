/**
 * The production source against a real S3 implementation (s3rver, in-process on loopback): SigV4
 * requests, ListObjectsV2 with a prefix and start-after, GetObject, and a whole sync from it. R2
 * itself cannot be reached from here; its S3 API is the same protocol. Paging with continuation
 * tokens is covered by parseListPage in sources.test.ts only: s3rver 3.7 builds its tokens with a
 * cipher OpenSSL 3 (Node >= 17) refuses, so it cannot serve a second page. s3rver accepts any
 * signature, so this does not prove the SigV4 signing itself (aws4fetch's job).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsClient } from 'aws4fetch';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchObjectKey, encodeBatchObject } from '../../domain/event-batch';
import { uuidv7 } from '../../domain/ids';
import { warehousePaths } from '../config';
import { verify } from '../status';
import { sync } from '../sync';
import { s3Source, type S3Config } from './r2-s3';

const T0 = Date.UTC(2026, 10, 21, 9, 0, 0);

describe('R2 through the S3 API (s3rver)', () => {
  let root: string;
  let server: { run(): Promise<{ port: number }>; close(): Promise<void> };
  let cfg: S3Config;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'wh-s3-'));
    server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(root, 's3'), configureBuckets: [{ name: 'casino-events' }] });
    const { port } = await server.run();
    cfg = { endpoint: `http://127.0.0.1:${port}`, bucket: 'casino-events', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
    const client = new AwsClient({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', service: 's3', region: 'auto' });
    const events = Array.from({ length: 30 }, (_, i) => ({
      event_id: uuidv7(T0 + i * 1000), event_type: 'player.login.succeeded', schema_version: 1, occurred_at: T0 + i * 1000,
      player_id: `p${i % 3}`, table_id: null, round_id: null, jurisdiction: 'MT', currency: null, payload: { session_id: `s${i}`, country: 'MT' },
    }));
    // five objects, overlapping (at-least-once), one under another prefix that sync must ignore
    for (let o = 0; o < 5; o++) {
      const body = await encodeBatchObject(events.slice(o * 5, o * 5 + 10).map((e) => JSON.stringify(e)));
      const res = await client.fetch(`${cfg.endpoint}/casino-events/${batchObjectKey(T0 + o * 60_000, `o${o}`)}`, { method: 'PUT', body: body as Uint8Array<ArrayBuffer> });
      expect(res.status).toBe(200);
    }
    await client.fetch(`${cfg.endpoint}/casino-events/other/not-an-event-batch`, { method: 'PUT', body: 'x' });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('lists under the prefix after a start key, in key order, and gets objects as stored', async () => {
    const src = s3Source(cfg);
    const keys: string[] = [];
    for await (const o of src.list('events/')) keys.push(o.key);
    expect(keys).toHaveLength(5);
    expect([...keys].sort()).toEqual(keys);
    const after: string[] = [];
    for await (const o of src.list('events/', keys[2])) after.push(o.key);
    expect(after).toEqual(keys.slice(3));
    expect((await src.get(keys[0]!)).subarray(0, 2)).toEqual(new Uint8Array([0x1f, 0x8b])); // gzip, untouched
  });

  it('syncs from it: every event once, a re-run changes nothing', async () => {
    const paths = warehousePaths(join(root, 'warehouse'));
    const first = await sync({ paths, source: s3Source(cfg) });
    expect(first).toMatchObject({ objects: 5, lines: 50, events_new: 30, duplicates: 20, quarantined: 0 });
    expect(await sync({ paths, source: s3Source(cfg) })).toMatchObject({ objects: 0, events_new: 0 });
    expect(await verify(paths)).toEqual([]);
  });

  it('fails with the status and the reason when a request is refused', async () => {
    const src = s3Source({ ...cfg, bucket: 'no-such-bucket' });
    const list = async () => { for await (const _ of src.list('events/')) { /* drain */ } };
    await expect(list()).rejects.toThrow(/s3 source: 404/);
  });
});
