/**
 * The shoe of an automated blackjack table, shuffled whole and provably fair.
 *
 * Before bets open the table publishes commitSeed(serverSeed). The player (or the table, for an
 * Infinite table's shared round) contributes a client seed, so the order is not the server's alone.
 * The shuffle is a pure function of (server seed, client seed, nonce, decks):
 *
 *   uniform integers = roundSource(serverSeed, `blackjack-shoe:${clientSeed}`, String(nonce))
 *     i.e. HMAC-SHA256(key = seed bytes, message = `blackjack-shoe:<client seed>:<nonce>:<counter>`)
 *     read as big-endian uint32 words, by rejection sampling (domain/fairness/provably-fair.ts);
 *   shoe = the unshuffled N-deck order (deck, then suit S H D C, then rank A .. K), then a forward
 *     Fisher-Yates: for k = 0 .. size - 2, swap positions k and k + int(size - k).
 *
 * A table deals from openShoe, which runs the same Fisher-Yates lazily: step k is done when card k is
 * first asked for, so a round that deals 6 cards draws 6 words (one HMAC block) instead of shuffling
 * all 416 cards (52 blocks). Card k of the lazy shoe is card k of the full shuffle, by construction:
 * the steps run in the same order on the same words, and step k never moves a position below k.
 *
 * After the round the server seed is revealed and verifyShoe re-derives the whole order: every
 * card the round dealt must be the shoe's prefix, in order. A client seed is 1-64 characters of
 * [A-Za-z0-9_-] (no ':' so the HMAC message cannot be read two ways).
 */
import { commitSeed, isServerSeed, roundSource } from '../../fairness/provably-fair';
import type { UniformSource } from '../types';
import { CARDS_PER_DECK, orderedCard } from './cards';

export const MAX_DECKS = 8;
const CLIENT_SEED = /^[A-Za-z0-9_-]{1,64}$/;

export function isClientSeed(value: unknown): value is string {
  return typeof value === 'string' && CLIENT_SEED.test(value);
}

export function isNonce(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function assertDecks(decks: number): void {
  if (!Number.isInteger(decks) || decks < 1 || decks > MAX_DECKS) throw new RangeError(`decks must be 1..${MAX_DECKS}, got ${decks}`);
}

/** The unshuffled shoe of `decks` decks. */
export function orderedShoe(decks: number): string[] {
  assertDecks(decks);
  return Array.from({ length: decks * CARDS_PER_DECK }, (_, i) => orderedCard(i));
}

/** A uniformly random order of the whole shoe from any uniform source. */
export function shuffleShoe(decks: number, rng: UniformSource): string[] {
  const shoe = orderedShoe(decks);
  for (let k = 0; k < shoe.length - 1; k++) {
    const j = k + rng.int(shoe.length - k);
    const card = shoe[j] ?? '';
    shoe[j] = shoe[k] ?? '';
    shoe[k] = card;
  }
  return shoe;
}

/** The cards of a shoe, by position (undefined past its end). */
export type ShoeCards = { readonly size: number; cardAt(index: number): string | undefined };

/**
 * shuffleShoe, step by step: cardAt(k) runs the Fisher-Yates steps up to k (if not yet run) and
 * returns card k. The words it reads, and so the cards, are shuffleShoe's for the same source.
 */
export function lazyShoe(decks: number, rng: UniformSource): ShoeCards {
  assertDecks(decks);
  const size = decks * CARDS_PER_DECK;
  // Positions hold indexes into the unshuffled order; strings are made only for the cards dealt.
  const order = new Uint16Array(size);
  for (let i = 0; i < size; i++) order[i] = i;
  const cards: string[] = [];
  return {
    size,
    cardAt(index: number): string | undefined {
      if (!Number.isInteger(index) || index < 0 || index >= size) return undefined;
      for (let k = cards.length; k <= index; k++) {
        // shuffleShoe draws nothing for the last position (one card left, it stays).
        if (k < size - 1) {
          const j = k + rng.int(size - k);
          const card = order[j] ?? 0;
          order[j] = order[k] ?? 0;
          order[k] = card;
        }
        cards.push(orderedCard(order[k] ?? 0));
      }
      return cards[index];
    },
  };
}

/** The shoe a table deals from: the provably-fair order of verifyShoe, shuffled as far as it is dealt. */
export function openShoe(serverSeed: string, clientSeed: string, nonce: number, decks = MAX_DECKS): ShoeCards {
  return lazyShoe(decks, shoeSource(serverSeed, clientSeed, nonce));
}

/** The uniform stream of one shoe: the provably-fair HMAC stream, with the client seed in the message. */
export function shoeSource(serverSeed: string, clientSeed: string, nonce: number): UniformSource {
  if (!isClientSeed(clientSeed)) throw new Error('a client seed is 1-64 characters of A-Z a-z 0-9 _ -');
  if (!isNonce(nonce)) throw new Error('a nonce is a non-negative safe integer');
  return roundSource(serverSeed, `blackjack-shoe:${clientSeed}`, String(nonce));
}

/** The shoe order, from the revealed seed: what a player runs to check a round. */
export function verifyShoe(serverSeed: string, clientSeed: string, nonce: number, decks = MAX_DECKS): string[] {
  return shuffleShoe(decks, shoeSource(serverSeed, clientSeed, nonce));
}

export type ShoeProof = {
  commitment: string;
  server_seed: string;
  client_seed: string;
  nonce: number;
  decks: number;
  /** Every card the round dealt, in the order it left the shoe. */
  dealt: readonly string[];
};

export type ShoeVerification = { ok: true } | { ok: false; reason: string };

/** Checks a revealed round: the seed matches the commitment, and the dealt cards are the shoe's prefix. */
export function checkShoe(proof: ShoeProof): ShoeVerification {
  if (!isServerSeed(proof.server_seed)) return { ok: false, reason: 'server_seed must be 64 lowercase hex characters' };
  if (commitSeed(proof.server_seed) !== String(proof.commitment).toLowerCase()) return { ok: false, reason: 'server_seed does not match the commitment' };
  if (!isClientSeed(proof.client_seed)) return { ok: false, reason: 'client_seed must be 1-64 characters of A-Z a-z 0-9 _ -' };
  if (!isNonce(proof.nonce)) return { ok: false, reason: 'nonce must be a non-negative integer' };
  if (!Number.isInteger(proof.decks) || proof.decks < 1 || proof.decks > MAX_DECKS) return { ok: false, reason: `decks must be 1..${MAX_DECKS}` };
  const shoe = verifyShoe(proof.server_seed, proof.client_seed, proof.nonce, proof.decks);
  if (proof.dealt.length > shoe.length) return { ok: false, reason: 'more cards dealt than the shoe holds' };
  for (let i = 0; i < proof.dealt.length; i++) {
    if (proof.dealt[i] !== shoe[i]) return { ok: false, reason: `card ${i} was ${String(proof.dealt[i])}, the shoe has ${shoe[i]}` };
  }
  return { ok: true };
}
