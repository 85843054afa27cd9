/**
 * Payment instruments of simulated players (cards, bank accounts, e-wallets), as the payment
 * provider's tokens, for the payment references of deposits and withdrawals
 * (domain/payment-reference.ts). Both modes use this: API mode sends the token as
 * `payment_instrument` and the edge hashes it with its PAYMENT_REFERENCE_KEY; fast mode, which has
 * no secret, emits the reference under DEV_PAYMENT_REFERENCE_KEY, the public development key, so
 * its events have the edge's shape (16 hex) but references that protect nothing.
 *
 * Most players use one card, some two; the AML-relevant behaviours (structuring, deposit-then-
 * withdraw) cycle through many and the quick cash-outs mostly withdraw to an instrument they never
 * deposited from. The counts are illustrative, chosen so that the warehouse's payment_references
 * rule (3+ instruments in a week) finds those players and only rarely anyone else.
 * Every draw comes from the Rng given, a stream of the player's own: other draws do not move.
 */
import { createHmac } from 'node:crypto';
import { DEV_PAYMENT_REFERENCE_KEY, PAYMENT_REFERENCE_HEX_CHARS } from '../domain/payment-reference';
import type { Rng } from './rng';

/** Share of ordinary players with a second card. */
export const SECOND_INSTRUMENT_SHARE = 0.25;
/** How many instruments a structurer or quick cash-out player has (uniform, inclusive). */
export const MANY_INSTRUMENTS: [number, number] = [4, 8];
/** An ordinary player deposits with the main card this often, else with another of theirs. */
export const MAIN_INSTRUMENT_SHARE = 0.85;
/** A quick cash-out withdraws to an instrument never used for a deposit this often. */
export const FRESH_PAYOUT_SHARE = 0.7;

/** The reference fast mode emits for a token: the edge's computation under the public development key. */
export function devPaymentReference(token: string): string {
  return createHmac('sha256', DEV_PAYMENT_REFERENCE_KEY).update(token).digest('hex').slice(0, PAYMENT_REFERENCE_HEX_CHARS);
}

function token(rng: Rng, kind: string): string {
  const hex = (): string => rng.u32().toString(16).padStart(8, '0');
  return `sim_${kind}_${hex()}${hex()}`;
}

export class PaymentInstruments {
  /** Provider tokens, the main one first. */
  readonly tokens: string[];
  /** The instrument of the player's latest deposit: ordinary withdrawals go back to it (closed loop). */
  private last: string;
  private readonly refs = new Map<string, string>();

  constructor(private readonly rng: Rng, readonly many: boolean) {
    const n = many ? rng.range(MANY_INSTRUMENTS[0], MANY_INSTRUMENTS[1]) : rng.chance(SECOND_INSTRUMENT_SHARE) ? 2 : 1;
    this.tokens = Array.from({ length: n }, () => token(rng, 'card'));
    this.last = this.tokens[0]!;
  }

  /** The instrument of the next deposit. */
  forDeposit(): string {
    const r = this.rng;
    const pick = this.many ? this.tokens[r.int(this.tokens.length)]! : r.chance(MAIN_INSTRUMENT_SHARE) ? this.tokens[0]! : this.tokens[r.int(this.tokens.length)]!;
    this.last = pick;
    return pick;
  }

  /** Where a withdrawal goes: back to the latest deposit's instrument, or (a quick cash-out, mostly) a new one. */
  forWithdrawal(quickCashout = false): string {
    if (quickCashout && this.rng.chance(FRESH_PAYOUT_SHARE)) return token(this.rng, 'acct');
    return this.last;
  }

  /** Fast mode's reference of a token (cached: a player reuses few). */
  reference(t: string): string {
    let ref = this.refs.get(t);
    if (ref === undefined) {
      ref = devPaymentReference(t);
      this.refs.set(t, ref);
    }
    return ref;
  }
}
