/**
 * The daily cumulative four eyes on tournament prize pools (docs/tournaments.md "Four eyes"), pure.
 *
 * What one operator created alone in a brand in the last 24 hours counts across currencies, as for
 * manual adjustments (durable/player/adjustments.ts): each currency's total is its share of its own
 * currency's daily cumulative threshold, and the shares add up to at most 1. Counted per currency, one
 * operator could open a full allowance in every currency of the brand on the same day (Review 2).
 */
import { fourEyesDailyCumulativeMinor } from '../backoffice';
import type { Currency } from '../money';

export type CreatedAlone = { currency: Currency; total_minor: number };

/** True when a new pool of `poolMinor` in `currency` takes the operator's day past the threshold: a second operator approves it. */
export function pastDailyCumulative(alone: readonly CreatedAlone[], currency: Currency, poolMinor: number): boolean {
  const share = alone.reduce((sum, a) => sum + a.total_minor / fourEyesDailyCumulativeMinor(a.currency), 0)
    + poolMinor / fourEyesDailyCumulativeMinor(currency);
  return share > 1 + 1e-9; // a ratio, not money: the tolerance only absorbs float rounding at exactly 1
}
