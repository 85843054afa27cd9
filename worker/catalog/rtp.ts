/**
 * The per-game observed-RTP view of the back office: BrandOpsDO's window sums per game and
 * currency (durable/brand-ops/game-stats.ts) judged by the RTP monitor (domain/fairness/rtp-monitor.ts)
 * against each game's configured RTP from the catalog.
 *
 * The object answers the sums of the four nested windows rather than up to 720 hour buckets per game;
 * they are handed to rtpWindows() as one bucket per window difference (placed in an hour that is in
 * that window and not in the shorter one), which gives every window exactly its sums. That is exact
 * here because a configured RTP has no variance, so the monitor needs no per-hour detail.
 */
import type { Context } from 'hono';
import { authorize, POLICY, type Policy } from '../../domain/authz';
import type { Game } from '../../domain/catalog/types';
import {
  ALL_BET_TYPES, configuredExpectation, HOUR_MS, hourStartMs, rtpWindows, type RtpBucket, type RtpWindowStat,
} from '../../domain/fairness/rtp-monitor';
import type { GameRtpReport, GameRtpTally } from '../../durable/brand-ops/game-stats';
import type { AppEnv } from '../http/app-env';
import { ApiError } from '../http/errors';
import { guardPlatform, recordAudit } from '../ops/guard';

const BET_TYPE = 'stake';

/**
 * game.read is platform-wide (the catalog belongs to no brand), but observed RTP is made of one
 * brand's players' money: the operator needs game.read and the brand among their brands. The brand
 * rule is the policy's own (authorize with game.read read at brand scope), not a copy of it.
 */
const GAME_READ_AT_BRAND: Policy = { ...POLICY, permissions: { ...POLICY.permissions, 'game.read': { ...POLICY.permissions['game.read']!, scope: 'brand' } } };

export async function guardBrandGameRead(c: Context<AppEnv>, brand: string, action: string): Promise<void> {
  await guardPlatform(c, 'game.read', action, 'brand', brand);
  const decision = authorize(c.get('operator'), 'game.read', { brand }, GAME_READ_AT_BRAND);
  if (decision.allow) return;
  await recordAudit(c, { action, target_type: 'brand', target_id: brand, brand, outcome: 'denied', reason: `game.read on ${brand}: ${decision.reason}` });
  throw new ApiError('forbidden', 'not allowed: game.read', { permission: 'game.read', brand, rule: decision.reason });
}

/** Nested window sums as disjoint buckets whose sums over each window are exactly that window's. */
export function windowBuckets(t: GameRtpTally, nowMs: number): RtpBucket[] {
  const current = hourStartMs(nowMs);
  const buckets: RtpBucket[] = [];
  let shorter = { hours: 0, bets: 0, wagered_minor: 0, returned_minor: 0 };
  for (const w of t.windows) {
    buckets.push({
      hour_start_ms: current - shorter.hours * HOUR_MS, bet_type: BET_TYPE, currency: t.currency,
      bets: w.bets - shorter.bets, wagered_minor: w.wagered_minor - shorter.wagered_minor, returned_minor: w.returned_minor - shorter.returned_minor,
    });
    shorter = w;
  }
  return buckets;
}

export type GameRtpView = {
  game_id: string;
  provider_id: string;
  title: string | null;
  currency: string;
  configured_rtp_bp: number | null;
  windows: Omit<RtpWindowStat, 'bet_type' | 'currency'>[];
};

export function gameRtpViews(report: GameRtpReport, games: readonly Game[]): GameRtpView[] {
  const byId = new Map(games.map((g) => [g.game_id, g]));
  return report.games.map((t) => {
    const game = byId.get(t.game_id) ?? null;
    const expectation = game ? configuredExpectation(game.rtp_bp) : () => null;
    const windows = rtpWindows(windowBuckets(t, report.now_ms), report.now_ms, expectation)
      .filter((s) => s.bet_type === ALL_BET_TYPES)
      .map(({ bet_type: _b, currency: _c, ...s }) => s);
    return { game_id: t.game_id, provider_id: t.provider_id, title: game?.title ?? null, currency: t.currency, configured_rtp_bp: game?.rtp_bp ?? null, windows };
  });
}
