/** The table's observed RTP: its hour buckets (rtp_hours) read as rolling windows against the payout table. */
import { RTP_RETENTION_MS, rtpWindows, tableExpectations, type RtpWindowStat } from '../../domain/fairness/rtp-monitor';
import type { TableContext } from './context';

export type TableRtp = { windows: RtpWindowStat[] };

export function observedRtp(c: TableContext): TableRtp {
  const now = c.now();
  const rows = c.db.all<{ hour_start: number; bet_type: string; currency: string; wagered_minor: number; returned_minor: number; bets: number }>`
    select * from rtp_hours where hour_start >= ${now - RTP_RETENTION_MS}`;
  const buckets = rows.map((r) => ({ hour_start_ms: r.hour_start, bet_type: r.bet_type, currency: r.currency, wagered_minor: r.wagered_minor, returned_minor: r.returned_minor, bets: r.bets }));
    // Blackjack: observed per stake component, no theoretical figure per component (a hand's doubles and splits are stakes of their own; the game's RTP is in docs/fairness.md).
  const expected = c.table.game === 'blackjack' ? () => null : tableExpectations(c.table.game);
  return { windows: rtpWindows(buckets, now, expected) };
}

/** Buckets older than every window are dropped (called when a round settles). */
export function pruneRtp(c: TableContext): void {
  c.db.run`delete from rtp_hours where hour_start < ${c.now() - RTP_RETENTION_MS}`;
}
