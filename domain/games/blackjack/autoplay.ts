/**
 * An automated table's dealer: feeds the shuffled shoe to the round, in order, for as long as the
 * round wants cards. The cards it used are `state.dealt`, the shoe's prefix (what checkShoe verifies).
 */
import type { BlackjackEvent } from './events';
import { cardNeeded, takeCard } from './dealing';
import type { ShoeCards } from './shoe';
import { refuse, type RoundState, type Step } from './state';

/** Deals from a whole shoe order (verifyShoe, a stacked test shoe) or a lazily shuffled one (openShoe). */
export function dealFromShoe(state: RoundState, shoe: readonly string[] | ShoeCards): Step {
  const cardAt = 'cardAt' in shoe ? (i: number) => shoe.cardAt(i) : (i: number) => shoe[i];
  let next = state;
  const events: BlackjackEvent[] = [];
  // Bounded: every card taken comes from the shoe, which is finite.
  while (cardNeeded(next) !== null) {
    const card = cardAt(next.dealt.length);
    if (card === undefined) return refuse('no_card_needed', 'the shoe ran out');
    const step = takeCard(next, card);
    if (!step.ok) return step;
    next = step.state;
    events.push(...step.events);
  }
  return { ok: true, state: next, events };
}
