/**
 * What every Durable Object with a database, an outbox and alarms shares: those three and a clock
 * that tests can move forward (through runInDurableObject) instead of sleeping.
 */
import { Outbox } from './outbox';
import { Schedules } from './schedules';
import { Db } from './sql';

export class ObjectContext {
  readonly db: Db;
  readonly outbox: Outbox;
  readonly schedules: Schedules;
  /** Tests move time forward with this; production leaves it at 0. */
  clockOffsetMs = 0;

  constructor(storage: DurableObjectStorage) {
    this.db = new Db(storage.sql);
    this.outbox = new Outbox(this.db);
    this.schedules = new Schedules(this.db, storage);
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }
}
