/**
 * Order statistics for benchmark samples. Percentiles are nearest-rank on the sorted samples
 * (p99 of 7 samples is the largest one: say so when reporting it).
 */

export function sorted(xs) {
  return [...xs].sort((a, b) => a - b);
}

/** Nearest-rank percentile, p in [0, 100]. */
export function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const s = sorted(xs);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))];
}

export function median(xs) {
  if (xs.length === 0) return NaN;
  const s = sorted(xs);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function mean(xs) {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function summarize(xs) {
  const s = sorted(xs);
  return { n: s.length, min: s[0], median: median(s), p99: percentile(s, 99), max: s[s.length - 1], mean: mean(s) };
}

/** Rounds to `digits` significant decimals for the JSON (keeps files readable). */
export function round(x, digits = 3) {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Per-request latencies (ms) as median, nearest-rank p99 and max. */
export function latencyStats(lat) {
  return { median_ms: round(median(lat), 3), p99_ms: round(percentile(lat, 99), 3), max_ms: round(Math.max(...lat), 3) };
}
