/** The shoe: a permutation of N decks, deterministic from its seeds, uniform, and checkable after the round. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chiSquareTest } from '../../fairness/chi-square';
import { commitSeed } from '../../fairness/provably-fair';
import { CARDS_PER_DECK, handValue, isCard, orderedCard } from './cards';
import { dealFromShoe } from './autoplay';
import { checkShoe, openShoe, orderedShoe, verifyShoe } from './shoe';
import { CLASSIC_SEATED } from './rules';
import { closeBetting, placeBet } from './betting';
import { newRound } from './state';
import { ok } from './test-helpers';

const SEED = '7f'.repeat(32);
const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(''));
const clientArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);

const counts = (cards: readonly string[]) => {
  const m = new Map<string, number>();
  for (const c of cards) m.set(c, (m.get(c) ?? 0) + 1);
  return m;
};

describe('cards', () => {
  it('counts aces soft when they fit, faces as ten', () => {
    expect(handValue(['AS', '6D'])).toEqual({ total: 17, soft: true });
    expect(handValue(['AS', '6D', '10C'])).toEqual({ total: 17, soft: false });
    expect(handValue(['AS', 'AD', '9C'])).toEqual({ total: 21, soft: true });
    expect(handValue(['KS', 'QD', '2C'])).toEqual({ total: 22, soft: false });
    expect(handValue(['AS', 'AD', 'AC', 'AH'])).toEqual({ total: 14, soft: true });
  });

  it('the ordered deck is 52 distinct cards', () => {
    const deck = Array.from({ length: CARDS_PER_DECK }, (_, i) => orderedCard(i));
    expect(new Set(deck).size).toBe(52);
    expect(deck.every(isCard)).toBe(true);
    expect([orderedCard(0), orderedCard(12), orderedCard(13), orderedCard(52)]).toEqual(['AS', 'KS', 'AH', 'AS']);
  });
});

describe('the shoe', () => {
  it('is a permutation of N decks, for any seeds and deck count', () => {
    fc.assert(fc.property(seedArb, clientArb, fc.nat({ max: 1_000_000 }), fc.integer({ min: 1, max: 8 }), (seed, client, nonce, decks) => {
      const shoe = verifyShoe(seed, client, nonce, decks);
      expect(shoe).toHaveLength(decks * 52);
      expect(counts(shoe)).toEqual(counts(orderedShoe(decks)));
      for (const n of counts(shoe).values()) expect(n).toBe(decks);
    }), { numRuns: 60 });
  });

  it('is a pure function of (server seed, client seed, nonce): each one changes the order', () => {
    const base = verifyShoe(SEED, 'alice', 1);
    expect(verifyShoe(SEED, 'alice', 1)).toEqual(base);
    expect(verifyShoe(SEED, 'bob', 1)).not.toEqual(base);
    expect(verifyShoe(SEED, 'alice', 2)).not.toEqual(base);
    expect(verifyShoe('7e'.repeat(32), 'alice', 1)).not.toEqual(base);
  });

  it('refuses client seeds that could make the HMAC message ambiguous, and bad nonces', () => {
    for (const bad of ['', 'a:b', 'x'.repeat(65), 'é']) expect(() => verifyShoe(SEED, bad, 1)).toThrow();
    for (const bad of [-1, 1.5, Number.NaN]) expect(() => verifyShoe(SEED, 'a', bad)).toThrow();
    expect(() => verifyShoe(SEED, 'a', 1, 9)).toThrow(RangeError);
  });

  it('puts every card of a one-deck shoe first equally often (chi-square, 51 degrees of freedom)', () => {
    const first = new Map<string, number>();
    const rounds = 10_400;
    for (let i = 0; i < rounds; i++) {
      const card = verifyShoe(SEED, 'chi', i, 1)[0] ?? '';
      first.set(card, (first.get(card) ?? 0) + 1);
    }
    const deck = orderedShoe(1);
    const test = chiSquareTest(deck.map((c) => first.get(c) ?? 0), deck.map(() => 1 / 52));
    expect(test.dof).toBe(51);
    expect(test.p_value).toBeGreaterThan(0.001);
  });

  it('checkShoe accepts the dealt prefix of the committed shoe and nothing else', () => {
    const shoe = verifyShoe(SEED, 'alice', 3, 6);
    const proof = { commitment: commitSeed(SEED), server_seed: SEED, client_seed: 'alice', nonce: 3, decks: 6, dealt: shoe.slice(0, 11) };
    expect(checkShoe(proof)).toEqual({ ok: true });
    expect(checkShoe({ ...proof, dealt: [] })).toEqual({ ok: true });
    const swapped = [...proof.dealt];
    [swapped[3], swapped[4]] = [swapped[4] ?? '', swapped[3] ?? ''];
    expect(checkShoe({ ...proof, dealt: swapped }).ok).toBe(swapped[3] === swapped[4]);
    expect(checkShoe({ ...proof, commitment: commitSeed('7e'.repeat(32)) })).toMatchObject({ ok: false, reason: 'server_seed does not match the commitment' });
    expect(checkShoe({ ...proof, client_seed: 'bob' }).ok).toBe(false);
    expect(checkShoe({ ...proof, nonce: 4 }).ok).toBe(false);
    expect(checkShoe({ ...proof, decks: 8 }).ok).toBe(false);
    expect(checkShoe({ ...proof, dealt: [...shoe, 'AS'] }).ok).toBe(false);
  });
});

describe('the lazily shuffled shoe a table deals from (openShoe)', () => {
  it('card k is verifyShoe\'s card k, for any seeds, deck count and order of reading', () => {
    fc.assert(fc.property(seedArb, clientArb, fc.nat({ max: 1_000_000 }), fc.integer({ min: 1, max: 8 }), fc.array(fc.nat({ max: 500 }), { maxLength: 20 }), (seed, client, nonce, decks, reads) => {
      const full = verifyShoe(seed, client, nonce, decks);
      const lazy = openShoe(seed, client, nonce, decks);
      expect(lazy.size).toBe(full.length);
      // Out-of-order reads first (they shuffle as far as the furthest one), then the whole shoe in order.
      for (const k of reads) expect(lazy.cardAt(k)).toBe(full[k]);
      expect(Array.from({ length: full.length }, (_, k) => lazy.cardAt(k))).toEqual(full);
      expect(lazy.cardAt(full.length)).toBeUndefined();
      expect(lazy.cardAt(-1)).toBeUndefined();
    }), { numRuns: 40 });
  });

  it('a seven-seat deal from it is the deal from the whole order, and checkShoe accepts it', () => {
    const seed = 'c3'.repeat(32);
    for (let nonce = 0; nonce < 30; nonce++) {
      let fromLazy = newRound('seated', CLASSIC_SEATED);
      for (let seat = 1; seat <= 7; seat++) fromLazy = ok(placeBet(fromLazy, { player_id: `p${seat}`, seat, main_minor: 10 }));
      fromLazy = ok(closeBetting(fromLazy));
      const lazyStep = dealFromShoe(fromLazy, openShoe(seed, 'table', nonce, 8));
      const wholeStep = dealFromShoe(fromLazy, verifyShoe(seed, 'table', nonce, 8));
      expect(lazyStep.ok && wholeStep.ok).toBe(true);
      if (!lazyStep.ok || !wholeStep.ok) return;
      expect(lazyStep.state).toEqual(wholeStep.state);
      expect(checkShoe({ commitment: commitSeed(seed), server_seed: seed, client_seed: 'table', nonce, decks: 8, dealt: lazyStep.state.dealt })).toEqual({ ok: true });
    }
  });
});
