/**
 * The outbox shipper: every Durable Object with an outbox sends its events to the EVENTS queue in
 * bounded batches (domain/event-batch.ts: EventBatchMessage), at least once and in outbox order;
 * the queue consumer (worker/lake/consumer.ts) writes them to R2 for the warehouse.
 *
 * Why this shape (the same as the player's relay.ts, minus the kick after commit):
 *  - Every emit schedules the `outbox.ship` job about a second out, in the emitting transaction
 *    (Outbox.onEmit), with `noLaterThan`: shipping can never be forgotten, a steady stream of
 *    events cannot postpone it, and a burst goes out as one batch.
 *  - The alarm takes the job (leaving a backup retry in its place, in case the run dies) and, after
 *    its transaction, ships: read a batch after the cursor, `await send`, and only then move the
 *    cursor in a transaction. A failed send keeps every row, records the error and is retried by
 *    the schedule with backoff. One run at a time per object; one run sends at most
 *    SHIP_RUN_BATCHES_MAX batches and leaves the rest to an alarm re-armed at once.
 *  - Catching up (no rows after the cursor, seen in a transaction) cancels the job.
 *  - Objects whose outbox nobody else reads delete shipped rows after `retentionMs` (the
 *    `outbox.prune` job); the others (player timeline and relay, catalog history) keep them.
 */
import { EVENT_BATCH_MAX_BYTES, EVENT_BATCH_MAX_EVENTS, type EventBatchMessage } from '../../domain/event-batch';
import type { CasinoEvent } from '../../domain/events';
import { backoffMs } from './backoff';
import type { ObjectContext } from './object-context';

export const SHIP_JOB = 'outbox.ship';
export const PRUNE_JOB = 'outbox.prune';
const SHIP_REF = 'queue';
const PRUNE_REF = 'shipped';

/** An event is on its way this long after it was emitted at the latest (unless sends are failing). */
export const SHIP_DELAY_MS = 1_000;
/** First retry after a failed send; doubles per consecutive failure up to SHIP_RETRY_MAX_MS. */
export const SHIP_RETRY_MS = 2_000;
export const SHIP_RETRY_MAX_MS = 5 * 60_000;
/** Batches (queue messages) one run sends at most before leaving the rest to the next alarm. */
export const SHIP_RUN_BATCHES_MAX = 5;
/** Shipped rows of pruning objects are kept this long (by occurred_at) for inspection and replay. */
export const OUTBOX_RETENTION_MS = 7 * 24 * 3_600_000;
/** Rows one prune job deletes at most; the job comes back at once for the rest. */
const PRUNE_ROWS_MAX = 1_000;
const ERROR_TEXT_MAX = 500;

export const SHIPPING_DDL = `
create table if not exists outbox_shipping (
  id integer primary key check (id = 1),
  after_seq integer not null default 0,
  failures integer not null default 0,
  last_error text,
  last_attempt_at integer,
  last_shipped_at integer,
  shipped_events integer not null default 0
);
insert or ignore into outbox_shipping (id) values (1);
`;

/** Where batches go: `env.EVENTS.send` in production, a stand-in in tests. Resolves once the queue accepted the message. */
export type ShipSend = (message: EventBatchMessage) => Promise<unknown>;

export type ShippingStatus = {
  after_seq: number; failures: number; last_error: string | null; last_attempt_at: number | null;
  last_shipped_at: number | null; shipped_events: number;
};

/** What one run did: batches and events sent, whether it stopped on an error, and whether rows are left. */
export type ShipRun = { batches: number; events: number; error: string | null; more: boolean };

export type ShipperOptions = {
  /** `<kind>/<object name>`, e.g. `player/<player_id>`, `table/roulette-1`: the message's `source`. */
  source: string;
  /** Runs `fn` in one storage transaction. */
  tx: <T>(fn: () => T) => T;
  send: ShipSend;
  /** Shipped rows are deleted this long after they occurred; null: never (someone else reads the outbox). */
  retentionMs: number | null;
};

export function shipRetryDelayMs(failures: number): number {
  return backoffMs(failures, SHIP_RETRY_MS, SHIP_RETRY_MAX_MS);
}

/** The queue binding as a ShipSend (contentType json: the consumer gets the object back). */
export function queueSend(queue: Queue): ShipSend {
  return (message) => queue.send(message, { contentType: 'json' });
}

/**
 * The shipper of a Durable Object, as every object wires it: source `<kind>/<object name>`, its own
 * storage transactions, the EVENTS queue.
 */
export function objectShipper(c: ObjectContext, state: DurableObjectState, queue: Queue, kind: string, retentionMs: number | null): OutboxShipper {
  return new OutboxShipper(c, {
    source: `${kind}/${state.id.name ?? state.id.toString()}`,
    tx: (fn) => c.tx(fn),
    send: queueSend(queue),
    retentionMs,
  });
}

/** UTF-8 length without allocating (the byte bound is on what the queue will carry). */
function utf8Bytes(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) n += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : 1;
    // a surrogate pair counts 2 + 1 + 1 = 4 bytes
  }
  return n;
}

export class OutboxShipper {
  readonly source: string;
  /** Replaced in tests. */
  send: ShipSend;
  private readonly tx: <T>(fn: () => T) => T;
  private readonly retentionMs: number | null;
  private inflight: Promise<ShipRun> | null = null;
  private due = false;
  /**
   * An upper bound of the due time of the ship job's row, known to exist (null: unknown or none).
   * With it, an emit whose shipment is already on its way writes nothing more than its outbox row
   * (it was 3 statements per event). Only kept where memory is trusted (Schedules.trustMemory: the
   * object's transactions forget it on rollback); elsewhere every emit schedules, as before.
   */
  private shipDueAt: number | null = null;

  constructor(private readonly c: ObjectContext, opts: ShipperOptions) {
    this.source = opts.source;
    this.send = opts.send;
    this.tx = opts.tx;
    this.retentionMs = opts.retentionMs;
    c.outbox.onEmit = (at) => this.emitted(at);
    c.onForget(() => {
      this.shipDueAt = null;
    });
  }

  /** The ship job (re)scheduled at `dueAt` by this shipper. */
  private scheduled(dueAt: number | null): void {
    this.shipDueAt = this.c.schedules.trustMemory ? dueAt : null;
  }

  /**
   * On start-up, after the object's migrations (existing objects ran theirs before this table
   * existed): creates the cursor if missing, and schedules a shipment for events nobody scheduled
   * one for (emitted before the shipper existed, or a schedule lost with a failed alarm).
   */
  init(): void {
    this.c.db.script(SHIPPING_DDL);
    const last = this.c.db.first<{ seq: number | null }>`select max(seq) as seq from outbox`?.seq ?? 0;
    const scheduled = this.c.db.first`select 1 from schedules where kind = ${SHIP_JOB}`;
    if (last > this.status().after_seq && !scheduled) {
      this.c.schedules.at(SHIP_JOB, SHIP_REF, this.c.now());
      this.scheduled(this.c.now());
    }
  }

  status(): ShippingStatus {
    return this.c.db.first<ShippingStatus>`select after_seq, failures, last_error, last_attempt_at, last_shipped_at, shipped_events
      from outbox_shipping where id = 1`!;
  }

  /** Inside the emitting transaction: the job is due within SHIP_DELAY_MS, or at the pending retry while sends fail. */
  private emitted(at: number): void {
    // Already due no later than this emit would ask for: `noLaterThan` would change nothing.
    if (this.shipDueAt !== null && this.shipDueAt <= at + SHIP_DELAY_MS) return;
    const s = this.status();
    const retryAt = s.failures > 0 && s.last_attempt_at !== null ? s.last_attempt_at + shipRetryDelayMs(s.failures) : 0;
    const dueAt = Math.max(at + SHIP_DELAY_MS, retryAt);
    this.c.schedules.noLaterThan(SHIP_JOB, SHIP_REF, dueAt);
    this.scheduled(this.shipDueAt === null ? dueAt : Math.min(this.shipDueAt, dueAt));
  }

  /**
   * Inside the alarm's transaction, for each job it took: true if the job was the shipper's.
   * A ship job leaves a backup retry behind and is run by `afterAlarm`; a prune job runs here.
   */
  handle(kind: string): boolean {
    if (kind === SHIP_JOB) {
      const retryAt = this.c.now() + shipRetryDelayMs(this.status().failures + 1);
      this.c.schedules.at(SHIP_JOB, SHIP_REF, retryAt);
      this.scheduled(retryAt);
      this.due = true;
      return true;
    }
    if (kind === PRUNE_JOB) {
      this.prune();
      return true;
    }
    return false;
  }

  /** After the alarm's transaction committed: ships if a ship job came due. Never throws. */
  async afterAlarm(): Promise<void> {
    if (!this.due) return;
    this.due = false;
    await this.run();
  }

  /**
   * The whole alarm of an object whose only scheduled work is the shipper's (CatalogDO, AuditDO):
   * take the due jobs in one transaction, then ship.
   */
  async alarmOnly(jobsMax = 100): Promise<void> {
    this.tx(() => {
      for (const job of this.c.schedules.takeDue(this.c.now(), jobsMax)) {
        if (!this.handle(job.kind)) throw new Error(`invariant: unknown scheduled job ${job.kind}`);
      }
      this.c.schedules.rearm();
    });
    await this.afterAlarm();
  }

  /** Ships what is pending (up to SHIP_RUN_BATCHES_MAX batches); joins the run in flight if there is one. */
  run(): Promise<ShipRun> {
    this.inflight ??= this.drain().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** Resolves when no run is in flight (tests). */
  async settled(): Promise<void> {
    while (this.inflight) await this.inflight.catch(() => undefined);
  }

  private async drain(): Promise<ShipRun> {
    const out: ShipRun = { batches: 0, events: 0, error: null, more: false };
    try {
      for (let i = 0; i < SHIP_RUN_BATCHES_MAX; i++) {
        const message = this.tx(() => this.nextBatch());
        if (!message) return out;
        const error = await this.trySend(message);
        if (error !== null) {
          const failures = this.tx(() => this.failed(error));
          console.warn(`shipper ${this.source}: send of seq ${message.first_seq}..${message.last_seq} failed (${failures} in a row, retry in ${shipRetryDelayMs(failures)} ms): ${error}`);
          return { ...out, error, more: true };
        }
        this.tx(() => this.shipped(message));
        out.batches++;
        out.events += message.events.length;
      }
      // Bounded run: what is left goes in a fresh alarm, right away.
      out.more = this.tx(() => {
        const left = this.c.db.first`select 1 from outbox where seq > ${this.status().after_seq} limit 1` !== null;
        if (left) {
          this.c.schedules.at(SHIP_JOB, SHIP_REF, this.c.now());
          this.scheduled(this.c.now());
        }
        return left;
      });
      return out;
    } catch (err) {
      // Storage failed under us: the backup retry left by `handle` (or the emit's schedule) ships later.
      console.error(`shipper ${this.source}: run aborted`, err);
      return { ...out, error: String((err as Error)?.message ?? err), more: true };
    }
  }

  /** null on success, else why the send failed. */
  private async trySend(message: EventBatchMessage): Promise<string | null> {
    try {
      await this.send(message);
      return null;
    } catch (err) {
      return String((err as Error)?.message ?? err).slice(0, ERROR_TEXT_MAX) || 'send failed';
    }
  }

  /**
   * The next batch after the cursor: at most EVENT_BATCH_MAX_EVENTS events and EVENT_BATCH_MAX_BYTES
   * of JSON (an event alone above that still goes, alone). Null, with the job cancelled, when caught up.
   */
  private nextBatch(): EventBatchMessage | null {
    const rows = this.c.db.all<{ seq: number; body: string }>`select seq, body from outbox where seq > ${this.status().after_seq}
      order by seq limit ${EVENT_BATCH_MAX_EVENTS}`;
    if (rows.length === 0) {
      // In this transaction, so no event can slip in between: nothing to retry.
      this.c.schedules.cancel(SHIP_JOB, SHIP_REF);
      this.scheduled(null);
      return null;
    }
    const events: CasinoEvent[] = [];
    let bytes = 2; // [ ]
    let lastSeq = rows[0]!.seq;
    for (const r of rows) {
      const size = utf8Bytes(r.body) + (events.length > 0 ? 1 : 0);
      if (events.length > 0 && bytes + size > EVENT_BATCH_MAX_BYTES) break;
      bytes += size;
      events.push(JSON.parse(r.body) as CasinoEvent);
      lastSeq = r.seq;
    }
    return { v: 1, source: this.source, first_seq: rows[0]!.seq, last_seq: lastSeq, events };
  }

  private shipped(m: EventBatchMessage): void {
    const now = this.c.now();
    this.c.db.run`update outbox_shipping set after_seq = max(after_seq, ${m.last_seq}), failures = 0, last_error = null,
      last_attempt_at = ${now}, last_shipped_at = ${now}, shipped_events = shipped_events + ${m.events.length} where id = 1`;
    if (this.retentionMs !== null) this.schedulePrune();
  }

  /** Records the failure and schedules the retry; returns the failures in a row. */
  private failed(error: string): number {
    const now = this.c.now();
    this.c.db.run`update outbox_shipping set failures = failures + 1, last_error = ${error}, last_attempt_at = ${now} where id = 1`;
    const failures = this.status().failures;
    this.c.schedules.at(SHIP_JOB, SHIP_REF, now + shipRetryDelayMs(failures));
    this.scheduled(now + shipRetryDelayMs(failures));
    return failures;
  }

  /** The prune job comes due when the oldest shipped row has been kept for the retention. */
  private schedulePrune(): void {
    const oldest = this.c.db.first<{ at: number | null }>`select min(occurred_at) as at from outbox where seq <= ${this.status().after_seq}`?.at ?? null;
    if (oldest !== null) this.c.schedules.noLaterThan(PRUNE_JOB, PRUNE_REF, oldest + this.retentionMs!);
  }

  /** Deletes shipped rows past the retention (never one after the cursor), then schedules the next prune. */
  private prune(): void {
    if (this.retentionMs === null) return;
    const cutoff = this.c.now() - this.retentionMs;
    this.c.db.run`delete from outbox where seq in (select seq from outbox where seq <= ${this.status().after_seq} and occurred_at <= ${cutoff}
      order by seq limit ${PRUNE_ROWS_MAX})`;
    this.schedulePrune();
  }
}
