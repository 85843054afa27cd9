/**
 * Idempotency for money movements: the first successful result under a key is stored in the same
 * transaction as the movement and returned again on replay; the same key with a different request
 * is a conflict. Failures are not stored: they changed nothing, so a retry may be decided afresh.
 * Keys are kept IDEMPOTENCY_RETENTION_MS (>= 30 days, ARCHITECTURE.md).
 */
import { fail, type Result } from '../../domain/errors';
import type { PlayerContext } from './context';

export const IDEMPOTENCY_RETENTION_MS = 35 * 24 * 3_600_000;

export type Replayable<T extends object> = Result<T & { replayed: boolean }>;

export function once<T extends object>(ctx: PlayerContext, key: string, fingerprint: string, run: () => Result<T>): Replayable<T> {
  const seen = ctx.db.first<{ fingerprint: string; response: string }>`select fingerprint, response from idempotency where key = ${key}`;
  if (seen) {
    if (seen.fingerprint !== fingerprint) {
      return fail('idempotency_conflict', 'this idempotency key was used with a different request', { idempotency_key: key });
    }
    return { ...(JSON.parse(seen.response) as T), ok: true, replayed: true };
  }
  const result = run();
  if (!result.ok) return result;
  ctx.db.run`insert into idempotency (key, fingerprint, response, created_at) values (${key}, ${fingerprint}, ${JSON.stringify(result)}, ${ctx.now()})`;
  return { ...result, replayed: false };
}

/** Whether a result is still stored under `key` (keys older than the retention are gone). */
export function isKeyKept(ctx: PlayerContext, key: string): boolean {
  return ctx.db.first`select 1 from idempotency where key = ${key}` !== null;
}

export function purgeExpiredKeys(ctx: PlayerContext): number {
  return ctx.db.run`delete from idempotency where created_at < ${ctx.now() - IDEMPOTENCY_RETENTION_MS}`;
}
