/**
 * Pearson's chi-square goodness-of-fit test and its p-value, written out here (no statistics
 * library): the p-value is the upper regularised incomplete gamma function Q(dof/2, x/2), by its
 * power series below a + 1 and by Lentz's continued fraction above (Numerical Recipes, 6.2).
 */

export type ChiSquare = { statistic: number; dof: number; p_value: number };

/** Tests observed category counts against exact category probabilities (which must sum to 1). */
export function chiSquareTest(observed: readonly number[], probabilities: readonly number[]): ChiSquare {
  if (observed.length !== probabilities.length || observed.length < 2) throw new Error('need matching observed counts and probabilities for 2+ categories');
  const total = observed.reduce((a, b) => a + b, 0);
  const sumP = probabilities.reduce((a, b) => a + b, 0);
  if (Math.abs(sumP - 1) > 1e-9) throw new Error(`probabilities sum to ${sumP}, not 1`);
  let statistic = 0;
  observed.forEach((o, i) => {
    const expected = total * (probabilities[i] ?? 0);
    if (expected <= 0) throw new Error(`category ${i} has no expected count`);
    statistic += (o - expected) ** 2 / expected;
  });
  const dof = observed.length - 1;
  return { statistic, dof, p_value: chiSquarePValue(statistic, dof) };
}

/** P(X >= x) for X ~ chi-square with `dof` degrees of freedom. */
export function chiSquarePValue(x: number, dof: number): number {
  if (!(dof > 0)) throw new RangeError('dof must be positive');
  if (x <= 0) return 1;
  return regularizedGammaQ(dof / 2, x / 2);
}

const EPSILON = 1e-15;
const MAX_ITERATIONS = 10_000;
const TINY = 1e-300;

/** Q(a, x) = Gamma(a, x) / Gamma(a), the upper regularised incomplete gamma function. */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0) || x < 0) throw new RangeError('need a > 0 and x >= 0');
  if (x === 0) return 1;
  return x < a + 1 ? 1 - lowerSeries(a, x) : upperContinuedFraction(a, x);
}

/** P(a, x) by its series: e^-x x^a / Gamma(a+1) * sum x^n / ((a+1)..(a+n)). */
function lowerSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < MAX_ITERATIONS; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPSILON) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - lnGamma(a));
}

/** Q(a, x) by its continued fraction, modified Lentz. */
function upperContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return Math.exp(-x + a * Math.log(x) - lnGamma(a)) * h;
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Gamma(z) for z > 0 (Lanczos, g = 7, n = 9: ~15 significant digits). */
export function lnGamma(z: number): number {
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - lnGamma(1 - z);
  const w = z - 1;
  let sum = LANCZOS[0] ?? 0;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] ?? 0) / (w + i);
  const t = w + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (w + 0.5) * Math.log(t) - t + Math.log(sum);
}
