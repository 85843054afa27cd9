/**
 * Settlement and refunds: the table's side of the two-phase bet. For a round with a result, every
 * accepted bet is settled in the player's object (post the hold, credit the return, once per
 * win id), then marked here. For a voided round, every hold is voided. Each player call is
 * idempotent, so a settlement interrupted anywhere (an object restart, a failed call) is simply
 * run again by the alarm until no bet is left open (TARGETS.md R3).
 */
import type { Result } from '../../domain/errors';
import type { BetEnd, Bets } from './bets';
import type { TableContext } from './context';
import type { PlayerPort, TableBetContext } from './player-port';
import type { Rounds } from './rounds';
import { backoffMs } from '../lib/backoff';
import { pruneRtp } from './rtp';
import type { Settlement as GameSettlement } from '../../domain/games/types';
import type { BetRow, RoundRow } from './types';

/**
 * Player objects called at once: a round settles in waves of this many concurrent calls, and the
 * table records each wave in one transaction of three statements (bets.finishMany), not a few
 * statements per bet. Bounded so that a big round neither opens thousands of calls at once nor
 * holds thousands of answers before anything is recorded: a restart loses at most one wave's
 * bookkeeping, which the retry redoes without paying anyone twice (every call is idempotent).
 */
export const SETTLE_WAVE = 250;
/** When some bets could not be settled, the next attempt comes this soon, doubling per failed attempt up to SETTLE_RETRY_MAX_MS. */
export const SETTLE_RETRY_MS = 2_000;
export const SETTLE_RETRY_MAX_MS = 300_000;

export type Tx = <T>(fn: () => T) => T;
/**
 * What each bet of a round with a result returns: a one-shot game prices a bet from the round's
 * outcome; blackjack from the round's engine state (one result per stake). null: the round has no
 * such stake any more, so its stake is given back instead.
 */
export type PriceOf = (round: RoundRow) => (bet: BetRow) => BetPrice | null;
/** A bet's settlement, and for a blackjack stake the hand it rode on (for the player's rewards rules only). */
export type BetPrice = GameSettlement & { hand?: { natural: boolean; busted: boolean } };
export type SettledBet = { bet: BetRow; available_minor: number | null };

/** Runs `call` for every item, `size` at a time, and `record` after each wave with its answers. */
async function inWaves<I, A>(size: number, items: readonly I[], call: (item: I) => Promise<A>, record: (answers: { item: I; answer: A }[]) => void): Promise<void> {
  for (let i = 0; i < items.length; i += size) {
    const wave = items.slice(i, i + size);
    const answers = await Promise.all(wave.map(async (item) => ({ item, answer: await call(item) })));
    record(answers);
  }
}

const failed = (err: unknown) => ({ ok: false as const, code: 'internal_error' as const, message: String(err) });

export class Settlement {
  /** Calls per wave (tests make it small to cut a settlement between waves). */
  wave = SETTLE_WAVE;

  constructor(
    private readonly c: TableContext,
    private readonly rounds: Rounds,
    private readonly bets: Bets,
    private readonly port: (playerId: string) => PlayerPort,
    private readonly tx: Tx,
  ) {}

  private readonly oneShotPrice: PriceOf = (round) => {
    const outcome: unknown = JSON.parse(round.outcome ?? 'null');
    return (b) => this.c.rules.settle(b.spot, b.amount_minor, outcome);
  };

  /**
   * Gives up the holds of bets still 'reserving' (their reservation's answer never arrived, or
   * arrived after betting closed). A hold that was never created is remembered by the player's
   * object as abandoned, so a reservation still on its way is refused when it arrives. A call that
   * fails (or throws) leaves its bet 'reserving': open, so the round is retried (and parked if it
   * keeps failing) like a bet that cannot be settled, while the others settle. invalid_state: the
   * hold expired first (it outlived a player object away for its 24 hours); the stake is back
   * either way, as in `refund` and the table's releaseHold.
   */
  async abandonReservations(roundId: string): Promise<void> {
    const pending = this.tx(() => this.bets.inState(roundId, 'reserving'));
    await Promise.all(pending.map(async (b) => {
      const r = await this.port(b.player_id).abandonTableBet(b.hold_id).catch((err: unknown): Result<object> => failed(err));
      if (r.ok || r.code === 'invalid_state') this.tx(() => this.bets.refuse(b.bet_id, 'betting_closed'));
    }));
  }

  /**
   * Settles every accepted bet of a round with a result. Returns the bets it finished now; `done` when none is left.
   * Exactly once (TARGETS.md R3): the result is durable before any call; each call is idempotent
   * in the player's object (hold id, win id); a wave is recorded in one transaction guarded by
   * `state = 'accepted'`. A restart anywhere leaves the unrecorded bets 'accepted' and the alarm
   * settles them again: the players answer with their first result and nothing is paid twice.
   */
  async settle(roundId: string, priceOf: PriceOf = this.oneShotPrice): Promise<{ done: boolean; settledNow: boolean; finished: SettledBet[] }> {
    const started = this.c.now();
    await this.abandonReservations(roundId);
    const round = this.tx(() => this.rounds.get(roundId));
    if (!round || round.state !== 'result' || round.outcome === null) return { done: round?.state === 'settled', settledNow: false, finished: [] };
    const price = this.tx(() => priceOf(round));
    const open = this.tx(() => this.bets.inState(roundId, 'accepted'));
    const finished: SettledBet[] = [];
    await inWaves(this.wave, open, async (b) => {
      const s = price(b);
      if (s === null) {
        // a stake the round no longer has (its player left before the deal and the refund failed then): given back
        const r = await this.port(b.player_id).abandonTableBet(b.hold_id).catch((err: unknown): Result<object> => failed(err));
        return { s, r: r.ok || r.code === 'invalid_state' ? { ok: true as const, state: 'voided' as const, returned_minor: 0, available_minor: null } : r };
      }
      const r = await this.port(b.player_id).settleTableBet({ hold_id: b.hold_id, win_id: `${b.hold_id}:return`, returned_minor: s.returned_minor }, this.contextOf(round, b, s)).catch(failed);
      return { s, r: r.ok ? { ...r, available_minor: r.available_minor as number | null } : r };
    }, (answers) => {
      const available = new Map<string, number>();
      const ends: BetEnd[] = [];
      for (const { item: b, answer: { s, r } } of answers) {
        if (!r.ok) continue; // left 'accepted': the next attempt retries it
        if (r.available_minor !== null) available.set(b.bet_id, r.available_minor);
        if (s === null) ends.push({ bet_id: b.bet_id, to: 'voided', result: 'void', returned_minor: b.amount_minor });
        // 'voided' or 'expired' in the player's object: the hold ran out first and the stake went back
        else ends.push(r.state === 'posted'
          ? { bet_id: b.bet_id, to: 'settled', result: s.result, returned_minor: s.returned_minor }
          : { bet_id: b.bet_id, to: 'expired', result: 'expired', returned_minor: 0 });
      }
      const done = this.tx(() => this.bets.finishMany(ends));
      for (const bet of done) finished.push({ bet, available_minor: available.get(bet.bet_id) ?? null });
    });
    const done = this.tx(() => {
      const left = this.bets.openCount(roundId);
      if (left > 0) {
        const attempts = this.rounds.failedAttempt(roundId, left);
        this.c.schedules.at('round.settle', roundId, this.c.now() + backoffMs(attempts, SETTLE_RETRY_MS, SETTLE_RETRY_MAX_MS));
        return false;
      }
      const count = this.c.db.first<{ n: number }>`select count(*) as n from bets where round_id = ${roundId} and state in ('settled', 'expired')`!.n;
      this.rounds.markSettled(roundId, Math.max(0, this.c.now() - started), count);
      pruneRtp(this.c);
      this.c.schedules.cancel('round.settle', roundId);
      return true;
    });
    return { done, settledNow: done, finished };
  }

  /**
   * What the table knows of a settled bet, for the player's rewards rules only (the money is the
   * call's first argument). From the bet row and the round, never the clock: the result's time is
   * the event's time, so a retry of the settlement carries exactly the same context.
   */
  private contextOf(round: RoundRow, b: BetRow, s: BetPrice): TableBetContext {
    return {
      table_id: this.c.table.table_id, round_id: b.round_id, game: this.c.table.game, game_id: this.c.table.game_id,
      spot: b.spot, bet_type: b.bet_type, session_id: b.session_id, amount_minor: b.amount_minor, currency: b.currency, at: round.result_at ?? b.created_at,
      result: s.result, dealer_id: round.result_source === 'dealer' ? round.result_by : null,
      ...(s.hand ? { natural: s.hand.natural, busted: s.hand.busted } : {}),
    };
  }

  /** Gives back every stake of a voided round (in waves, like settle). */
  async refund(roundId: string): Promise<{ done: boolean; finished: SettledBet[] }> {
    await this.abandonReservations(roundId);
    const open = this.tx(() => this.bets.inState(roundId, 'accepted'));
    const finished: SettledBet[] = [];
    await inWaves(this.wave, open, (b) => this.port(b.player_id).abandonTableBet(b.hold_id).catch((err: unknown): Result<object> => failed(err)), (answers) => {
      // invalid_state: the hold expired or was voided by someone else first; the stake is back either way
      const ends: BetEnd[] = answers.filter(({ answer: r }) => r.ok || r.code === 'invalid_state')
        .map(({ item: b }) => ({ bet_id: b.bet_id, to: 'voided', result: 'void', returned_minor: b.amount_minor }));
      const done = this.tx(() => this.bets.finishMany(ends));
      for (const bet of done) finished.push({ bet, available_minor: null });
    });
    const done = this.tx(() => {
      const left = this.bets.openCount(roundId);
      if (left > 0) this.c.schedules.at('round.refund', roundId, this.c.now() + backoffMs(this.rounds.failedAttempt(roundId, left), SETTLE_RETRY_MS, SETTLE_RETRY_MAX_MS));
      else this.c.schedules.cancel('round.refund', roundId);
      return left === 0;
    });
    return { done, finished };
  }

  /**
   * The floor of a settlement (bench E5): one empty call to the player object of every bet of the
   * round, in the same waves, recording nothing. What settling costs beyond this is the players'
   * transactions and the table's bookkeeping. Returns the calls made and the table's own time.
   */
  async probePlayers(roundId: string): Promise<{ calls: number; ms: number }> {
    const started = this.c.now();
    const players = this.tx(() => this.bets.ofRound(roundId, 100_000).map((b) => b.player_id));
    await inWaves(this.wave, players, (id) => this.port(id).floorProbe(), () => {});
    return { calls: players.length, ms: this.c.now() - started };
  }
}
