/**
 * Payload schemas of the live-table events (emitted by TableDO). Merged into EVENT_PAYLOADS
 * (domain/events.ts). The envelope carries table_id and round_id; bet events also carry the
 * player_id, their jurisdiction and the bet's currency, so the warehouse computes GGR per table,
 * game and jurisdiction from these alone.
 */
import { z } from 'zod';
import { amount, id } from '../event-fields';

const game = z.enum(['roulette', 'baccarat', 'blackjack']);
const roundNo = z.number().int().positive();

/** Cards as one string, space-separated in the order dealt ("AS KD"): payloads are flat scalars. */
const cards = z.string().max(200);
const total = z.number().int().min(0).max(40);
/**
 * Blackjack, per hand (domain/games/blackjack/events.ts, flattened). The envelope carries the
 * player, the round, the player's jurisdiction and the hand's currency. A *box* is a seat of a
 * Seated table (`seat` 1..7) or one player's place at an Infinite table (`seat` null); splits add
 * hands (`hand_index` 0, 1, ...).
 */
const handRef = { box_id: id, seat: z.number().int().min(1).max(7).nullable(), hand_index: z.number().int().min(0).max(3) };
const BLACKJACK_HAND_EVENTS = {
  /** After the initial deal, one per box: its first two cards and the dealer's up card. */
  'table.hand.dealt': z.object({ ...handRef, cards, total, soft: z.boolean(), natural: z.boolean(), dealer_up_card: z.string() }),
  /**
   * One per decision, timeouts included (a timeout stands the hand or declines insurance).
   * `stake_minor`: the further stake the decision reserved (double, split, insurance), else 0.
   */
  'table.hand.decision': z.object({
    ...handRef, decision: z.enum(['hit', 'stand', 'double', 'split', 'surrender', 'insurance', 'no_insurance', 'timeout']),
    cards, total, dealer_up_card: z.string(), stake_minor: amount,
  }),
  /**
   * One per hand at settlement. `side_bet_result`: the box's side bets on its first hand,
   * `kind=outcome` pairs separated by ';' (`lose` for a losing side bet), or null when none. Money:
   * the box player's own stakes of the hand (on hand 0 also their insurance and side bets); bets
   * behind are other players' money and are in their own `table.bet.settled` events.
   */
  'table.hand.settled': z.object({
    ...handRef, cards, total, natural: z.boolean(), busted: z.boolean(), surrendered: z.boolean(), doubled: z.boolean(),
    dealer_up_card: z.string(), dealer_cards: cards, dealer_total: total, dealer_natural: z.boolean(),
    side_bet_result: z.string().nullable(), staked_minor: amount, returned_minor: amount,
  }),
} as const satisfies Record<string, z.ZodObject>;

/** The free bet (its grant id) a bet was staked with; absent on a bet of the player's money. */
const FreeBetId = z.string().min(1).max(256).optional();

export const TABLE_EVENTS = {
  /** Betting opened. `commitment` is SHA-256 of the server seed (automated tables), published before any bet. */
  'table.round.opened': z.object({ round_no: roundNo, game, game_id: z.string(), mode: z.enum(['dealer', 'auto']), commitment: z.string().nullable(), closes_at: z.number().int(), actor: z.string() }),
  'table.round.closed': z.object({ round_no: roundNo, bets: z.number().int().nonnegative(), actor: z.string() }),
  /** The result, with the revealed seed for automated rounds; `outcome` is the game's outcome as JSON. */
  'table.round.result': z.object({ round_no: roundNo, game, source: z.enum(['rng', 'dealer']), actor: z.string(), outcome: z.string(), summary: z.string(), server_seed: z.string().nullable() }),
  'table.round.settled': z.object({ round_no: roundNo, game, bets: z.number().int().nonnegative(), settle_ms: z.number().int().nonnegative() }),
  /**
   * A round whose result is in but some of whose bets could not be settled after a few attempts (a
   * player object refusing or away): the table opens the next round meanwhile and keeps retrying,
   * with backoff, until each of those bets is settled once (then `table.round.settled`). Also for a
   * voided round whose stakes cannot all be given back yet (retried the same way).
   */
  'table.round.settle_stuck': z.object({ round_no: roundNo, game, bets_open: z.number().int().positive(), attempts: z.number().int().positive() }),
  'table.round.voided': z.object({ round_no: roundNo, game, actor: z.string(), reason: z.string(), bets_refunded: z.number().int().nonnegative() }),
  /**
   * `free_bet_id`: set only on a bet staked with a free bet (docs/rewards.md "Cash-like rewards"): its
   * stake is the operator's, not the player's (added 2026-12, optional: older events lack it).
   */
  'table.bet.placed': z.object({ bet_id: id, game, game_id: z.string(), spot: z.string(), bet_type: z.string(), amount_minor: amount, hold_id: id, free_bet_id: FreeBetId }),
  /**
   * One per accepted bet: `result` void/expired means the stake went back without a game result.
   * `returned_minor` is the game's return, stake included; on a free bet (`free_bet_id`) the player
   * was paid that return without the stake (the wallet's own `wallet.win.credited`).
   */
  'table.bet.settled': z.object({
    bet_id: id, game, game_id: z.string(), spot: z.string(), bet_type: z.string(), amount_minor: amount, returned_minor: amount,
    result: z.enum(['win', 'lose', 'push', 'void', 'expired']), free_bet_id: FreeBetId,
  }),
  ...BLACKJACK_HAND_EVENTS,
} as const satisfies Record<string, z.ZodObject>;
