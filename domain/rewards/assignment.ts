/**
 * Sticky A/B assignment: a pure function of (player id, rule id), so the same player lands in the
 * same variant on every object, every retry and every version of the rule that keeps its weights;
 * no table of assignments is needed to stay sticky. SHA-256 of "<player>\0<rule>" read as uint32
 * words gives a uniform bucket in [0, 10,000) (rejection sampling, no modulo bias): buckets below
 * `holdout_bp` are the holdout, the rest are split by the variants' weights in their listed order.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { uniformFromWords } from '../fairness/provably-fair';
import { BP } from './rule-schema';

export const HOLDOUT = 'holdout';

export function assignmentBucket(playerId: string, ruleId: string): number {
  let digest = sha256(utf8ToBytes(`${playerId}\u0000${ruleId}`));
  let offset = 0;
  return uniformFromWords(() => {
    if (offset === 32) { digest = sha256(digest); offset = 0; } // ~1e-6 per word: practically never
    const view = new DataView(digest.buffer, digest.byteOffset, digest.byteLength);
    const word = view.getUint32(offset, false);
    offset += 4;
    return word;
  }).int(BP);
}

/** The variant id for this player and rule, or HOLDOUT. */
export function assignVariant(playerId: string, ruleId: string, holdoutBp: number, variants: readonly { id: string; weight_bp: number }[]): string {
  const bucket = assignmentBucket(playerId, ruleId);
  if (bucket < holdoutBp) return HOLDOUT;
  let edge = holdoutBp;
  for (const v of variants) {
    edge += v.weight_bp;
    if (bucket < edge) return v.id;
  }
  // Weights + holdout sum to 10,000 (the schema checks it), so the loop always returns.
  throw new Error('variant weights do not cover the bucket');
}
