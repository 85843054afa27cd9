/**
 * The table's leaderboard (GET /v1/tables/{table_id}/leaderboard): today's (UTC) top net winners at
 * this table, from its own settled bets, per currency. Players are shown by the handle the table's
 * socket shows them by (fanout.ts chatHandle), never their id. Ties: the one who got there first
 * (the earlier last settled bet), then the handle.
 */
import type { Currency } from '../../domain/money';
import type { TableContext } from './context';
import { chatHandle } from './fanout';

export const TABLE_LEADERS_MAX = 50;
const DAY_MS = 86_400_000;

export type TableLeader = { rank: number; handle: string; net_win_minor: number; bets: number };
export type TableLeaderboard = { table_id: string; day: string; currencies: { currency: Currency; leaders: TableLeader[] }[] };

export function tableLeaderboard(c: TableContext, limit: number): TableLeaderboard {
  const now = c.now();
  const dayStart = now - (now % DAY_MS);
  const rows = c.db.all<{ player_id: string; currency: Currency; net: number; bets: number; last_at: number }>`
    select player_id, currency, sum(returned_minor - amount_minor) as net, count(*) as bets, max(settled_at) as last_at
    from bets where state = 'settled' and settled_at >= ${dayStart}
    group by player_id, currency having net > 0`;
  const byCurrency = new Map<Currency, typeof rows>();
  for (const r of rows) byCurrency.set(r.currency, [...(byCurrency.get(r.currency) ?? []), r]);
  const currencies = [...byCurrency.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([currency, list]) => ({
    currency,
    leaders: list.map((r) => ({ ...r, handle: chatHandle(r.player_id) }))
      .sort((a, b) => b.net - a.net || a.last_at - b.last_at || (a.handle < b.handle ? -1 : a.handle > b.handle ? 1 : 0))
      .slice(0, Math.min(limit, TABLE_LEADERS_MAX))
      .map((r, i): TableLeader => ({ rank: i + 1, handle: r.handle, net_win_minor: r.net, bets: r.bets })),
  }));
  return { table_id: c.table.table_id, day: new Date(dayStart).toISOString().slice(0, 10), currencies };
}
