/**
 * What the back office reads about one player, without a player session: the full profile (the
 * worker masks PII by the operator's policy, so the object does not guess), money, open work, and
 * the timeline of every event this object emitted. Reads only; bounded pages everywhere.
 */
import { fail, type Result } from '../../domain/errors';
import type { Currency } from '../../domain/money';
import type { OutboxRow } from '../lib/outbox';
import type { Adjustments } from './adjustments';
import type { PlayerContext } from './context';
import type { Limits } from './limits';
import { operatorPlayerView, type Profile } from './profile';
import type { Relay } from './relay';
import type { Segments } from './segments';
import type { Sessions } from './sessions';
import type { Wallet } from './wallet';

export const OPERATOR_LEDGER_LIMIT_MAX = 500;
export const TIMELINE_LIMIT_MAX = 500;

function clampLimit(limit: number, max: number): number {
  return Number.isFinite(limit) ? Math.min(Math.max(1, Math.trunc(limit)), max) : max;
}

export class BackOfficeReads {
  constructor(
    private readonly ctx: PlayerContext,
    private readonly parts: { profile: Profile; sessions: Sessions; limits: Limits; wallet: Wallet; adjustments: Adjustments; relay: Relay; segments: Segments },
  ) {}

  inspect() {
    const p = this.ctx.profile();
    if (!p) return fail('player_not_found');
    const { profile, sessions, limits, wallet, adjustments, relay, segments } = this.parts;
    return {
      ok: true as const, player: operatorPlayerView(p), balances: wallet.balances(), kyc_history: profile.kycHistory(),
      sessions: sessions.list(), limits: limits.list(), withdrawals: wallet.withdrawals(), adjustments: adjustments.list(),
      open_holds: wallet.openHolds(), relay: relay.status(), segments: segments.view(),
    };
  }

  /** The ledger, newest first (keyset on entry_id), as an operator sees it. */
  ledger(opts: { before: number | null; limit: number; currency: Currency | null }) {
    if (!this.ctx.profile()) return fail('player_not_found');
    return { ok: true as const, ...this.parts.wallet.ledger({ ...opts, limit: clampLimit(opts.limit, OPERATOR_LEDGER_LIMIT_MAX) }) };
  }

  /** Every event of this player, newest first, keyset on the outbox sequence. */
  timeline(opts: { before?: number; limit: number }): Result<{ events: OutboxRow[]; next_before: number | null }> {
    if (!this.ctx.profile()) return fail('player_not_found');
    const limit = clampLimit(opts.limit, TIMELINE_LIMIT_MAX);
    const before = opts.before ?? Number.MAX_SAFE_INTEGER;
    const rows = this.ctx.db.all<{ seq: number; body: string }>`select seq, body from outbox where seq < ${before} order by seq desc limit ${limit}`;
    const events = rows.map((r) => ({ seq: r.seq, event: JSON.parse(r.body) as OutboxRow['event'] }));
    const last = events.at(-1);
    return { ok: true, events, next_before: events.length === limit && last ? last.seq : null };
  }
}
