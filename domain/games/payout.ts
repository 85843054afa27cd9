/**
 * What a bet returns, from its payout-table row alone. Every game settles through here, so a payout
 * is always data (`pays`, `commission_bp`) and never a per-bet-type branch. Integer minor units only.
 */
import type { BetTypeDef, Settlement } from './types';

const BP_PER_UNIT = 10_000;

/**
 * Returned amount for a decided bet: 0 on a loss, the stake on a push, stake + net winnings on a win.
 * Net winnings are `stake x pays` less commission, rounded DOWN to the minor unit (the house never
 * pays a fraction of a cent: a 1-cent banker win nets 0). Throws on an impossible stake or an
 * amount that would leave the exact integer range: callers validate stakes before settling.
 */
export function settlementFor(def: BetTypeDef, stakeMinor: number, result: Settlement['result']): Settlement {
  assertStake(stakeMinor);
  if (result === 'lose') return { returned_minor: 0, result };
  if (result === 'push') return { returned_minor: stakeMinor, result };
  const returned = stakeMinor + netWinningsMinor(def, stakeMinor);
  if (!Number.isSafeInteger(returned)) throw new RangeError(`return of ${def.bet_type} overflows: stake ${stakeMinor}`);
  return { returned_minor: returned, result };
}

/** The same rule per unit stake with no rounding: what theoretical RTP and variance are built from. */
export function unitReturn(def: BetTypeDef, result: Settlement['result']): number {
  if (result === 'lose') return 0;
  if (result === 'push') return 1;
  return 1 + def.pays * (1 - def.commission_bp / BP_PER_UNIT);
}

function netWinningsMinor(def: BetTypeDef, stakeMinor: number): number {
  const gross = stakeMinor * def.pays;
  if (!Number.isSafeInteger(gross)) throw new RangeError(`winnings of ${def.bet_type} overflow: stake ${stakeMinor}`);
  if (def.commission_bp === 0) return gross;
  // commission = ceil(gross x bp / 10000), split so no intermediate product leaves the safe range.
  const whole = Math.floor(gross / BP_PER_UNIT);
  const rest = gross % BP_PER_UNIT;
  const commission = whole * def.commission_bp + Math.ceil((rest * def.commission_bp) / BP_PER_UNIT);
  return gross - commission;
}

function assertStake(stakeMinor: number): void {
  if (!Number.isSafeInteger(stakeMinor) || stakeMinor <= 0) {
    throw new RangeError(`stake must be a positive whole number of minor units, got ${stakeMinor}`);
  }
}
