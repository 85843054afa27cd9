/**
 * Live blackjack at a TableDO: the engine (domain/games/blackjack/, pure) driven by the table's
 * rounds, its bets and the players' objects. The round row keeps the table's life cycle
 * (betting_open -> betting_closed while the hand plays -> result when the dealer is done -> settled,
 * or voided); the engine's state (store.ts) says where the hand is.
 *
 * Money moves as at every table: each stake is a bet row with a hold in the player's object. A move
 * that adds a stake (a bet, a bet behind, a double, a split, insurance) is confirmed in three steps:
 *   1. one transaction checks the move against the engine and the table's limits (nothing applied)
 *      and records its stakes as 'reserving';
 *   2. the player's object reserves each hold (idempotent on the hold id; limits, exclusions and
 *      funds are checked there, in its own transaction);
 *   3. one transaction applies the move to the engine if it is still allowed (the seat may have been
 *      taken, the timer may have stood the hand meanwhile): its stakes become 'accepted' and linked
 *      to the engine's stake ids; otherwise they are refused and the holds given back.
 * A retry with the same id re-drives steps 2 and 3 (a restart between them loses nothing: the
 * reservation is idempotent). Moves without money (hit, stand, surrender, no insurance, a dealer's
 * card, a timer) are one transaction each. Every transaction that changes the hand also deals the
 * automated table's next cards from the committed shoe, re-arms the decision timer, emits the hand
 * events, and when the dealer is done records the result; settlement is then the table's usual one,
 * priced by the engine (one result per stake).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import {
  betBehind, closeBetting, currentTurn, dealFromShoe, decide, findBox, insure, isClientSeed, leave, legalActions, newRound, openShoe, placeBet,
  settleRound, takeCard, timeout, type Action, type BlackjackEvent, type RoundState, type ShoeCards, type SideBetKind, type Stake, type Step,
  activeHandIndex, dealerUpCard, handValue, insuranceOffered,
} from '../../../domain/games/blackjack';
import { fail, type ErrorCode, type Failure, type Result } from '../../../domain/errors';
import type { Currency } from '../../../domain/money';
import { betView, type Bets } from '../bets';
import type { BlackjackTable as BlackjackConfig } from '../config';
import type { TableContext } from '../context';
import { chatHandle, type Fanout } from '../fanout';
import type { ReserveAnswer } from '../player-port';
import type { BetPrice, PriceOf } from '../settlement';
import type { Rounds } from '../rounds';
import type { BetRow, BetView, RoundRow } from '../types';
import { boxSubjects, toEdgeEvents } from './events';
import { RoundStore } from './store';
import { checkExposure, checkLimit, insertStakes, linkStake, stakeMaxReturn, type NewStake } from './stakes';

/** What the table object lends the blackjack wiring. */
export interface BlackjackHost {
  tx<T>(fn: () => T): T;
  /** Asks the player's object for a bet row's hold (TableDO.askHold). */
  reserveHold(bet: BetRow, offeredIn: string[]): Promise<ReserveAnswer>;
  /** Gives back a hold the table refused after it was reserved (retried by alarm until it is). */
  releaseHold(playerId: string, holdId: string): Promise<void>;
  abandonHold(playerId: string, holdId: string): Promise<Result<object>>;
  /** Runs the round's settlement now (the alarm finishes it if interrupted). */
  settle(roundId: string): Promise<unknown>;
  announceResult(roundId: string): void;
  readonly fanout: Fanout;
  /** Moves in flight by their id: the timer and a retry wait for them. */
  readonly inflight: Map<string, Promise<unknown>>;
}

export const TIMER_JOB = 'bj.timer';
/** A settlement interrupted right after the result is picked up by the alarm this much later. */
const SETTLE_BACKUP_MS = 60_000;

export type BlackjackBetInput = {
  player_id: string; session_id: string; round_id: string; bet_id: string; currency: Currency;
  seat?: number; main_minor: number; side_bets?: Partial<Record<SideBetKind, number>>; client_seed?: string;
};
export type BehindInput = { player_id: string; session_id: string; round_id: string; bet_id: string; currency: Currency; seat: number; amount_minor: number };
export type DecisionInput = {
  player_id: string; session_id: string; round_id: string; decision_id: string; box_id: string; hand_index: number;
  action: Action | 'insurance' | 'no_insurance';
};
export type MoveAnswer = Result<{ bets: BetView[]; replayed: boolean; round: BlackjackRoundView }>;

const MONEY_ACTIONS = new Set(['double', 'split', 'insurance']);

export type Committed = { state: RoundState; events: BlackjackEvent[]; completed: boolean; stakeMinor: number };

export class BlackjackTable {
  private readonly store: RoundStore;
  /** The automated table's shoe of the current round (re-derived from the seeds after a restart). */
  private shoe: { round_id: string; cards: ShoeCards } | null = null;

  constructor(
    private readonly c: TableContext,
    private readonly config: BlackjackConfig,
    private readonly rounds: Rounds,
    private readonly bets: Bets,
    private readonly host: BlackjackHost,
  ) {
    this.store = new RoundStore(c);
    // a rollback (a close that dealt, then failed) must drop the shoe too: it is derived from the seeds written at close
    c.onForget(() => this.forget());
  }

  // ---- round life cycle (called by TableDO inside its transactions) ---------------------------

  /** A round opened: its engine state starts empty. */
  opened(roundId: string): void {
    this.store.create(roundId, newRound(this.config.format, this.config.rules));
  }

  /**
   * Betting closed (inside TableDO's transaction): the shoe's client seed is fixed from the
   * players' seeds, the opening deal is planned and, at an automated table, dealt. A round nobody
   * bet on has its (empty) result at once. Returns what the caller does after the commit.
   */
  closed(round: RoundRow): Committed | null {
    const state = this.store.load(round.round_id);
    if (!state) return null;
    if (this.c.table.mode === 'auto') this.store.setClientSeed(round.round_id, this.clientSeedOf(round));
    const step = closeBetting(state);
    if (!step.ok) {
      // no_bets: nothing to deal
      this.recordResult(round, state);
      return { state, events: [], completed: true, stakeMinor: 0 };
    }
    return this.commit(round, state, step, 0);
  }

  /** Drops what memory derived from the rows (after a rollback; a restart loses it anyway): the rows are the truth. */
  forget(): void {
    this.store.forget();
    this.shoe = null;
  }

  // ---- players' moves -------------------------------------------------------------------------

  /** Takes a seat (Seated) or a place (Infinite) with a main bet and side bets. Idempotent on bet_id. */
  async bet(input: BlackjackBetInput): Promise<MoveAnswer> {
    if (input.client_seed !== undefined && !isClientSeed(input.client_seed)) return fail('validation_failed', 'client_seed is 1-64 characters of A-Z a-z 0-9 _ -');
    const request = { player_id: input.player_id, seat: input.seat, main_minor: input.main_minor, side_bets: input.side_bets };
    const stakes: NewStake[] = [
      { bet_id: input.bet_id, component: 'main', amount_minor: input.main_minor, max_return_minor: 0 },
      ...Object.entries(input.side_bets ?? {}).map(([kind, amount]): NewStake => ({ bet_id: `${input.bet_id}:${kind}`, component: kind as SideBetKind, amount_minor: amount ?? 0, max_return_minor: 0 })),
    ];
    return this.move(input.bet_id, input, stakes, 'betting', (s) => placeBet(s, request), input.client_seed);
  }

  /** A bet behind an occupied seat (Seated): it wins and loses with that seat's first hand. */
  async behind(input: BehindInput): Promise<MoveAnswer> {
    const stakes: NewStake[] = [{ bet_id: input.bet_id, component: 'behind', amount_minor: input.amount_minor, max_return_minor: 0 }];
    // `follow: false`: a bet behind does not double or split with the seat (that would reserve the backer's money on another player's decision)
    return this.move(input.bet_id, input, stakes, 'betting', (s) => betBehind(s, { player_id: input.player_id, seat: input.seat, amount_minor: input.amount_minor, follow: false }));
  }

  /**
   * A decision on a hand (hit, stand, double, split, surrender) or on insurance. Idempotent on
   * decision_id: the same decision again is a replay (a retried hit takes no second card), the id
   * for another round, box, hand or action is a conflict.
   */
  async decide(input: DecisionInput): Promise<MoveAnswer> {
    const apply = (s: RoundState): Step => input.action === 'insurance' || input.action === 'no_insurance'
      ? insure(s, { player_id: input.player_id, box_id: input.box_id, take: input.action === 'insurance' })
      : decide(s, { player_id: input.player_id, box_id: input.box_id, hand_index: input.hand_index, action: input.action });
    if (!MONEY_ACTIONS.has(input.action)) {
      return this.plainMove(input.round_id, apply, input.player_id, {
        replayed: () => this.decisionSeen(input),
        record: () => this.recordDecision(input),
      });
    }
    const stake = this.host.tx(() => {
      const seen = this.decisionSeen(input);
      if (seen !== false && !seen.ok) return seen;
      const s = this.decisionStake(input);
      // recorded with its stake row (the row is the money move's own idempotency; this row says which hand it was for)
      if (s.ok && seen === false) this.recordDecision(input);
      return s;
    });
    if (!stake.ok) return stake;
    return this.move(input.decision_id, { ...input, currency: stake.currency }, [stake.stake], 'play', apply);
  }

  /** false: a new decision id; ok: the same decision seen before; else the id was used for another move. */
  private decisionSeen(input: DecisionInput): Result<object> | false {
    const row = this.c.db.first<{ round_id: string; player_id: string; box_id: string; hand_index: number; action: string }>`
      select round_id, player_id, box_id, hand_index, action from bj_decisions where decision_id = ${input.decision_id}`;
    const handIndex = input.action === 'insurance' || input.action === 'no_insurance' ? 0 : input.hand_index;
    if (row) {
      const same = row.round_id === input.round_id && row.player_id === input.player_id && row.box_id === input.box_id && row.hand_index === handIndex && row.action === input.action;
      return same ? { ok: true } : fail('idempotency_conflict', 'this decision_id was used for another decision', { decision_id: input.decision_id });
    }
    // a bet's id (bet_id, or a stake of an older decision before decisions were recorded) is not a decision's
    if (this.bets.get(input.decision_id)) return fail('idempotency_conflict', 'this id was used for another move', { decision_id: input.decision_id });
    return false;
  }

  private recordDecision(input: DecisionInput): void {
    const handIndex = input.action === 'insurance' || input.action === 'no_insurance' ? 0 : input.hand_index;
    this.c.db.run`insert into bj_decisions (decision_id, round_id, player_id, box_id, hand_index, action)
      values (${input.decision_id}, ${input.round_id}, ${input.player_id}, ${input.box_id}, ${handIndex}, ${input.action})`;
  }

  /** Leaves before the deal: the box (or the bet behind) goes and its stakes are given back. */
  async leave(input: { player_id: string; round_id: string; seat?: number }): Promise<MoveAnswer> {
    const out = this.host.tx(() => {
      const round = this.rounds.get(input.round_id);
      if (!round) return fail('round_not_found');
      if (round.state !== 'betting_open') return fail('wrong_phase', 'the cards are dealt: the hand plays on (the timer stands it)');
      const state = this.store.load(input.round_id)!;
      const step = leave(state, { player_id: input.player_id, seat: input.seat });
      if (!step.ok) return engineFailure(step);
      const kept = new Set(step.state.stakes.map((s) => s.stake_id));
      const gone = state.stakes.filter((s) => !kept.has(s.stake_id)).map((s) => s.stake_id);
      this.store.save(input.round_id, state, step.state);
      const rows = this.c.db.all<BetRow>`select * from bets where round_id = ${input.round_id} and state = 'accepted'
        and stake_id in (select value from json_each(${JSON.stringify(gone)}))`;
      return { ok: true as const, rows };
    });
    if (!out.ok) return out;
    // Given back now; a call that fails leaves the row 'accepted' without its stake, and settlement gives it back.
    const freed: BetRow[] = [];
    await Promise.all(out.rows.map(async (b) => {
      const r = await this.host.abandonHold(b.player_id, b.hold_id);
      if (r.ok || r.code === 'invalid_state') freed.push(b);
    }));
    const done = this.host.tx(() => this.bets.finishMany(freed.map((b) => ({ bet_id: b.bet_id, to: 'voided' as const, result: 'void' as const, returned_minor: b.amount_minor }))));
    this.broadcast(input.round_id, []);
    return { ok: true, bets: done.map(betView), replayed: false, round: this.view(input.round_id, input.player_id)! };
  }

  /**
   * A dealer's (or studio feed's) card at a dealer table: refused unless it can come next. With its
   * `position` among the round's cards it is idempotent: a feed that retries a card whose answer it
   * lost must not deal it twice (the hand would take a card that never left the shoe).
   */
  async dealerCard(roundId: string, card: string, position?: number): Promise<MoveAnswer> {
    if (this.c.table.mode !== 'dealer') return fail('invalid_state', 'an automated table deals from its own shoe');
    const placed = (): Result<object> | false => {
      const dealt = position === undefined ? null : this.store.load(roundId)?.dealt;
      if (!dealt || position === undefined || position === dealt.length) return false;
      if (position < dealt.length && dealt[position] === card) return { ok: true };
      return fail('card_out_of_order', position < dealt.length ? `card ${position} was ${dealt[position]}` : `the next card is card ${dealt.length}`, { position, next_position: dealt.length });
    };
    return this.plainMove(roundId, (s) => takeCard(s, card), null, { replayed: placed, record: () => {} });
  }

  /** The decision timer ran out (alarm): the hand whose turn it is stands, or every open hand (Infinite), or insurance closes. */
  async timerFired(roundId: string): Promise<void> {
    // a money move being confirmed goes first: the timer then finds the hand moved on
    await Promise.allSettled([...this.host.inflight.values()]);
    const out = this.host.tx(() => {
      const round = this.rounds.get(roundId);
      if (!round || round.state !== 'betting_closed') return null;
      const state = this.store.load(roundId);
      const timer = this.store.timer(roundId);
      if (!state || !timer || timer.timer_key === null || timer.timer_key !== decisionKey(state)) return null;
      if (timer.timer_due !== null && this.c.now() < timer.timer_due) {
        this.c.schedules.at(TIMER_JOB, roundId, timer.timer_due);
        return null;
      }
      const step = timeout(state);
      return step.ok ? this.commit(round, state, step, 0) : null;
    });
    if (out) await this.afterCommit(roundId, out);
  }

  /** Development only (bench E5B): moves the open decision's timer to `dueAt` (the alarm, or timerFired, runs it out). */
  moveTimer(roundId: string, dueAt: number): Result<{ key: string }> {
    return this.host.tx(() => {
      const r = this.rounds.get(roundId);
      if (!r) return fail('round_not_found');
      const timer = this.store.timer(roundId);
      if (r.state !== 'betting_closed' || !timer?.timer_key) return fail('invalid_state', `round ${r.round_no} is ${r.state} with no decision open`);
      this.store.setTimer(roundId, timer.timer_key, dueAt);
      this.c.schedules.at(TIMER_JOB, roundId, dueAt);
      return { ok: true, key: timer.timer_key };
    });
  }

  // ---- settlement -----------------------------------------------------------------------------

  /** Prices each bet from the complete round: one result per stake; a stake the round no longer has is given back. */
  readonly priceOf: PriceOf = (round) => {
    const state = this.store.load(round.round_id);
    const settled = state && state.phase === 'complete' ? settleRound(state) : null;
    const byStake = new Map<string, BetPrice>();
    if (settled && 'stakes' in settled) {
      // the hand each stake rode on, for the player's rewards rules (natural, busted): settlement.ts contextOf
      const handOf = new Map<string, { natural: boolean; busted: boolean }>();
      for (const h of settled.hands) for (const st of h.stakes) handOf.set(st.stake_id, { natural: h.natural, busted: h.busted });
      for (const s of settled.stakes) {
        const hand = handOf.get(s.stake_id);
        byStake.set(s.stake_id, hand ? { returned_minor: s.returned_minor, result: s.result, hand } : { returned_minor: s.returned_minor, result: s.result });
      }
    }
    return (b) => (b.stake_id === null ? null : byStake.get(b.stake_id) ?? null);
  };

  // ---- views ----------------------------------------------------------------------------------

  view(roundId: string, playerId: string | null): BlackjackRoundView | null {
    return this.host.tx(() => {
      const round = this.rounds.get(roundId);
      const state = round ? this.store.load(roundId) : null;
      return round && state ? this.viewOf(round, state, playerId) : null;
    });
  }

  // ---- internals ------------------------------------------------------------------------------

  /** A move that adds stakes: steps 1-3 of the header. */
  private async move(id: string, who: { player_id: string; session_id: string; round_id: string; currency: Currency }, stakes: NewStake[],
    phase: 'betting' | 'play', apply: (s: RoundState) => Step, seed?: string): Promise<MoveAnswer> {
    const inflight = this.host.inflight.get(id);
    if (inflight) await inflight;
    const begun = this.host.tx(() => this.begin(id, who, stakes, phase, apply));
    if (!begun.ok) return begun;
    if (begun.rows.every((r) => r.state !== 'reserving')) return this.answer(begun.rows, who.round_id, who.player_id, true);
    const p = this.confirm(begun.rows, who.round_id, phase, apply, seed);
    this.host.inflight.set(id, p);
    let r: Awaited<typeof p>;
    try {
      r = await p;
    } finally {
      this.host.inflight.delete(id);
    }
    if (!r.ok) return r;
    // Out of `inflight` first: a move that completes the round settles it here, and settlement waits
    // for the moves in flight (it would otherwise wait for this one, which waits for it).
    await this.afterCommit(who.round_id, r.committed);
    return this.answer(r.rows, who.round_id, who.player_id, begun.replayed);
  }

  /** Step 1: the move's stakes recorded as 'reserving' (or, for a retry, the rows recorded first). */
  private begin(id: string, who: { player_id: string; session_id: string; round_id: string; currency: Currency }, stakes: NewStake[],
    phase: 'betting' | 'play', apply: (s: RoundState) => Step): Result<{ rows: BetRow[]; replayed: boolean }> {
    const existing = stakes.map((s) => this.bets.get(s.bet_id));
    if (existing.some((b) => b !== null)) {
      const same = existing.every((b, i) => b !== null && b.player_id === who.player_id && b.round_id === who.round_id
        && b.amount_minor === stakes[i]!.amount_minor && b.spot === stakes[i]!.component && b.currency === who.currency);
      if (!same) return fail('idempotency_conflict', 'this id was used for another move', { id });
      const rows = existing as BetRow[];
      const refused = rows.find((b) => b.state === 'refused');
      if (refused) return fail('invalid_state', `this move was refused: ${refused.refusal}`, { bets: rows.map(betView) });
      return { ok: true, rows, replayed: true };
    }
    const round = this.rounds.get(who.round_id);
    if (!round) return fail('round_not_found');
    const open = phase === 'betting' ? round.state === 'betting_open' && this.c.now() < round.closes_at : round.state === 'betting_closed';
    if (!open) return fail(phase === 'betting' ? 'betting_closed' : 'wrong_phase', `round ${round.round_no} is ${round.state}`, { round_id: round.round_id, state: round.state });
    const state = this.store.load(who.round_id)!;
    const dry = apply(state);
    if (!dry.ok) return engineFailure(dry);
    const currency = who.currency;
    let adding = 0;
    for (const s of stakes) {
      if (phase === 'betting') {
        const limit = checkLimit(this.c, currency, s.component, s.amount_minor);
        if (!limit.ok) return limit;
      }
      s.max_return_minor = stakeMaxReturn(s.component, s.amount_minor, state.rules);
      adding += s.max_return_minor;
    }
    const exposure = checkExposure(this.c, who.round_id, who.player_id, currency, adding);
    if (!exposure.ok) return exposure;
    return { ok: true, rows: insertStakes(this.c, who.round_id, { player_id: who.player_id, session_id: who.session_id, currency }, stakes), replayed: false };
  }

  /** Steps 2 and 3: the holds, then the move applied if it still may be (else refused, holds given back). The caller runs the after-commit. */
  private async confirm(rows: BetRow[], roundId: string, phase: 'betting' | 'play', apply: (s: RoundState) => Step, seed?: string): Promise<Result<{ rows: BetRow[]; committed: Committed }>> {
    const offeredIn = JSON.parse(this.host.tx(() => this.rounds.get(roundId)!.offered_in)) as string[];
    // a call that threw may have reserved the hold all the same (its answer lost on the way back)
    const unanswered = new Set<number>();
    const answers = await Promise.all(rows.map((b, i) => b.state === 'reserving'
      ? this.host.reserveHold(b, offeredIn).catch((err: unknown): ReserveAnswer => { unanswered.add(i); return { ok: false, code: 'internal_error', message: String(err) }; })
      : Promise.resolve(null)));
    const out = this.host.tx(() => {
      const round = this.rounds.get(roundId)!;
      const current = rows.map((r) => this.bets.get(r.bet_id)!);
      const refusedBy = answers.find((a): a is Failure => a !== null && !a.ok);
      const held = answers.every((a) => a === null || (a.ok && a.hold.state === 'pending')) && current.every((b) => b.state === 'reserving' || b.state === 'accepted');
      const open = phase === 'betting' ? round.state === 'betting_open' && this.c.now() < round.closes_at : round.state === 'betting_closed';
      const state = this.store.load(roundId)!;
      const step: Step | null = !refusedBy && held && open ? apply(state) : null;
      if (step === null || !step.ok) {
        const code: string = refusedBy?.code ?? (step && !step.ok ? step.code : phase === 'betting' ? 'betting_closed' : 'wrong_phase');
        for (const b of current) this.bets.refuse(b.bet_id, code);
        // given back: the holds reserved, and those whose answer was lost (abandoning a hold never made keeps a late reservation from making it)
        const release = current.filter((_, i) => { const a = answers[i]; return unanswered.has(i) || (a?.ok === true && a.hold.state === 'pending'); });
        return { ok: false as const, failure: refusedBy ?? (step && !step.ok ? engineFailure(step) : fail(phase === 'betting' ? 'betting_closed' : 'wrong_phase', 'the hand moved on before the stake was confirmed; it was not taken')), release };
      }
      // link each row to the stake the step added for its component
      const before = new Set(state.stakes.map((s) => s.stake_id));
      const added = step.state.stakes.filter((s) => !before.has(s.stake_id));
      const seatBox = added.find((s) => s.component === 'main')?.box_id;
      const seeds = seed !== undefined && seatBox !== undefined ? new Map([[seatBox, seed]]) : undefined;
      const accepted: BetRow[] = [];
      current.forEach((b, i) => {
        const a = answers[i];
        const stake = added.find((s) => s.component === b.spot && s.player_id === b.player_id);
        if (stake) {
          added.splice(added.indexOf(stake), 1);
          linkStake(this.c, b.bet_id, stake.stake_id);
        }
        accepted.push(b.state === 'reserving' && a?.ok ? this.bets.accept({ ...b, stake_id: stake?.stake_id ?? null }, a.jurisdiction) : b);
      });
      const committed = this.commit(round, state, step, current[0]?.amount_minor ?? 0, seeds);
      // the player's balance after the last of this move's holds
      const last = answers.filter((a) => a?.ok === true).at(-1);
      return { ok: true as const, rows: accepted.map((b) => this.bets.get(b.bet_id)!), committed, available: last?.ok ? last.available_minor : null };
    });
    if (!out.ok) {
      for (const b of out.release) await this.host.releaseHold(b.player_id, b.hold_id);
      return out.failure;
    }
    for (const b of out.rows) this.host.fanout.toPlayer(b.player_id, { type: 'bet.accepted', bet: betView(b), ...(out.available === null ? {} : { available_minor: out.available }) });
    return { ok: true, rows: out.rows, committed: out.committed };
  }

  /**
   * A move without money: one transaction. `once` (a player's decision): `replayed` says whether its
   * id was seen (ok: a replay, answered without applying it again; a failure: the id's conflict),
   * `record` keeps the id with the move it applied.
   */
  private async plainMove(roundId: string, apply: (s: RoundState) => Step, playerId: string | null = null,
    once?: { replayed: () => Result<object> | false; record: () => void }): Promise<MoveAnswer> {
    const out = this.host.tx(() => {
      const seen = once?.replayed() ?? false;
      if (seen !== false) return seen.ok ? { ok: true as const, committed: null } : seen;
      const round = this.rounds.get(roundId);
      if (!round) return fail('round_not_found');
      if (round.state !== 'betting_closed') return fail('wrong_phase', `round ${round.round_no} is ${round.state}`);
      const state = this.store.load(roundId)!;
      const step = apply(state);
      if (!step.ok) return engineFailure(step);
      once?.record();
      return { ok: true as const, committed: this.commit(round, state, step, 0) };
    });
    if (!out.ok) return out;
    if (out.committed) await this.afterCommit(roundId, out.committed);
    return { ok: true, bets: [], replayed: out.committed === null, round: this.view(roundId, playerId)! };
  }

  /**
   * Inside the move's transaction: deals what an automated table deals next, saves the state,
   * emits the hand events, re-arms the decision timer, and records the result when the dealer is done.
   */
  private commit(round: RoundRow, prev: RoundState, step: Extract<Step, { ok: true }>, stakeMinor: number, seeds?: ReadonlyMap<string, string>): Committed {
    let state = step.state;
    const events = [...step.events];
    if (this.c.table.mode === 'auto' && state.phase !== 'betting') {
      const dealt = dealFromShoe(state, this.shoeOf(round));
      if (!dealt.ok) throw new Error(`invariant: the shoe of round ${round.round_id} cannot deal: ${dealt.code}`);
      state = dealt.state;
      events.push(...dealt.events);
    }
    this.store.save(round.round_id, prev, state, seeds);
    if (events.length > 0) this.c.emitMany(toEdgeEvents(events, boxSubjects(this.c, round.round_id, state, events), round.round_id, stakeMinor));
    this.rearmTimer(round.round_id, state);
    const completed = state.phase === 'complete';
    if (completed) this.recordResult(round, state);
    return { state, events, completed, stakeMinor };
  }

  private recordResult(round: RoundRow, state: RoundState): void {
    const settled = state.phase === 'complete' ? settleRound(state) : null;
    const hands = settled && 'hands' in settled ? settled.hands : [];
    const outcome = {
      format: state.format, dealer: state.dealer, dealt: state.dealt,
      ...(this.c.table.mode === 'auto' ? { client_seed: this.store.timer(round.round_id)?.client_seed ?? null, nonce: round.round_no, decks: state.rules.decks } : {}),
    };
    const dealerTotal = state.dealer.length > 0 ? handTotal(state.dealer) : null;
    const recorded = this.rounds.recordResult(round.round_id, outcome, this.c.table.mode === 'auto' ? 'rng' : 'dealer', this.c.table.mode === 'auto' ? 'rng' : 'dealer', () => ({
      dealer_cards: state.dealer.join(' '), dealer_total: dealerTotal, dealer_natural: state.dealer.length === 2 && dealerTotal === 21,
      dealer_busted: dealerTotal !== null && dealerTotal > 21, boxes: state.boxes.length, hands: hands.length,
    }));
    if (!recorded.ok) {
      // past the round's deadline: the expiry job voids it and every stake goes back
      console.warn(`table ${this.c.table.table_id}: result of ${round.round_id}: ${recorded.code}`);
      return;
    }
    if (hands.length > 0) this.c.emitMany(toEdgeEvents(hands, boxSubjects(this.c, round.round_id, state, hands), round.round_id));
    this.c.schedules.cancel(TIMER_JOB, round.round_id);
    this.c.schedules.at('round.settle', round.round_id, this.c.now() + SETTLE_BACKUP_MS);
  }

  /** After a committed move: tell the table, and settle a round that just completed. */
  async afterCommit(roundId: string, committed: Committed): Promise<void> {
    this.broadcast(roundId, committed.events);
    if (committed.completed) {
      this.host.announceResult(roundId);
      await this.host.settle(roundId);
    }
  }

  private broadcast(roundId: string, events: readonly BlackjackEvent[]): void {
    const round = this.view(roundId, null);
    if (!round) return;
    this.host.fanout.toAll({ type: 'blackjack.round', round, server_time: this.c.now() });
    const byPlayer = new Map<string, BlackjackEvent[]>();
    for (const e of events) byPlayer.set(e.player_id, [...(byPlayer.get(e.player_id) ?? []), e]);
    // Seated: a handful of players, each sent their hands and actions. Infinite (thousands): the events only; GET the round for the rest.
    const seated = round.format === 'seated';
    for (const [playerId, list] of byPlayer) this.host.fanout.toPlayer(playerId, { type: 'blackjack.hand', round_id: roundId, events: list, you: seated ? this.view(roundId, playerId)?.you ?? null : null });
  }

  private rearmTimer(roundId: string, state: RoundState): void {
    const key = decisionKey(state);
    const current = this.store.timer(roundId);
    if (key === (current?.timer_key ?? null)) return;
    if (key === null) {
      this.store.setTimer(roundId, null, null);
      this.c.schedules.cancel(TIMER_JOB, roundId);
      return;
    }
    const seconds = key === 'insurance' ? this.config.insurance_seconds : this.config.decision_seconds;
    const due = this.c.now() + seconds * 1000;
    this.store.setTimer(roundId, key, due);
    this.c.schedules.at(TIMER_JOB, roundId, due);
  }

  private shoeOf(round: RoundRow): ShoeCards {
    if (this.shoe?.round_id === round.round_id) return this.shoe.cards;
    const seed = this.store.timer(round.round_id)?.client_seed;
    if (!round.server_seed || !seed) throw new Error(`invariant: automated round ${round.round_id} has no seeds`);
    const cards = openShoe(round.server_seed, seed, round.round_no, this.config.rules.decks);
    this.shoe = { round_id: round.round_id, cards };
    return cards;
  }

  /**
   * The shoe's client seed: SHA-256 of the players' seeds in box order (first 32 hex characters), so
   * every player who sends one contributes; the table's own (`table-<round_no>`) when nobody did.
   */
  private clientSeedOf(round: RoundRow): string {
    const seeds = this.store.seeds(round.round_id);
    return seeds.length === 0 ? `table-${round.round_no}` : bytesToHex(sha256(utf8ToBytes(seeds.join(',')))).slice(0, 32);
  }

  /**
   * A double or split costs the hand's stake; insurance half the main stake (rounded down). In the
   * currency of the box's main bet: a player may sit in several currencies, and a stake added to a
   * hand is in the hand's currency (its amount is the main stake's, in that currency's minor units).
   */
  private decisionStake(input: DecisionInput): Result<{ stake: NewStake; currency: Currency }> {
    const state = this.store.load(input.round_id);
    if (!state) return fail('round_not_found');
    const box = findBox(state, input.box_id);
    if (!box) return fail('box_not_found', `no box ${input.box_id}`);
    if (box.player_id !== input.player_id) return fail('not_your_box', 'only the player of a box decides for it');
    const main = state.stakes.find((s) => s.box_id === box.box_id && s.component === 'main');
    const currency = main ? this.c.db.first<{ currency: Currency }>`select currency from bets where round_id = ${input.round_id} and stake_id = ${main.stake_id}`?.currency : undefined;
    if (!currency) return fail('invalid_state', `box ${input.box_id} has no main bet`);
    const component = input.action === 'insurance' ? 'insurance' : input.action === 'double' ? 'double' : 'split';
    const hand = box.hands[input.action === 'insurance' ? 0 : input.hand_index];
    if (!hand) return fail('hand_not_found', `box ${input.box_id} has no hand ${input.hand_index}`);
    const amount = component === 'insurance' ? Math.floor(hand.stake_minor / 2) : hand.stake_minor;
    if (amount <= 0) return fail('insurance_too_small', 'this stake cannot be insured');
    return { ok: true, stake: { bet_id: input.decision_id, component, amount_minor: amount, max_return_minor: 0 }, currency };
  }

  private answer(rows: BetRow[], roundId: string, playerId: string, replayed: boolean): MoveAnswer {
    return { ok: true, bets: rows.map((b) => betView(this.bets.get(b.bet_id) ?? b)), replayed, round: this.view(roundId, playerId)! };
  }

  private viewOf(round: RoundRow, state: RoundState, playerId: string | null): BlackjackRoundView {
    const timer = this.store.timer(round.round_id);
    // the hole card stays hidden until the dealer plays
    const showAll = state.phase === 'dealer' || state.phase === 'complete';
    const dealer = showAll ? state.dealer : state.dealer.slice(0, 1);
    const turn = state.format === 'seated' ? currentTurn(state) : null;
    const seats = state.format === 'seated'
      ? state.boxes.map((b) => ({ seat: b.seat ?? 0, box_id: b.box_id, player: chatHandle(b.player_id), mine: b.player_id === playerId, hands: b.hands.map(handView), insurance: b.insurance }))
      : [];
    const own = playerId === null ? [] : state.boxes.filter((b) => b.player_id === playerId);
    // Infinite: the shared hit cards out so far are the next cards of every box that has not hit yet;
    // until the dealer plays, a viewer sees only those their own boxes have taken
    const common = state.format !== 'infinite' ? [] : showAll ? state.common : state.common.slice(0, Math.max(0, ...own.map((b) => b.cursor)));
    return {
      round_id: round.round_id, round_no: round.round_no, state: round.state, format: state.format, phase: state.phase, rules: state.rules,
      dealer_cards: dealer, dealer_up_card: dealerUpCard(state) || null, common_cards: common,
      players: state.boxes.length, seats,
      turn: turn ? { box_id: turn.box_id, seat: findBox(state, turn.box_id)?.seat ?? null, hand_index: turn.hand_index } : null,
      decision_due_at: timer?.timer_due ?? null, closes_at: round.closes_at,
      you: playerId === null ? null : {
        boxes: own.map((b) => ({
          box_id: b.box_id, seat: b.seat, insurance: b.insurance, insurance_offered: insuranceOffered(state, playerId, b.box_id),
          hands: b.hands.map((h, i) => ({ ...handView(h), hand_index: i, actions: legalActions(state, playerId, b.box_id, i) })),
          active_hand: activeHandIndex(b),
        })),
        stakes: state.stakes.filter((s) => s.player_id === playerId).map((s: Stake) => ({ stake_id: s.stake_id, box_id: s.box_id, hand_index: s.hand_index, component: s.component, amount_minor: s.amount_minor })),
      },
    };
  }
}

function handView(h: RoundState['boxes'][number]['hands'][number]) {
  return { cards: h.cards, total: handTotal(h.cards), status: h.status, stake_minor: h.stake_minor, doubled: h.doubled, from_split: h.from_split };
}

function handTotal(cards: readonly string[]): number {
  return handValue(cards).total;
}

/**
 * What the decision timer is running for, or null when no player decision is open (cards are due,
 * the dealer plays, or the round is over): insurance, the hand whose turn it is (Seated, reset per
 * decision), or the decision window of the next shared card (Infinite). The timer fires only for the key it was armed for.
 */
export function decisionKey(state: RoundState): string | null {
  if (state.phase === 'insurance') return 'insurance';
  if (state.phase !== 'decisions') return null;
  // Infinite: one window per shared card (the engine deals it once nobody is deciding): each window has its own timer
  if (state.format === 'infinite') return state.boxes.some((b) => { const i = activeHandIndex(b); return i !== null && b.hands[i]?.status === 'playing'; }) ? `decisions:${state.common.length}` : null;
  const turn = currentTurn(state);
  const hand = turn ? findBox(state, turn.box_id)?.hands[turn.hand_index] : undefined;
  return turn && hand && hand.status === 'playing' ? `turn:${turn.box_id}:${turn.hand_index}:${hand.cards.length}` : null;
}

function engineFailure(step: { code: string; message: string }): Failure {
  const code: ErrorCode = step.code === 'invalid_request' || step.code === 'invalid_amount' ? 'validation_failed' : (step.code as ErrorCode);
  return fail(code, step.message);
}

export type BlackjackRoundView = {
  round_id: string; round_no: number; state: RoundRow['state']; format: RoundState['format']; phase: RoundState['phase']; rules: RoundState['rules'];
  dealer_cards: string[]; dealer_up_card: string | null; common_cards: string[]; players: number;
  seats: { seat: number; box_id: string; player: string; mine: boolean; hands: ReturnType<typeof handView>[]; insurance: RoundState['boxes'][number]['insurance'] }[];
  turn: { box_id: string; seat: number | null; hand_index: number } | null;
  decision_due_at: number | null; closes_at: number;
  you: {
    boxes: { box_id: string; seat: number | null; insurance: RoundState['boxes'][number]['insurance']; insurance_offered: boolean; hands: (ReturnType<typeof handView> & { hand_index: number; actions: Action[] })[]; active_hand: number | null }[];
    stakes: { stake_id: string; box_id: string; hand_index: number | null; component: string; amount_minor: number }[];
  } | null;
};
