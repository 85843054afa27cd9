/**
 * Conditions: a fact of the event compared with a constant, or a counter (after this event updated
 * it) compared with a number. Every operator given in one condition must hold; a rule's conditions
 * must all hold. A fact that is missing from the event (null) satisfies only `eq: null` / `ne: x`.
 */
import type { Facts, FactValue } from './facts';
import type { CounterCondition, FactCondition } from './rule-schema';

export function factHolds(cond: FactCondition, facts: Facts): boolean {
  const v = facts(cond.fact);
  if (cond.eq !== undefined && v !== cond.eq) return false;
  if (cond.ne !== undefined && v === cond.ne) return false;
  if (cond.in !== undefined && !cond.in.includes(v)) return false;
  return compare(v, cond);
}

export function allFactsHold(conds: readonly FactCondition[], facts: Facts): boolean {
  for (const c of conds) if (!factHolds(c, facts)) return false;
  return true;
}

/** What a counter reads for this event: its value after the event, before it, and whether the event's value was new. */
export type CounterReading = { value: number; previous: number; is_new: boolean };

export function counterHolds(cond: CounterCondition, reading: CounterReading): boolean {
  if (cond.eq !== undefined && reading.value !== cond.eq) return false;
  if (cond.is_new !== undefined && reading.is_new !== cond.is_new) return false;
  if (cond.every !== undefined) {
    // Reached a multiple of `every` with this event (a sum may jump over several at once: it counts once).
    if (Math.floor(reading.value / cond.every) <= Math.floor(reading.previous / cond.every)) return false;
  }
  return compare(reading.value, cond);
}

function compare(v: FactValue, cond: { gt?: number; gte?: number; lt?: number; lte?: number }): boolean {
  if (cond.gt === undefined && cond.gte === undefined && cond.lt === undefined && cond.lte === undefined) return true;
  if (typeof v !== 'number') return false;
  if (cond.gt !== undefined && !(v > cond.gt)) return false;
  if (cond.gte !== undefined && !(v >= cond.gte)) return false;
  if (cond.lt !== undefined && !(v < cond.lt)) return false;
  if (cond.lte !== undefined && !(v <= cond.lte)) return false;
  return true;
}
