/**
 * The outbox shipper: every Durable Object with an outbox sends its events to the EVENTS queue in
 * bounded batches (domain/event-batch.ts: EventBatchMessage), at least once and in outbox order;
 * the queue consumer (worker/lake/consumer.ts) writes them to R2 for the warehouse.
 *
 * Why this shape (issue 15: the alarm that woke once per request was ~15-20 % of a request's CPU):
 *  - After commit, in memory. Every emit kicks a run (Outbox.onEmit): it starts on a timer of 0 ms,
 *    i.e. after the emitting call has answered, or, on a busy object, when SHIP_COALESCE_MS have
 *    passed since the last run started, so a stream of calls shares one run (and one queue
 *    message) per window. One run at a time per object; a kick during a run runs once more after it.
 *    No alarm is involved: the run is the object's own promise (kept alive by ctx.waitUntil).
 *  - The alarm is the backup. Every emit also makes sure, in the emitting transaction, that the
 *    `outbox.ship` job is due no later than SHIP_BACKUP_MS after it (`noLaterThan`), so shipping can
 *    never be forgotten: if the object dies before or during its run, the job's alarm ships. Where
 *    memory is trusted (the player) an emit whose backup is already due in time writes nothing more
 *    than its outbox row. A run that caught up leaves the backup alone (cancelling and re-arming it
 *    would cost statements on every request); when the job comes due and finds the cursor caught up,
 *    it ends there: an active object's alarm wakes at most once per SHIP_BACKUP_MS for shipping.
 *  - A run: read a batch after the cursor, `await send`, and only then move the cursor. A failed send
 *    keeps every row, records the error and reschedules the job with backoff; while backing off,
 *    kicks do nothing and the job's alarm retries. One run sends at most SHIP_RUN_BATCHES_MAX batches
 *    and leaves the rest to an alarm re-armed at once.
 *  - The cursor moves in memory; its row (`outbox_shipping`) is written by the next transaction that
 *    commits anyway: the next emit's, the ship or prune job's alarm (the backup: due within
 *    SHIP_BACKUP_MS of the emit whose events the run shipped), a run's own bookkeeping (a retry
 *    cancelled, the rest re-armed, a failure), or the run itself once the cursor is
 *    SHIP_CURSOR_LAG_EVENTS_MAX events or SHIP_BACKUP_MS ahead of its row. A write transaction per run
 *    only for the cursor was one of the ~2 fsync'd commits per settled bet of a player in E5
 *    (bench/README.md, "E5 on a quiet machine"). A restart ships again from the row's cursor: the
 *    events sent since it was written go twice (fewer than SHIP_CURSOR_LAG_EVENTS_MAX), which
 *    at-least-once allows and the warehouse drops by event_id (warehouse/sync.ts).
 *  - The alarm's run takes the job and leaves a retry in its place (in case it dies); a run that
 *    catches up with such a retry (or a failure's) pending cancels it, in the transaction that saw
 *    nothing after the cursor, and re-arms the alarm for what else is due.
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

/**
 * A busy object starts a run at most this often: the calls of one window share a run and its queue
 * message. A quiet object's first event goes at once (the window has long passed).
 */
export const SHIP_COALESCE_MS = 1_000;
/**
 * The backup: the ship job is due at most this long after an emit, for a run that died with the
 * object (or never started). Within the warehouse's 60 s freshness target, and long enough that an
 * active object's alarm wakes for shipping once per this window at most, not once per request.
 */
export const SHIP_BACKUP_MS = 30_000;
/** First retry after a failed send; doubles per consecutive failure up to SHIP_RETRY_MAX_MS. */
export const SHIP_RETRY_MS = 2_000;
export const SHIP_RETRY_MAX_MS = 5 * 60_000;
/** Batches (queue messages) one run sends at most before leaving the rest to the next alarm. */
export const SHIP_RUN_BATCHES_MAX = 5;
/** Shipped rows of pruning objects are kept this long (by occurred_at) for inspection and replay. */
export const OUTBOX_RETENTION_MS = 7 * 24 * 3_600_000;
/**
 * How far the cursor may run ahead of its row before a run writes it in a transaction of its own
 * (otherwise the next emit or alarm does): what a restart may send again at most, in events.
 */
export const SHIP_CURSOR_LAG_EVENTS_MAX = EVENT_BATCH_MAX_EVENTS;
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

/** The row `outbox_shipping`, as memory holds it (ahead of the row between the writes). */
type ShippingState = {
  after_seq: number; failures: number; last_error: string | null; last_attempt_at: number | null;
  last_shipped_at: number | null; shipped_events: number;
};

/**
 * What the shipper has done: the cursor and counts as of the last send (memory), and the cursor as
 * written in `outbox_shipping` (`persisted_after_seq`: where a restart would ship from).
 */
export type ShippingStatus = ShippingState & { persisted_after_seq: number };

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
  /** Keeps the object alive until a run started after commit has finished (`ctx.waitUntil`); none in tests that build their own. */
  keepAlive?: (run: Promise<unknown>) => void;
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
    keepAlive: (run) => state.waitUntil(run),
  });
}

const NON_ASCII = /[^\x00-\x7f]/;
const utf8 = new TextEncoder();

/**
 * UTF-8 length (the byte bound is on what the queue will carry). An outbox body is JSON and nearly
 * always ASCII, where the length is the answer: one native scan instead of a JavaScript loop over
 * every character (that loop was ~4 % of the runtime's CPU in E5's profile, issue 15).
 */
function utf8Bytes(s: string): number {
  return NON_ASCII.test(s) ? utf8.encode(s).byteLength : s.length;
}

/** What a shipper did since its object started (tests and diagnostics: the alarm's share of the shipping). */
export type ShipperCounters = { kicks: number; commit_runs: number; alarm_runs: number; alarm_caught_up: number };

export class OutboxShipper {
  readonly source: string;
  /** Replaced in tests. */
  send: ShipSend;
  readonly counters: ShipperCounters = { kicks: 0, commit_runs: 0, alarm_runs: 0, alarm_caught_up: 0 };
  private readonly tx: <T>(fn: () => T) => T;
  private readonly retentionMs: number | null;
  private readonly keepAlive: (run: Promise<unknown>) => void;
  private inflight: Promise<ShipRun> | null = null;
  /** A kick arrived while a run was in flight: its events may have missed the run's last read. */
  private again = false;
  /** The timer of the next run after commit (at most one). */
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerFired: Promise<void> | null = null;
  /** When the last run after commit started (the coalescing window counts from there). */
  private lastRunAt = -Infinity;
  private due = false;
  /**
   * The ship job is a retry (left by the alarm's run, or by a failed send), which the run that
   * catches up cancels; the backup scheduled by emits is left to come due. Memory only: at worst a
   * retry stays and its alarm finds the cursor caught up.
   */
  private retryPending = false;
  /**
   * The cursor (`after_seq`), consecutive failed sends, the last attempt and the counts: the truth,
   * which `outbox_shipping` follows when `persist` writes it (only the shipper writes that row).
   * Loaded by `init`; a cursor moved back by hand for a replay takes effect on the object's next start.
   */
  private state: ShippingState | null = null;
  /** The cursor as last written to (or read from) the row; null: unknown (a transaction rolled back). */
  private persistedSeq: number | null = null;
  /** Since when memory is ahead of the row (null: the row holds what memory holds). */
  private dirtySince: number | null = null;
  /**
   * An upper bound of the due time of the ship job's row, known to exist (null: unknown or none).
   * With it, an emit whose backup is already on its way writes nothing more than its outbox row
   * (it was 3 statements per event). Only kept where memory is trusted (Schedules.trustMemory: the
   * object's transactions forget it on rollback); elsewhere every emit schedules, as before.
   */
  private shipDueAt: number | null = null;

  constructor(private readonly c: ObjectContext, opts: ShipperOptions) {
    this.source = opts.source;
    this.send = opts.send;
    this.tx = opts.tx;
    this.retentionMs = opts.retentionMs;
    this.keepAlive = opts.keepAlive ?? (() => undefined);
    c.outbox.onEmit = (at) => this.emitted(at);
    c.onForget((cause) => {
      this.shipDueAt = null;
      // A rolled-back write of the cursor is undone exactly (`write`); a rollback that wrote none
      // leaves it as it was (it was marked to be written again, with its row read: 2 statements on
      // the next emit after every refused call). SQL changed behind memory: the row may be anything.
      if (cause === 'changed_behind') {
        this.persistedSeq = null;
        this.dirtySince ??= c.now();
      }
    });
  }

  /** The ship job (re)scheduled at `dueAt` by this shipper. */
  private scheduled(dueAt: number | null): void {
    this.shipDueAt = this.c.schedules.trustMemory ? dueAt : null;
  }

  /**
   * On start-up, after the object's migrations (existing objects ran theirs before this table
   * existed): creates the cursor if missing, schedules a backup for events nobody scheduled one for
   * (emitted before the shipper existed, or a schedule lost with a failed alarm), and ships what a
   * run that died with the previous instance left behind.
   */
  init(): void {
    this.c.db.script(SHIPPING_DDL);
    const s = this.load();
    const last = this.c.db.first<{ seq: number | null }>`select max(seq) as seq from outbox`?.seq ?? 0;
    if (last <= s.after_seq) return;
    const scheduled = this.c.db.first`select 1 from schedules where kind = ${SHIP_JOB}`;
    if (!scheduled) {
      this.c.schedules.at(SHIP_JOB, SHIP_REF, this.c.now() + SHIP_BACKUP_MS);
      this.scheduled(this.c.now() + SHIP_BACKUP_MS);
    }
    this.kick();
  }

  /** What memory holds (the truth), with the cursor as its row holds it. */
  status(): ShippingStatus {
    const row = this.row();
    return { ...(this.state ?? row), persisted_after_seq: row.after_seq };
  }

  private row(): ShippingState {
    return this.c.db.first<ShippingState>`select after_seq, failures, last_error, last_attempt_at, last_shipped_at, shipped_events
      from outbox_shipping where id = 1`!;
  }

  /** Memory from the row (start-up: the row is the truth then). */
  private load(): ShippingState {
    this.state = this.row();
    this.persistedSeq = this.state.after_seq;
    this.dirtySince = null;
    return this.state;
  }

  private current(): ShippingState {
    return this.state ?? this.load();
  }

  private cursor(): number {
    return this.current().after_seq;
  }

  /** While sends fail: when the next retry is due (0: not failing). */
  private retryAt(): number {
    const s = this.current();
    return s.failures > 0 && s.last_attempt_at !== null ? s.last_attempt_at + shipRetryDelayMs(s.failures) : 0;
  }

  /**
   * Inside a transaction that commits anyway: writes memory's cursor and counts to the row if it is
   * behind (one statement; nothing when it is not), and schedules the prune of the rows it covers.
   */
  private persist(): void {
    if (this.dirtySince === null) return;
    this.write(this.current());
  }

  private write(s: ShippingState): void {
    // Unknown after SQL changed behind memory: the row holds it (read before the update; one statement, that once).
    const from = this.persistedSeq ?? this.row().after_seq;
    this.c.db.run`update outbox_shipping set after_seq = max(after_seq, ${s.after_seq}), failures = ${s.failures}, last_error = ${s.last_error},
      last_attempt_at = ${s.last_attempt_at}, last_shipped_at = ${s.last_shipped_at}, shipped_events = ${s.shipped_events} where id = 1`;
    if (this.retentionMs !== null && s.after_seq > from) this.schedulePrune(from + 1, s.after_seq);
    // If this transaction rolls back, so does the row: memory is ahead of it again, exactly as before
    // (a `failed` write's state is taken only once its transaction committed).
    const [persistedSeq, dirtySince] = [this.persistedSeq, this.dirtySince];
    this.c.onRollback(() => {
      this.persistedSeq = persistedSeq;
      this.dirtySince = dirtySince;
    });
    this.persistedSeq = Math.max(from, s.after_seq);
    this.dirtySince = null;
  }

  /** After a run's send: whether the cursor is far enough ahead of its row for the run to write it. */
  private lagging(): boolean {
    if (this.dirtySince === null) return false;
    return this.cursor() - (this.persistedSeq ?? 0) >= SHIP_CURSOR_LAG_EVENTS_MAX || this.c.now() - this.dirtySince >= SHIP_BACKUP_MS;
  }

  /**
   * Inside the emitting transaction: the cursor moved by earlier runs is written (this transaction
   * commits anyway), the backup job is due within SHIP_BACKUP_MS (never earlier than the pending
   * retry while sends fail), and a run after commit is kicked.
   */
  private emitted(at: number): void {
    this.persist();
    const dueAt = Math.max(at + SHIP_BACKUP_MS, this.retryAt());
    // Already due no later than this emit would ask for: `noLaterThan` would change nothing.
    if (this.shipDueAt === null || this.shipDueAt > dueAt) {
      this.c.schedules.noLaterThan(SHIP_JOB, SHIP_REF, dueAt);
      this.scheduled(this.shipDueAt === null ? dueAt : Math.min(this.shipDueAt, dueAt));
    }
    // Memory only, so harmless inside a transaction that rolls back: that run finds nothing new.
    this.kick();
  }

  /**
   * A run after commit, never two at once: joins the next window's timer if one is set, marks the
   * run in flight to go round once more, or sets the timer (0 ms on a quiet object: after the
   * current call has answered). While sends fail and the retry is not due, the job's alarm retries.
   */
  kick(): void {
    this.counters.kicks++;
    if (this.inflight) {
      this.again = true;
      return;
    }
    const now = this.c.now();
    if (this.timer !== null || this.retryAt() > now) return;
    const wait = Math.max(0, this.lastRunAt + SHIP_COALESCE_MS - now);
    let fire!: () => void;
    this.timerFired = new Promise<void>((r) => { fire = r; });
    this.keepAlive(this.timerFired);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.retryAt() > this.c.now()) {
        // a send failed since the kick: the retry's alarm ships
      } else if (this.inflight) {
        this.again = true; // an alarm's run started meanwhile: go round after it
      } else {
        this.lastRunAt = this.c.now();
        this.counters.commit_runs++;
        void this.run();
      }
      fire();
    }, wait);
  }

  /**
   * Inside the alarm's transaction, for each job it took: true if the job was the shipper's.
   * A ship job that finds the cursor caught up is done (the runs after commit kept up); otherwise
   * it leaves a retry behind and is run by `afterAlarm`. A prune job runs here.
   */
  handle(kind: string): boolean {
    if (kind !== SHIP_JOB && kind !== PRUNE_JOB) return false;
    // The alarm's transaction commits anyway: the cursor's row catches up (the prune then never
    // deletes past it, and a caught-up backup is where a quiet object's cursor gets written).
    this.persist();
    if (kind === SHIP_JOB) {
      this.scheduled(null); // taken
      if (!this.behind()) {
        this.counters.alarm_caught_up++;
        return true;
      }
      const retryAt = this.c.now() + shipRetryDelayMs(this.current().failures + 1);
      this.c.schedules.at(SHIP_JOB, SHIP_REF, retryAt);
      this.scheduled(retryAt);
      this.retryPending = true;
      this.due = true;
      return true;
    }
    this.prune();
    return true;
  }

  /** Whether rows wait after the cursor. */
  private behind(): boolean {
    return this.c.db.first`select 1 from outbox where seq > ${this.cursor()} limit 1` !== null;
  }

  /** After the alarm's transaction committed: ships if a ship job came due. Never throws. */
  async afterAlarm(): Promise<void> {
    if (!this.due) return;
    this.due = false;
    this.counters.alarm_runs++;
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

  /**
   * Ships what is pending (up to SHIP_RUN_BATCHES_MAX batches); joins the run in flight if there is
   * one. A kick that arrived during the run goes round once more after it (unless it failed: then
   * the retry's alarm does).
   */
  run(): Promise<ShipRun> {
    if (this.inflight) return this.inflight;
    const run = this.drain().then((r) => {
      this.inflight = null;
      if (this.again) {
        this.again = false;
        if (r.error === null) this.kick();
      }
      return r;
    });
    this.inflight = run;
    this.keepAlive(run);
    return run;
  }

  /** Resolves when no run is in flight or waiting for its timer (tests). */
  async settled(): Promise<void> {
    while (this.inflight || this.timer !== null) {
      if (this.inflight) await this.inflight.catch(() => undefined);
      else await this.timerFired;
    }
  }

  private async drain(): Promise<ShipRun> {
    const out: ShipRun = { batches: 0, events: 0, error: null, more: false };
    try {
      for (let i = 0; i < SHIP_RUN_BATCHES_MAX; i++) {
        const message = this.tx(() => this.nextBatch());
        if (!message) return out;
        const error = await this.trySend(message);
        if (error !== null) {
          this.state = this.tx(() => this.failed(error));
          const failures = this.state.failures;
          console.warn(`shipper ${this.source}: send of seq ${message.first_seq}..${message.last_seq} failed (${failures} in a row, retry in ${shipRetryDelayMs(failures)} ms): ${error}`);
          return { ...out, error, more: true };
        }
        this.shipped(message);
        if (this.lagging()) this.tx(() => this.persist());
        out.batches++;
        out.events += message.events.length;
      }
      // Bounded run: what is left goes in a fresh alarm, right away.
      out.more = this.tx(() => {
        this.persist();
        const left = this.c.db.first`select 1 from outbox where seq > ${this.cursor()} limit 1` !== null;
        if (left) {
          this.c.schedules.at(SHIP_JOB, SHIP_REF, this.c.now());
          this.scheduled(this.c.now());
          this.retryPending = true;
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
    const rows = this.c.db.all<{ seq: number; body: string }>`select seq, body from outbox where seq > ${this.cursor()}
      order by seq limit ${EVENT_BATCH_MAX_EVENTS}`;
    if (rows.length === 0) {
      // Caught up, in this transaction, so no event can slip in between: a pending retry has nothing
      // left to do (the backup an emit scheduled is left to come due: cancelling it here, and
      // scheduling it again on the next emit, would cost statements on every request).
      if (this.retryPending) {
        this.persist(); // a write transaction anyway
        this.c.schedules.cancel(SHIP_JOB, SHIP_REF);
        this.c.schedules.rearm();
        this.scheduled(null);
        this.retryPending = false;
      }
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

  /** After the queue accepted `m`: memory moves (the row follows with the next write, `persist`). */
  private shipped(m: EventBatchMessage): void {
    const now = this.c.now();
    const s = this.current();
    this.state = {
      after_seq: Math.max(s.after_seq, m.last_seq), failures: 0, last_error: null,
      last_attempt_at: now, last_shipped_at: now, shipped_events: s.shipped_events + m.events.length,
    };
    this.dirtySince ??= now;
  }

  /**
   * Records the failure (with the cursor, in the same write) and schedules the retry; returns what
   * memory takes once this transaction committed.
   */
  private failed(error: string): ShippingState {
    const now = this.c.now();
    const next = { ...this.current(), failures: this.current().failures + 1, last_error: error, last_attempt_at: now };
    this.write(next);
    this.c.schedules.at(SHIP_JOB, SHIP_REF, now + shipRetryDelayMs(next.failures));
    this.scheduled(now + shipRetryDelayMs(next.failures));
    this.retryPending = true;
    return next;
  }

  /**
   * The prune job comes due when the oldest shipped row of `fromSeq..toSeq` has been kept for the
   * retention (`noLaterThan`: never later than it already is). Each batch shipped schedules for its
   * own rows, and each prune for every shipped row it left, so the job is always due by the oldest
   * shipped row's time; a batch reads only its own range of the primary key. (It read every shipped
   * row, `seq <= cursor`: a table keeps 7 days of them, and that scan, once per batch shipped, was
   * ~8 % of the runtime's CPU while a table settled 1,000 bets in E5's profile, issue 15.)
   */
  private schedulePrune(fromSeq: number, toSeq: number): void {
    const oldest = this.c.db.first<{ at: number | null }>`select min(occurred_at) as at from outbox where seq between ${fromSeq} and ${toSeq}`?.at ?? null;
    if (oldest !== null) this.c.schedules.noLaterThan(PRUNE_JOB, PRUNE_REF, oldest + this.retentionMs!);
  }

  /** Deletes shipped rows past the retention (never one after the cursor), then schedules the next prune. */
  private prune(): void {
    if (this.retentionMs === null) return;
    const cutoff = this.c.now() - this.retentionMs;
    this.c.db.run`delete from outbox where seq in (select seq from outbox where seq <= ${this.cursor()} and occurred_at <= ${cutoff}
      order by seq limit ${PRUNE_ROWS_MAX})`;
    this.schedulePrune(0, this.cursor());
  }
}
