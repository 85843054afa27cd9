/** OpenAPI schemas of live blackjack (the shapes of durable/table/blackjack/blackjack-table.ts BlackjackRoundView). */
import { z } from '@hono/zod-openapi';
import { Bet } from './schemas';

const Card = z.string().openapi({ example: 'AS', description: "Rank A,2..10,J,Q,K + suit S,H,D,C" });
const HandStatus = z.enum(['playing', 'awaiting_card', 'waiting', 'stood', 'busted', 'surrendered', 'blackjack']);
const Insurance = z.enum(['pending', 'taken', 'declined']).nullable();
const Hand = z.object({
  cards: z.array(Card), total: z.number().int(), status: HandStatus, stake_minor: z.number().int(), doubled: z.boolean(), from_split: z.boolean(),
});
const Action = z.enum(['hit', 'stand', 'double', 'split', 'surrender']);

/** The table's rules as data (domain/games/blackjack/rules.ts). */
export const BlackjackRules = z.object({
  decks: z.number().int(), dealer_soft_17: z.enum(['hit', 'stand']), dealer_peek: z.boolean(), blackjack_pays: z.enum(['3:2', '6:5']),
  double_on: z.enum(['any_two', '9_11']), double_after_split: z.boolean(), max_hands: z.number().int(), split_unequal_tens: z.boolean(),
  split_aces_one_card: z.boolean(), resplit_aces: z.boolean(), late_surrender: z.boolean(), insurance: z.boolean(), seats: z.number().int(),
  side_bets: z.array(z.enum(['perfect_pairs', 'twenty_one_plus_three', 'hot_3'])),
}).openapi('BlackjackRules');

export const BlackjackRound = z.object({
  round_id: z.string(), round_no: z.number().int(),
  state: z.enum(['betting_open', 'betting_closed', 'result', 'settled', 'voided']),
  format: z.enum(['seated', 'infinite']),
  phase: z.enum(['betting', 'dealing', 'insurance', 'decisions', 'dealer', 'complete']),
  rules: BlackjackRules,
  dealer_cards: z.array(Card).openapi({ description: 'The hole card is hidden until the dealer plays' }),
  dealer_up_card: Card.nullable(),
  common_cards: z.array(Card).openapi({ description: "Infinite: the shared hit cards (a box's k-th card after the deal is the k-th of these). Until the dealer plays, only those your own box has taken: the others are the next cards of every box that has not hit yet" }),
  players: z.number().int(),
  seats: z.array(z.object({ seat: z.number().int(), box_id: z.string(), player: z.string().openapi({ description: 'A handle, not the player id' }), mine: z.boolean(), hands: z.array(Hand), insurance: Insurance })),
  turn: z.object({ box_id: z.string(), seat: z.number().int().nullable(), hand_index: z.number().int() }).nullable(),
  decision_due_at: z.number().int().nullable(),
  closes_at: z.number().int(),
  you: z.object({
    boxes: z.array(z.object({
      box_id: z.string(), seat: z.number().int().nullable(), insurance: Insurance, insurance_offered: z.boolean(), active_hand: z.number().int().nullable(),
      hands: z.array(Hand.extend({ hand_index: z.number().int(), actions: z.array(Action) })),
    })),
    stakes: z.array(z.object({ stake_id: z.string(), box_id: z.string(), hand_index: z.number().int().nullable(), component: z.string(), amount_minor: z.number().int() })),
  }).nullable(),
}).openapi('BlackjackRound');

export const BlackjackMoveAnswer = z.object({ bets: z.array(Bet), replayed: z.boolean(), round: BlackjackRound }).openapi('BlackjackMoveAnswer');

export const BlackjackCardAnswer = z.object({ round: BlackjackRound }).openapi('BlackjackCardAnswer');
