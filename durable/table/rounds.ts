/**
 * The round state machine: betting_open -> betting_closed -> result -> settled, or -> voided
 * before a result. Each transition is one guarded UPDATE (`where state = <from>`), so a
 * transition that lost a race changes nothing and the caller sees why.
 */
import { fail, type Result } from '../../domain/errors';
import { commitSeed, newServerSeed } from '../../domain/fairness/provably-fair';
import { uuidv7 } from '../../domain/ids';
import { ROUND_RESULT_DEADLINE_MS } from './bets';
import type { Scalar } from '../../domain/games/types';
import type { TableContext } from './context';
import type { OutcomeJson, PublicRound, RoundRow, RoundState } from './types';

/** States in which a round still needs the table's attention. */
export const LIVE_STATES: readonly RoundState[] = ['betting_open', 'betting_closed', 'result'];

/**
 * Settlement attempts that leave bets open before the round is parked: it stays in 'result' and
 * keeps being retried (with backoff) until every bet is settled, but no longer stops the next
 * round from opening, and `table.round.settle_stuck` tells the back office. A few failures only:
 * a player object that is briefly away (a restart, a deploy) answers within them.
 */
export const SETTLE_PARK_AFTER = 3;

/** When a round without a result is voided (see ROUND_RESULT_DEADLINE_MS). */
export function resultDeadline(openedAt: number): number {
  return openedAt + ROUND_RESULT_DEADLINE_MS;
}

export class Rounds {
  constructor(private readonly c: TableContext) {}

  get(roundId: string): RoundRow | null {
    return this.c.db.first<RoundRow>`select * from rounds where round_id = ${roundId}`;
  }

  latest(): RoundRow | null {
    return this.c.db.first<RoundRow>`select * from rounds order by round_no desc limit 1`;
  }

  /** Rounds that need work after a restart: settlements and refunds to finish. */
  unfinished(): RoundRow[] {
    return this.c.db.all<RoundRow>`select * from rounds where state = 'result'
      or (state = 'voided' and exists (select 1 from bets b where b.round_id = rounds.round_id and b.state in ('reserving', 'accepted')))`;
  }

  /** Whether `r` keeps the next round from opening: live, unless it is a result parked with bets that cannot be settled yet. */
  blocksNext(r: RoundRow): boolean {
    return LIVE_STATES.includes(r.state) && !(r.state === 'result' && r.parked_at !== null);
  }

  /**
   * Counts one settlement (or refund) attempt that left `betsOpen` bets open; returns the attempts
   * so far (for the retry's backoff). At SETTLE_PARK_AFTER attempts the round is parked, once, with
   * its event: a round with a result stops blocking the next one; a voided round (which never
   * blocks) has stakes held that cannot be given back yet, which the back office must hear of too.
   */
  failedAttempt(roundId: string, betsOpen: number): number {
    const r = this.c.db.first<RoundRow>`update rounds set settle_attempts = settle_attempts + 1 where round_id = ${roundId} returning *`!;
    if ((r.state === 'result' || r.state === 'voided') && r.parked_at === null && r.settle_attempts >= SETTLE_PARK_AFTER) {
      this.c.db.run`update rounds set parked_at = ${this.c.now()} where round_id = ${roundId}`;
      if (r.state === 'result') this.scheduleNext();
      this.c.emit('table.round.settle_stuck', { round_no: r.round_no, game: this.c.table.game, bets_open: betsOpen, attempts: r.settle_attempts }, { round_id: roundId });
    }
    return r.settle_attempts;
  }

  /**
   * An automated table opens its next round after its pause, scheduled in the transaction that
   * ended (settled, parked or voided) the last one: a restart right after it cannot leave the table
   * idle while watchers wait. The job opens a round only if someone is watching.
   */
  private scheduleNext(): void {
    if (this.c.table.mode === 'auto') this.c.schedules.at('round.open', 'next', this.c.now() + this.c.table.pause_seconds * 1000);
  }

  list(opts: { before: number | null; limit: number }): RoundRow[] {
    const before = opts.before ?? Number.MAX_SAFE_INTEGER;
    return this.c.db.all<RoundRow>`select * from rounds where round_no < ${before} order by round_no desc limit ${opts.limit}`;
  }

  /** `bettingSeconds` overrides the table's betting time for this round (a dealer holding betting open longer). */
  open(actor: string, offeredIn: string[], bettingSeconds: number = this.c.table.betting_seconds): Result<{ round: RoundRow }> {
    const last = this.latest();
    if (last && this.blocksNext(last)) return fail('invalid_state', `round ${last.round_no} is ${last.state}`, { round_id: last.round_id });
    const now = this.c.now();
    const roundId = uuidv7(now);
    const seed = this.c.table.mode === 'auto' ? newServerSeed() : null;
    const commitment = seed ? commitSeed(seed) : null;
    const roundNo = (last?.round_no ?? 0) + 1;
    const closesAt = now + bettingSeconds * 1000;
    this.c.db.run`insert into rounds (round_id, round_no, state, opened_at, closes_at, opened_by, offered_in, commitment, server_seed)
      values (${roundId}, ${roundNo}, 'betting_open', ${now}, ${closesAt}, ${actor}, ${JSON.stringify(offeredIn)}, ${commitment}, ${seed})`;
    this.c.schedules.at('round.close', roundId, closesAt);
    this.c.schedules.at('round.expire', roundId, resultDeadline(now));
    this.c.emit('table.round.opened', {
      round_no: roundNo, game: this.c.table.game, game_id: this.c.table.game_id, mode: this.c.table.mode, commitment, closes_at: closesAt, actor,
    }, { round_id: roundId });
    return { ok: true, round: this.get(roundId)! };
  }

  close(roundId: string, actor: string): Result<{ round: RoundRow }> {
    const r = this.get(roundId);
    if (!r) return fail('round_not_found');
    if (r.state !== 'betting_open') return fail('invalid_state', `round ${r.round_no} is ${r.state}`);
    const now = this.c.now();
    this.c.db.run`update rounds set state = 'betting_closed', closed_at = ${now} where round_id = ${roundId} and state = 'betting_open'`;
    this.c.schedules.cancel('round.close', roundId);
    const bets = this.c.db.first<{ n: number }>`select count(*) as n from bets where round_id = ${roundId} and state = 'accepted'`!.n;
    this.c.emit('table.round.closed', { round_no: r.round_no, bets, actor }, { round_id: roundId });
    return { ok: true, round: this.get(roundId)! };
  }

  /** Records the result (closing betting first if it is still open); settlement follows. Blackjack passes its own summary. */
  recordResult(roundId: string, outcome: unknown, source: 'rng' | 'dealer', actor: string, summarize: () => Record<string, Scalar> = () => this.c.rules.summarize(outcome)): Result<{ round: RoundRow }> {
    let r = this.get(roundId);
    if (!r) return fail('round_not_found');
    if (r.state === 'betting_open') {
      const closed = this.close(roundId, actor);
      if (!closed.ok) return closed;
      r = closed.round;
    }
    if (r.state !== 'betting_closed') return fail('invalid_state', `round ${r.round_no} is ${r.state}`);
    const now = this.c.now();
    if (now >= resultDeadline(r.opened_at)) {
      return fail('round_expired', `round ${r.round_no} had no result within ${ROUND_RESULT_DEADLINE_MS / 60_000} minutes of opening; it is voided and every stake goes back`, {
        round_id: roundId, deadline_at: resultDeadline(r.opened_at),
      });
    }
    this.c.schedules.cancel('round.expire', roundId);
    const summary = summarize();
    this.c.db.run`update rounds set state = 'result', result_at = ${now}, outcome = ${JSON.stringify(outcome)}, summary = ${JSON.stringify(summary)},
      result_source = ${source}, result_by = ${actor} where round_id = ${roundId} and state = 'betting_closed'`;
    this.c.emit('table.round.result', {
      round_no: r.round_no, game: this.c.table.game, source, actor, outcome: JSON.stringify(outcome),
      summary: Object.entries(summary).map(([k, v]) => `${k}=${v}`).join(' '), server_seed: r.server_seed,
    }, { round_id: roundId });
    return { ok: true, round: this.get(roundId)! };
  }

  markSettled(roundId: string, settleMs: number, bets: number): void {
    const r = this.get(roundId)!;
    this.c.db.run`update rounds set state = 'settled', settled_at = ${this.c.now()}, settle_ms = ${settleMs} where round_id = ${roundId} and state = 'result'`;
    this.scheduleNext();
    this.c.emit('table.round.settled', { round_no: r.round_no, game: this.c.table.game, bets, settle_ms: settleMs }, { round_id: roundId });
  }

  /** A round can be voided until its result is in; afterwards corrections go through disputes. */
  void(roundId: string, actor: string, reason: string, betsToRefund: number): Result<{ round: RoundRow }> {
    const r = this.get(roundId);
    if (!r) return fail('round_not_found');
    if (r.state === 'voided') return { ok: true, round: r };
    if (r.state !== 'betting_open' && r.state !== 'betting_closed') return fail('invalid_state', `round ${r.round_no} is ${r.state}; settled bets are corrected by dispute`);
    this.c.db.run`update rounds set state = 'voided', voided_at = ${this.c.now()}, void_reason = ${reason}, voided_by = ${actor}
      where round_id = ${roundId} and state in ('betting_open', 'betting_closed')`;
    this.c.schedules.cancel('round.close', roundId);
    this.c.schedules.cancel('round.expire', roundId);
    this.scheduleNext();
    this.c.emit('table.round.voided', { round_no: r.round_no, game: this.c.table.game, actor, reason, bets_refunded: betsToRefund }, { round_id: roundId });
    return { ok: true, round: this.get(roundId)! };
  }

  /** The round as anyone may see it: the seed stays secret until the result is in (or the round is dead). */
  publicView(r: RoundRow): PublicRound {
    const revealed = r.state === 'result' || r.state === 'settled' || r.state === 'voided';
    return {
      table_id: this.c.table.table_id, round_id: r.round_id, round_no: r.round_no, state: r.state, game: this.c.table.game,
      opened_at: r.opened_at, closes_at: r.closes_at, closed_at: r.closed_at, result_at: r.result_at, settled_at: r.settled_at,
      voided_at: r.voided_at, commitment: r.commitment, server_seed: revealed ? r.server_seed : null,
      outcome: r.outcome === null ? null : (JSON.parse(r.outcome) as OutcomeJson), summary: r.summary === null ? null : JSON.parse(r.summary),
      result_source: r.result_source, void_reason: r.void_reason, settle_ms: r.settle_ms, parked_at: r.parked_at,
    };
  }
}
