/**
 * What every Durable Object with a database, an outbox and alarms shares: those three and a clock
 * that tests can move forward (through runInDurableObject) instead of sleeping.
 *
 * Objects that keep state in memory behind SQL (the player's hot state) register a `forget` hook:
 * memory is written through inside the transaction, so when a transaction throws (and SQLite rolls
 * it back) whatever memory took from it is wrong; `tx` then runs every hook, and each cache reloads
 * from SQL on its next use. Code that writes those tables behind the object's back (a test poking
 * SQL) must call `forgetCaches()` too.
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
  private readonly forgetHooks: (() => void)[] = [];

  constructor(readonly storage: DurableObjectStorage) {
    this.db = new Db(storage.sql);
    this.outbox = new Outbox(this.db);
    this.schedules = new Schedules(this.db, storage);
    this.onForget(() => this.schedules.forgetArmed());
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** Registers what to drop from memory when a transaction rolls back. */
  onForget(hook: () => void): void {
    this.forgetHooks.push(hook);
  }

  /** Drops everything memory holds about storage; it reloads on next use. */
  forgetCaches(): void {
    for (const hook of this.forgetHooks) hook();
  }

  /** One storage transaction; if it throws (rolled back), memory forgets what it took from it. */
  tx<T>(fn: () => T): T {
    try {
      return this.storage.transactionSync(fn);
    } catch (err) {
      this.forgetCaches();
      throw err;
    }
  }
}
