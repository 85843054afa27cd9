/**
 * The observed-RTP monitor: settled stakes and returns are counted in UTC-hour buckets per bet type
 * (and currency: amounts of different currencies are never added), and read back as rolling
 * windows (1h, 24h, 7d, 30d) with the observed RTP, the theoretical RTP when known, the standard
 * error of the observation and a z-score. A window is flagged when it deviates beyond a threshold
 * with enough volume. Used per table (TableDO) and per game (back office, buckets of many tables
 * merged). Pure functions; money is integer minor units, the statistics are floats.
 *
 * Generic: a table game gives a mean and variance per bet type (theoretical-rtp.ts); a provider
 * slot may only have a configured RTP in basis points (no variance), in which case the flag is a
 * plain tolerance on the difference instead of a z-score.
 */
import type { GameKind } from '../games/types';
import { theoreticalRtp } from './theoretical-rtp';

export const HOUR_MS = 3_600_000;

export const RTP_WINDOWS = [
  { window: '1h', hours: 1 },
  { window: '24h', hours: 24 },
  { window: '7d', hours: 7 * 24 },
  { window: '30d', hours: 30 * 24 },
] as const;
export type RtpWindow = (typeof RTP_WINDOWS)[number]['window'];

/** Buckets older than this are in no window and can be deleted. */
export const RTP_RETENTION_MS = 30 * 24 * HOUR_MS;

/** The row bets are counted in: one per UTC hour, bet type (and currency when several are played). */
export type RtpBucket = {
  hour_start_ms: number;
  bet_type: string;
  currency?: string | null;
  wagered_minor: number;
  returned_minor: number;
  bets: number;
};

/** What a bet type is expected to return per unit stake; variance null when unknown (configured RTP only). */
export type RtpExpectation = { rtp: number; variance: number | null };

export type RtpThresholds = {
  /** Flag when |z| reaches this (4: about 6 in 100,000 windows of a fair game by chance). */
  z_flag: number;
  /** No flag below this many bets in the window. */
  min_bets: number;
  /** Without a variance: flag when |observed - theoretical| exceeds this (0.02 = 2 points of RTP). */
  tolerance_without_variance: number;
};

export const DEFAULT_RTP_THRESHOLDS: RtpThresholds = { z_flag: 4, min_bets: 1_000, tolerance_without_variance: 0.02 };

/** All bet types of a currency together, in the stats: the expectation is the stake-weighted mix. */
export const ALL_BET_TYPES = '*';

export type RtpWindowStat = {
  window: RtpWindow;
  currency: string | null;
  bet_type: string;
  bets: number;
  wagered_minor: number;
  returned_minor: number;
  observed_rtp: number | null;
  theoretical_rtp: number | null;
  std_error: number | null;
  z: number | null;
  flag: 'high' | 'low' | null;
};

export function hourStartMs(atMs: number): number {
  return Math.floor(atMs / HOUR_MS) * HOUR_MS;
}

/** The bucket a settled bet is added to (TableDO upserts this row: wagered, returned and bets add up). */
export function bucketFor(
  bet: { settled_at_ms: number; bet_type: string; currency?: string | null; stake_minor: number; returned_minor: number },
): RtpBucket {
  return {
    hour_start_ms: hourStartMs(bet.settled_at_ms),
    bet_type: bet.bet_type,
    currency: bet.currency ?? null,
    wagered_minor: bet.stake_minor,
    returned_minor: bet.returned_minor,
    bets: 1,
  };
}

/** Sums buckets of the same hour, bet type and currency (e.g. every table of a game). */
export function mergeBuckets(buckets: Iterable<RtpBucket>): RtpBucket[] {
  const merged = new Map<string, RtpBucket>();
  for (const b of buckets) {
    const key = `${b.hour_start_ms}|${b.currency ?? ''}|${b.bet_type}`;
    const into = merged.get(key);
    if (!into) merged.set(key, { ...b, currency: b.currency ?? null });
    else {
      into.wagered_minor += b.wagered_minor;
      into.returned_minor += b.returned_minor;
      into.bets += b.bets;
    }
  }
  return [...merged.values()];
}

/** Expectations of a table game's bet types, from its payout table. */
export function tableExpectations(kind: GameKind): (betType: string) => RtpExpectation | null {
  const table = theoreticalRtp(kind);
  return (betType) => (Object.hasOwn(table, betType) ? table[betType] ?? null : null);
}

/** A game known only by its configured RTP (a provider slot): every bet type expects the same. */
export function configuredExpectation(rtpBp: number, variance: number | null = null): () => RtpExpectation {
  return () => ({ rtp: rtpBp / 10_000, variance });
}

/** Per window, per currency: one row per bet type and one for all bet types together. */
export function rtpWindows(
  buckets: readonly RtpBucket[],
  nowMs: number,
  expectationOf: (betType: string) => RtpExpectation | null,
  thresholds: RtpThresholds = DEFAULT_RTP_THRESHOLDS,
): RtpWindowStat[] {
  const stats: RtpWindowStat[] = [];
  const currentHour = hourStartMs(nowMs);
  for (const { window, hours } of RTP_WINDOWS) {
    const from = currentHour - (hours - 1) * HOUR_MS;
    const inWindow = buckets.filter((b) => b.hour_start_ms >= from && b.hour_start_ms <= currentHour);
    for (const [currency, ofCurrency] of groupBy(inWindow, (b) => b.currency ?? null)) {
      const perType = [...groupBy(ofCurrency, (b) => b.bet_type)].map(([betType, rows]) => tally(betType, rows, expectationOf(betType)));
      perType.sort((a, b) => a.bet_type.localeCompare(b.bet_type));
      for (const t of [...perType, combine(perType)]) stats.push(judge(window, currency, t, thresholds));
    }
  }
  return stats;
}

/** One bet type's totals in a window, with the variance of its observed RTP when the expectation has one. */
type Tally = {
  bet_type: string;
  bets: number;
  wagered_minor: number;
  returned_minor: number;
  expected: number | null;
  /** Var(observed RTP): sigma^2 x sum over hours of (wagered_h^2 / bets_h) / wagered^2. */
  observed_variance: number | null;
};

/**
 * Stakes are assumed equal within an hour bucket (the buckets keep no sum of squared stakes), so the
 * standard error is exact for equal stakes and somewhat optimistic when stakes vary a lot inside an
 * hour; unequal stakes across hours are accounted for.
 */
function tally(betType: string, rows: readonly RtpBucket[], expectation: RtpExpectation | null): Tally {
  let bets = 0, wagered = 0, returned = 0, spread = 0;
  for (const r of rows) {
    bets += r.bets;
    wagered += r.wagered_minor;
    returned += r.returned_minor;
    if (r.bets > 0) spread += (r.wagered_minor * r.wagered_minor) / r.bets;
  }
  const variance = expectation?.variance ?? null;
  return {
    bet_type: betType,
    bets,
    wagered_minor: wagered,
    returned_minor: returned,
    expected: expectation?.rtp ?? null,
    observed_variance: variance === null || wagered === 0 ? null : (variance * spread) / (wagered * wagered),
  };
}

/** All bet types together: bet types are independent samples, weighted by their share of the stakes. */
function combine(perType: readonly Tally[]): Tally {
  const wagered = perType.reduce((s, t) => s + t.wagered_minor, 0);
  const known = perType.every((t) => t.expected !== null);
  const knownVariance = known && perType.every((t) => t.observed_variance !== null);
  const share = (t: Tally) => (wagered === 0 ? 0 : t.wagered_minor / wagered);
  return {
    bet_type: ALL_BET_TYPES,
    bets: perType.reduce((s, t) => s + t.bets, 0),
    wagered_minor: wagered,
    returned_minor: perType.reduce((s, t) => s + t.returned_minor, 0),
    expected: known && wagered > 0 ? perType.reduce((s, t) => s + share(t) * (t.expected ?? 0), 0) : null,
    observed_variance: knownVariance && wagered > 0
      ? perType.reduce((s, t) => s + share(t) ** 2 * (t.observed_variance ?? 0), 0)
      : null,
  };
}

function judge(window: RtpWindow, currency: string | null, t: Tally, limits: RtpThresholds): RtpWindowStat {
  const observed = t.wagered_minor > 0 ? t.returned_minor / t.wagered_minor : null;
  const stdError = t.observed_variance === null ? null : Math.sqrt(t.observed_variance);
  const deviation = observed === null || t.expected === null ? null : observed - t.expected;
  const z = deviation === null || stdError === null || stdError === 0 ? null : deviation / stdError;
  const enough = t.bets >= limits.min_bets && deviation !== null;
  const beyond = z !== null ? Math.abs(z) >= limits.z_flag : deviation !== null && Math.abs(deviation) > limits.tolerance_without_variance;
  return {
    window,
    currency,
    bet_type: t.bet_type,
    bets: t.bets,
    wagered_minor: t.wagered_minor,
    returned_minor: t.returned_minor,
    observed_rtp: observed,
    theoretical_rtp: t.expected,
    std_error: stdError,
    z,
    flag: enough && beyond ? ((deviation ?? 0) > 0 ? 'high' : 'low') : null,
  };
}

function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
