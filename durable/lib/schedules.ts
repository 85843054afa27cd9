/**
 * One alarm per object, multiplexed over a `schedules` table (kind, ref, due_at). Callers
 * schedule work; the object's alarm drains due rows in bounded batches and re-arms for the next.
 * Handlers must be idempotent: an alarm can fire twice, or late.
 */
import type { Db } from './sql';

export const SCHEDULES_DDL = `
create table if not exists schedules (
  kind text not null,
  ref text not null,
  due_at integer not null,
  primary key (kind, ref)
);
create index if not exists schedules_due on schedules (due_at);
`;

export type ScheduleRow = { kind: string; ref: string; due_at: number };

export class Schedules {
  /** Time the alarm is set for, as far as this instance knows (null = unknown / none). */
  private armedAt: number | null = null;
  /**
   * Whether `armedAt` may be trusted while it is known: only for objects whose every transaction
   * goes through ObjectContext.tx (which forgets it on rollback, so a rolled-back alarm write is
   * never believed). Others read the earliest job from the table on every schedule, as before.
   */
  trustMemory = false;
  /**
   * Work due that is not a row of `schedules` (the player's pending holds, scanned by the alarm from
   * their own index): its earliest due time, read from SQL. Counted whenever the alarm is re-armed.
   */
  extraEarliest: (() => number | null) | null = null;

  constructor(
    private readonly db: Db,
    private readonly storage: DurableObjectStorage,
  ) {}

  /** Schedules (or moves) the job `kind/ref`; arms the alarm if it is the earliest. */
  at(kind: string, ref: string, dueAt: number): void {
    this.db.run`insert into schedules (kind, ref, due_at) values (${kind}, ${ref}, ${dueAt})
      on conflict (kind, ref) do update set due_at = excluded.due_at`;
    this.armEarliest(dueAt);
  }

  /** Like `at`, but never moves an existing job later (a steady stream of calls cannot postpone it forever). */
  noLaterThan(kind: string, ref: string, dueAt: number): void {
    this.db.run`insert into schedules (kind, ref, due_at) values (${kind}, ${ref}, ${dueAt})
      on conflict (kind, ref) do update set due_at = min(due_at, excluded.due_at)`;
    this.armEarliest(dueAt);
  }

  /** Makes sure the alarm fires by `dueAt` for work outside the table (see `extraEarliest`). */
  wakeBy(dueAt: number): void {
    this.armEarliest(dueAt);
  }

  /**
   * Keeps the alarm at the earliest job. Read from the table unless memory is trusted and knows
   * when the alarm is armed: a transaction that armed the alarm and then rolled back took the alarm
   * write with it, and an untrusted in-memory "armed at" would then wrongly stop the next caller
   * from arming. A job moved later than the armed time leaves the alarm early: it fires, finds
   * nothing due and re-arms (harmless), so only an earlier job needs a write.
   */
  private armEarliest(dueAt: number): void {
    if (this.trustMemory && this.armedAt !== null) {
      if (dueAt < this.armedAt) this.arm(dueAt);
      return;
    }
    const earliest = this.earliest();
    const at = earliest === null ? dueAt : Math.min(earliest, dueAt);
    if (at !== this.armedAt) this.arm(at);
  }

  private earliest(): number | null {
    const table = this.db.first<{ due_at: number | null }>`select min(due_at) as due_at from schedules`?.due_at ?? null;
    const extra = this.extraEarliest?.() ?? null;
    if (table === null) return extra;
    return extra === null ? table : Math.min(table, extra);
  }

  cancel(kind: string, ref: string): void {
    this.db.run`delete from schedules where kind = ${kind} and ref = ${ref}`;
  }

  /**
   * Up to `limit` due jobs, left in place: for an alarm that awaits between its jobs (the table's),
   * which removes each with `done` once it has run. A restart before that leaves the job due, and
   * the re-armed alarm runs it again (at least once: its handler must be idempotent).
   */
  due(nowMs: number, limit: number): ScheduleRow[] {
    return this.db.all<ScheduleRow>`select kind, ref, due_at from schedules where due_at <= ${nowMs} order by due_at limit ${limit}`;
  }

  /** Removes a job `due` returned, unless it was moved meanwhile (its handler scheduled its next run). */
  done(job: ScheduleRow): void {
    this.db.run`delete from schedules where kind = ${job.kind} and ref = ${job.ref} and due_at = ${job.due_at}`;
  }

  /** Moves a job `due` returned to `dueAt` (it failed), unless it was moved meanwhile. */
  retryAt(job: ScheduleRow, dueAt: number): void {
    this.db.run`update schedules set due_at = ${dueAt} where kind = ${job.kind} and ref = ${job.ref} and due_at = ${job.due_at}`;
  }

  /**
   * Removes and returns up to `limit` due jobs; the caller runs them in the same transaction (an
   * alarm that awaits between its jobs uses `due` and `done` instead: a restart would lose them).
   */
  takeDue(nowMs: number, limit: number): ScheduleRow[] {
    const rows = this.db.all<ScheduleRow>`select kind, ref, due_at from schedules where due_at <= ${nowMs} order by due_at limit ${limit}`;
    for (const r of rows) this.db.run`delete from schedules where kind = ${r.kind} and ref = ${r.ref} and due_at = ${r.due_at}`;
    return rows;
  }

  /** Arms the alarm for the earliest remaining job (after a drain, or on start-up). */
  rearm(): void {
    const next = this.earliest();
    if (next === null) {
      this.armedAt = null;
      void this.storage.deleteAlarm();
    } else {
      this.arm(next);
    }
  }

  /** Forgets when the alarm is armed (after a rolled-back transaction took its alarm write with it). */
  forgetArmed(): void {
    this.armedAt = null;
  }

  pending(): ScheduleRow[] {
    return this.db.all<ScheduleRow>`select kind, ref, due_at from schedules order by due_at`;
  }

  private arm(at: number): void {
    this.armedAt = at;
    // Not awaited on purpose: the output gate holds replies until the alarm write is durable,
    // and awaiting here would split the caller's transaction.
    void this.storage.setAlarm(at);
  }
}
