/**
 * The blackjack path of the fairness check at a small size, with fixed seeds (SHA-256 of a label, one
 * per 1,000 rounds) so it is reproducible and never flaky: the card chi-squares over 30,000 shoes and
 * the RTP z-score over 10,000 basic-strategy hands played by the engine. `npm run fairness` runs
 * 1,000,000 shoes and 10,000,000 hands with fresh random seeds.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { CLASSIC_INFINITE, CLASSIC_SEATED, US_PEEK } from '../games/blackjack';
import { addTotals, blackjackCardCheck, blackjackRtpCheck, CARD_POSITIONS, playHands, rtpCheck } from './blackjack-simulation';
import { analyseBlackjack } from './blackjack-strategy';

const seeds = (label: string) => (block: number) => bytesToHex(sha256(utf8ToBytes(`fairness-test:${label}:${block}`)));

it('30,000 shoes: each of the first six cards, and the first two as a pair, fit the exact card probabilities (p > 0.001)', () => {
  const check = blackjackCardCheck(30_000, seeds('blackjack-cards'), 8);
  console.log(JSON.stringify(check.tests.map((t) => ({ name: t.name, chi_square: t.statistic, dof: t.dof, p_value: t.p_value }))));
  expect(check.tests.map((t) => t.dof)).toEqual([...Array.from({ length: CARD_POSITIONS }, () => 51), 52 * 52 - 1]);
  for (const t of check.tests) expect(t.p_value).toBeGreaterThan(0.001);
}, 120_000);

describe.each([
  ['classic seated', CLASSIC_SEATED, 'seated'],
  ['classic infinite', CLASSIC_INFINITE, 'infinite'],
  ['US peek', US_PEEK, 'seated'],
] as const)('%s: 10,000 basic-strategy hands', (name, rules, format) => {
  it('return within 3.29 standard errors of the theoretical RTP, with the variance of a blackjack hand', () => {
    const check = blackjackRtpCheck(rules, format, 10_000, seeds(`blackjack-rtp:${name}`));
    console.log(JSON.stringify({ name, observed: check.observed_rtp, theoretical: check.theoretical_rtp, variance: check.variance, z: check.z }));
    expect(check.theoretical_rtp).toBe(analyseBlackjack(rules).rtp);
    expect(check.hands).toBe(10_000);
    // A hand's net return per unit: about 1.3 squared units (splits and doubles push it above 1).
    expect(check.variance).toBeGreaterThan(1.15);
    expect(check.variance).toBeLessThan(1.45);
    expect(Math.abs(check.z)).toBeLessThan(3.29);
  }, 120_000);
});

it('hands split into ranges add up to the same totals as one run (what the worker threads rely on)', () => {
  const seed = seeds('blackjack-ranges');
  const whole = playHands(CLASSIC_SEATED, 'seated', 0, 3_000, seed);
  const parts = addTotals(playHands(CLASSIC_SEATED, 'seated', 0, 1_234, seed), playHands(CLASSIC_SEATED, 'seated', 1_234, 1_766, seed));
  expect(parts).toEqual(whole);
}, 60_000);

it('rtpCheck: mean, sample variance and z from the totals', () => {
  const theoretical = analyseBlackjack(CLASSIC_SEATED).rtp;
  // Four hands of a 10-unit bet: +10, -10, +15, 0 -> net per unit 1, -1, 1.5, 0; mean 0.375.
  const check = rtpCheck(CLASSIC_SEATED, 'seated', { hands: 4, net_minor: 15, net_squares_minor: 100 + 100 + 225 });
  const variance = (1 + 1 + 2.25 - 4 * 0.375 ** 2) / 3;
  expect(check.observed_rtp).toBeCloseTo(1.375, 12);
  expect(check.variance).toBeCloseTo(variance, 12);
  expect(check.z).toBeCloseTo((1.375 - theoretical) / Math.sqrt(variance / 4), 9);
});
