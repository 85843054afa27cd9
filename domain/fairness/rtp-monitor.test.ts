import { describe, expect, it } from 'vitest';
import { gameRules } from '../games';
import { roundSource } from './provably-fair';
import {
  ALL_BET_TYPES, HOUR_MS, bucketFor, configuredExpectation, hourStartMs, mergeBuckets, rtpWindows, tableExpectations,
  type RtpBucket, type RtpWindowStat,
} from './rtp-monitor';

const NOW = Date.UTC(2026, 2, 10, 15, 42);
const HOUR = hourStartMs(NOW);
const bucket = (hoursAgo: number, bet_type: string, wagered_minor: number, returned_minor: number, bets: number, currency: string | null = 'EUR'): RtpBucket =>
  ({ hour_start_ms: HOUR - hoursAgo * HOUR_MS, bet_type, currency, wagered_minor, returned_minor, bets });
const find = (stats: RtpWindowStat[], window: string, bet_type: string, currency: string | null = 'EUR') =>
  stats.find((s) => s.window === window && s.bet_type === bet_type && s.currency === currency);

describe('buckets', () => {
  it('are UTC hours', () => {
    expect(hourStartMs(NOW)).toBe(Date.UTC(2026, 2, 10, 15));
    expect(bucketFor({ settled_at_ms: NOW, bet_type: 'red', currency: 'EUR', stake_minor: 500, returned_minor: 1_000 }))
      .toEqual({ hour_start_ms: HOUR, bet_type: 'red', currency: 'EUR', wagered_minor: 500, returned_minor: 1_000, bets: 1 });
  });

  it('merge across tables by hour, bet type and currency', () => {
    const merged = mergeBuckets([bucket(0, 'red', 100, 200, 1), bucket(0, 'red', 300, 0, 2), bucket(0, 'red', 50, 0, 1, 'GBP'), bucket(1, 'red', 10, 0, 1)]);
    expect(merged).toHaveLength(3);
    expect(merged).toContainEqual(bucket(0, 'red', 400, 200, 3));
  });
});

describe('windows', () => {
  const buckets = [bucket(0, 'red', 1_000, 900, 10), bucket(23, 'red', 1_000, 1_100, 10), bucket(24, 'red', 5_000, 0, 5), bucket(719, 'red', 1, 0, 1), bucket(720, 'red', 99, 0, 1), bucket(-1, 'red', 7, 0, 1)];
  const stats = rtpWindows(buckets, NOW, tableExpectations('roulette'));

  it('take the last 1, 24, 168 and 720 hour buckets, current hour included, nothing from the future', () => {
    expect(find(stats, '1h', 'red')).toMatchObject({ bets: 10, wagered_minor: 1_000, returned_minor: 900, observed_rtp: 0.9 });
    expect(find(stats, '24h', 'red')).toMatchObject({ bets: 20, wagered_minor: 2_000, observed_rtp: 1 });
    expect(find(stats, '7d', 'red')).toMatchObject({ bets: 25, wagered_minor: 7_000 });
    expect(find(stats, '30d', 'red')).toMatchObject({ bets: 26, wagered_minor: 7_001 });
  });

  it('carry the theoretical RTP, and never flag without enough bets', () => {
    expect(find(stats, '7d', 'red')?.theoretical_rtp).toBeCloseTo(36 / 37, 12);
    expect(stats.every((s) => s.flag === null)).toBe(true);
  });

  it('compute the z-score of the observed RTP from the bet variance', () => {
    // 10,000 equal red bets returning 0.99 of stakes: sd of the mean = sqrt(0.99927 / 10000) = 0.0099963.
    const [stat] = rtpWindows([bucket(0, 'red', 1_000_000, 990_000, 10_000)], NOW, tableExpectations('roulette'));
    const variance = (18 / 37) * 4 - (36 / 37) ** 2;
    expect(stat?.std_error).toBeCloseTo(Math.sqrt(variance / 10_000), 12);
    expect(stat?.z).toBeCloseTo((0.99 - 36 / 37) / Math.sqrt(variance / 10_000), 9);
    expect(stat?.flag).toBeNull();
  });

  it('flag a table paying too much or too little with enough volume', () => {
    const high = rtpWindows([bucket(0, 'straight', 10_000_000, 11_000_000, 100_000)], NOW, tableExpectations('roulette'));
    expect(find(high, '1h', 'straight')?.flag).toBe('high');
    expect(find(high, '1h', ALL_BET_TYPES)?.flag).toBe('high');
    const low = rtpWindows([bucket(3, 'banker', 10_000_000, 9_500_000, 20_000)], NOW, tableExpectations('baccarat'));
    expect(find(low, '1h', 'banker')).toBeUndefined();
    expect(find(low, '24h', 'banker')?.flag).toBe('low');
  });

  it('weights hours with bigger stakes more in the standard error', () => {
    const even = rtpWindows([bucket(0, 'red', 1_000, 0, 10), bucket(1, 'red', 1_000, 0, 10)], NOW, tableExpectations('roulette'));
    const uneven = rtpWindows([bucket(0, 'red', 1_900, 0, 10), bucket(1, 'red', 100, 0, 10)], NOW, tableExpectations('roulette'));
    expect(find(uneven, '24h', 'red')?.std_error).toBeGreaterThan(find(even, '24h', 'red')?.std_error ?? Infinity);
  });

  it('keep currencies apart and mix bet types by their share of the stakes', () => {
    const s = rtpWindows([bucket(0, 'tie', 1_000, 0, 10), bucket(0, 'banker', 3_000, 0, 10), bucket(0, 'tie', 5, 0, 1, 'GBP')], NOW, tableExpectations('baccarat'));
    const all = find(s, '1h', ALL_BET_TYPES);
    const rtp = tableExpectations('baccarat');
    expect(all?.wagered_minor).toBe(4_000);
    expect(all?.theoretical_rtp).toBeCloseTo(0.25 * (rtp('tie')?.rtp ?? 0) + 0.75 * (rtp('banker')?.rtp ?? 0), 12);
    expect(find(s, '1h', 'tie', 'GBP')?.wagered_minor).toBe(5);
  });

  it('watch a provider slot by its configured RTP with a tolerance when there is no variance', () => {
    const slot = configuredExpectation(9_600);
    const ok = rtpWindows([bucket(0, 'spin', 1_000_000, 970_000, 5_000, null)], NOW, slot);
    expect(find(ok, '1h', 'spin', null)).toMatchObject({ theoretical_rtp: 0.96, z: null, std_error: null, flag: null });
    const off = rtpWindows([bucket(0, 'spin', 1_000_000, 900_000, 5_000, null)], NOW, slot);
    expect(find(off, '1h', 'spin', null)?.flag).toBe('low');
    const unknown = rtpWindows([bucket(0, 'side_bet', 1_000, 5_000, 5_000)], NOW, tableExpectations('baccarat'));
    expect(find(unknown, '1h', 'side_bet')).toMatchObject({ theoretical_rtp: null, flag: null, observed_rtp: 5 });
  });

  it('do not flag a fair table: 30,000 drawn rounds with every bet type', () => {
    for (const kind of ['roulette', 'baccarat'] as const) {
      const rules = gameRules(kind);
      const spots = kind === 'roulette' ? ['straight:17', 'split:0-3', 'street:13', 'corner:0-1-2-3', 'sixline:31', 'dozen:2', 'column:3', 'red', 'black', 'odd', 'even', 'low', 'high'] : rules.betTypes.map((d) => d.bet_type);
      const buckets: RtpBucket[] = [];
      for (let i = 0; i < 30_000; i++) {
        const outcome = rules.draw(roundSource('22'.repeat(32), kind, `r${i}`));
        const at = NOW - (i % 48) * HOUR_MS;
        for (const spot of spots) {
          const stake = 100 + (i % 7) * 50;
          const { returned_minor } = rules.settle(spot, stake, outcome);
          const parsed = rules.parseSpot(spot);
          const bet_type = parsed.ok ? parsed.bet_type : 'unknown';
          buckets.push(bucketFor({ settled_at_ms: at, bet_type, currency: 'EUR', stake_minor: stake, returned_minor }));
        }
      }
      const stats = rtpWindows(mergeBuckets(buckets), NOW, tableExpectations(kind), { z_flag: 4, min_bets: 100, tolerance_without_variance: 0.02 });
      for (const s of stats) expect(Math.abs(s.z ?? 0), `${kind} ${s.window} ${s.bet_type}`).toBeLessThan(4);
      expect(stats.filter((s) => s.flag !== null)).toEqual([]);
    }
  });
});
