/**
 * Transactional outbox: events are appended in the same SQLite transaction as the state change
 * they describe (no await in between), and shipped downstream later, at least once (shipper.ts: to
 * the EVENTS queue and on to the warehouse; the player's relay.ts: to the brand's back office).
 */
import type { EventPayload, EventType, CasinoEvent } from '../../domain/events';
import type { Currency } from '../../domain/money';
import { uuidv7 } from '../../domain/ids';
import type { Db } from './sql';

export const OUTBOX_DDL = `
create table if not exists outbox (
  seq integer primary key autoincrement,
  event_id text not null unique,
  event_type text not null,
  occurred_at integer not null,
  body text not null
);
`;

export type EventSubject = {
  player_id?: string | null;
  table_id?: string | null;
  round_id?: string | null;
  jurisdiction?: string | null;
  currency?: Currency | null;
};

export type OutboxRow = { seq: number; event: CasinoEvent };

export class Outbox {
  /**
   * Runs after every emit, inside the emitting transaction: the object's shipper (shipper.ts) sets
   * it to schedule its job, so an event can never be left without a shipment on the way.
   */
  onEmit: ((nowMs: number) => void) | null = null;

  constructor(private readonly db: Db) {}

  emit<T extends EventType>(type: T, payload: EventPayload<T>, subject: EventSubject, nowMs: number): CasinoEvent {
    const event: CasinoEvent = {
      event_id: uuidv7(nowMs),
      event_type: type,
      schema_version: 1,
      occurred_at: nowMs,
      player_id: subject.player_id ?? null,
      table_id: subject.table_id ?? null,
      round_id: subject.round_id ?? null,
      jurisdiction: subject.jurisdiction ?? null,
      currency: subject.currency ?? null,
      payload: payload as CasinoEvent['payload'],
    };
    this.db.run`insert into outbox (event_id, event_type, occurred_at, body)
      values (${event.event_id}, ${type}, ${nowMs}, ${JSON.stringify(event)})`;
    this.onEmit?.(nowMs);
    return event;
  }

  list(afterSeq: number, limit: number): OutboxRow[] {
    const rows = this.db.all<{ seq: number; body: string }>`select seq, body from outbox where seq > ${afterSeq} order by seq limit ${limit}`;
    return rows.map((r) => ({ seq: r.seq, event: JSON.parse(r.body) as CasinoEvent }));
  }
}
