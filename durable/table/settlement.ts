/**
 * Settlement and refunds: the table's side of the two-phase bet. For a round with a result, every
 * accepted bet is settled in the player's object (post the hold, credit the return, once per
 * win id), then marked here. For a voided round, every hold is voided. Each player call is
 * idempotent, so a settlement interrupted anywhere (an object restart, a failed call) is simply
 * run again by the alarm until no bet is left open (TARGETS.md R3).
 */
import type { Result } from '../../domain/errors';
import type { Bets } from './bets';
import type { TableContext } from './context';
import type { PlayerPort } from './player-port';
import type { Rounds } from './rounds';
import { pruneRtp } from './rtp';
import type { BetRow } from './types';

/** Player objects called at once; each call is a separate object, so this is the fan-out width. */
const PARALLEL_CALLS = 500;
/** When some bets could not be settled, the next attempt comes this soon. */
export const SETTLE_RETRY_MS = 2_000;

export type Tx = <T>(fn: () => T) => T;
export type SettledBet = { bet: BetRow; available_minor: number | null };

export class Settlement {
  constructor(
    private readonly c: TableContext,
    private readonly rounds: Rounds,
    private readonly bets: Bets,
    private readonly port: (playerId: string) => PlayerPort,
    private readonly tx: Tx,
  ) {}

  /**
   * Gives up the holds of bets still 'reserving' (their reservation's answer never arrived, or
   * arrived after betting closed). A hold that was never created is remembered by the player's
   * object as abandoned, so a reservation still on its way is refused when it arrives.
   */
  async abandonReservations(roundId: string): Promise<void> {
    const pending = this.tx(() => this.bets.inState(roundId, 'reserving'));
    await Promise.all(pending.map(async (b) => {
      const r = await this.port(b.player_id).abandonTableBet(b.hold_id);
      if (r.ok) this.tx(() => this.bets.refuse(b.bet_id, 'betting_closed'));
    }));
  }

  /** Settles every accepted bet of a round with a result. Returns the bets it finished now; `done` when none is left. */
  async settle(roundId: string): Promise<{ done: boolean; finished: SettledBet[] }> {
    const started = this.c.now();
    await this.abandonReservations(roundId);
    const round = this.tx(() => this.rounds.get(roundId));
    if (!round || round.state !== 'result' || round.outcome === null) return { done: round?.state === 'settled', finished: [] };
    const outcome: unknown = JSON.parse(round.outcome);
    const open = this.tx(() => this.bets.inState(roundId, 'accepted'));
    const finished: SettledBet[] = [];
    for (let i = 0; i < open.length; i += PARALLEL_CALLS) {
      const chunk = open.slice(i, i + PARALLEL_CALLS);
      const answers = await Promise.all(chunk.map(async (b) => {
        const s = this.c.rules.settle(b.spot, b.amount_minor, outcome);
        const r = await this.port(b.player_id).settleTableBet({ hold_id: b.hold_id, win_id: `${b.hold_id}:return`, returned_minor: s.returned_minor })
          .catch((err: unknown) => ({ ok: false as const, code: 'internal_error' as const, message: String(err) }));
        return { b, s, r };
      }));
      this.tx(() => {
        for (const { b, s, r } of answers) {
          if (!r.ok) continue; // left 'accepted': the next attempt retries it
          if (r.state === 'posted') this.bets.finish(b, 'settled', s.result, s.returned_minor);
          else this.bets.finish(b, 'expired', 'expired', 0); // the hold ran out first: the stake went back
          finished.push({ bet: this.bets.get(b.bet_id)!, available_minor: r.available_minor });
        }
      });
    }
    const done = this.tx(() => {
      const left = this.bets.inState(roundId, 'accepted').length + this.bets.inState(roundId, 'reserving').length;
      if (left > 0) {
        this.c.schedules.at('round.settle', roundId, this.c.now() + SETTLE_RETRY_MS);
        return false;
      }
      const count = this.c.db.first<{ n: number }>`select count(*) as n from bets where round_id = ${roundId} and state in ('settled', 'expired')`!.n;
      this.rounds.markSettled(roundId, Math.max(0, this.c.now() - started), count);
      pruneRtp(this.c);
      this.c.schedules.cancel('round.settle', roundId);
      return true;
    });
    return { done, finished };
  }

  /** Gives back every stake of a voided round. */
  async refund(roundId: string): Promise<{ done: boolean; finished: SettledBet[] }> {
    await this.abandonReservations(roundId);
    const open = this.tx(() => this.bets.inState(roundId, 'accepted'));
    const finished: SettledBet[] = [];
    for (let i = 0; i < open.length; i += PARALLEL_CALLS) {
      const chunk = open.slice(i, i + PARALLEL_CALLS);
      const answers = await Promise.all(chunk.map(async (b) => ({
        b, r: await this.port(b.player_id).abandonTableBet(b.hold_id).catch((err: unknown): Result<object> => ({ ok: false, code: 'internal_error', message: String(err) })),
      })));
      this.tx(() => {
        for (const { b, r } of answers) {
          // invalid_state: the hold expired or was voided by someone else first; the stake is back either way
          if (!r.ok && r.code !== 'invalid_state') continue;
          this.bets.finish(b, 'voided', 'void', b.amount_minor);
          finished.push({ bet: this.bets.get(b.bet_id)!, available_minor: null });
        }
      });
    }
    const done = this.tx(() => {
      const left = this.bets.inState(roundId, 'accepted').length + this.bets.inState(roundId, 'reserving').length;
      if (left > 0) this.c.schedules.at('round.refund', roundId, this.c.now() + SETTLE_RETRY_MS);
      else this.c.schedules.cancel('round.refund', roundId);
      return left === 0;
    });
    return { done, finished };
  }
}
