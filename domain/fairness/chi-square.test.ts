import { describe, expect, it } from 'vitest';
import { chiSquarePValue, chiSquareTest, lnGamma, regularizedGammaQ } from './chi-square';

// Reference values from scipy.stats.chi2 (ppf for the critical values, sf for the tails).
const KNOWN: Array<[x: number, dof: number, p: number]> = [
  [3.841458820694124, 1, 0.05],
  [10.827566170662733, 1, 0.001],
  [5.991464547107979, 2, 0.05],
  [0.11483180189911707, 3, 0.99],
  [50.99846016571065, 36, 0.05],
  [67.98516762602424, 36, 0.001],
  [35.335572835576905, 36, 0.5],
  [36, 36, 0.46864766955533643],
  [0.5, 1, 0.47950012218695337],
  [135.80672317102676, 100, 0.01],
  [200, 100, 1.1784500720979781e-8],
  [1, 10, 0.9998278843700441],
];

describe('chi-square p-value', () => {
  it.each(KNOWN)('P(X >= %d | dof %d) = %d', (x, dof, p) => {
    expect(chiSquarePValue(x, dof)).toBeCloseTo(p, 10);
    expect(Math.abs(chiSquarePValue(x, dof) - p) / p).toBeLessThan(1e-9);
  });

  it('two degrees of freedom has the closed form e^(-x/2)', () => {
    for (const x of [0.01, 0.5, 1, 2.5, 7, 20, 60]) expect(chiSquarePValue(x, 2)).toBeCloseTo(Math.exp(-x / 2), 13);
  });

  it('Q(1, x) = e^-x, and Q is 1 at 0 and falls with x', () => {
    for (const x of [0.1, 1, 3, 10]) expect(regularizedGammaQ(1, x)).toBeCloseTo(Math.exp(-x), 13);
    expect(regularizedGammaQ(18, 0)).toBe(1);
    expect(chiSquarePValue(0, 36)).toBe(1);
    expect(chiSquarePValue(30, 36)).toBeGreaterThan(chiSquarePValue(40, 36));
  });

  it('ln Gamma matches factorials and Gamma(1/2) = sqrt(pi)', () => {
    expect(lnGamma(1)).toBeCloseTo(0, 13);
    expect(lnGamma(10)).toBeCloseTo(Math.log(362_880), 12);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 13);
    expect(lnGamma(101)).toBeCloseTo(363.73937555556347, 9);
  });

  it('tests counts against probabilities', () => {
    const fair = chiSquareTest([250, 250, 250, 250], [0.25, 0.25, 0.25, 0.25]);
    expect(fair).toEqual({ statistic: 0, dof: 3, p_value: 1 });
    const skewed = chiSquareTest([400, 200, 200, 200], [0.25, 0.25, 0.25, 0.25]);
    expect(skewed.statistic).toBeCloseTo(120, 10);
    expect(skewed.p_value).toBeLessThan(1e-20);
    expect(() => chiSquareTest([1, 2], [0.5, 0.6])).toThrow(/sum/);
  });
});
