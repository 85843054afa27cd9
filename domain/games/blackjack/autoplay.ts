/**
 * An automated table's dealer: feeds the shuffled shoe to the round, in order, for as long as the
 * round wants cards. The cards it used are `state.dealt`, the shoe's prefix (what checkShoe verifies).
 */
import type { BlackjackEvent } from './events';
import { cardNeeded, takeCard } from './dealing';
import { refuse, type RoundState, type Step } from './state';

export function dealFromShoe(state: RoundState, shoe: readonly string[]): Step {
  let next = state;
  const events: BlackjackEvent[] = [];
  // Bounded: every card taken comes from the shoe, which is finite.
  while (cardNeeded(next) !== null) {
    const card = shoe[next.dealt.length];
    if (card === undefined) return refuse('no_card_needed', 'the shoe ran out');
    const step = takeCard(next, card);
    if (!step.ok) return step;
    next = step.state;
    events.push(...step.events);
  }
  return { ok: true, state: next, events };
}
