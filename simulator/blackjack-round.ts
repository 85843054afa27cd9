/**
 * One live blackjack round played by the engine (domain/games/blackjack/) the way a TableDO drives
 * it (durable/table/blackjack/blackjack-table.ts), as a timeline of what the table emits: the one
 * round player of the simulator's fast mode (simulator/fast.ts) and of the tests that need
 * blackjack events with the engine's expectations (warehouse/blackjack-engine.test.ts,
 * test/e2e/blackjack-rounds.ts through `blackjackHistory` below).
 *
 * Given the bets taken while betting was open (seats or places with side bets, bets behind), it
 * closes betting and deals (an automated table from its provably-fair shoe in the same transaction;
 * a dealer's table one card at a time), then lets each box's player decide with the simulated
 * player's policy (player-policy.ts: basic strategy with a typical player's mistakes, insurance now
 * and then, a decision timer that runs out now and then), in the table's order: Seated hands in
 * seat order, Infinite boxes together in one window per shared card, insurance in its own window.
 * A double, a split or insurance is a stake of its own (the caller reserves its hold: `afford`),
 * and a player who cannot afford it plays the chart's next legal action (or declines insurance).
 * Then the result and settlement: every stake priced by settleRound, never recomputed.
 *
 * Each hand event is flattened with the table's own handEventPayload (edge-events.ts), a money
 * decision carrying the stake it reserved, as the table's commit does.
 */
import {
  type BlackjackRules, type Format, type HandEventPayload, type PlayerProfile, type RoundState, type ShoeCards, type SideBetKind, type Stake, type StakeComponent, type Step,
  activeHandIndex, basicStrategy, betBehind, cardNeeded, closeBetting, closeInsurance, currentTurn, dealFromShoe, decide, findBox, handEventPayload, handOutcome, handValue,
  insure, legalActions, newRound, placeBet, playerDecision, settleRound, takeCard, takesInsurance, timeout,
} from '../domain/games/blackjack';

export type Random = () => number;

/** A seat (Seated, `seat` 1..7) or a place (Infinite, `seat` null) taken with a main bet and side bets. */
export type SeatBet = { player_id: string; bet_id: string; seat: number | null; main_minor: number; side_bets: Partial<Record<SideBetKind, number>> };
/** A bet behind an occupied seat (Seated). As at the edge, it does not follow the seat's doubles and splits. */
export type BehindBet = { player_id: string; bet_id: string; seat: number; amount_minor: number };

/** How a box's player plays: the policy's random source and profile, and the time they take. */
export type PlayerPlay = {
  random: Random;
  profile: PlayerProfile;
  /** The chance that a decision (or insurance) is left to the timer. */
  timeout_chance: number;
  /** Milliseconds to decide. */
  think(): number;
};

/** A stake of the round: one bet row with its own hold at the edge (bet id: the move's id, `<bet>:<side bet>` for a side bet). */
export type RoundStake = { bet_id: string; player_id: string; component: StakeComponent; amount_minor: number; stake_id: string };

/** What the table emits after betting closed, in order: a stake added mid-round (its hold, then its bet), a hand event. */
export type RoundStep =
  | { kind: 'stake'; at: number; stake: RoundStake }
  | { kind: 'hand'; at: number; player_id: string; event: HandEventPayload };

/** A settled hand as the engine settled it: what the warehouse's int_blackjack_hands must show. */
export type HandExpectation = {
  box_id: string; player_id: string; hand_index: number; outcome: string; is_natural: boolean; busted: boolean; surrendered: boolean; doubled: boolean;
  decisions: number; insurance_taken: boolean; staked_minor: number; returned_minor: number; side_bet_result: string | null;
};

export type PlayedRound = {
  state: RoundState;
  /** Accepted while betting was open (seats, side bets, behind), in the order taken. */
  betting: RoundStake[];
  /** After the close, up to the result. */
  steps: RoundStep[];
  result_at: number;
  /** table.round.result's outcome object (before JSON) and its summary (`key=value ...`). */
  outcome: Record<string, unknown>;
  summary: string;
  /** table.hand.settled, one per hand, emitted with the result. */
  settled_hands: { player_id: string; event: HandEventPayload }[];
  /** Every stake (betting and mid-round, in acceptance order) with its price. */
  settlements: { stake: RoundStake; returned_minor: number; result: 'win' | 'lose' | 'push' }[];
  hands: HandExpectation[];
  dealer_busted: boolean;
};

export type RoundTiming = {
  /** The decision timer (Seated: per hand; Infinite: per shared card) and the insurance timer, ms. */
  decision_ms: number;
  insurance_ms: number;
  /** A dealer's table: how long the dealer takes per card (an automated table deals at once). */
  card_ms: number;
  /** From then on players decide within 200 ms and nobody lets a timer run out (keeps a round within its table's cycle). */
  hurry_at: number;
};

export type RoundInput = {
  format: Format;
  rules: BlackjackRules;
  mode: 'auto' | 'dealer';
  /** The round's shoe (openShoe) or a whole shoe order. */
  shoe: ShoeCards | readonly string[];
  closes_at: number;
  seats: SeatBet[];
  behind: BehindBet[];
  play(playerId: string): PlayerPlay;
  /** The id of a mid-round money move (the decision id): its stake's bet id. */
  newBetId(playerId: string, at: number): string;
  /** Whether the player's object would reserve this further stake now (and reserves it). */
  afford(playerId: string, amount: number, at: number): boolean;
  timing: RoundTiming;
  /** Fields of the outcome beyond format, dealer and dealt (an automated table's client_seed, nonce, decks). */
  outcome_extra?: Record<string, unknown>;
};

function must(step: Step, what: string): Extract<Step, { ok: true }> {
  if (!step.ok) throw new Error(`invariant: the engine refused ${what}: ${step.code} (${step.message})`);
  return step;
}

/** Plays the round from its bets to its settlement; throws if the engine refuses a bet (the caller checks seats and amounts). */
export function playRound(input: RoundInput): PlayedRound {
  const { rules, timing } = input;
  let state = newRound(input.format, rules);
  const stakeOf = new Map<string, RoundStake>();
  const betting: RoundStake[] = [];
  const link = (before: RoundState, after: RoundState, betId: (s: Stake) => string): RoundStake[] => {
    const known = new Set(before.stakes.map((s) => s.stake_id));
    return after.stakes.filter((s) => !known.has(s.stake_id)).map((s) => {
      const rs: RoundStake = { bet_id: betId(s), player_id: s.player_id, component: s.component, amount_minor: s.amount_minor, stake_id: s.stake_id };
      stakeOf.set(s.stake_id, rs);
      return rs;
    });
  };
  for (const b of input.seats) {
    const next = must(placeBet(state, { player_id: b.player_id, ...(b.seat === null ? {} : { seat: b.seat }), main_minor: b.main_minor, side_bets: b.side_bets }), 'a bet').state;
    betting.push(...link(state, next, (s) => (s.component === 'main' ? b.bet_id : `${b.bet_id}:${s.component}`)));
    state = next;
  }
  for (const b of input.behind) {
    const next = must(betBehind(state, { player_id: b.player_id, seat: b.seat, amount_minor: b.amount_minor, follow: false }), 'a bet behind').state;
    betting.push(...link(state, next, () => b.bet_id));
    state = next;
  }

  const steps: RoundStep[] = [];
  const decisions = new Map<string, number>();
  const insured = new Set<string>();
  let clock = input.closes_at;
  const hurried = () => clock >= timing.hurry_at;
  const thinkOf = (p: PlayerPlay) => (hurried() ? Math.min(200, p.think()) : p.think());
  const timesOut = (p: PlayerPlay) => p.random() < p.timeout_chance && !hurried();
  const mainPlayer = (boxId: string) => findBox(state, boxId)?.player_id ?? '';
  /** A committed step: its new stakes (holds and bets) and its hand events, then what the table deals next. */
  const commit = (step: Extract<Step, { ok: true }>, moveStake: { player_id: string; bet_id: string } | null) => {
    const added = moveStake ? link(state, step.state, () => moveStake.bet_id) : [];
    for (const s of added) steps.push({ kind: 'stake', at: clock, stake: s });
    const stakeMinor = added[0]?.amount_minor ?? 0;
    state = step.state;
    for (const e of step.events) {
      if (e.type === 'table.hand.decision') decisions.set(`${e.box_id}/${e.hand_index}`, (decisions.get(`${e.box_id}/${e.hand_index}`) ?? 0) + 1);
      if (e.type === 'table.hand.decision' && e.decision === 'insurance') insured.add(e.box_id);
      steps.push({ kind: 'hand', at: clock, player_id: mainPlayer(e.box_id), event: handEventPayload(e, stakeMinor) });
    }
    deal();
  };
  const deal = () => {
    if (state.phase === 'betting' || state.phase === 'complete') return;
    if (input.mode === 'auto') {
      const dealt = must(dealFromShoe(state, input.shoe), 'the shoe');
      state = dealt.state;
      for (const e of dealt.events) steps.push({ kind: 'hand', at: clock, player_id: mainPlayer(e.box_id), event: handEventPayload(e) });
      return;
    }
    // a dealer's table: one card at a time, each its own move
    const shoe = input.shoe;
    const cardAt = 'cardAt' in shoe ? (i: number) => shoe.cardAt(i) : (i: number) => shoe[i];
    while (cardNeeded(state) !== null) {
      clock += hurried() ? 100 : timing.card_ms;
      const card = cardAt(state.dealt.length);
      if (card === undefined) throw new Error('invariant: the shoe ran out');
      const step = must(takeCard(state, card), 'a card');
      state = step.state;
      for (const e of step.events) steps.push({ kind: 'hand', at: clock, player_id: mainPlayer(e.box_id), event: handEventPayload(e) });
    }
  };
  /** A player's decision on a hand: the policy's, or the chart's next legal play when the stake cannot be afforded. */
  const decideHand = (boxId: string, handIndex: number, playerId: string, p: PlayerPlay) => {
    const d = playerDecision(state, boxId, handIndex, p.random, p.profile);
    if (!d) return;
    let action = d.action;
    let bet: { player_id: string; bet_id: string } | null = null;
    if (action === 'double' || action === 'split') {
      const hand = findBox(state, boxId)!.hands[handIndex]!;
      if (input.afford(playerId, hand.stake_minor, clock)) bet = { player_id: playerId, bet_id: input.newBetId(playerId, clock) };
      else action = basicStrategy(rules, hand.cards, state.dealer[0] ?? '', legalActions(state, playerId, boxId, handIndex).filter((a) => a !== 'double' && a !== 'split'));
    }
    commit(must(decide(state, { player_id: playerId, box_id: boxId, hand_index: handIndex, action }), `a ${action}`), bet);
  };

  if (state.boxes.length > 0) {
    commit(must(closeBetting(state), 'the close'), null);
    for (let pass = 0; state.phase !== 'complete'; pass++) {
      if (pass > 10_000) throw new Error('invariant: a round did not end');
      if (state.phase === 'insurance') {
        const start = clock;
        const pending = state.boxes.filter((b) => b.insurance === 'pending').map((b) => ({ box: b, p: input.play(b.player_id) }));
        const answers = pending.map(({ box, p }) => ({ box, p, out: timesOut(p), at: start + thinkOf(p) })).sort((a, b) => a.at - b.at);
        for (const a of answers) {
          if (a.out || a.at >= start + timing.insurance_ms || state.phase !== 'insurance') continue;
          clock = a.at;
          let take = takesInsurance(a.p.random, a.p.profile);
          const amount = Math.floor((a.box.hands[0]?.stake_minor ?? 0) / 2);
          if (take && !input.afford(a.box.player_id, amount, clock)) take = false;
          commit(must(insure(state, { player_id: a.box.player_id, box_id: a.box.box_id, take }), 'insurance'), take ? { player_id: a.box.player_id, bet_id: input.newBetId(a.box.player_id, clock) } : null);
        }
        if (state.phase === 'insurance') {
          clock = start + timing.insurance_ms;
          commit(must(closeInsurance(state), 'the insurance timer'), null);
        }
        continue;
      }
      if (state.phase !== 'decisions') throw new Error(`invariant: the round waits in phase ${state.phase}`);
      if (state.format === 'seated') {
        const turn = currentTurn(state);
        if (!turn) throw new Error('invariant: no turn in the decisions phase');
        const p = input.play(turn.player_id);
        if (timesOut(p)) {
          clock += timing.decision_ms;
          commit(must(timeout(state), 'the decision timer'), null);
        } else {
          clock += thinkOf(p);
          decideHand(turn.box_id, turn.hand_index, turn.player_id, p);
        }
        continue;
      }
      // Infinite: every box with an open hand decides in this window, in the order the players answer
      const start = clock;
      const open = state.boxes.flatMap((b) => {
        const i = activeHandIndex(b);
        return i !== null && b.hands[i]?.status === 'playing' ? [{ box_id: b.box_id, player_id: b.player_id, hand_index: i }] : [];
      });
      if (open.length === 0) throw new Error('invariant: an Infinite window with no open hand');
      const answers = open.map((o) => { const p = input.play(o.player_id); return { ...o, p, out: timesOut(p), at: start + thinkOf(p) }; }).sort((a, b) => a.at - b.at);
      let late = false;
      for (const a of answers) {
        if (a.out || a.at >= start + timing.decision_ms) { late = true; continue; }
        clock = a.at;
        // the shared card of this window comes out only once nobody decides: a box still open keeps it back
        decideHand(a.box_id, a.hand_index, a.player_id, a.p);
      }
      if (late && state.phase === 'decisions') {
        clock = start + timing.decision_ms;
        commit(must(timeout(state), 'the decision timer'), null);
      }
    }
  }

  const result_at = clock + (input.mode === 'auto' ? 0 : 500);
  const settled = state.phase === 'complete' ? settleRound(state) : null;
  if (settled && 'ok' in settled) throw new Error(`invariant: settlement refused: ${settled.code}`);
  const dealerTotal = state.dealer.length > 0 ? handValue(state.dealer).total : null;
  const hands = settled ? settled.hands : [];
  // blackjack-table.ts recordResult: the outcome and the summary the table records
  const outcome = { format: state.format, dealer: state.dealer, dealt: state.dealt, ...(input.outcome_extra ?? {}) };
  const summary = Object.entries({
    dealer_cards: state.dealer.join(' '), dealer_total: dealerTotal, dealer_natural: state.dealer.length === 2 && dealerTotal === 21,
    dealer_busted: dealerTotal !== null && dealerTotal > 21, boxes: state.boxes.length, hands: hands.length,
  }).map(([k, v]) => `${k}=${v}`).join(' ');
  const settled_hands = hands.map((h) => ({ player_id: h.player_id, event: handEventPayload(h) }));
  const byStake = new Map((settled?.stakes ?? []).map((s) => [s.stake_id, s]));
  const settlements = [...stakeOf.values()].map((stake) => {
    const s = byStake.get(stake.stake_id);
    if (!s) throw new Error(`invariant: stake ${stake.stake_id} has no result`);
    return { stake, returned_minor: s.returned_minor, result: s.result };
  });
  const expectations: HandExpectation[] = settled_hands.map(({ event }, i) => {
    const h = hands[i]!;
    if (event.type !== 'table.hand.settled') throw new Error('invariant: a settled hand');
    const box = findBox(state, h.box_id)!;
    return {
      box_id: h.box_id, player_id: h.player_id, hand_index: h.hand_index, outcome: handOutcome(box.hands[h.hand_index]!, state.dealer).outcome,
      is_natural: h.natural, busted: h.busted, surrendered: h.surrendered, doubled: h.doubled, decisions: decisions.get(`${h.box_id}/${h.hand_index}`) ?? 0,
      insurance_taken: h.hand_index === 0 && insured.has(h.box_id), staked_minor: event.payload.staked_minor, returned_minor: event.payload.returned_minor,
      side_bet_result: event.payload.side_bet_result,
    };
  });
  return {
    state, betting, steps, result_at, outcome, summary, settled_hands, settlements, hands: expectations,
    dealer_busted: dealerTotal !== null && dealerTotal > 21 && hands.length > 0,
  };
}
