/**
 * The queue consumer: each delivery of `casino-events` (or of its dead-letter queue) becomes one R2
 * object in the event lake, gzip NDJSON under `events/date=…/hour=…/` (domain/event-batch.ts), and
 * is acknowledged only after the write. A failed write retries the whole delivery with backoff;
 * after max_retries the queue moves it to the dead-letter queue, which this same handler writes
 * (so a message is never dropped silently). Delivery is at least once: a retried or redelivered
 * batch is written again under a new key, and the warehouse deduplicates on event_id.
 *
 * Lines: every event of every message, in message order, each `JSON.stringify(event)`. A body
 * that is not a well-formed EventBatchMessage is still written, as one line holding the body
 * itself, so the warehouse quarantines it with a reason instead of it disappearing here.
 */
import { BATCH_FORMAT, batchObjectKey, encodeBatchObject, type EventBatchMessage } from '../../domain/event-batch';
import { uuidv7 } from '../../domain/ids';

/** First retry of a failed write after this many seconds, doubling per attempt, at most RETRY_MAX_SECONDS. */
export const RETRY_BASE_SECONDS = 5;
export const RETRY_MAX_SECONDS = 300;

/**
 * Stored as raw gzip bytes: no Content-Encoding, because an HTTP reader (S3 API, fetch, the local
 * platform proxy) would then decompress transparently and the warehouse expects the gzip bytes.
 */
export const BATCH_CONTENT_TYPE = 'application/gzip';

export function isEventBatchMessage(body: unknown): body is EventBatchMessage {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const m = body as Record<string, unknown>;
  return m.v === 1 && typeof m.source === 'string' && Number.isInteger(m.first_seq) && Number.isInteger(m.last_seq)
    && Array.isArray(m.events) && m.events.every((e) => typeof e === 'object' && e !== null && !Array.isArray(e));
}

/** A body that is not a batch, as one JSON line (bytes and strings as text; never a line break inside). */
function rawLine(body: unknown): string {
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    const bytes = body instanceof ArrayBuffer ? new Uint8Array(body) : new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    return JSON.stringify(new TextDecoder().decode(bytes));
  }
  try {
    return JSON.stringify(body) ?? 'null';
  } catch {
    return JSON.stringify(String(body));
  }
}

/** The NDJSON lines of a delivery, in message order; also how many events were well-formed batch content. */
export function batchLines(messages: readonly { body: unknown }[]): { lines: string[]; events: number; malformed: number } {
  const lines: string[] = [];
  let events = 0;
  let malformed = 0;
  for (const m of messages) {
    if (isEventBatchMessage(m.body)) {
      for (const e of m.body.events) lines.push(JSON.stringify(e));
      events += m.body.events.length;
    } else {
      lines.push(rawLine(m.body));
      malformed++;
    }
  }
  return { lines, events, malformed };
}

export function retryDelaySeconds(attempts: number): number {
  return Math.min(RETRY_BASE_SECONDS * 2 ** Math.max(0, Math.min(attempts, 20) - 1), RETRY_MAX_SECONDS);
}

/** Writes one delivery to R2, then acknowledges it; on a failed write, retries it. Returns the key written (null if none). */
export async function consumeEventBatch(batch: MessageBatch<unknown>, env: Pick<Env, 'EVENT_LAKE'>): Promise<string | null> {
  if (batch.messages.length === 0) {
    batch.ackAll();
    return null;
  }
  const { lines, events, malformed } = batchLines(batch.messages);
  const now = Date.now();
  const key = batchObjectKey(now, uuidv7(now));
  try {
    const bytes = await encodeBatchObject(lines);
    await env.EVENT_LAKE.put(key, bytes, {
      httpMetadata: { contentType: BATCH_CONTENT_TYPE },
      customMetadata: {
        format: BATCH_FORMAT, events: String(events), lines: String(lines.length), malformed: String(malformed),
        messages: String(batch.messages.length), queue: batch.queue,
      },
    });
  } catch (err) {
    const attempts = Math.max(...batch.messages.map((m) => m.attempts));
    console.error(`event lake: writing ${batch.messages.length} messages from ${batch.queue} failed (attempt ${attempts})`, err);
    batch.retryAll({ delaySeconds: retryDelaySeconds(attempts) });
    return null;
  }
  if (malformed > 0) console.warn(`event lake: ${malformed} malformed messages from ${batch.queue} written as raw lines to ${key}`);
  batch.ackAll();
  return key;
}
