/** Shared by the blackjack tests: a round driven from a stacked shoe, failing loudly on any refusal. */
import { expect } from 'vitest';
import { dealFromShoe } from './autoplay';
import { betBehind, type BetRequest, closeBetting, placeBet } from './betting';
import type { BlackjackRules } from './rules';
import { type Format, newRound, type RoundState, type Step } from './state';

export function ok(step: Step): RoundState {
  if (!step.ok) throw new Error(`refused: ${step.code} (${step.message})`);
  return step.state;
}

/** Runs a transition that must be refused with `code`, and checks the state it was given did not change. */
export function expectRefused(state: RoundState, transition: (s: RoundState) => Step, code: string): void {
  const before = JSON.stringify(state);
  const step = transition(state);
  expect(step).toMatchObject({ ok: false, code });
  if (!step.ok) expect(step.message.length).toBeGreaterThan(0);
  expect(JSON.stringify(state)).toBe(before);
}

/** A round with the given bets, betting closed and dealt from `shoe` (as far as the deal goes). */
export function dealt(format: Format, rules: BlackjackRules, bets: BetRequest[], shoe: string[], behind: Parameters<typeof betBehind>[1][] = []): RoundState {
  let state = newRound(format, rules);
  for (const bet of bets) state = ok(placeBet(state, bet));
  for (const b of behind) state = ok(betBehind(state, b));
  state = ok(closeBetting(state));
  return ok(dealFromShoe(state, shoe));
}
