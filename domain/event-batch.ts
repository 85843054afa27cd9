/**
 * How events travel from the edge to the warehouse, defined once for every party:
 *
 *   Durable Object outbox --(Queue message: EventBatchMessage)--> queue consumer Worker
 *     --(R2 object: gzip NDJSON, one event per line, under a date/hour prefix)--> `npm run wh -- sync`
 *
 * The simulator's fast mode writes R2 objects of exactly this format, so the warehouse cannot tell
 * simulated history from shipped traffic. Runs on workerd and on Node (CompressionStream is global in both).
 */
import type { CasinoEvent } from './events';

/** One queue message: a bounded slice of one object's outbox, in outbox order. */
export type EventBatchMessage = {
  v: 1;
  /** The Durable Object that emitted the events, e.g. `player/9f1c…` or `table/roulette-1`. */
  source: string;
  first_seq: number;
  last_seq: number;
  events: CasinoEvent[];
};

/**
 * Cloudflare Queues accept messages up to 128 KB; a shipper keeps each message's events under this
 * many bytes of JSON so the envelope and encoding overhead always fit.
 */
export const EVENT_BATCH_MAX_BYTES = 100_000;
/** And at most this many events per message (bounds the work of one send and one consumer step). */
export const EVENT_BATCH_MAX_EVENTS = 500;

/** Every batch object lives under this prefix; `sync` lists nothing else. */
export const BATCH_PREFIX = 'events/';
export const BATCH_SUFFIX = '.ndjson.gz';
export const BATCH_FORMAT = 'ndjson-gzip-v1';

/**
 * `events/date=YYYY-MM-DD/hour=HH/<written_at ms, 13 digits>-<id>.ndjson.gz`, by the time the
 * object was written (UTC), not by the time of its events: a batch may span hours, and the writer's
 * clock is the one thing every batch has. Keys sort by write time within and across prefixes.
 */
export function batchObjectKey(writtenAtMs: number, id: string): string {
  const iso = new Date(writtenAtMs).toISOString();
  return `${BATCH_PREFIX}date=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}/${String(writtenAtMs).padStart(13, '0')}-${id}${BATCH_SUFFIX}`;
}

/** The hour prefix (`events/date=…/hour=…/`) a time falls in; `sync` lists from a few hours back. */
export function batchHourPrefix(atMs: number): string {
  return batchObjectKey(atMs, 'x').replace(/[^/]*$/, '');
}

/** gzip of NDJSON: one JSON value per line. Lines are passed as-is (the consumer never re-serialises an event). */
export async function encodeBatchObject(lines: readonly string[]): Promise<Uint8Array> {
  const text = lines.length ? `${lines.join('\n')}\n` : '';
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export async function decodeBatchObject(bytes: Uint8Array | ArrayBuffer): Promise<string[]> {
  const stream = new Blob([bytes as ArrayBuffer]).stream().pipeThrough(new DecompressionStream('gzip'));
  const text = await new Response(stream).text();
  return text.split('\n').filter((l) => l.length > 0);
}
