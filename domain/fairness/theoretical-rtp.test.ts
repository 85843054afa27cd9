import { describe, expect, it } from 'vitest';
import { gameRules } from '../games';
import { BACCARAT_BET_TYPES } from '../games/baccarat';
import { roundSource } from './provably-fair';
import { enumerateBaccarat } from './baccarat-enumeration';
import { BACCARAT_COUNTS, BACCARAT_SEQUENCES, baccaratFactsDistribution, baccaratWinnerProbabilities, rtpRange, theoreticalRtp } from './theoretical-rtp';

describe('roulette', () => {
  it('every bet returns 36/37 with the variance of its payout', () => {
    const rtp = theoreticalRtp('roulette');
    for (const [betType, covers, pays] of [['straight', 1, 35], ['split', 2, 17], ['street', 3, 11], ['corner', 4, 8], ['sixline', 6, 5], ['dozen', 12, 2], ['red', 18, 1]] as const) {
      const p = covers / 37;
      const win = 1 + pays;
      expect(rtp[betType]?.rtp).toBeCloseTo(36 / 37, 14);
      expect(rtp[betType]?.variance).toBeCloseTo(p * win * win - (p * win) ** 2, 12);
    }
    expect(rtpRange('roulette')).toMatchObject({ rtp_bp: 9730 });
  });
});

describe('baccarat (8 decks, exact)', () => {
  it('ships exactly the counts an enumeration of the shoe with the game tableau gives', () => {
    const { total, counts } = enumerateBaccarat();
    expect(total).toBe(BACCARAT_SEQUENCES);
    const enumerated = counts.map(({ facts, sequences }) => [facts.winner, facts.player_pair, facts.banker_pair, sequences]);
    expect(new Set(enumerated.map((c) => JSON.stringify(c)))).toEqual(new Set(BACCARAT_COUNTS.map((c) => JSON.stringify(c))));
    expect(BACCARAT_COUNTS.reduce((t, [, , , n]) => t + n, 0)).toBe(BACCARAT_SEQUENCES);
  });

  it('is a probability distribution', () => {
    const total = baccaratFactsDistribution().reduce((s, { p }) => s + p, 0);
    expect(total).toBeCloseTo(1, 13);
  });

  it('counts exactly the published 8-deck combinations (Wizard of Odds, baccarat analysis)', () => {
    const total = 416 * 415 * 414 * 413 * 412 * 411;
    expect(total).toBe(4_998_398_275_503_360);
    const wins = (winner: string) => BACCARAT_COUNTS.filter(([w]) => w === winner).reduce((t, [, , , n]) => t + n, 0);
    expect(wins('banker')).toBe(2_292_252_566_437_888);
    expect(wins('player')).toBe(2_230_518_282_592_256);
    expect(wins('tie')).toBe(475_627_426_473_216);
  });

  it('has the published winner probabilities', () => {
    const p = baccaratWinnerProbabilities();
    expect(p.banker).toBeCloseTo(0.458597, 6);
    expect(p.player).toBeCloseTo(0.446247, 6);
    expect(p.tie).toBeCloseTo(0.095156, 6);
  });

  it('has the closed-form pair probability: 13 x 32 x 31 / (416 x 415)', () => {
    const pair = baccaratFactsDistribution().filter(({ facts }) => facts.player_pair).reduce((s, { p }) => s + p, 0);
    expect(pair).toBeCloseTo((13 * 32 * 31) / (416 * 415), 13);
    expect(theoreticalRtp('baccarat').player_pair?.rtp).toBeCloseTo((12 * 13 * 32 * 31) / (416 * 415), 12);
  });

  it('has RTPs consistent with those probabilities and the payout table', () => {
    const p = baccaratWinnerProbabilities();
    const rtp = theoreticalRtp('baccarat');
    expect(rtp.player?.rtp).toBeCloseTo(2 * p.player + p.tie, 13);
    expect(rtp.banker?.rtp).toBeCloseTo(1.95 * p.banker + p.tie, 13);
    expect(rtp.tie?.rtp).toBeCloseTo(9 * p.tie, 13);
    expect(rtpRange('baccarat')).toMatchObject({ rtp_bp: 9894 });
  });

  it('agrees with rounds drawn and settled by the game within 4 standard errors', () => {
    const rules = gameRules('baccarat');
    const n = 40_000;
    const stake = 10_000;
    const sums = Object.fromEntries(BACCARAT_BET_TYPES.map((d) => [d.bet_type, 0]));
    for (let i = 0; i < n; i++) {
      const outcome = rules.draw(roundSource('11'.repeat(32), 'rtp', `r${i}`));
      for (const spot of Object.keys(sums)) sums[spot] = (sums[spot] ?? 0) + rules.settle(spot, stake, outcome).returned_minor / stake;
    }
    for (const [betType, { rtp, variance }] of Object.entries(theoreticalRtp('baccarat'))) {
      const z = ((sums[betType] ?? 0) / n - rtp) / Math.sqrt(variance / n);
      expect(Math.abs(z), betType).toBeLessThan(4);
    }
  });
});
