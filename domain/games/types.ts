/**
 * The contract every table game implements (roulette, baccarat). Payouts are data (each game's bet
 * type table), not code branches; all money is integer minor units. TableDO, the RTP monitor and the
 * conformance suite depend only on this interface.
 */

export type GameKind = 'roulette' | 'baccarat';

/** A flat value for events and displays. */
export type Scalar = string | number | boolean | null;

/** One row of a game's payout table. `pays` is "to 1" (35 means a win returns stake + 35 x stake). */
export type BetTypeDef = {
  bet_type: string; // 'straight', 'split', ..., 'banker', 'tie', 'player_pair'
  description: string;
  pays: number;
  /** Commission on winnings in basis points (banker: 500 = 5%); the net winnings are rounded down to the minor unit. */
  commission_bp: number;
  /** How many numbers / which outcomes a spot of this type covers (documentation; roulette only). */
  covers: number | null;
  /** Example spot strings a client may send. */
  examples: string[];
};

export type SpotParse = { ok: true; spot: string; bet_type: string } | { ok: false; reason: string };

export type Settlement = {
  /** What goes back to the player: 0 for a loss, the stake for a push, stake + winnings for a win. */
  returned_minor: number;
  result: 'win' | 'lose' | 'push';
};

/** A source of uniform integers (provably-fair HMAC stream, or a seeded PRNG in tests). */
export interface UniformSource {
  /** A uniform integer in [0, n), n >= 1. */
  int(n: number): number;
}

/** Outcomes are plain JSON (they are stored in SQLite, sent over WebSockets and put in events). */
export interface GameRules<Outcome = unknown> {
  readonly kind: GameKind;
  readonly betTypes: readonly BetTypeDef[];
  /** Validates and canonicalises a spot ('split:2-1' -> 'split:1-2'); unknown spots get a reason. */
  parseSpot(spot: string): SpotParse;
  /** An outcome for an automated table. */
  draw(rng: UniformSource): Outcome;
  /** Validates a dealer- or studio-entered result (including the game's drawing rules). */
  parseOutcome(input: unknown): { ok: true; outcome: Outcome } | { ok: false; reason: string };
  /** Settles one bet on a canonical spot. */
  settle(spot: string, stakeMinor: number, outcome: Outcome): Settlement;
  /** The most a bet can return (stake included), for exposure limits. */
  maxReturn(spot: string, stakeMinor: number): number;
  /** A flat summary of an outcome for events ('number', 'color', 'winner', 'player_total', ...). */
  summarize(outcome: Outcome): Record<string, Scalar>;
}
