/**
 * Provably fair rounds for automated tables: commit, deal, reveal, verify.
 *
 * Before bets open the table publishes commitSeed(seed) = SHA-256(seed bytes); the seed stays
 * secret. The round's outcome is a pure function of (seed, table id, round id): a stream of
 * HMAC-SHA256 blocks turned into uniform integers by rejection sampling and fed to the game's
 * `draw`. After the round the seed is revealed, and anyone can check both the commitment and the
 * outcome (verifyRound; docs/fairness.md has the algorithm for an independent re-implementation).
 *
 * Everything here is synchronous (it runs inside Durable Object storage transactions): hashing is
 * @noble/hashes, randomness is crypto.getRandomValues (a CSPRNG in Node and in workerd).
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { gameRules, isGameKind } from '../games';
import type { GameKind, UniformSource } from '../games/types';

const SEED_BYTES = 32;
const SEED_HEX = /^[0-9a-f]{64}$/;
const TWO_POW_32 = 2 ** 32;
/** A limit on the blocks one round may read: a round needs one (8 words), rejections are ~1e-7 per word. */
const MAX_BLOCKS_PER_ROUND = 1_000;

/** A fresh server seed: 32 bytes from the platform CSPRNG, as 64 lowercase hex characters. */
export function newServerSeed(): string {
  const bytes = new Uint8Array(SEED_BYTES);
  crypto.getRandomValues(bytes);
  return bytesToHex(bytes);
}

export function isServerSeed(value: unknown): value is string {
  return typeof value === 'string' && SEED_HEX.test(value);
}

/** The public commitment to a seed: SHA-256 over the seed's 32 bytes (not its hex text), as hex. */
export function commitSeed(serverSeed: string): string {
  return bytesToHex(sha256(seedBytes(serverSeed)));
}

/**
 * The round's uniform integers. Block c is HMAC-SHA256(key = seed bytes, message = UTF-8 of
 * `${tableId}:${roundId}:${c}`), c = 0, 1, ..; each block is read as eight big-endian uint32 words,
 * in order. int(n) takes the next word u and returns u mod n if u < 2^32 - (2^32 mod n), otherwise
 * it discards u and takes the next word (rejection sampling: no modulo bias).
 */
export function roundSource(serverSeed: string, tableId: string, roundId: string): UniformSource {
  const keyed = keyedHmac(serverSeed);
  let counter = 0;
  let words: DataView | null = null;
  let offset = 0;
  return uniformFromWords(() => {
    if (words === null || offset === 32) {
      if (counter >= MAX_BLOCKS_PER_ROUND) throw new Error('round source exhausted');
      const block = keyed.clone().update(utf8ToBytes(`${tableId}:${roundId}:${counter}`)).digest();
      words = new DataView(block.buffer, block.byteOffset, block.byteLength);
      counter++;
      offset = 0;
    }
    const word = words.getUint32(offset, false);
    offset += 4;
    return word;
  });
}

/**
 * The HMAC keyed with a seed, before any message: the key schedule (two SHA-256 blocks) is the same
 * for every round of a seed, so the last seed's is kept and cloned (a table deals many rounds per seed).
 */
let lastKeyed: { seed: string; keyed: ReturnType<typeof hmac.create> } | null = null;
function keyedHmac(serverSeed: string): ReturnType<typeof hmac.create> {
  if (lastKeyed?.seed !== serverSeed) lastKeyed = { seed: serverSeed, keyed: hmac.create(sha256, seedBytes(serverSeed)) };
  return lastKeyed.keyed;
}

/** Uniform integers from a stream of uniform uint32 words, by rejection sampling. */
export function uniformFromWords(nextWord: () => number): UniformSource {
  return {
    int(n: number): number {
      if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) throw new RangeError(`int(n) needs 1 <= n <= 2^32, got ${n}`);
      // The largest multiple of n that fits in 32 bits: words at or above it would favour small results.
      const limit = TWO_POW_32 - (TWO_POW_32 % n);
      for (;;) {
        const u = nextWord();
        if (u < limit) return u % n;
      }
    },
  };
}

/** The outcome of a round of an automated table, from its (secret until revealed) seed. */
export function drawRound(kind: GameKind, serverSeed: string, tableId: string, roundId: string): unknown {
  return gameRules(kind).draw(roundSource(serverSeed, tableId, roundId));
}

export type RoundProof = {
  kind: string;
  table_id: string;
  round_id: string;
  commitment: string;
  server_seed: string;
  outcome: unknown;
};

export type Verification = { ok: true } | { ok: false; reason: string };

/** Checks a revealed round: the seed matches the commitment published before bets, and it re-deals the outcome. */
export function verifyRound(proof: RoundProof): Verification {
  if (!isGameKind(proof.kind)) return { ok: false, reason: `unknown game '${String(proof.kind)}'` };
  if (!isServerSeed(proof.server_seed)) return { ok: false, reason: 'server_seed must be 64 lowercase hex characters' };
  if (typeof proof.commitment !== 'string' || commitSeed(proof.server_seed) !== proof.commitment.toLowerCase()) {
    return { ok: false, reason: 'server_seed does not match the commitment' };
  }
  if (typeof proof.table_id !== 'string' || typeof proof.round_id !== 'string') {
    return { ok: false, reason: 'table_id and round_id must be strings' };
  }
  const rules = gameRules(proof.kind);
  const parsed = rules.parseOutcome(proof.outcome);
  if (!parsed.ok) return { ok: false, reason: `outcome is not valid: ${parsed.reason}` };
  const expected = drawRound(proof.kind, proof.server_seed, proof.table_id, proof.round_id);
  if (JSON.stringify(parsed.outcome) !== JSON.stringify(expected)) {
    return { ok: false, reason: `outcome does not follow from the seed: expected ${JSON.stringify(expected)}` };
  }
  return { ok: true };
}

function seedBytes(serverSeed: string): Uint8Array {
  if (!isServerSeed(serverSeed)) throw new Error('a server seed is 64 lowercase hex characters');
  return hexToBytes(serverSeed);
}
