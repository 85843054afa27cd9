/**
 * The outbox shipper inside real objects (a PlayerDO, which keeps its outbox, and a BrandOpsDO,
 * which prunes it), with the queue replaced by a stand-in where a test needs to see or break the
 * sends: shipping after commit without the alarm, the alarm as the backup, bounded batches, the
 * cursor moving only after a send succeeded (in memory, written by the next transaction that commits
 * anyway), retries with backoff, one run at a time, restarts, and pruning. test/edge/event-shipping.test.ts covers the real queue and R2.
 */
import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { EVENT_BATCH_MAX_BYTES, EVENT_BATCH_MAX_EVENTS, type EventBatchMessage } from '../../domain/event-batch';
import type { ObjectContext } from './object-context';
import {
  OUTBOX_RETENTION_MS, OutboxShipper, PRUNE_JOB, SHIP_BACKUP_MS, SHIP_COALESCE_MS, SHIP_CURSOR_LAG_EVENTS_MAX, SHIP_JOB, SHIP_RETRY_MS,
  SHIP_RUN_BATCHES_MAX, shipRetryDelayMs, type ShipSend,
} from './shipper';
import { countStatements, type StatementCounts } from './statement-counter';

type Internals = { shipper: OutboxShipper; c: ObjectContext; ctx: DurableObjectState };
type Stub = DurableObjectStub;

function inside<R>(stub: Stub, fn: (i: Internals) => R | Promise<R>): Promise<R> {
  return runInDurableObject(stub, (o: unknown) => fn(o as Internals));
}

const playerStub = (): Stub => env.PLAYER.getByName(crypto.randomUUID());
const opsStub = (): Stub => env.BRAND_OPS.getByName(`test:${crypto.randomUUID()}`);

/** A queue stand-in: records messages (and the cursor at each send), fails while `down`, can be held mid-send. */
class FakeQueue {
  messages: EventBatchMessage[] = [];
  cursorAtSend: number[] = [];
  down = false;
  calls = 0;
  concurrent = 0;
  maxConcurrent = 0;
  gate: Promise<void> | null = null;
  shipper: OutboxShipper | null = null;

  readonly send: ShipSend = async (m) => {
    this.calls++;
    this.concurrent++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    try {
      this.cursorAtSend.push(this.shipper!.status().after_seq);
      if (this.gate) await this.gate;
      if (this.down) throw new Error('queue down');
      this.messages.push(structuredClone(m));
    } finally {
      this.concurrent--;
    }
  };

  ids(): string[] {
    return this.messages.flatMap((m) => m.events.map((e) => e.event_id));
  }
}

async function withFake(stub: Stub): Promise<FakeQueue> {
  const fake = new FakeQueue();
  await inside(stub, (i) => {
    fake.shipper = i.shipper;
    i.shipper.send = fake.send;
  });
  return fake;
}

/** Inside the object: emits `n` events in one transaction, each with `pad` in its payload. */
function emitNow(i: Internals, n: number, pad = ''): void {
  i.ctx.storage.transactionSync(() => {
    for (let k = 0; k < n; k++) i.c.outbox.emit('player.vip.changed', { from: false, to: true, actor: `t:${k}:${pad}` }, {}, i.c.now());
  });
}

async function emit(stub: Stub, n: number, pad = ''): Promise<void> {
  await inside(stub, (i) => emitNow(i, n, pad));
}

/**
 * `n` small rows straight into the outbox (real events are ~250 bytes, so the byte bound would
 * always cut first): for the count bounds. The shipper ships bodies as they are; it never validates.
 */
function emitSmallNow(i: Internals, n: number): void {
  i.ctx.storage.transactionSync(() => {
    for (let k = 0; k < n; k++) {
      const id = crypto.randomUUID();
      i.c.db.run`insert into outbox (event_id, event_type, occurred_at, body) values (${id}, 'test.small', ${i.c.now()}, ${JSON.stringify({ event_id: id, k })})`;
    }
    i.c.schedules.noLaterThan(SHIP_JOB, 'queue', i.c.now() + SHIP_BACKUP_MS);
  });
}

async function outboxIds(stub: Stub): Promise<string[]> {
  return inside(stub, (i) => i.c.db.all<{ event_id: string }>`select event_id from outbox order by seq`.map((r) => r.event_id));
}

/** The cursor as `outbox_shipping` holds it (where a restart ships from). */
const rowCursor = (i: Internals) => i.c.db.first<{ after_seq: number }>`select after_seq from outbox_shipping where id = 1`!.after_seq;

/** The statements `fn` runs in the object: [query text (whitespace folded), times run]. */
async function statementsOf(i: Internals, fn: () => unknown): Promise<[string, number][]> {
  const counts: StatementCounts = new Map();
  const restore = countStatements(i.ctx.storage.sql, counts);
  try {
    await fn();
  } finally {
    restore();
  }
  return [...counts.entries()].map(([q, n]) => [q.trim().replace(/\s+/g, ' '), n]);
}

/** The statements `fn` runs in the object that are not reads (each write statement belongs to a transaction that commits). */
async function writesOf(i: Internals, fn: () => Promise<unknown>): Promise<string[]> {
  return (await statementsOf(i, fn)).map(([q]) => q).filter((q) => !/^select\b/i.test(q));
}

async function lastSeq(stub: Stub): Promise<number> {
  return inside(stub, (i) => i.c.db.first<{ s: number | null }>`select max(seq) as s from outbox`?.s ?? 0);
}

const jobsNow = (i: Internals, kind: string) => i.c.schedules.pending().filter((j) => j.kind === kind);
const jobs = (stub: Stub, kind: string) => inside(stub, (i) => jobsNow(i, kind));

async function until<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function contiguous(messages: EventBatchMessage[], from: number, to: number): void {
  let next = from;
  for (const m of messages) {
    expect(m.first_seq).toBe(next);
    expect(m.last_seq - m.first_seq + 1).toBe(m.events.length);
    next = m.last_seq + 1;
  }
  expect(next).toBe(to + 1);
}

describe('outbox shipper: scheduling', () => {
  it('schedules the backup within SHIP_BACKUP_MS in the emitting transaction, never later for later events', async () => {
    const stub = playerStub();
    await withFake(stub);
    // One call, no await inside: the run kicked by the emit cannot ship between the looks.
    const { at, first, later } = await inside(stub, (i) => {
      const at = i.c.now();
      emitNow(i, 1);
      const first = jobsNow(i, SHIP_JOB);
      emitNow(i, 3);
      return { at, first, later: jobsNow(i, SHIP_JOB) };
    });
    expect(first).toHaveLength(1);
    expect(first[0]!.due_at).toBeGreaterThanOrEqual(at + SHIP_BACKUP_MS);
    expect(first[0]!.due_at).toBeLessThanOrEqual(at + SHIP_BACKUP_MS + 1_000);
    expect(later).toEqual(first);
  });

  it('ships right after the emitting call, without the alarm; the backup stays and, caught up, its alarm does nothing', async () => {
    const stub = playerStub();
    const fake = await withFake(stub);
    await emit(stub, 3);
    await until('the run after commit', async () => fake.ids().length, (n) => n === 3);
    expect(fake.ids()).toEqual(await outboxIds(stub));
    const after = await inside(stub, async (i) => {
      await i.shipper.settled();
      return { status: i.shipper.status(), counters: { ...i.shipper.counters }, jobs: jobsNow(i, SHIP_JOB) };
    });
    expect(after.status).toMatchObject({ after_seq: 3, failures: 0, shipped_events: 3 });
    expect(after.counters).toMatchObject({ commit_runs: 1, alarm_runs: 0 });
    // The backup is left in place (cancelling it would cost every request statements) ...
    expect(after.jobs).toHaveLength(1);
    // ... and when it comes due it finds the cursor caught up: no run, no send, nothing left behind.
    await inside(stub, (i) => { i.c.clockOffsetMs += SHIP_BACKUP_MS; });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const backup = await inside(stub, (i) => ({ counters: { ...i.shipper.counters }, jobs: jobsNow(i, SHIP_JOB) }));
    expect(backup.counters).toMatchObject({ commit_runs: 1, alarm_runs: 0, alarm_caught_up: 1 });
    expect(backup.jobs).toEqual([]);
    expect(fake.calls).toBe(1);
  });

  it('coalesces a busy object: the calls of one window share a run and a message, in order', async () => {
    const stub = playerStub();
    const fake = await withFake(stub);
    let open!: () => void;
    fake.gate = new Promise((r) => { open = r; });
    await emit(stub, 1); // its run starts at once and waits in the send
    await until('the first send', async () => fake.calls, (n) => n === 1);
    for (let k = 0; k < 5; k++) await emit(stub, 2); // five calls while it is in flight
    open();
    await until('every event', async () => fake.ids().length, (n) => n === 11);
    await inside(stub, (i) => i.shipper.settled());
    // the first call's message, then the five calls' ten events together, after the window
    expect(fake.messages.map((m) => m.events.length)).toEqual([1, 10]);
    expect(fake.ids()).toEqual(await outboxIds(stub));
    contiguous(fake.messages, 1, 11);
    expect(fake.maxConcurrent).toBe(1);
    expect(await inside(stub, (i) => i.shipper.counters)).toMatchObject({ alarm_runs: 0 });
  });

  it('starts at most one run per SHIP_COALESCE_MS: calls right after a run wait for the window and share the next', async () => {
    const stub = playerStub();
    const fake = await withFake(stub);
    const sentAt: number[] = [];
    const send = fake.send;
    await inside(stub, (i) => { i.shipper.send = async (m) => { sentAt.push(Date.now()); await send(m); }; });
    await emit(stub, 1);
    await until('the first run', async () => sentAt.length, (n) => n === 1);
    // Three calls, each its own transaction, right after: the window of the first run is still open.
    const calledAt = await inside(stub, (i) => {
      for (let k = 0; k < 3; k++) emitNow(i, 1);
      return Date.now();
    });
    await until('the next run', async () => fake.ids().length, (n) => n === 4);
    await inside(stub, (i) => i.shipper.settled());
    expect(fake.messages.map((m) => m.events.length)).toEqual([1, 3]); // one message for the three calls
    contiguous(fake.messages, 1, 4);
    // The second run waited for the window (judged only if the calls came inside it: a loaded machine may be slower).
    if (calledAt - sentAt[0]! < SHIP_COALESCE_MS - 100) expect(sentAt[1]! - sentAt[0]!).toBeGreaterThanOrEqual(SHIP_COALESCE_MS - 100);
    expect(await inside(stub, (i) => i.shipper.counters)).toMatchObject({ commit_runs: 2, alarm_runs: 0 });
  });

  it('schedules nothing for an emit whose transaction rolled back', async () => {
    const stub = playerStub();
    await withFake(stub);
    await inside(stub, (i) => {
      expect(() => i.ctx.storage.transactionSync(() => {
        i.c.outbox.emit('player.vip.changed', { from: false, to: true, actor: 't' }, {}, i.c.now());
        throw new Error('rolled back');
      })).toThrow('rolled back');
    });
    expect(await outboxIds(stub)).toEqual([]);
    expect(await jobs(stub, SHIP_JOB)).toEqual([]);
  });
});

describe('outbox shipper: batches', () => {
  it('sends at most EVENT_BATCH_MAX_EVENTS events per message, every event once, in outbox order', async () => {
    const stub = playerStub();
    const fake = await withFake(stub);
    const n = 2 * EVENT_BATCH_MAX_EVENTS + 234;
    const run = await inside(stub, (i) => { // rows written as they are (no emit, so no run kicked): this run ships them
      emitSmallNow(i, n);
      return i.shipper.run();
    });
    expect(run).toEqual({ batches: 3, events: n, error: null, more: false });
    expect(fake.messages.map((m) => m.events.length)).toEqual([EVENT_BATCH_MAX_EVENTS, EVENT_BATCH_MAX_EVENTS, 234]);
    expect(fake.ids()).toEqual(await outboxIds(stub));
    contiguous(fake.messages, 1, n);
    const id = await inside(stub, (i) => i.ctx.id.name);
    for (const m of fake.messages) expect(m).toMatchObject({ v: 1, source: `player/${id}` });
    expect(await inside(stub, (i) => i.shipper.status())).toMatchObject({ after_seq: n, failures: 0, last_error: null, shipped_events: n });
    expect(await jobs(stub, SHIP_JOB)).toHaveLength(1); // the backup stays; due, it will find the cursor caught up
  });

  it('keeps each message under EVENT_BATCH_MAX_BYTES of UTF-8 JSON; an event above that goes alone', async () => {
    const stub = playerStub();
    const fake = await withFake(stub);
    await emit(stub, 40, '€'.repeat(3_000)); // ~9 KB of UTF-8 each, a third of that in characters
    await emit(stub, 1, 'x'.repeat(EVENT_BATCH_MAX_BYTES + 10));
    await emit(stub, 2);
    await inside(stub, (i) => i.shipper.run()); // 5 batches; the re-armed alarm sends the rest
    await until('everything to ship', () => inside(stub, (i) => i.shipper.status().after_seq), (s) => s === 43);
    const sizes = fake.messages.map((m) => new TextEncoder().encode(JSON.stringify(m.events)).length);
    expect(fake.messages.length).toBeGreaterThanOrEqual(5);
    const huge = fake.messages.findIndex((m) => m.events.length === 1 && JSON.stringify(m.events).length > EVENT_BATCH_MAX_BYTES);
    expect(huge).toBeGreaterThan(0);
    sizes.forEach((s, k) => {
      if (k !== huge) expect(s).toBeLessThanOrEqual(EVENT_BATCH_MAX_BYTES);
    });
    // full batches: the next event would not have fit
    for (const k of [0, 1]) expect(sizes[k]!).toBeGreaterThan(EVENT_BATCH_MAX_BYTES - 10_000);
    expect(fake.ids()).toEqual(await outboxIds(stub));
    contiguous(fake.messages, 1, 43);
  });

  it('sends at most SHIP_RUN_BATCHES_MAX messages per run and re-arms at once for the rest', async () => {
    const stub = playerStub();
    const fake = await withFake(stub);
    const n = SHIP_RUN_BATCHES_MAX * EVENT_BATCH_MAX_EVENTS + 7;
    // Emit, run and look at the schedule in one call. The job re-armed "at once" is due at once: once
    // the call returns, its alarm may take it (leaving a backup retry in its place) before a second
    // call could look. Inside, nothing else runs: the fake send awaits no I/O, so no alarm can fire
    // in between (nor the emit's backup, SHIP_BACKUP_MS away, before this run).
    const first = await inside(stub, async (i) => {
      emitSmallNow(i, n);
      const run = await i.shipper.run();
      return { run, now: i.c.now(), jobs: jobsNow(i, SHIP_JOB) };
    });
    expect(first.run).toEqual({ batches: SHIP_RUN_BATCHES_MAX, events: n - 7, error: null, more: true });
    expect(first.jobs).toHaveLength(1);
    expect(first.jobs[0]!.due_at).toBeLessThanOrEqual(first.now);
    expect(first.jobs[0]!.due_at).toBeGreaterThan(first.now - 1_000);
    await until('the re-armed alarm to ship the rest', () => inside(stub, (i) => i.shipper.status().after_seq), (s) => s === n);
    expect(fake.ids()).toEqual(await outboxIds(stub));
    contiguous(fake.messages, 1, n);
  });
});

describe('outbox shipper: failures', () => {
  it('moves the cursor only after a send succeeded; a failed send keeps every row and is retried with backoff', async () => {
    const stub = playerStub();
    const fake = await withFake(stub);
    fake.down = true;
    const failed = await inside(stub, async (i) => { // emit and run in one call: the run the emit kicked cannot start first
      emitNow(i, 5);
      return { run: await i.shipper.run(), status: i.shipper.status() };
    });
    expect(failed.run).toEqual({ batches: 0, events: 0, error: 'queue down', more: true });
    expect(failed.status).toMatchObject({ after_seq: 0, failures: 1, last_error: 'queue down', shipped_events: 0 });
    expect((await jobs(stub, SHIP_JOB))[0]!.due_at).toBe(failed.status.last_attempt_at! + SHIP_RETRY_MS);
    expect(await outboxIds(stub)).toHaveLength(5);

    // More events while failing do not pull the retry earlier.
    await emit(stub, 2);
    expect((await jobs(stub, SHIP_JOB))[0]!.due_at).toBe(failed.status.last_attempt_at! + SHIP_RETRY_MS);

    // The alarm retries when due; still down: the next retry is twice as far.
    await inside(stub, (i) => { i.c.clockOffsetMs += SHIP_RETRY_MS; });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const again = await inside(stub, (i) => i.shipper.status());
    expect(again).toMatchObject({ after_seq: 0, failures: 2 });
    expect((await jobs(stub, SHIP_JOB))[0]!.due_at).toBe(again.last_attempt_at! + shipRetryDelayMs(2));
    expect(fake.messages).toEqual([]);

    // Back up: the next due alarm ships everything, once, in order.
    fake.down = false;
    await inside(stub, (i) => { i.c.clockOffsetMs += shipRetryDelayMs(2); });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await inside(stub, (i) => i.shipper.settled());
    expect(fake.ids()).toEqual(await outboxIds(stub));
    expect(fake.cursorAtSend.at(-1)).toBe(0); // the successful send saw the cursor unmoved
    expect(await inside(stub, (i) => i.shipper.status())).toMatchObject({ after_seq: 7, failures: 0, last_error: null, shipped_events: 7 });
    expect(await jobs(stub, SHIP_JOB)).toEqual([]);
  });

  it('runs one shipment at a time per object', async () => {
    const stub = playerStub();
    const fake = await withFake(stub);
    let open!: () => void;
    fake.gate = new Promise((r) => { open = r; });
    await emit(stub, 3);
    const same = await inside(stub, (i) => {
      const a = i.shipper.run();
      const b = i.shipper.run();
      void a.then(() => undefined);
      return a === b;
    });
    expect(same).toBe(true);
    await emit(stub, 2);
    const second = inside(stub, (i) => i.shipper.run());
    open();
    await second;
    await inside(stub, (i) => i.shipper.run());
    expect(fake.maxConcurrent).toBe(1);
    expect(fake.ids()).toEqual(await outboxIds(stub));
  });
});

describe('outbox shipper: restarts', () => {
  it('a run after commit that dies with the object mid-send is shipped again after the restart', async () => {
    const name = crypto.randomUUID();
    const stub = () => env.PLAYER.getByName(name); // an aborted object's old stub stays broken
    let sends = 0;
    await inside(stub(), (i) => {
      i.shipper.send = async () => {
        sends++;
        await i.ctx.storage.sync();
        i.ctx.abort('test: restart in the middle of a send');
        throw new Error('aborted');
      };
    });
    // The emit's own run (after the call answered) dies in its send, with the object.
    await emit(stub(), 4);
    await until('the send that dies', async () => sends, (n) => n === 1);
    // The new instance ships through the real queue: its start finds rows after the cursor and runs
    // (had nothing called it, the backup job the emit scheduled would have woken it).
    let s: { after_seq: number; failures: number; shipped_events: number } | null = null;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      s = await inside(stub(), async (i) => { await i.shipper.settled(); return i.shipper.status(); }).catch(() => null);
      if (s?.after_seq === 4) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(s).toMatchObject({ after_seq: 4, failures: 0, shipped_events: 4 });
    expect(sends).toBe(1);
  });

  it('an object that died before its run ships from the backup alarm', async () => {
    const stub = playerStub();
    const fake = await withFake(stub);
    // Rows and their backup committed, and no run after commit (as if the object died right after
    // the transaction): only the backup's alarm can ship them.
    await inside(stub, (i) => emitSmallNow(i, 2));
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.calls).toBe(0);
    await inside(stub, (i) => { i.c.clockOffsetMs += SHIP_BACKUP_MS; });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await inside(stub, (i) => i.shipper.settled());
    expect(fake.ids()).toEqual(await outboxIds(stub));
    expect(await inside(stub, (i) => ({ status: i.shipper.status(), counters: { ...i.shipper.counters } }))).toMatchObject({
      status: { after_seq: 2, failures: 0 }, counters: { alarm_runs: 1 },
    });
    expect(await jobs(stub, SHIP_JOB)).toEqual([]); // caught up: the retry the alarm left is cancelled
  });

  it('ships the history of an object that predates the shipper (no cursor table, no job) on its next start', async () => {
    const stub = playerStub();
    await withFake(stub);
    await emit(stub, 6);
    await inside(stub, (i) => i.ctx.storage.transactionSync(() => {
      i.c.db.run`drop table outbox_shipping`;
      i.c.schedules.cancel(SHIP_JOB, 'queue');
    }));
    await evictDurableObject(stub);
    const s = await until('the old events to ship', () => inside(stub, (i) => i.shipper.status()), (st) => st.after_seq === 6);
    expect(s).toMatchObject({ failures: 0, shipped_events: 6 });
  });
});

describe('outbox shipper: the cursor in memory, written with the next transaction (issue 15, E5)', () => {
  it('a run writes nothing: the cursor moves in memory, the next emit writes it in its own transaction, the backup alarm otherwise', async () => {
    const stub = playerStub();
    const fake = await withFake(stub);
    const first = await inside(stub, async (i) => {
      emitSmallNow(i, 3); // rows without an emit: no run kicked, this one ships them
      const writes = await writesOf(i, () => i.shipper.run());
      return { writes, status: i.shipper.status(), row: rowCursor(i) };
    });
    expect(fake.ids()).toEqual(await outboxIds(stub));
    expect(first.writes).toEqual([]); // no write transaction for the cursor (it was one per run)
    expect(first.status).toMatchObject({ after_seq: 3, persisted_after_seq: 0, shipped_events: 3, failures: 0 });
    expect(first.row).toBe(0);

    // The next emit's transaction writes it (one statement more in a commit it makes anyway) ...
    const second = await inside(stub, async (i) => {
      emitNow(i, 2);
      const row = rowCursor(i);
      const writes = await writesOf(i, () => i.shipper.run());
      return { row, writes, status: i.shipper.status() };
    });
    expect(second.row).toBe(3);
    expect(second.writes).toEqual([]);
    expect(second.status).toMatchObject({ after_seq: 5, persisted_after_seq: 3, shipped_events: 5 });
    await inside(stub, (i) => i.shipper.settled());

    // ... and with no emit after it, the backup's alarm (caught up) does, and ships nothing.
    await inside(stub, (i) => { i.c.clockOffsetMs += SHIP_BACKUP_MS; });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const after = await inside(stub, (i) => ({ row: rowCursor(i), status: i.shipper.status(), counters: { ...i.shipper.counters } }));
    expect(after.row).toBe(5);
    expect(after.status).toMatchObject({ after_seq: 5, persisted_after_seq: 5, shipped_events: 5, failures: 0, last_error: null });
    expect(after.counters).toMatchObject({ alarm_runs: 0, alarm_caught_up: 1 });
    expect(fake.calls).toBe(2);
    expect(fake.ids()).toEqual(await outboxIds(stub));
  });

  it('a run writes the cursor itself once it is SHIP_CURSOR_LAG_EVENTS_MAX events ahead of its row', async () => {
    const stub = playerStub();
    await withFake(stub);
    const n = 2 * SHIP_CURSOR_LAG_EVENTS_MAX + 10; // small rows: 500 to a batch, so 3 batches
    const r = await inside(stub, async (i) => {
      emitSmallNow(i, n);
      const writes = await writesOf(i, () => i.shipper.run());
      return { writes, status: i.shipper.status() };
    });
    expect(r.status).toMatchObject({ after_seq: n, persisted_after_seq: 2 * SHIP_CURSOR_LAG_EVENTS_MAX });
    expect(r.writes.filter((q) => q.startsWith('update outbox_shipping'))).toHaveLength(1); // one statement text, run twice
    expect(r.status.after_seq - r.status.persisted_after_seq).toBeLessThan(SHIP_CURSOR_LAG_EVENTS_MAX);
  });

  it('a run writes the cursor itself once it has been ahead of its row for SHIP_BACKUP_MS', async () => {
    const stub = playerStub();
    await withFake(stub);
    const r = await inside(stub, async (i) => {
      emitSmallNow(i, 2);
      await i.shipper.run(); // ahead of the row from now on
      // a second short of it (not a millisecond: the object's clock is the real one plus the offset,
      // and a real millisecond passing between the two runs made it due, now and then)
      i.c.clockOffsetMs += SHIP_BACKUP_MS - 1_000;
      emitSmallNow(i, 1); // rows without an emit: nothing writes the cursor but the run
      const early = await writesOf(i, () => i.shipper.run());
      i.c.clockOffsetMs += 1_000;
      emitSmallNow(i, 1);
      const due = await writesOf(i, () => i.shipper.run());
      return { early, due, status: i.shipper.status() };
    });
    expect(r.early).toEqual([]);
    expect(r.due.filter((q) => q.startsWith('update outbox_shipping'))).toHaveLength(1);
    expect(r.status).toMatchObject({ after_seq: 4, persisted_after_seq: 4 });
  });

  it('a restart ships again exactly what was sent after the written cursor, and loses nothing', async () => {
    const stub = playerStub();
    const fake = await withFake(stub);
    const r = await inside(stub, async (i) => {
      emitSmallNow(i, 4);
      await i.shipper.run(); // 1..4 sent, the row still at 0
      emitNow(i, 3); // writes 4
      await i.shipper.run(); // 5..7 sent, the row at 4
      emitSmallNow(i, 2); // 8..9 never sent
      const before = i.shipper.status();
      // The object restarts: a new shipper over the same storage, with nothing of the old one's memory.
      const again = new FakeQueue();
      const fresh = new OutboxShipper(i.c, { source: i.shipper.source, tx: (fn) => i.c.tx(fn), send: again.send, retentionMs: null });
      again.shipper = fresh;
      fresh.init(); // finds rows after the row's cursor and kicks a run
      await fresh.settled();
      return { before, again: again.messages, status: fresh.status() };
    });
    expect(r.before).toMatchObject({ after_seq: 7, persisted_after_seq: 4 });
    // from the written cursor on: 5..7 a second time (at least once), 8..9 for the first time
    expect(r.again.map((m) => [m.first_seq, m.last_seq])).toEqual([[5, 9]]);
    const ids = await outboxIds(stub);
    expect(r.again.flatMap((m) => m.events.map((e) => e.event_id))).toEqual(ids.slice(4));
    expect(new Set([...fake.ids(), ...r.again.flatMap((m) => m.events.map((e) => e.event_id))])).toEqual(new Set(ids));
    expect(r.status).toMatchObject({ after_seq: 9, persisted_after_seq: 4, failures: 0 });
    await inside(stub, (i) => i.shipper.settled());
  });

  it('a rolled-back transaction that wrote the cursor leaves it to be written again', async () => {
    const stub = playerStub();
    await withFake(stub);
    const r = await inside(stub, async (i) => {
      emitSmallNow(i, 2);
      await i.shipper.run();
      expect(() => i.c.tx(() => {
        i.c.outbox.emit('player.vip.changed', { from: false, to: true, actor: 't' }, {}, i.c.now()); // writes the cursor ...
        throw new Error('rolled back'); // ... and takes it back
      })).toThrow('rolled back');
      const rolledBack = rowCursor(i);
      emitNow(i, 1);
      return { rolledBack, row: rowCursor(i) };
    });
    expect(r).toEqual({ rolledBack: 0, row: 2 });
    await inside(stub, (i) => i.shipper.settled());
  });

  // A refused call rolls its transaction back; it used to leave the cursor marked to be written and
  // its row unknown whether or not that transaction wrote it: 2 statements (the row read, an update)
  // on the next emit, for nothing when the row already held memory's cursor.
  it('a rolled-back transaction that did not write the cursor leaves its state exactly as it was', async () => {
    const stub = playerStub();
    await withFake(stub);
    const r = await inside(stub, async (i) => {
      const cursorStatements = async (fn: () => unknown) => (await statementsOf(i, fn)).filter(([q]) => q.includes('outbox_shipping'));
      const refused = () => expect(() => i.c.tx(() => {
        i.c.db.run`insert into schedules (kind, ref, due_at) values ('test.other', 'x', 1)`; // a write, not the cursor's
        throw new Error('refused');
      })).toThrow('refused');
      emitSmallNow(i, 2);
      await i.shipper.run(); // memory at 2, the row at 0
      emitNow(i, 1); // writes 2
      await i.shipper.settled(); // memory at 3, the row at 2
      // memory ahead of the row: the next emit writes it, one update and no read of the row
      refused();
      const ahead = await cursorStatements(() => emitNow(i, 1));
      const aheadRow = rowCursor(i);
      await i.shipper.settled();
      i.c.tx(() => i.shipper.handle(SHIP_JOB)); // the backup's alarm: the row catches up with memory
      const caughtUp = { row: rowCursor(i), status: i.shipper.status() };
      // the row holding memory's cursor: the next emit writes nothing for it
      refused();
      const clean = await cursorStatements(() => emitNow(i, 1));
      await i.shipper.settled();
      return { ahead, aheadRow, caughtUp, clean, row: rowCursor(i), status: i.shipper.status() };
    });
    expect(r.ahead).toEqual([[expect.stringMatching(/^update outbox_shipping/), 1]]);
    expect(r.aheadRow).toBe(3);
    expect(r.caughtUp.row).toBe(4);
    expect(r.caughtUp.status).toMatchObject({ after_seq: 4, persisted_after_seq: 4 });
    expect(r.clean).toEqual([]);
    expect(r.status).toMatchObject({ after_seq: 5, persisted_after_seq: 4 });
  });

  it('a transaction that wrote the cursor inside one that rolled back leaves it to be written again', async () => {
    const stub = playerStub();
    await withFake(stub);
    const r = await inside(stub, async (i) => {
      emitSmallNow(i, 2);
      await i.shipper.run(); // memory at 2, the row at 0
      expect(() => i.c.tx(() => {
        // the inner transaction commits its write of the cursor ... into the outer one, which rolls back
        i.c.tx(() => i.c.outbox.emit('player.vip.changed', { from: false, to: true, actor: 't' }, {}, i.c.now()));
        throw new Error('rolled back');
      })).toThrow('rolled back');
      const rolledBack = { row: rowCursor(i), status: i.shipper.status() };
      emitNow(i, 1);
      return { rolledBack, row: rowCursor(i) };
    });
    expect(r.rolledBack).toEqual({ row: 0, status: expect.objectContaining({ after_seq: 2, persisted_after_seq: 0 }) });
    expect(r.row).toBe(2);
    await inside(stub, (i) => i.shipper.settled());
  });
});

describe('outbox shipper: pruning', () => {
  it('BrandOpsDO deletes shipped rows after the retention, never an unshipped one', async () => {
    const stub = opsStub();
    const fake = await withFake(stub);
    await emit(stub, 3);
    const t0 = await inside(stub, (i) => i.c.now());
    await inside(stub, (i) => i.shipper.run());
    expect(await outboxIds(stub)).toHaveLength(3); // kept during the retention
    // The prune is scheduled with the cursor's write: here, by the backup's alarm.
    await inside(stub, (i) => { i.c.clockOffsetMs += SHIP_BACKUP_MS; });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const [prune] = await jobs(stub, PRUNE_JOB);
    expect(prune!.due_at).toBeGreaterThanOrEqual(t0 - 1_000 + OUTBOX_RETENTION_MS);
    expect(prune!.due_at).toBeLessThanOrEqual(t0 + OUTBOX_RETENTION_MS);

    fake.down = true;
    await emit(stub, 1);
    const unshipped = (await outboxIds(stub)).at(-1);
    await inside(stub, (i) => { i.c.clockOffsetMs += OUTBOX_RETENTION_MS + 1_000; });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await inside(stub, (i) => i.shipper.settled());
    expect(await outboxIds(stub)).toEqual([unshipped]);
    expect(await jobs(stub, PRUNE_JOB)).toEqual([]);

    fake.down = false;
    await inside(stub, (i) => i.shipper.run());
    expect(fake.ids().at(-1)).toBe(unshipped);
    expect(await outboxIds(stub)).toEqual([unshipped]); // its own retention starts now
    expect(await jobs(stub, PRUNE_JOB)).toHaveLength(1);
    expect(await lastSeq(stub)).toBe(4);
  });

  it('PlayerDO never prunes: its outbox is the timeline and the relay source', async () => {
    const stub = playerStub();
    await withFake(stub);
    await emit(stub, 3);
    await inside(stub, (i) => i.shipper.run());
    await emit(stub, 1);
    await inside(stub, (i) => { i.c.clockOffsetMs += 2 * OUTBOX_RETENTION_MS; });
    await runDurableObjectAlarm(stub);
    await inside(stub, (i) => i.shipper.settled());
    expect(await outboxIds(stub)).toHaveLength(4);
    expect(await jobs(stub, PRUNE_JOB)).toEqual([]);
    expect(await inside(stub, (i) => i.shipper.status().after_seq)).toBe(4);
  });
});
