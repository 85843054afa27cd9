/**
 * The keeper's limit lookup (budget-limits.ts): a version's budgets, fail closed on anything it
 * cannot verify, capped by the newest published version; and, as a property, the keeper over
 * versions published in any order never lends a line past the limit current at the time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Currency } from '../money';
import { exchange, lineOf, MemoryKeeperStore, type KeeperPolicy } from './budget-keeper';
import { acceptVersion, budgetKeeperName, limitFor, limitsOf, newestOf, type BudgetLimits, type KnownVersion, type RuleSetRef } from './budget-limits';

const rule = (id: string, status: 'active' | 'paused', budget?: Partial<Record<Currency, number>>) => ({ id, status, budget_minor: budget });

describe('budget limits', () => {
  it('a version lends by its active rules with a budget; the keeper is per brand and set id', () => {
    const limits = limitsOf({ rules: [rule('a', 'active', { EUR: 1_000 }), rule('b', 'paused', { EUR: 500 }), rule('c', 'active')] });
    expect(limitFor(limits, null, 'a', 'EUR')).toBe(1_000);
    expect(limitFor(limits, null, 'a', 'GBP')).toBeNull(); // no budget in that currency: nothing
    expect(limitFor(limits, null, 'b', 'EUR')).toBeNull(); // paused
    expect(limitFor(limits, null, 'c', 'EUR')).toBeNull(); // no budget at all
    expect(limitFor(null, null, 'a', 'EUR')).toBeNull(); // an unknown version lends nothing
    expect(budgetKeeperName('aurora', 'live')).not.toBe(budgetKeeperName('sakura', 'live'));
  });

  it('an older version is capped by the newest published one (lowered, paused, removed)', () => {
    const v1 = limitsOf({ rules: [rule('a', 'active', { EUR: 1_000 })] });
    expect(limitFor(v1, limitsOf({ rules: [rule('a', 'active', { EUR: 400 })] }), 'a', 'EUR')).toBe(400);
    expect(limitFor(v1, limitsOf({ rules: [rule('a', 'active', { EUR: 5_000 })] }), 'a', 'EUR')).toBe(1_000); // raised: the holder's own
    expect(limitFor(v1, limitsOf({ rules: [rule('a', 'paused', { EUR: 1_000 })] }), 'a', 'EUR')).toBeNull();
    expect(limitFor(v1, limitsOf({ rules: [] }), 'a', 'EUR')).toBeNull();
  });

  it('a fetched version is accepted only if it is the one asked for, published, of this set, with the same hash', () => {
    const ref: RuleSetRef = { brand: 'aurora', rule_set_id: 'live', version: 3, hash: 'h3' };
    const v = { version: 3, rule_set_id: 'live', hash: 'h3', published_at: 10 };
    expect(acceptVersion(ref, v)).toBeNull();
    expect(acceptVersion({ ...ref, hash: null }, v)).toBeNull();
    expect(acceptVersion(ref, { ...v, version: 4 })).not.toBeNull();
    expect(acceptVersion(ref, { ...v, rule_set_id: 'other' })).not.toBeNull();
    expect(acceptVersion(ref, { ...v, published_at: null })).not.toBeNull();
    expect(acceptVersion(ref, { ...v, hash: 'h4' })).not.toBeNull();
  });

  it('the newest is the last published, whatever the numbers', () => {
    const v5: KnownVersion = { version: 5, published_at: 100 };
    const v4: KnownVersion = { version: 4, published_at: 200 }; // drafted before 5, published after
    expect(newestOf(null, v5)).toBe(v5);
    expect(newestOf(v5, v4)).toBe(v4);
    expect(newestOf(v4, v5)).toBe(v4);
  });
});

const POLICY: KeeperPolicy = { lease_ttl_ms: 600_000, empty_lease_ttl_ms: 60_000, max_share_bp: 2_500 };

describe('budget limits: property', () => {
  it('holders on any published version, versions published in any order: a new lease never takes a line past the current limit', () => {
    const Step = fc.oneof(
      fc.record({ t: fc.constant('publish' as const), budget: fc.option(fc.integer({ min: 0, max: 3_000 }), { nil: undefined }) }),
      fc.record({ t: fc.constant('open' as const), on: fc.nat(20), want: fc.integer({ min: 1, max: 800 }), min: fc.integer({ min: 1, max: 300 }) }),
      fc.record({ t: fc.constant('close' as const), which: fc.nat(50), use: fc.nat(100) }),
    );
    fc.assert(fc.property(fc.array(Step, { maxLength: 60 }), (steps) => {
      const store = new MemoryKeeperStore();
      const versions: BudgetLimits[] = [];
      const open: { id: string; amount: number }[] = [];
      let newest: BudgetLimits | null = null;
      let n = 0;
      for (const s of steps) {
        if (s.t === 'publish') {
          const v = limitsOf({ rules: s.budget === undefined ? [] : [rule('r', 'active', { EUR: s.budget })] });
          versions.push(v);
          newest = v;
        } else if (s.t === 'open' && versions.length > 0) {
          const requested = versions[s.on % versions.length]!;
          const id = `l${n++}`;
          const r = exchange(store, { holder: 'h', close: [], open: [{ lease_id: id, budget_key: 'r', currency: 'EUR', want_minor: s.want, min_minor: s.min }] },
            (k, c) => limitFor(requested, requested === newest ? null : newest, k, c), n, POLICY);
          const amount = r.opened[0]!.amount_minor;
          if (amount > 0) {
            open.push({ id, amount });
            // the lease fits under the current limit (and the requested version's)
            const t = store.totals(lineOf('r', 'EUR'));
            const current = limitFor(newest, null, 'r', 'EUR') ?? 0;
            expect(t.spent + t.outstanding).toBeLessThanOrEqual(current);
            expect(t.spent + t.outstanding).toBeLessThanOrEqual(limitFor(requested, null, 'r', 'EUR') ?? 0);
          }
        } else if (s.t === 'close' && open.length > 0) {
          const l = open.splice(s.which % open.length, 1)[0]!;
          exchange(store, { holder: 'h', close: [{ lease_id: l.id, used_minor: Math.min(s.use * 10, l.amount) }], open: [] }, () => null, n, POLICY);
        }
        // spent never shrinks below what was used, whatever the versions: the budget is the rule's
        const t = store.totals(lineOf('r', 'EUR'));
        expect(t.spent).toBeGreaterThanOrEqual(0);
        expect(t.outstanding).toBe(open.reduce((a, l) => a + l.amount, 0));
      }
    }), { numRuns: 300 });
  });
});
