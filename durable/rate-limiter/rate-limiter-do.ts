/**
 * RateLimiterDO: an exact sliding-window counter, one object per key (e.g. `login-ip:203.0.113.7`).
 * Exact counting is the point: login throttling must not be approximate per edge location.
 * Storage is bounded by the window's maximum.
 */
import { DurableObject } from 'cloudflare:workers';
import { Db, migrate } from '../lib/sql';

const MIGRATIONS = ['create table hits (at integer not null)'];

export type RateVerdict = { allowed: boolean; retry_after_ms: number; remaining: number };

export class RateLimiterDO extends DurableObject<Env> {
  private readonly db: Db;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.db = new Db(ctx.storage.sql);
    ctx.blockConcurrencyWhile(async () => migrate(this.db, MIGRATIONS, ctx.storage));
  }

  /** Counts one hit if under `max` in the last `windowMs`; otherwise says when to retry. */
  hit(max: number, windowMs: number): RateVerdict {
    return this.ctx.storage.transactionSync(() => {
      const now = Date.now();
      this.db.run`delete from hits where at <= ${now - windowMs}`;
      const rows = this.db.all<{ at: number }>`select at from hits order by at limit ${max}`;
      if (rows.length >= max) return { allowed: false, retry_after_ms: Math.max(1, rows[0]!.at + windowMs - now), remaining: 0 };
      this.db.run`insert into hits (at) values (${now})`;
      return { allowed: true, retry_after_ms: 0, remaining: max - rows.length - 1 };
    });
  }
}
