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

  constructor(
    private readonly db: Db,
    private readonly storage: DurableObjectStorage,
  ) {}

  /** Schedules (or moves) the job `kind/ref`; arms the alarm if it is the earliest. */
  at(kind: string, ref: string, dueAt: number): void {
    this.db.run`insert into schedules (kind, ref, due_at) values (${kind}, ${ref}, ${dueAt})
      on conflict (kind, ref) do update set due_at = excluded.due_at`;
    this.armEarliest();
  }

  /** Like `at`, but never moves an existing job later (a steady stream of calls cannot postpone it forever). */
  noLaterThan(kind: string, ref: string, dueAt: number): void {
    this.db.run`insert into schedules (kind, ref, due_at) values (${kind}, ${ref}, ${dueAt})
      on conflict (kind, ref) do update set due_at = min(due_at, excluded.due_at)`;
    this.armEarliest();
  }

  /**
   * Keeps the alarm at the earliest job, read from the table rather than trusted from memory: a
   * transaction that armed the alarm and then rolled back took the alarm write with it, and an
   * in-memory "armed at" would then wrongly stop the next caller from arming. One indexed read.
   */
  private armEarliest(): void {
    const earliest = this.db.first<{ due_at: number | null }>`select min(due_at) as due_at from schedules`?.due_at ?? null;
    if (earliest !== null && earliest !== this.armedAt) this.arm(earliest);
  }

  cancel(kind: string, ref: string): void {
    this.db.run`delete from schedules where kind = ${kind} and ref = ${ref}`;
  }

  /** Removes and returns up to `limit` due jobs; the caller runs them in the same transaction. */
  takeDue(nowMs: number, limit: number): ScheduleRow[] {
    const rows = this.db.all<ScheduleRow>`select kind, ref, due_at from schedules where due_at <= ${nowMs} order by due_at limit ${limit}`;
    for (const r of rows) this.db.run`delete from schedules where kind = ${r.kind} and ref = ${r.ref} and due_at = ${r.due_at}`;
    return rows;
  }

  /** Arms the alarm for the earliest remaining job (after a drain, or on start-up). */
  rearm(): void {
    const next = this.db.first<{ due_at: number | null }>`select min(due_at) as due_at from schedules`?.due_at ?? null;
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
