import { describe, expect, it } from 'vitest';
import { commitSeed, drawRound, isServerSeed, newServerSeed, roundSource, uniformFromWords, verifyRound } from './provably-fair';

// Vectors from the independent Python verifier in docs/fairness.md (hashlib + hmac, full-array shuffle).
const SEED = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const COMMITMENT = '954d5a49fd70d9b8bcdb35d252267829957f7ef7fa6c74f88419bdc5e82209f4';
const ROULETTE_ROUNDS = [2, 14, 4, 27, 20, 25, 19, 20];
const BACCARAT_ROUNDS = [
  { player: ['6D', 'JD'], banker: ['AD', '2D', '10D'] },
  { player: ['4H', 'QS', '9C'], banker: ['9H', '5S'] },
  { player: ['10H', 'JD', 'QS'], banker: ['9S', '2H', 'KC'] },
  { player: ['QS', '3H', '7C'], banker: ['AD', '4D', '9D'] },
  { player: ['QS', 'QH', '9D'], banker: ['6C', '9S'] },
  { player: ['AD', 'QH', '9H'], banker: ['4D', '2H'] },
  { player: ['3H', '6D'], banker: ['KD', '7S'] },
  { player: ['8H', '3C', '3H'], banker: ['7C', 'JC'] },
];
const roundId = (i: number) => `r-${String(i).padStart(6, '0')}`;

describe('server seeds and commitments', () => {
  it('draws 32 fresh CSPRNG bytes as lowercase hex', () => {
    const seeds = new Set(Array.from({ length: 100 }, () => newServerSeed()));
    expect(seeds.size).toBe(100);
    for (const seed of seeds) expect(isServerSeed(seed)).toBe(true);
  });

  it('commits with SHA-256 over the seed bytes', () => {
    expect(commitSeed('00'.repeat(32))).toBe('66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925');
    expect(commitSeed(SEED)).toBe(COMMITMENT);
    expect(() => commitSeed('XYZ')).toThrow();
    expect(() => commitSeed(SEED.toUpperCase())).toThrow();
  });
});

describe('the round stream', () => {
  it('reproduces the Python reference rounds', () => {
    ROULETTE_ROUNDS.forEach((number, i) => expect(drawRound('roulette', SEED, 'roulette-1', roundId(i))).toEqual({ number }));
    BACCARAT_ROUNDS.forEach((outcome, i) => expect(drawRound('baccarat', SEED, 'baccarat-1', roundId(i))).toEqual(outcome));
  });

  it('reads the first HMAC block as big-endian words', () => {
    // HMAC-SHA256(seed, 'roulette-1:r-000001:0') = b69c0eec...: 0xb69c0eec mod 37 = 14.
    expect(0xb69c0eec % 37).toBe(14);
    const source = roundSource(SEED, 'roulette-1', 'r-000001');
    expect(source.int(2 ** 32)).toBe(0xb69c0eec); // int(2^32) hands out the words themselves
    expect(source.int(2 ** 32)).toBe(0x36a39440);
  });

  it('is a function of seed, table and round only', () => {
    const a = drawRound('baccarat', SEED, 't', 'r1');
    expect(drawRound('baccarat', SEED, 't', 'r1')).toEqual(a);
    const others = [drawRound('baccarat', SEED, 't', 'r2'), drawRound('baccarat', SEED, 't2', 'r1'), drawRound('baccarat', newServerSeed(), 't', 'r1')];
    expect(others.some((o) => JSON.stringify(o) !== JSON.stringify(a))).toBe(true);
  });

  it('rejects words from the biased tail instead of taking them modulo n', () => {
    const words = [0xffffffff, 4_294_967_289, 4_294_967_288, 5];
    const source = uniformFromWords(() => words.shift() ?? 0);
    // 2^32 mod 37 = 7: words from 2^32 - 7 = 4294967289 up are discarded.
    expect(source.int(37)).toBe(4_294_967_288 % 37);
    expect(source.int(37)).toBe(5);
    expect(() => source.int(0)).toThrow(RangeError);
    expect(uniformFromWords(() => 123).int(1)).toBe(0);
  });
});

describe('verifyRound', () => {
  const proof = { kind: 'baccarat', table_id: 'baccarat-1', round_id: 'r-000001', commitment: COMMITMENT, server_seed: SEED, outcome: BACCARAT_ROUNDS[1] };

  it('accepts a revealed round', () => {
    expect(verifyRound(proof)).toEqual({ ok: true });
    expect(verifyRound({ ...proof, commitment: COMMITMENT.toUpperCase() })).toEqual({ ok: true });
    expect(verifyRound({ kind: 'roulette', table_id: 'roulette-1', round_id: 'r-000003', commitment: COMMITMENT, server_seed: SEED, outcome: { number: 27 } })).toEqual({ ok: true });
  });

  it.each([
    ['another seed', { server_seed: '00'.repeat(32) }, /commitment/],
    ['another commitment', { commitment: commitSeed('00'.repeat(32)) }, /commitment/],
    ['a malformed seed', { server_seed: 'abc' }, /64 lowercase hex/],
    ['another round', { round_id: 'r-000002' }, /does not follow/],
    ['another table', { table_id: 'baccarat-2' }, /does not follow/],
    ['a changed card', { outcome: { player: ['4H', 'QS', '8C'], banker: ['9H', '5S'] } }, /does not follow/],
    ['cards against the rules', { outcome: { player: ['4H', 'QS'], banker: ['9H', '5S'] } }, /not valid/],
    ['an unknown game', { kind: 'poker' }, /unknown game/],
  ])('refuses %s', (_, change, reason) => {
    const result = verifyRound({ ...proof, ...change });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});
