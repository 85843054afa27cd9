/**
 * End to end on Miniflare's local Queues and R2: a player registered through the real HTTP API,
 * their events shipped by the PlayerDO's alarm to the EVENTS queue, delivered to this Worker's
 * queue handler and written to EVENT_LAKE, where the test finds every one of them (gzip NDJSON
 * under events/date=/hour=/). Nothing is driven by hand: the alarm and the consumer run as they
 * would under `wrangler dev`.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { BATCH_FORMAT, batchHourPrefix, decodeBatchObject } from '../../domain/event-batch';
import type { CasinoEvent } from '../../domain/events';
import type { OutboxShipper } from '../../durable/lib/shipper';
import { call, player, register } from './helpers';

const KEY = /^events\/date=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/\d{13}-[0-9a-f-]{36}\.ndjson\.gz$/;

/** Every line of every lake object written since `sinceMs` (keys sort by write time), with its key. */
async function lakeLinesSince(sinceMs: number, seen: Map<string, string[]>): Promise<{ key: string; line: string }[]> {
  const out: { key: string; line: string }[] = [];
  // The hour of `sinceMs` and the current one (a test can straddle an hour boundary).
  for (const prefix of new Set([batchHourPrefix(sinceMs), batchHourPrefix(Date.now())])) {
    let cursor: string | undefined;
    do {
      const page = await env.EVENT_LAKE.list({ prefix, cursor, include: ['customMetadata', 'httpMetadata'] });
      for (const o of page.objects) {
        if (!seen.has(o.key)) {
          expect(o.key).toMatch(KEY);
          expect(o.customMetadata).toMatchObject({ format: BATCH_FORMAT, queue: 'casino-events' });
          const body = await env.EVENT_LAKE.get(o.key);
          seen.set(o.key, await decodeBatchObject(new Uint8Array(await body!.arrayBuffer())));
        }
        for (const line of seen.get(o.key)!) out.push({ key: o.key, line });
      }
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
  }
  return out;
}

describe('events from the HTTP API to the R2 event lake', () => {
  it('a registration and a deposit reach EVENT_LAKE through the queue, each event in a batch object', async () => {
    const started = Date.now();
    const p = await register();
    const dep = await call('POST', '/v1/wallet/deposits', { amount_minor: 2_500, currency: 'EUR' }, { token: p.token, headers: { 'Idempotency-Key': `k-${crypto.randomUUID()}` } });
    expect(dep.status).toBe(201);
    const emitted: CasinoEvent[] = (await player(p.playerId).outbox(0, 1000)).map((r) => r.event);
    expect(emitted.map((e) => e.event_type)).toEqual(expect.arrayContaining(['player.registered', 'player.login.succeeded', 'wallet.deposit.requested']));

    const seen = new Map<string, string[]>();
    const wanted = new Set(emitted.map((e) => e.event_id));
    let found: { key: string; event: CasinoEvent }[] = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      found = (await lakeLinesSince(started, seen))
        .map(({ key, line }) => ({ key, event: JSON.parse(line) as CasinoEvent }))
        .filter((x) => wanted.has(x.event.event_id));
      if (new Set(found.map((f) => f.event.event_id)).size === wanted.size) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const byId = new Map(found.map((f) => [f.event.event_id, f.event]));
    expect([...byId.keys()].sort()).toEqual([...wanted].sort());
    for (const e of emitted) expect(byId.get(e.event_id)).toEqual(e); // byte-for-byte the outbox's event
    expect(Date.now() - started).toBeLessThan(30_000);

    const status = await runInDurableObject(player(p.playerId), (o) => (o as unknown as { shipper: OutboxShipper }).shipper.status());
    expect(status).toMatchObject({ failures: 0, last_error: null });
    expect(status.after_seq).toBeGreaterThanOrEqual(emitted.length);
    // The player's outbox is its timeline: shipping removed nothing.
    expect(await player(p.playerId).outbox(0, 1000)).toHaveLength(emitted.length);
  });
});
