import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRuleSet } from './compile';
import { evaluate } from './engine';
import { EXAMPLE_RULE_SET } from './example-rule-set';
import { appendEntry, balanceOf, emptyLedger, entriesOf, type LedgerEntry, type PointsLedger } from './points-ledger';
import { RuleSet } from './rule-schema';
import { initialState } from './state';
import { betPlaced, playerContext, T0 } from './test-fixtures';

const entry = (id: string, delta: number, account: LedgerEntry['account'] = 'points'): LedgerEntry => ({ entry_id: id, account, delta, rule_id: 'r', rule_version: 1, event_id: 'e', at: 1 });

describe('points ledger', () => {
  it('appends, replays the same entry, refuses a conflicting one and an overdraft', () => {
    let l = emptyLedger();
    const a = appendEntry(l, entry('g1', 50));
    expect(a).toMatchObject({ ok: true, replayed: false });
    if (a.ok) l = a.ledger;
    expect(appendEntry(l, entry('g1', 50))).toMatchObject({ ok: true, replayed: true, ledger: l });
    expect(appendEntry(l, entry('g1', 60))).toEqual({ ok: false, code: 'idempotency_conflict' });
    expect(appendEntry(l, entry('redeem-1', -51))).toEqual({ ok: false, code: 'insufficient_points' });
    expect(appendEntry(l, entry('zero', 0))).toEqual({ ok: false, code: 'invalid_amount' });
    expect(balanceOf(l, 'points')).toBe(50);
  });

  it('property: under any sequence of appends with repeats, the balance is the sum of the distinct accepted entries, never negative, and entries only grow', () => {
    const op = fc.record({ id: fc.integer({ min: 0, max: 30 }), delta: fc.integer({ min: -80, max: 100 }).filter((d) => d !== 0), account: fc.constantFrom('points', 'xp') as fc.Arbitrary<LedgerEntry['account']> });
    fc.assert(fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      let l: PointsLedger = emptyLedger();
      const accepted = new Map<string, LedgerEntry>();
      for (const o of ops) {
        // the same id always carries the same content here (a replay), except when the delta differs (a conflict)
        const e = entry(`k${o.id}`, o.delta, o.account);
        const before = l.entries.length;
        const r = appendEntry(l, e);
        if (r.ok) {
          if (!r.replayed) accepted.set(e.entry_id, e);
          expect(r.ledger.entries.slice(0, before)).toEqual(l.entries);
          l = r.ledger;
        } else expect(l.entries.length).toBe(before);
        for (const acc of ['points', 'xp'] as const) {
          const sum = [...accepted.values()].filter((x) => x.account === acc).reduce((s, x) => s + x.delta, 0);
          expect(balanceOf(l, acc)).toBe(sum);
          expect(sum).toBeGreaterThanOrEqual(0);
        }
      }
    }));
  });

  it('an evaluation\'s grants become entries; appending them again for the same event is a replay', () => {
    const compiled = compileRuleSet(RuleSet.parse(EXAMPLE_RULE_SET));
    const e = betPlaced(T0);
    const { outcomes, state } = evaluate(initialState(), e, compiled, playerContext());
    const entries = entriesOf(outcomes, e.event_id, e.occurred_at);
    expect(entries.map((x) => `${x.account}:${x.delta}:${x.rule_id}`)).toEqual(['xp:5:first-hand-new-game', 'points:20:first-hand-new-game']);
    let l = emptyLedger();
    for (const x of [...entries, ...entries]) { const r = appendEntry(l, x); if (r.ok) l = r.ledger; }
    expect(l.entries).toHaveLength(2);
    expect(balanceOf(l, 'points')).toBe(state.points_granted);
    expect(balanceOf(l, 'xp')).toBe(state.xp);
  });
});
