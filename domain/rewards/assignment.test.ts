import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chiSquareTest } from '../fairness/chi-square';
import { assignmentBucket, assignVariant, HOLDOUT } from './assignment';

describe('A/B assignment', () => {
  it('is sticky: a pure function of player and rule', () => {
    fc.assert(fc.property(fc.uuid(), fc.string({ minLength: 1, maxLength: 40 }), (player, rule) => {
      const v = [{ id: 'a', weight_bp: 3_000 }, { id: 'b', weight_bp: 5_000 }];
      expect(assignVariant(player, rule, 2_000, v)).toBe(assignVariant(player, rule, 2_000, v));
      const bucket = assignmentBucket(player, rule);
      expect(bucket).toBeGreaterThanOrEqual(0);
      expect(bucket).toBeLessThan(10_000);
    }));
  });

  it('matches the weights: chi-square over 40,000 players does not reject (p > 0.001)', () => {
    const variants = [{ id: 'a', weight_bp: 2_000 }, { id: 'b', weight_bp: 3_000 }, { id: 'c', weight_bp: 4_000 }];
    const counts = new Map<string, number>();
    for (let i = 0; i < 40_000; i++) {
      const v = assignVariant(`player-${i}`, 'rule-x', 1_000, variants);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const order = [HOLDOUT, 'a', 'b', 'c'];
    const test = chiSquareTest(order.map((k) => counts.get(k) ?? 0), [0.1, 0.2, 0.3, 0.4]);
    expect(test.p_value).toBeGreaterThan(0.001);
  });

  it('is independent across rules: one rule\'s variant says nothing about another\'s', () => {
    const v = [{ id: 'a', weight_bp: 5_000 }, { id: 'b', weight_bp: 5_000 }];
    const cells = [0, 0, 0, 0];
    for (let i = 0; i < 20_000; i++) {
      const x = assignVariant(`p${i}`, 'rule-1', 0, v) === 'a' ? 0 : 1;
      const y = assignVariant(`p${i}`, 'rule-2', 0, v) === 'a' ? 0 : 1;
      cells[x * 2 + y]! += 1;
    }
    expect(chiSquareTest(cells, [0.25, 0.25, 0.25, 0.25]).p_value).toBeGreaterThan(0.001);
  });
});
