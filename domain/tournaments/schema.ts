/**
 * A tournament's definition (docs/tournaments.md): time-boxed, scored by a formula over the player's
 * settled table bets, open to players of some segments, with prizes paid to the top ranks through
 * the wallet. Validated once here (zod), when an operator creates it; the tournament's object keeps
 * the parsed definition and never changes it (a cancelled tournament pays nothing).
 */
import { z } from 'zod';
import { CURRENCIES, type Currency } from '../money';
import { SegmentName } from '../segments';
import { SCORING_TERMS } from './scoring';

export const TOURNAMENT_ID_RE = /^[a-z0-9][a-z0-9-]{2,63}$/;
export const TournamentId = z.string().regex(TOURNAMENT_ID_RE, 'a lower-case slug: [a-z0-9][a-z0-9-]{2,63}');

/** At most this many prizes (ranks paid) and scoring terms: a tournament is small configuration, not a rule engine. */
export const PRIZES_MAX = 100;
export const TERMS_MAX = 8;
/** Longest a tournament may run. */
export const DURATION_MAX_MS = 31 * 24 * 3_600_000;
/** Largest prize (minor units): 10^9, i.e. 10 million of a two-decimal currency. */
export const PRIZE_MAX_MINOR = 1_000_000_000;
/** Largest weight of a scoring term. */
export const WEIGHT_MAX = 1_000;

export const ScoringTerm = z.strictObject({
  term: z.enum(SCORING_TERMS),
  /** Points per unit of the term (a bet, a minor unit of stake or net win, a natural). */
  weight: z.number().int().min(1).max(WEIGHT_MAX),
});

export const TournamentInput = z.strictObject({
  tournament_id: TournamentId,
  brand: z.string().regex(/^[a-z0-9-]{1,32}$/),
  name: z.string().min(1).max(80),
  starts_at: z.number().int().positive(),
  ends_at: z.number().int().positive(),
  /** Only bets in this currency score, and only players whose wallet is in it may join. */
  currency: z.enum(CURRENCIES as [Currency, ...Currency[]]),
  scoring: z.array(ScoringTerm).min(1).max(TERMS_MAX),
  /** Entry rule: the player must be in at least one of these segments; empty: open to everyone. */
  segments: z.array(SegmentName).max(16).default([]),
  /** Only bets at these tables score; empty: every table. */
  tables: z.array(z.string().min(1).max(64)).max(50).default([]),
  /** prizes[i]: what rank i + 1 wins, in `currency` minor units; non-increasing. */
  prizes: z.array(z.number().int().min(1).max(PRIZE_MAX_MINOR)).min(1).max(PRIZES_MAX),
}).superRefine((t, ctx) => {
  if (t.ends_at <= t.starts_at) ctx.addIssue({ code: 'custom', path: ['ends_at'], message: 'ends_at must be after starts_at' });
  if (t.ends_at - t.starts_at > DURATION_MAX_MS) ctx.addIssue({ code: 'custom', path: ['ends_at'], message: 'a tournament runs at most 31 days' });
  for (let i = 1; i < t.prizes.length; i++) {
    if (t.prizes[i]! > t.prizes[i - 1]!) { ctx.addIssue({ code: 'custom', path: ['prizes', i], message: 'prizes never grow with the rank' }); break; }
  }
  if (new Set(t.scoring.map((s) => s.term)).size !== t.scoring.length) ctx.addIssue({ code: 'custom', path: ['scoring'], message: 'each term at most once' });
});

export type TournamentDefinition = z.infer<typeof TournamentInput>;

/** The prize pool: every prize together. */
export function prizePool(def: Pick<TournamentDefinition, 'prizes'>): number {
  return def.prizes.reduce((a, b) => a + b, 0);
}
