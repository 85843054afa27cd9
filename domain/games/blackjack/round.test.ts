/** The round state machine on stacked shoes: both formats, every decision, its refusals, insurance, peek. */
import { describe, expect, it } from 'vitest';
import { dealFromShoe } from './autoplay';
import { betBehind, closeBetting, leave, placeBet } from './betting';
import { cardNeeded, takeCard } from './dealing';
import { closeInsurance, currentTurn, decide, insuranceOffered, insure, legalActions, timeout } from './decisions';
import { CLASSIC_INFINITE, CLASSIC_SEATED, US_PEEK } from './rules';
import { settleRound } from './settlement';
import { findBox, newRound, type RoundState } from './state';
import { dealt, expectRefused, ok } from './test-helpers';

const A = 'seat-1';
const B = 'seat-2';
const hand = (s: RoundState, box: string, i = 0) => findBox(s, box)?.hands[i];
const settle = (s: RoundState) => {
  const r = settleRound(s);
  if ('ok' in r) throw new Error(r.code);
  return r;
};

describe('betting', () => {
  it('takes seats, refuses a taken seat, a missing seat, bad amounts and side bets the table does not offer', () => {
    const s = ok(placeBet(newRound('seated', CLASSIC_SEATED), { player_id: 'p1', seat: 1, main_minor: 100 }));
    expectRefused(s, (x) => placeBet(x, { player_id: 'p2', seat: 1, main_minor: 100 }), 'seat_taken');
    expectRefused(s, (x) => placeBet(x, { player_id: 'p2', seat: 8, main_minor: 100 }), 'no_such_seat');
    expectRefused(s, (x) => placeBet(x, { player_id: 'p2', main_minor: 100 }), 'no_such_seat');
    for (const bad of [0, -5, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2]) {
      expectRefused(s, (x) => placeBet(x, { player_id: 'p2', seat: 2, main_minor: bad }), 'invalid_amount');
    }
    expectRefused(s, (x) => placeBet(x, { player_id: 'p2', seat: 2, main_minor: 10, side_bets: { hot_3: 5 } }), 'side_bet_not_offered');
    expectRefused(s, (x) => placeBet(x, { player_id: 'p2', seat: 2, main_minor: 10, side_bets: { perfect_pairs: 0 } }), 'invalid_amount');
  });

  it('a full table refuses an eighth player', () => {
    let s = newRound('seated', CLASSIC_SEATED);
    for (let seat = 1; seat <= 7; seat++) s = ok(placeBet(s, { player_id: `p${seat}`, seat, main_minor: 10 }));
    expectRefused(s, (x) => placeBet(x, { player_id: 'p8', seat: 3, main_minor: 10 }), 'table_full');
  });

  it("bets behind an occupied seat only, not one's own, once", () => {
    const s = ok(placeBet(newRound('seated', CLASSIC_SEATED), { player_id: 'p1', seat: 1, main_minor: 100 }));
    expectRefused(s, (x) => betBehind(x, { player_id: 'p2', seat: 2, amount_minor: 10, follow: false }), 'seat_empty');
    expectRefused(s, (x) => betBehind(x, { player_id: 'p1', seat: 1, amount_minor: 10, follow: false }), 'own_seat');
    const behind = ok(betBehind(s, { player_id: 'p2', seat: 1, amount_minor: 10, follow: false }));
    expectRefused(behind, (x) => betBehind(x, { player_id: 'p2', seat: 1, amount_minor: 10, follow: false }), 'already_bet');
    expectRefused(ok(placeBet(newRound('infinite', CLASSIC_INFINITE), { player_id: 'p1', main_minor: 5 })), (x) => betBehind(x, { player_id: 'p2', seat: 1, amount_minor: 10, follow: false }), 'seat_not_offered');
  });

  it('Infinite: one box per player, no seats; nothing is dealt without a bet; no bet after close', () => {
    const s = ok(placeBet(newRound('infinite', CLASSIC_INFINITE), { player_id: 'p1', main_minor: 5 }));
    expectRefused(s, (x) => placeBet(x, { player_id: 'p1', main_minor: 5 }), 'already_bet');
    expectRefused(s, (x) => placeBet(x, { player_id: 'p2', seat: 1, main_minor: 5 }), 'seat_not_offered');
    expectRefused(newRound('infinite', CLASSIC_INFINITE), closeBetting, 'no_bets');
    expectRefused(ok(closeBetting(s)), (x) => placeBet(x, { player_id: 'p2', main_minor: 5 }), 'wrong_phase');
  });
});

describe('Seated: deal order, turns and decisions', () => {
  // Deal: seat 1, seat 2, dealer up, seat 1, seat 2 (no hole card: CLASSIC_SEATED does not peek).
  it('deals seat by seat then the dealer, and decides in seat order', () => {
    const s = dealt('seated', CLASSIC_SEATED, [{ player_id: 'p2', seat: 2, main_minor: 10 }, { player_id: 'p1', seat: 1, main_minor: 10 }], ['10S', '9S', '6D', '2H', '3H']);
    expect(hand(s, A)?.cards).toEqual(['10S', '2H']);
    expect(hand(s, B)?.cards).toEqual(['9S', '3H']);
    expect(s.dealer).toEqual(['6D']);
    expect(currentTurn(s)).toEqual({ box_id: A, player_id: 'p1', hand_index: 0 });
    expectRefused(s, (x) => decide(x, { player_id: 'p2', box_id: B, hand_index: 0, action: 'stand' }), 'not_your_turn');
    expectRefused(s, (x) => decide(x, { player_id: 'p2', box_id: A, hand_index: 0, action: 'stand' }), 'not_your_box');
    expectRefused(s, (x) => decide(x, { player_id: 'p1', box_id: A, hand_index: 1, action: 'stand' }), 'hand_not_found');
    expectRefused(s, (x) => decide(x, { player_id: 'p1', box_id: A, hand_index: 0, action: 'split' }), 'split_unequal_cards');
    expectRefused(s, (x) => decide(x, { player_id: 'p1', box_id: A, hand_index: 0, action: 'surrender' }), 'surrender_not_offered');
    const hit = ok(decide(s, { player_id: 'p1', box_id: A, hand_index: 0, action: 'hit' }));
    expect(cardNeeded(hit)).toEqual({ to: 'box', box_id: A, hand_index: 0 });
    expectRefused(hit, (x) => decide(x, { player_id: 'p1', box_id: A, hand_index: 0, action: 'stand' }), 'card_pending');
    const three = ok(takeCard(hit, '4C')); // 16
    expect(hand(three, A)?.cards).toEqual(['10S', '2H', '4C']);
    expectRefused(three, (x) => decide(x, { player_id: 'p1', box_id: A, hand_index: 0, action: 'double' }), 'double_needs_two_cards');
    expectRefused(three, (x) => decide(x, { player_id: 'p1', box_id: A, hand_index: 0, action: 'split' }), 'split_needs_two_cards');
    expect(legalActions(three, 'p1', A, 0)).toEqual(['hit', 'stand']);
    const stood = ok(timeout(three)); // the timer stands seat 1
    expect(hand(stood, A)?.status).toBe('stood');
    expect(currentTurn(stood)?.box_id).toBe(B);
    const doubled = ok(decide(stood, { player_id: 'p2', box_id: B, hand_index: 0, action: 'double' }));
    const done = ok(dealFromShoe(doubled, ['10S', '9S', '6D', '2H', '3H', '4C', '9C', '10C', '2C']));
    // Seat 2 doubles 12 with a 9 = 21; dealer 6 + 10 + 2 = 18.
    expect(hand(done, B)).toMatchObject({ cards: ['9S', '3H', '9C'], doubled: true, status: 'stood' });
    expect(done.dealer).toEqual(['6D', '10C', '2C']);
    expect(done.phase).toBe('complete');
    const result = settle(done);
    expect(result.stakes.map((r) => [r.player_id, r.component, r.stake_minor, r.returned_minor])).toEqual([
      ['p2', 'main', 10, 20], ['p1', 'main', 10, 0], ['p2', 'double', 10, 20],
    ]);
    expect(done.dealt).toEqual(['10S', '9S', '6D', '2H', '3H', '4C', '9C', '10C', '2C']);
  });

  it('splits, plays split hands in order, splits aces to one card each, and the bet behind follows', () => {
    const rules = { ...US_PEEK, dealer_peek: false };
    const s = dealt('seated', rules, [{ player_id: 'p1', seat: 1, main_minor: 10 }], ['8S', '5D', '8H'], [{ player_id: 'b', seat: 1, amount_minor: 4, follow: true }]);
    const split = ok(decide(s, { player_id: 'p1', box_id: A, hand_index: 0, action: 'split' }));
    expect(split.stakes.map((k) => [k.player_id, k.component, k.hand_index, k.amount_minor])).toEqual([
      ['p1', 'main', 0, 10], ['b', 'behind', 0, 4], ['p1', 'split', 1, 10], ['b', 'behind_split', 1, 4],
    ]);
    const first = ok(takeCard(split, '3C')); // hand 0: 8 3 = 11
    expect(hand(first, A, 1)?.status).toBe('waiting');
    expectRefused(first, (x) => decide(x, { player_id: 'p1', box_id: A, hand_index: 1, action: 'stand' }), 'not_your_turn');
    const dbl = ok(decide(first, { player_id: 'p1', box_id: A, hand_index: 0, action: 'double' })); // DAS
    const afterDouble = ok(takeCard(dbl, 'KC')); // 21, hand 1 takes its card next
    expect(cardNeeded(afterDouble)).toEqual({ to: 'box', box_id: A, hand_index: 1 });
    const second = ok(takeCard(afterDouble, '8D')); // 8 8 again: resplit up to 4 hands
    expect(legalActions(second, 'p1', A, 1)).toEqual(['hit', 'stand', 'double', 'split']);
    expectRefused(second, (x) => decide(x, { player_id: 'p1', box_id: A, hand_index: 1, action: 'surrender' }), 'surrender_not_allowed');
    const stood = ok(decide(second, { player_id: 'p1', box_id: A, hand_index: 1, action: 'stand' }));
    const done = ok(dealFromShoe(stood, [...stood.dealt, '10D', '4S']));
    expect(done.dealer).toEqual(['5D', '10D', '4S']); // 19
    const r = settle(done);
    expect(r.stakes.map((k) => [k.component, k.returned_minor])).toEqual([
      ['main', 20], ['behind', 8], ['split', 0], ['behind_split', 0], ['double', 20], ['behind_double', 8],
    ]);
    expect(r.hands.map((h) => [h.hand_index, h.staked_minor, h.returned_minor])).toEqual([[0, 28, 56], [1, 14, 0]]);
  });

  it('split aces take one card each and stand; a split 21 is not a blackjack', () => {
    const s = dealt('seated', CLASSIC_SEATED, [{ player_id: 'p1', seat: 1, main_minor: 10 }], ['AS', '9D', 'AH']);
    const split = ok(decide(s, { player_id: 'p1', box_id: A, hand_index: 0, action: 'split' }));
    const done = ok(dealFromShoe(split, ['AS', '9D', 'AH', 'KS', '5C', '10C']));
    expect(findBox(done, A)?.hands.map((h) => [h.cards, h.status])).toEqual([[['AS', 'KS'], 'stood'], [['AH', '5C'], 'stood']]);
    expect(done.dealer).toEqual(['9D', '10C']);
    const r = settle(done);
    expect(r.hands.map((h) => [h.natural, h.total, h.returned_minor])).toEqual([[false, 21, 20], [false, 16, 0]]);
  });

  it('max_hands 2 refuses a resplit; 9-11 tables refuse other doubles; no DAS refuses a double after a split', () => {
    const rules = { ...CLASSIC_SEATED, double_on: '9_11' as const, double_after_split: false };
    const s = dealt('seated', rules, [{ player_id: 'p1', seat: 1, main_minor: 10 }], ['8S', '5D', '8H']);
    const split = ok(dealFromShoe(ok(decide(s, { player_id: 'p1', box_id: A, hand_index: 0, action: 'split' })), ['8S', '5D', '8H', '8C']));
    expectRefused(split, (x) => decide(x, { player_id: 'p1', box_id: A, hand_index: 0, action: 'split' }), 'split_limit');
    expectRefused(split, (x) => decide(x, { player_id: 'p1', box_id: A, hand_index: 0, action: 'double' }), 'double_after_split_not_allowed');
    const twelve = dealt('seated', rules, [{ player_id: 'p1', seat: 1, main_minor: 10 }], ['7S', '5D', '5H']);
    expectRefused(twelve, (x) => decide(x, { player_id: 'p1', box_id: A, hand_index: 0, action: 'double' }), 'double_not_allowed');
    const ten = dealt('seated', rules, [{ player_id: 'p1', seat: 1, main_minor: 10 }], ['7S', '5D', '3H']);
    expect(legalActions(ten, 'p1', A, 0)).toContain('double');
  });

  it('refuses a card that is not one, or that the shoe has no copy left of, or that nobody wants', () => {
    let s = ok(closeBetting(ok(placeBet(newRound('seated', { ...CLASSIC_SEATED, decks: 1 }), { player_id: 'p1', seat: 1, main_minor: 10 }))));
    expectRefused(s, (x) => takeCard(x, '1S'), 'not_a_card');
    expectRefused(s, (x) => takeCard(x, 'as'), 'not_a_card');
    s = ok(takeCard(s, 'QS'));
    expectRefused(s, (x) => takeCard(x, 'QS'), 'card_not_in_shoe');
    s = ok(takeCard(ok(takeCard(s, '9D')), '8C')); // 18 v 9
    s = ok(decide(s, { player_id: 'p1', box_id: A, hand_index: 0, action: 'stand' }));
    s = ok(takeCard(s, '9C')); // dealer 18
    expect(s.phase).toBe('complete');
    expectRefused(s, (x) => takeCard(x, '2C'), 'no_card_needed');
  });
});

describe('insurance, peek and surrender', () => {
  it('offers insurance on an ace (half the stake, rounded down), peeks, and pays 2:1 on a dealer blackjack', () => {
    // US_PEEK: seat 1, up, seat 1, hole.
    const s = dealt('seated', US_PEEK, [{ player_id: 'p1', seat: 1, main_minor: 11 }, { player_id: 'p2', seat: 2, main_minor: 1 }], ['10S', '9S', 'AD', '10H', '9H', 'KD']);
    expect(s.phase).toBe('insurance');
    expect(findBox(s, B)?.insurance).toBeNull(); // 1 minor unit cannot be insured
    expect([insuranceOffered(s, 'p1', A), insuranceOffered(s, 'p2', B), insuranceOffered(s, 'p2', A)]).toEqual([true, false, false]);
    expect(legalActions(s, 'p1', A, 0)).toEqual([]);
    expectRefused(s, (x) => insure(x, { player_id: 'p2', box_id: B, take: true }), 'insurance_too_small');
    expectRefused(s, (x) => decide(x, { player_id: 'p1', box_id: A, hand_index: 0, action: 'stand' }), 'wrong_phase');
    const insured = ok(insure(s, { player_id: 'p1', box_id: A, take: true }));
    expectRefused(insured, (x) => insure(x, { player_id: 'p1', box_id: A, take: true }), 'insurance_not_offered');
    expect(insured.phase).toBe('complete'); // the peek found the blackjack
    const r = settle(insured);
    expect(r.stakes.map((k) => [k.component, k.stake_minor, k.returned_minor])).toEqual([['main', 11, 0], ['main', 1, 0], ['insurance', 5, 15]]);
  });

  it('an insurance timeout declines; without a dealer blackjack insurance loses and play goes on; late surrender returns half', () => {
    const s = dealt('seated', US_PEEK, [{ player_id: 'p1', seat: 1, main_minor: 11 }], ['10S', 'AD', '6H', '7D']);
    const declined = ok(closeInsurance(s));
    expect(declined.phase).toBe('decisions');
    expect(legalActions(declined, 'p1', A, 0)).toEqual(['hit', 'stand', 'double', 'surrender']);
    const done = ok(decide(declined, { player_id: 'p1', box_id: A, hand_index: 0, action: 'surrender' }));
    expect(done.phase).toBe('complete'); // nothing left to play: the dealer stands on its two cards
    expect(settle(done).stakes).toMatchObject([{ component: 'main', stake_minor: 11, returned_minor: 5, reason: 'surrender' }]);
  });

  it('no hole card: a dealer blackjack after the players takes doubles too; a player blackjack pushes it', () => {
    const shoe = ['6S', 'AS', 'AD', '5H', 'KS', '9C', 'KD'];
    const s = dealt('seated', CLASSIC_SEATED, [{ player_id: 'p1', seat: 1, main_minor: 10 }, { player_id: 'p2', seat: 2, main_minor: 10 }], shoe);
    expect(s.dealer).toEqual(['AD']);
    const noInsurance = ok(closeInsurance(s));
    expect(hand(noInsurance, B)?.status).toBe('blackjack');
    const done = ok(dealFromShoe(ok(decide(noInsurance, { player_id: 'p1', box_id: A, hand_index: 0, action: 'double' })), shoe));
    expect(done.dealer).toEqual(['AD', 'KD']);
    expect(settle(done).stakes.map((k) => [k.player_id, k.component, k.returned_minor, k.reason])).toEqual([
      ['p1', 'main', 0, 'dealer_blackjack'], ['p2', 'main', 10, 'both_blackjack'], ['p1', 'double', 0, 'dealer_blackjack'],
    ]);
  });

  it('a peeking dealer with a ten up and a blackjack ends the round before any decision', () => {
    const s = dealt('seated', US_PEEK, [{ player_id: 'p1', seat: 1, main_minor: 10 }], ['9S', 'KD', '9H', 'AC']);
    expect(s.phase).toBe('complete');
    expect(legalActions(s, 'p1', A, 0)).toEqual([]);
    expect(settle(s).stakes).toMatchObject([{ component: 'main', returned_minor: 0, reason: 'dealer_blackjack' }]);
  });
});

describe('Infinite: shared initial cards, own decisions, one dealer hand', () => {
  const bets = ['p1', 'p2', 'p3'].map((player_id) => ({ player_id, main_minor: 10, side_bets: { hot_3: 2 } }));
  const box = (p: string) => `player-${p}`;

  it('every box has the same initial cards; a shared card comes out once every hand has decided; the dealer plays once', () => {
    const s = dealt('infinite', CLASSIC_INFINITE, bets, ['5S', '6D', '4H']);
    for (const p of ['p1', 'p2', 'p3']) expect(hand(s, box(p))?.cards).toEqual(['5S', '4H']);
    // Anyone decides at any time, in any order: p2 first. The card waits until nobody is still deciding.
    let t = ok(decide(s, { player_id: 'p2', box_id: box('p2'), hand_index: 0, action: 'hit' }));
    expect(cardNeeded(t)).toBeNull();
    expectRefused(t, (x) => takeCard(x, '2C'), 'no_card_needed');
    t = ok(decide(t, { player_id: 'p1', box_id: box('p1'), hand_index: 0, action: 'hit' }));
    expect(cardNeeded(t)).toBeNull();
    expectRefused(t, (x) => decide(x, { player_id: 'p1', box_id: box('p3'), hand_index: 0, action: 'stand' }), 'not_your_box');
    // the window closes: p3 never decided and stands on 9; the card comes out for both hits
    t = ok(timeout(t));
    expect(cardNeeded(t)).toEqual({ to: 'common' });
    t = ok(takeCard(t, '2C')); // p1 and p2: 11
    expect([hand(t, box('p1'))?.cards, hand(t, box('p2'))?.cards]).toEqual([['5S', '4H', '2C'], ['5S', '4H', '2C']]);
    expectRefused(t, (x) => decide(x, { player_id: 'p2', box_id: box('p2'), hand_index: 0, action: 'double' }), 'double_needs_two_cards');
    t = ok(decide(t, { player_id: 'p2', box_id: box('p2'), hand_index: 0, action: 'hit' }));
    t = ok(decide(t, { player_id: 'p1', box_id: box('p1'), hand_index: 0, action: 'hit' }));
    t = ok(takeCard(t, 'KC')); // both 21: they stand by themselves
    expect(t.phase).toBe('dealer');
    expect(t.boxes.map((b) => b.hands[0]?.status)).toEqual(['stood', 'stood', 'stood']);
    const done = ok(dealFromShoe(t, [...t.dealt, '10D', '5C']));
    expect(done.dealer).toEqual(['6D', '10D', '5C']); // 21
    const r = settle(done);
    expect(r.hands.map((h) => [h.player_id, h.total, h.returned_minor])).toEqual([['p1', 21, 10], ['p2', 21, 10], ['p3', 9, 0]]);
    // Hot 3 on 5-4-6 = 15: lost for all.
    expect(r.hands.map((h) => h.side_bet_result)).toEqual([{ hot_3: null }, { hot_3: null }, { hot_3: null }]);
  });

  it("a split box takes its split hands' cards from its own place in the shared sequence", () => {
    const s = dealt('infinite', CLASSIC_INFINITE, bets.slice(0, 2), ['8S', '7D', '8H']);
    let t = ok(decide(s, { player_id: 'p1', box_id: box('p1'), hand_index: 0, action: 'split' }));
    expect(cardNeeded(t)).toBeNull(); // p2 is still deciding
    t = ok(decide(t, { player_id: 'p2', box_id: box('p2'), hand_index: 0, action: 'hit' }));
    t = ok(takeCard(t, '3C')); // the sequence's first card: p1 hand 0 (8 3) and p2 (8 8 3)
    expect(hand(t, box('p2'))?.cards).toEqual(['8S', '8H', '3C']);
    t = ok(decide(t, { player_id: 'p1', box_id: box('p1'), hand_index: 0, action: 'stand' }));
    t = ok(decide(t, { player_id: 'p2', box_id: box('p2'), hand_index: 0, action: 'stand' }));
    t = ok(takeCard(t, 'QC')); // p1 hand 1: 8 Q, its second card from the sequence
    expect(hand(t, box('p1'))?.cards).toEqual(['8S', '3C']);
    expect(hand(t, box('p1'), 1)?.cards).toEqual(['8H', 'QC']);
    expect(t.common).toEqual(['3C', 'QC']);
  });
});

describe('leaving before the deal', () => {
  it('takes the box, its stakes and the bets behind it; a backer takes only their bet; stake ids stay unique', () => {
    let s = ok(placeBet(newRound('seated', CLASSIC_SEATED), { player_id: 'p1', seat: 1, main_minor: 10, side_bets: { perfect_pairs: 1 } }));
    s = ok(placeBet(s, { player_id: 'p2', seat: 2, main_minor: 10 }));
    s = ok(betBehind(s, { player_id: 'b', seat: 1, amount_minor: 3, follow: false }));
    s = ok(betBehind(s, { player_id: 'c', seat: 2, amount_minor: 3, follow: false }));
    expectRefused(s, (x) => leave(x, { player_id: 'p2', seat: 1 }), 'not_your_box');
    expectRefused(s, (x) => leave(x, { player_id: 'p2', seat: 3 }), 'box_not_found');
    const backerGone = ok(leave(s, { player_id: 'c', seat: 2 }));
    expect(backerGone.stakes.map((k) => k.player_id)).toEqual(['p1', 'p1', 'p2', 'b']);
    const gone = ok(leave(backerGone, { player_id: 'p1', seat: 1 }));
    expect(gone.boxes.map((b) => b.box_id)).toEqual([B]);
    expect(gone.stakes.map((k) => [k.stake_id, k.player_id])).toEqual([['k2', 'p2']]);
    const again = ok(placeBet(gone, { player_id: 'p3', seat: 1, main_minor: 5 }));
    expect(again.stakes.map((k) => k.stake_id)).toEqual(['k2', 'k5']);
    expectRefused(ok(closeBetting(again)), (x) => leave(x, { player_id: 'p3', seat: 1 }), 'wrong_phase');
    const inf = ok(placeBet(newRound('infinite', CLASSIC_INFINITE), { player_id: 'p1', main_minor: 5 }));
    expect(ok(leave(inf, { player_id: 'p1' })).boxes).toEqual([]);
  });
});
