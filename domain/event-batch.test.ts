/** The event batch contract: object keys and the gzip NDJSON encoding every party shares. */
import { describe, expect, it } from 'vitest';
import {
  BATCH_PREFIX, BATCH_SUFFIX, batchHourPrefix, batchObjectKey, decodeBatchObject, encodeBatchObject,
  EVENT_BATCH_MAX_BYTES, EVENT_BATCH_MAX_EVENTS,
} from './event-batch';
import { uuidv7 } from './ids';

describe('batch object keys', () => {
  it('put the UTC date and hour of the write in the prefix and the 13-digit write time first in the name', () => {
    const at = Date.UTC(2026, 10, 3, 7, 59, 59, 123);
    const id = uuidv7(at);
    expect(batchObjectKey(at, id)).toBe(`events/date=2026-11-03/hour=07/${at}-${id}.ndjson.gz`);
    expect(batchObjectKey(at, id).startsWith(BATCH_PREFIX)).toBe(true);
    expect(batchObjectKey(at, id).endsWith(BATCH_SUFFIX)).toBe(true);
    expect(batchHourPrefix(at)).toBe('events/date=2026-11-03/hour=07/');
    expect(batchObjectKey(0, 'x')).toBe('events/date=1970-01-01/hour=00/0000000000000-x.ndjson.gz');
  });

  it('sort by write time within and across hours and days', () => {
    const times = [Date.UTC(2026, 0, 1, 23, 59, 59, 999), Date.UTC(2026, 0, 2, 0, 0, 0, 0), Date.UTC(2026, 0, 2, 0, 0, 0, 1), Date.UTC(2026, 0, 2, 10)];
    const keys = times.map((t) => batchObjectKey(t, uuidv7(t)));
    expect([...keys].sort()).toEqual(keys);
  });
});

/** Plain gunzip, independent of decodeBatchObject's line splitting. */
async function gunzipText(bytes: Uint8Array): Promise<string> {
  return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
}

describe('batch objects', () => {
  it('round-trip lines as-is (unicode, escapes, empty objects) through gzip NDJSON', async () => {
    const lines = [JSON.stringify({ event_id: 'a', payload: { note: 'línea\nnueva 🎰 "quoted"' } }), '{}', JSON.stringify('raw body')];
    const bytes = await encodeBatchObject(lines);
    expect(bytes[0]).toBe(0x1f); // gzip magic
    expect(bytes[1]).toBe(0x8b);
    expect(await decodeBatchObject(bytes)).toEqual(lines);
    expect(await decodeBatchObject(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)).toEqual(lines);
    // Plain gzip any reader can open: NDJSON with a final newline.
    expect(await gunzipText(bytes)).toBe(`${lines.join('\n')}\n`);
  });

  it('encode no lines as an empty (still valid) gzip stream', async () => {
    const bytes = await encodeBatchObject([]);
    expect(await gunzipText(bytes)).toBe('');
    expect(await decodeBatchObject(bytes)).toEqual([]);
  });

  it('keep a full batch well under the 128 KB queue message limit', () => {
    expect(EVENT_BATCH_MAX_BYTES).toBeLessThan(128 * 1024 - 4096);
    expect(EVENT_BATCH_MAX_EVENTS).toBeGreaterThan(0);
  });
});
