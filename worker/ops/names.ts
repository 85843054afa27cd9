/**
 * Who acted, by name: the `operator:<id>` and `player:<id>` references that events and views carry,
 * as people read them. Operators by their display name in the staff directory (one lookup for a
 * whole page), the player of the view by their email, masked unless the view is the audited PII
 * reveal. A reference nobody knows stays as it is.
 */
import { maskEmail } from '../../domain/authz';
import { staffStub } from './stubs';

const REF = /^(operator|player):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** `operator:<id>` / `player:<id>` (lower case) -> what to call them. */
export type Names = ReadonlyMap<string, string>;

export function isRef(value: unknown): value is string {
  return typeof value === 'string' && REF.test(value);
}

/** The names of `refs` (anything else among them is ignored). */
export async function namesFor(env: Env, refs: Iterable<unknown>, player: { player_id: string; email: string }, reveal = false): Promise<Names> {
  const operatorIds = new Set<string>();
  for (const r of refs) {
    const m = typeof r === 'string' ? REF.exec(r) : null;
    if (m && m[1]!.toLowerCase() === 'operator') operatorIds.add(m[2]!.toLowerCase());
  }
  const staff = operatorIds.size ? await staffStub(env).displayNames([...operatorIds]) : [];
  const names = new Map<string, string>(staff.map((s) => [`operator:${s.operator_id.toLowerCase()}`, s.display_name]));
  names.set(`player:${player.player_id.toLowerCase()}`, reveal ? player.email : maskEmail(player.email));
  return names;
}

/** Every value of a view's rows, where its references are (namesFor picks them out). */
export function valuesOf(rows: readonly object[]): unknown[] {
  return rows.flatMap((r) => Object.values(r));
}

/** A reference as shown: its name when known, the reference itself otherwise. */
export function nameOf(names: Names, ref: string): string {
  return names.get(ref.toLowerCase()) ?? ref;
}
