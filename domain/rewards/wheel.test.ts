import { describe, expect, it } from 'vitest';
import { chiSquareTest } from '../fairness/chi-square';
import { commitSeed, newServerSeed } from '../fairness/provably-fair';
import { EXAMPLE_RULE_SET } from './example-rule-set';
import { Wheel } from './rule-schema';
import { spinWheel, verifyWheelSpin } from './wheel';

const wheel = Wheel.parse(EXAMPLE_RULE_SET.wheels[0]);
const SEED = '3f'.repeat(32);

describe('prize wheel (provably fair)', () => {
  it('is a pure function of seed, wheel and spin id, and verifies against the commitment', () => {
    const prize = spinWheel(wheel, SEED, 'spin-1');
    expect(spinWheel(wheel, SEED, 'spin-1')).toBe(prize);
    expect(verifyWheelSpin({ wheel, spin_id: 'spin-1', commitment: commitSeed(SEED), server_seed: SEED, prize_id: prize.id })).toEqual({ ok: true });
  });

  it('refuses a seed that does not match the commitment, or a prize the seed does not give', () => {
    const prize = spinWheel(wheel, SEED, 'spin-1');
    expect(verifyWheelSpin({ wheel, spin_id: 'spin-1', commitment: commitSeed(newServerSeed()), server_seed: SEED, prize_id: prize.id })).toMatchObject({ ok: false });
    const other = wheel.prizes.find((p) => p.id !== prize.id)?.id ?? '';
    expect(verifyWheelSpin({ wheel, spin_id: 'spin-1', commitment: commitSeed(SEED), server_seed: SEED, prize_id: other })).toMatchObject({ ok: false });
  });

  it('independent re-implementation: int(100) of the first HMAC word, as docs/fairness.md specifies', async () => {
    const { createHmac } = await import('node:crypto');
    const word = createHmac('sha256', Buffer.from(SEED, 'hex')).update('wheel:daily:spin-1:0').digest().readUInt32BE(0);
    const total = wheel.prizes.reduce((s, p) => s + p.weight, 0);
    let r = word % total; // the first word is accepted unless it is in the last 2^32 mod 100 values
    let prize = wheel.prizes[0];
    for (const p of wheel.prizes) { if (r < p.weight) { prize = p; break; } r -= p.weight; }
    expect(spinWheel(wheel, SEED, 'spin-1').id).toBe(prize?.id);
  });

  it('draws prizes in proportion to their weights (chi-square, 20,000 spins)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) { const p = spinWheel(wheel, SEED, `s${i}`); counts.set(p.id, (counts.get(p.id) ?? 0) + 1); }
    const total = wheel.prizes.reduce((s, p) => s + p.weight, 0);
    expect(chiSquareTest(wheel.prizes.map((p) => counts.get(p.id) ?? 0), wheel.prizes.map((p) => p.weight / total)).p_value).toBeGreaterThan(0.001);
  });
});
