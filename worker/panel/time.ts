/**
 * Times as the back office shows them, on the panel and in the API's display fields alike: UTC, so
 * every operator reads the same clock, to the second. Bundled into the browser script as is.
 */

/** 1767323828000 -> "2026-01-02 03:17:08 UTC"; '' for anything that is not a time. */
export function formatTime(ms: unknown): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return '';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

/** 3_723_000 -> "1 h 2 min 3 s"; under a second, "450 ms". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  const sign = ms < 0 ? '-' : '';
  let s = Math.floor(Math.abs(ms) / 1000);
  if (s === 0) return `${sign}${Math.abs(Math.round(ms))} ms`;
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['min', 60]] as const) {
    if (s >= size) { parts.push(`${Math.floor(s / size)} ${unit}`); s %= size; }
  }
  if (s > 0) parts.push(`${s} s`);
  return sign + parts.join(' ');
}
