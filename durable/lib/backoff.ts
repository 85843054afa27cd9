/** Retry spacing shared by the at-least-once deliveries (the player's relay, every object's outbox shipper). */

/** `baseMs` for the first failure, doubling per consecutive failure, never above `maxMs`. */
export function backoffMs(failures: number, baseMs: number, maxMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, Math.min(failures, 20) - 1), maxMs);
}
