/**
 * Observed RTP of provider games, per brand: the players' `provider.*` events (relayed like every
 * other event, deduplicated on event_id by Ingest before they get here) summed into UTC-hour
 * buckets per (game_id, currency). A debit adds its stake and one bet; a win adds what it paid;
 * a rollback takes its stake and the bet back out. Every update is an addition, so any delivery
 * order ends in the same buckets.
 *
 * Each event counts in its own hour: a rollback (which the wallet accepts only before the bet's
 * win, so seconds after the bet) that crosses an hour boundary moves one stake between adjacent
 * hours; windows holding both hours are exact. Buckets older than the longest window plus a margin
 * are deleted here, a bounded batch at most once per hour.
 */
import type { CasinoEvent } from '../../domain/events';
import { HOUR_MS, hourStartMs, RTP_WINDOWS, type RtpWindow } from '../../domain/fairness/rtp-monitor';
import type { OpsContext } from './context';

const DAY_MS = 24 * HOUR_MS;
/** Longest window (30 days) plus a margin for late deliveries. */
export const GAME_STATS_RETENTION_MS = 35 * DAY_MS;
const PURGE_ROWS_MAX = 1_000;
/** Rows of one gameRtp() answer at most (games x currencies). */
export const GAME_RTP_ROWS_MAX = 2_000;

export type GameRtpQuery = { game_id?: string | null; currency?: string | null };

/** One window's sums (the buckets of its hours added up). */
export type WindowTally = { window: RtpWindow; hours: number; bets: number; wagered_minor: number; returned_minor: number };

export type GameRtpTally = { game_id: string; provider_id: string; currency: string; windows: WindowTally[] };

/** What gameRtp() answers: per game and currency, the sums of each rolling window ending in the hour of `now_ms`. */
export type GameRtpReport = { now_ms: number; games: GameRtpTally[]; truncated: boolean };

type Delta = { wagered: number; returned: number; bets: number };

export class GameStats {
  private purgedHour = -1;

  constructor(private readonly c: OpsContext) {}

  /** Runs inside Ingest's transaction, once per event_id. */
  apply(e: CasinoEvent, fallbackCurrency: string): void {
    const d = delta(e);
    if (!d) return;
    const gameId = String(e.payload.game_id);
    const providerId = String(e.payload.provider_id);
    const currency = e.currency ?? fallbackCurrency;
    const hour = hourStartMs(e.occurred_at);
    if (hour < this.c.now() - GAME_STATS_RETENTION_MS) return; // in no window any more
    this.c.db.run`insert into game_stats (game_id, currency, hour_start_ms, provider_id, wagered_minor, returned_minor, bets)
      values (${gameId}, ${currency}, ${hour}, ${providerId}, ${d.wagered}, ${d.returned}, ${d.bets})
      on conflict (game_id, currency, hour_start_ms) do update set
        wagered_minor = wagered_minor + excluded.wagered_minor,
        returned_minor = returned_minor + excluded.returned_minor,
        bets = bets + excluded.bets`;
    this.purgeHourly();
  }

  /** Per game and currency, the sums of the 1h / 24h / 7d / 30d windows ending in the current hour. */
  report(q: GameRtpQuery = {}): GameRtpReport {
    const now = this.c.now();
    const current = hourStartMs(now);
    const from = (hours: number) => current - (hours - 1) * HOUR_MS;
    const [h1, h24, d7, d30] = RTP_WINDOWS.map((w) => from(w.hours)) as [number, number, number, number];
    const game = q.game_id ?? null;
    const currency = q.currency ?? null;
    const rows = this.c.db.all<Record<string, number | string>>`select game_id, currency, max(provider_id) as provider_id,
        sum(case when hour_start_ms >= ${h1} then bets else 0 end) as b0,
        sum(case when hour_start_ms >= ${h1} then wagered_minor else 0 end) as w0,
        sum(case when hour_start_ms >= ${h1} then returned_minor else 0 end) as r0,
        sum(case when hour_start_ms >= ${h24} then bets else 0 end) as b1,
        sum(case when hour_start_ms >= ${h24} then wagered_minor else 0 end) as w1,
        sum(case when hour_start_ms >= ${h24} then returned_minor else 0 end) as r1,
        sum(case when hour_start_ms >= ${d7} then bets else 0 end) as b2,
        sum(case when hour_start_ms >= ${d7} then wagered_minor else 0 end) as w2,
        sum(case when hour_start_ms >= ${d7} then returned_minor else 0 end) as r2,
        sum(bets) as b3, sum(wagered_minor) as w3, sum(returned_minor) as r3
      from game_stats
      where hour_start_ms >= ${d30} and hour_start_ms <= ${current}
        and (${game} is null or game_id = ${game}) and (${currency} is null or currency = ${currency})
      group by game_id, currency order by game_id, currency limit ${GAME_RTP_ROWS_MAX + 1}`;
    const games = rows.slice(0, GAME_RTP_ROWS_MAX).map((r) => ({
      game_id: String(r.game_id), provider_id: String(r.provider_id), currency: String(r.currency),
      windows: RTP_WINDOWS.map((w, i) => ({ window: w.window, hours: w.hours, bets: Number(r[`b${i}`]), wagered_minor: Number(r[`w${i}`]), returned_minor: Number(r[`r${i}`]) })),
    }));
    return { now_ms: now, games, truncated: rows.length > GAME_RTP_ROWS_MAX };
  }

  /** Deletes a bounded batch of expired buckets, at most once per hour of our clock. */
  private purgeHourly(): void {
    const hour = hourStartMs(this.c.now());
    if (hour === this.purgedHour) return;
    this.purgedHour = hour;
    const cut = this.c.now() - GAME_STATS_RETENTION_MS;
    this.c.db.run`delete from game_stats where rowid in (select rowid from game_stats where hour_start_ms < ${cut} limit ${PURGE_ROWS_MAX})`;
  }
}

/** What an event adds to its bucket, or null for events the monitor does not count. */
function delta(e: CasinoEvent): Delta | null {
  const amount = Number(e.payload.amount_minor);
  switch (e.event_type) {
    case 'provider.bet.debited': return { wagered: amount, returned: 0, bets: 1 };
    case 'provider.win.credited': return { wagered: 0, returned: amount, bets: 0 };
    // amount 0: support had voided the bet already (a dispute, not counted here), nothing moved
    case 'provider.bet.rolled_back': return amount > 0 ? { wagered: -amount, returned: 0, bets: -1 } : null;
    default: return null;
  }
}
