import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../events';
import { uuidv7 } from '../../ids';
import { dealFromShoe } from './autoplay';
import { betBehind, closeBetting, placeBet } from './betting';
import { decide } from './decisions';
import { handEventPayload } from './edge-events';
import type { BlackjackEvent } from './events';
import { CLASSIC_SEATED } from './rules';
import { settleRound } from './settlement';
import { newRound, type Step } from './state';

function must(step: Step): Extract<Step, { ok: true }> {
  if (!step.ok) throw new Error(step.code);
  return step;
}

describe('hand events as edge payloads', () => {
  it('flattens a played round into events the edge schema accepts, with the box player\'s own money only', () => {
    const events: BlackjackEvent[] = [];
    let s = must(placeBet(newRound('seated', CLASSIC_SEATED), { player_id: 'p1', seat: 1, main_minor: 1000, side_bets: { perfect_pairs: 100 } })).state;
    s = must(betBehind(s, { player_id: 'p2', seat: 1, amount_minor: 500, follow: false })).state;
    s = must(closeBetting(s)).state;
    // seat 1: 8S 8H against the dealer's 6D; split, then 3C/9D and KS; the dealer 10S 5C
    let step = must(dealFromShoe(s, ['8S', '6D', '8H']));
    events.push(...step.events);
    step = must(decide(step.state, { player_id: 'p1', box_id: 'seat-1', hand_index: 0, action: 'split' }));
    events.push(...step.events);
    step = must(dealFromShoe(step.state, ['8S', '6D', '8H', '3C']));
    step = must(decide(step.state, { player_id: 'p1', box_id: 'seat-1', hand_index: 0, action: 'stand' }));
    events.push(...step.events);
    step = must(dealFromShoe(step.state, ['8S', '6D', '8H', '3C', 'KS', '10S', '5C']));
    step = must(decide(step.state, { player_id: 'p1', box_id: 'seat-1', hand_index: 1, action: 'stand' }));
    const done = must(dealFromShoe(step.state, ['8S', '6D', '8H', '3C', 'KS', '10S', '5C']));
    const settled = settleRound(done.state);
    if (!('hands' in settled)) throw new Error('not complete');
    events.push(...settled.hands);
    const flat = events.map((e) => handEventPayload(e, e.type === 'table.hand.decision' && e.decision === 'split' ? 1000 : 0));
    for (const f of flat) {
      const v = validateEvent({ event_id: uuidv7(1), event_type: f.type, schema_version: 1, occurred_at: 1, player_id: 'p1', table_id: 't', round_id: 'r', jurisdiction: 'MT', currency: 'EUR', payload: f.payload });
      expect(v, JSON.stringify(f)).toMatchObject({ ok: true });
    }
    expect(flat[0]).toMatchObject({ type: 'table.hand.dealt', payload: { box_id: 'seat-1', seat: 1, cards: '8S 8H', total: 16, dealer_up_card: '6D' } });
    expect(flat.filter((f) => f.type === 'table.hand.decision').map((f) => [f.payload.decision, 'stake_minor' in f.payload ? f.payload.stake_minor : null])).toEqual([['split', 1000], ['stand', 0]]);
    const hands = flat.filter((f) => f.type === 'table.hand.settled').map((f) => f.payload);
    // hand 0 carries the side bet (mixed pair: 8S 8H) and the main stake; the bet behind (p2's money) is not counted
    expect(hands[0]).toMatchObject({ hand_index: 0, cards: '8S 3C', side_bet_result: 'perfect_pairs=mixed_pair', staked_minor: 1100, dealer_cards: '6D 10S 5C', dealer_total: 21 });
    expect(hands[1]).toMatchObject({ hand_index: 1, cards: '8H KS', side_bet_result: null, staked_minor: 1000, returned_minor: 0 });
  });
});
