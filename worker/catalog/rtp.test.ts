/** The per-game RTP view: nested window sums survive the trip through the RTP monitor exactly, and are judged against the configured RTP. */
import { describe, expect, it } from 'vitest';
import type { Game } from '../../domain/catalog/types';
import { HOUR_MS, RTP_WINDOWS } from '../../domain/fairness/rtp-monitor';
import type { GameRtpTally } from '../../durable/brand-ops/game-stats';
import { gameRtpViews, windowBuckets } from './rtp';

const NOW = Date.UTC(2026, 10, 21, 12, 30);
const tally = (sums: [number, number, number][]): GameRtpTally => ({
  game_id: 'g1', provider_id: 'sandbox-slots', currency: 'EUR',
  windows: RTP_WINDOWS.map((w, i) => ({ window: w.window, hours: w.hours, bets: sums[i]![0], wagered_minor: sums[i]![1], returned_minor: sums[i]![2] })),
});
const game = { game_id: 'g1', title: 'G1', rtp_bp: 9600 } as Game;

describe('per-game RTP view', () => {
  it('spreads nested window sums over disjoint hours, each inside its window only', () => {
    const buckets = windowBuckets(tally([[1, 10, 5], [3, 40, 20], [7, 100, 90], [9, 130, 95]]), NOW);
    const hour = Date.UTC(2026, 10, 21, 12);
    expect(buckets.map((b) => [hour - b.hour_start_ms, b.bets, b.wagered_minor, b.returned_minor])).toEqual([
      [0, 1, 10, 5], [HOUR_MS, 2, 30, 15], [24 * HOUR_MS, 4, 60, 70], [7 * 24 * HOUR_MS, 2, 30, 5],
    ]);
  });

  it('gives each window exactly its sums, judged against the configured RTP', () => {
    const [view] = gameRtpViews({ now_ms: NOW, truncated: false, games: [tally([[0, 0, 0], [1000, 100_000, 90_000], [1000, 100_000, 90_000], [5000, 500_000, 481_000]])] }, [game]);
    expect(view).toMatchObject({ game_id: 'g1', title: 'G1', configured_rtp_bp: 9600, currency: 'EUR' });
    expect(view!.windows.map((w) => [w.window, w.bets, w.wagered_minor, w.returned_minor, w.observed_rtp, w.theoretical_rtp, w.flag])).toEqual([
      ['1h', 0, 0, 0, null, null, null],
      ['24h', 1000, 100_000, 90_000, 0.9, 0.96, 'low'], // 6 points under, over 1,000 bets
      ['7d', 1000, 100_000, 90_000, 0.9, 0.96, 'low'],
      ['30d', 5000, 500_000, 481_000, 0.962, 0.96, null], // within 2 points
    ]);
  });

  it('a game no longer in the catalog is shown without an expectation', () => {
    const [view] = gameRtpViews({ now_ms: NOW, truncated: false, games: [tally([[1, 10, 5], [1, 10, 5], [1, 10, 5], [1, 10, 5]])] }, []);
    expect(view).toMatchObject({ title: null, configured_rtp_bp: null });
    expect(view!.windows.every((w) => w.theoretical_rtp === null && w.flag === null && w.observed_rtp === 0.5)).toBe(true);
  });
});
