/**
 * The queue consumer: one gzip NDJSON object per delivery under events/date=/hour=/, every event
 * a line in message order, malformed bodies kept as raw lines, acknowledged only after the write,
 * retried with backoff when the write fails.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { BATCH_FORMAT, decodeBatchObject, type EventBatchMessage } from '../../domain/event-batch';
import type { CasinoEvent } from '../../domain/events';
import { uuidv7 } from '../../domain/ids';
import worker from '../index';
import { BATCH_CONTENT_TYPE, consumeEventBatch, retryDelaySeconds, RETRY_MAX_SECONDS } from './consumer';

const KEY = /^events\/date=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\/(\d{13})-[0-9a-f-]{36}\.ndjson\.gz$/;

function event(n: number, over: Partial<CasinoEvent> = {}): CasinoEvent {
  return {
    event_id: uuidv7(), event_type: 'player.vip.changed', schema_version: 1, occurred_at: Date.now(), player_id: crypto.randomUUID(),
    table_id: null, round_id: null, jurisdiction: 'MT', currency: null, payload: { from: false, to: true, actor: `operator:${n} ünïcode 🎲` },
    ...over,
  } as CasinoEvent;
}

function message(source: string, events: CasinoEvent[], firstSeq = 1): EventBatchMessage {
  return { v: 1, source, first_seq: firstSeq, last_seq: firstSeq + events.length - 1, events };
}

function delivery(bodies: unknown[], queue = 'casino-events', attempts = 1) {
  return createMessageBatch(queue, bodies.map((body, k) => ({ id: `m${k}-${crypto.randomUUID()}`, timestamp: Date.now(), attempts, body })));
}

/** A MessageBatch that records the order of puts and acknowledgements. */
function recordingBatch(bodies: unknown[], log: string[], attempts = 1): MessageBatch<unknown> {
  return {
    queue: 'casino-events',
    messages: bodies.map((body, k) => ({ id: `m${k}`, timestamp: new Date(), attempts, body, ack: () => log.push('ack'), retry: () => log.push('retry') })),
    ackAll: () => log.push('ackAll'),
    retryAll: (o?: QueueRetryOptions) => log.push(`retryAll:${o?.delaySeconds}`),
  } as unknown as MessageBatch<unknown>;
}

async function read(key: string) {
  const obj = await env.EVENT_LAKE.get(key);
  if (!obj) throw new Error(`no object ${key}`);
  return { obj, lines: await decodeBatchObject(new Uint8Array(await obj.arrayBuffer())) };
}

describe('queue consumer', () => {
  it('writes one gzip NDJSON object per delivery with every event of every message, in order', async () => {
    const a = [event(1), event(2), event(3)];
    const b = [event(4)];
    const before = Date.now();
    const key = await consumeEventBatch(delivery([message('player/p1', a), message('table/roulette-1', b, 17)]), env);
    expect(key).toMatch(KEY);
    const [, date, hour, ms] = KEY.exec(key!)!;
    const written = Number(ms);
    expect(written).toBeGreaterThanOrEqual(before);
    expect(date).toBe(new Date(written).toISOString().slice(0, 10));
    expect(hour).toBe(new Date(written).toISOString().slice(11, 13));

    const { obj, lines } = await read(key!);
    expect(lines).toEqual([...a, ...b].map((e) => JSON.stringify(e)));
    expect(lines.map((l) => JSON.parse(l))).toEqual([...a, ...b]);
    expect(obj.customMetadata).toEqual({ format: BATCH_FORMAT, events: '4', lines: '4', malformed: '0', messages: '2', queue: 'casino-events' });
    // raw gzip bytes, no Content-Encoding: nothing on the way decompresses them for the warehouse
    expect(obj.httpMetadata?.contentType).toBe(BATCH_CONTENT_TYPE);
    expect(obj.httpMetadata?.contentEncoding).toBeUndefined();
    const raw = new Uint8Array(await (await env.EVENT_LAKE.get(key!))!.arrayBuffer());
    expect([raw[0], raw[1]]).toEqual([0x1f, 0x8b]);
  });

  it('writes a body that is not a well-formed batch as one raw line, never drops it', async () => {
    const good = [event(1)];
    const bad: unknown[] = [
      { v: 2, source: 'x', first_seq: 1, last_seq: 1, events: [] },
      'plain text\nwith a line break',
      { v: 1, source: 'player/p', first_seq: 1, last_seq: 2, events: [1, 2] },
      null,
      new TextEncoder().encode('{"bytes":true}'),
    ];
    const key = await consumeEventBatch(delivery([bad[0], message('player/p2', good), ...bad.slice(1)]), env);
    const { obj, lines } = await read(key!);
    expect(lines).toEqual([
      JSON.stringify(bad[0]), JSON.stringify(good[0]), JSON.stringify('plain text\nwith a line break'), JSON.stringify(bad[2]), 'null',
      JSON.stringify('{"bytes":true}'),
    ]);
    expect(obj.customMetadata).toMatchObject({ events: '1', lines: '6', malformed: '5', messages: '6' });
  });

  it('acknowledges only after the write', async () => {
    const log: string[] = [];
    const lake = {
      put: async (key: string, bytes: Uint8Array) => {
        log.push('put');
        expect(await decodeBatchObject(bytes)).toHaveLength(2);
        return env.EVENT_LAKE.put(key, bytes);
      },
    } as unknown as R2Bucket;
    await consumeEventBatch(recordingBatch([message('player/p3', [event(1), event(2)])], log), { EVENT_LAKE: lake });
    expect(log).toEqual(['put', 'ackAll']);
  });

  it('retries the whole delivery with backoff when the write fails, acknowledging nothing', async () => {
    const log: string[] = [];
    const down = { put: async () => { log.push('put'); throw new Error('r2 unavailable'); } } as unknown as R2Bucket;
    expect(await consumeEventBatch(recordingBatch([message('player/p4', [event(1)])], log, 3), { EVENT_LAKE: down })).toBeNull();
    expect(log).toEqual(['put', `retryAll:${retryDelaySeconds(3)}`]);
    expect([1, 2, 3].map(retryDelaySeconds)).toEqual([5, 10, 20]);
    expect(retryDelaySeconds(50)).toBe(RETRY_MAX_SECONDS);
  });

  it('is the worker\'s queue handler for both queues (acked through the real MessageBatch)', async () => {
    const e = event(9);
    for (const queue of ['casino-events', 'casino-events-dlq']) {
      const batch = delivery([message('player/p5', [e])], queue);
      const ctx = createExecutionContext();
      await worker.queue(batch, env);
      const result = await getQueueResult(batch, ctx);
      expect(result).toMatchObject({ outcome: 'ok', ackAll: true, retryBatch: { retry: false }, retryMessages: [] });
      const listed = await env.EVENT_LAKE.list({ prefix: 'events/', include: ['customMetadata'] });
      const mine = [];
      for (const o of listed.objects.filter((x) => x.customMetadata?.queue === queue)) {
        if ((await read(o.key)).lines.includes(JSON.stringify(e))) mine.push(o.key);
      }
      expect(mine).toHaveLength(1);
    }
  });

  it('retries through the real MessageBatch when the bucket refuses the write', async () => {
    const batch = delivery([message('player/p6', [event(1)])], 'casino-events', 2);
    const ctx = createExecutionContext();
    const down = { put: async () => { throw new Error('r2 unavailable'); } } as unknown as R2Bucket;
    await worker.queue(batch, { ...env, EVENT_LAKE: down });
    expect(await getQueueResult(batch, ctx)).toMatchObject({ outcome: 'ok', ackAll: false, retryBatch: { retry: true }, explicitAcks: [] });
  });

  it('acknowledges an empty delivery without writing', async () => {
    const log: string[] = [];
    const lake = { put: async () => { log.push('put'); } } as unknown as R2Bucket;
    expect(await consumeEventBatch(recordingBatch([], log), { EVENT_LAKE: lake })).toBeNull();
    expect(log).toEqual(['ackAll']);
  });
});
