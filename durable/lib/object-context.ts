/**
 * What every Durable Object with a database, an outbox and alarms shares: those three and a clock
 * that tests can move forward (through runInDurableObject) instead of sleeping.
 *
 * Objects that keep state in memory behind SQL (the player's hot state) register a `forget` hook:
 * memory is written through inside the transaction, so when a transaction throws (and SQLite rolls
 * it back) whatever memory took from it is wrong; `tx` then runs every hook, and each cache reloads
 * from SQL on its next use. Code that writes those tables behind the object's back (a test poking
 * SQL) must call `forgetCaches()` too.
 *
 * Memory whose reload would itself cost statements (the shipper's knowledge of its cursor row)
 * instead registers an undo (`onRollback`) when it writes: a rollback then puts back exactly what
 * the rolled-back transaction changed, and nothing when it wrote nothing.
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
  private readonly forgetHooks: ((cause: ForgetCause) => void)[] = [];
  /** Undos registered inside the open transactions (oldest first): a rollback runs its own, newest first. */
  private readonly undos: (() => void)[] = [];
  /** For each open transaction (outermost first): where its undos start in `undos`. */
  private readonly openTx: number[] = [];

  constructor(readonly storage: DurableObjectStorage) {
    this.db = new Db(storage.sql);
    this.outbox = new Outbox(this.db);
    this.schedules = new Schedules(this.db, storage);
    this.onForget(() => this.schedules.forgetArmed());
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** Registers what to drop from memory when a transaction rolls back, or when SQL changed behind it. */
  onForget(hook: (cause: ForgetCause) => void): void {
    this.forgetHooks.push(hook);
  }

  /** Drops everything memory holds about storage (SQL changed behind it); it reloads on next use. */
  forgetCaches(): void {
    const failed = this.forget('changed_behind');
    if (failed) throw failed.error;
  }

  /** Runs every forget hook, even after one threw (the others must still forget); returns the first error. */
  private forget(cause: ForgetCause): { error: unknown } | undefined {
    let failed: { error: unknown } | undefined;
    for (const hook of this.forgetHooks) {
      try {
        hook(cause);
      } catch (error) {
        failed ??= { error };
      }
    }
    return failed;
  }

  /**
   * Inside a transaction of `tx`: `undo` runs if that transaction rolls back, or an outer one it
   * committed into (before the forget hooks). Dropped once the outermost one commits; outside one
   * (nothing to roll back) it is dropped at once.
   */
  onRollback(undo: () => void): void {
    if (this.openTx.length > 0) this.undos.push(undo);
  }

  /** One storage transaction; if it throws (rolled back), memory forgets what it took from it. */
  tx<T>(fn: () => T): T {
    this.openTx.push(this.undos.length);
    let out: T;
    try {
      out = this.storage.transactionSync(fn);
    } catch (err) {
      // Only this transaction's undos: an outer one that catches this error may still commit its own.
      const undos = this.undos.splice(this.openTx.pop()!);
      let exact = true;
      for (let k = undos.length - 1; k >= 0; k--) {
        try {
          undos[k]!();
        } catch {
          exact = false; // memory can no longer be put back exactly: it forgets all it knows instead
        }
      }
      this.forget(exact ? 'rolled_back' : 'changed_behind'); // the transaction's own error is the one to report
      throw err;
    }
    // Committed: into the outer transaction (which may still roll back with its undos), or for good.
    this.openTx.pop();
    if (this.openTx.length === 0) this.undos.length = 0;
    return out;
  }
}

/** Why memory forgets: a transaction of `tx` rolled back, or SQL was changed behind it (`forgetCaches`). */
export type ForgetCause = 'rolled_back' | 'changed_behind';
