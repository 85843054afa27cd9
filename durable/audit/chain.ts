/**
 * The audit log's hash chain, kept pure so the object, its tests and any later offline checker
 * (the warehouse holds every entry's hash) share one definition.
 *
 *   hash = sha256_hex(prev_hash + "\n" + canonical(entry))
 *
 * `canonical` is JSON of a fixed-order array of every stored field but the two hashes, so editing
 * any field changes the hash. The first entry links to a genesis hash derived from the shard name,
 * so an entry copied from another shard does not link. Hashing is synchronous (@noble/hashes, not
 * WebCrypto) so an append is one transaction with no await, and concurrent appends cannot fork it.
 *
 * What a chain alone cannot show: someone able to rewrite storage can rebuild every hash after
 * their edit, or drop the newest entries. An anchor (a head seq/hash kept elsewhere) catches both
 * up to the anchor's seq; nothing here can vouch for entries after it.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { AuditAnchor, AuditRow, AuditVerification } from './types';

export type UnhashedRow = Omit<AuditRow, 'prev_hash' | 'hash'>;

type Problem = NonNullable<AuditVerification['problem']>;

function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** What the first entry of `shard` links to. */
export function genesisHash(shard: string): string {
  return sha256Hex(`genesis\n${shard}`);
}

export function canonical(r: UnhashedRow): string {
  return JSON.stringify([
    r.seq, r.at, r.actor_id, r.actor_email, r.actor_roles, r.action, r.target_type, r.target_id,
    r.brand, r.jurisdiction, r.outcome, r.reason, r.before, r.after, r.ip, r.request_id,
  ]);
}

export function entryHash(prevHash: string, r: UnhashedRow): string {
  return sha256Hex(`${prevHash}\n${canonical(r)}`);
}

/**
 * Recomputes the chain over `rows` (in seq order, streamed) and reports the first broken link;
 * with an anchor, also a chain that no longer reaches or no longer matches it.
 */
export function verifyChain(shard: string, rows: Iterable<AuditRow>, anchor: AuditAnchor | null = null): AuditVerification {
  if (anchor && !(Number.isSafeInteger(anchor.seq) && anchor.seq >= 1)) throw new Error(`invariant: anchor seq must be a positive integer, got ${anchor.seq}`);
  let expectedSeq = 1;
  let prevHash = genesisHash(shard);
  let entries = 0;
  let headHash = '';
  let problem: Problem | null = null;
  for (const row of rows) {
    entries++;
    headHash = row.hash;
    if (problem) continue; // keep counting; the first problem is the one reported
    problem = checkLink(shard, row, expectedSeq, prevHash, anchor);
    expectedSeq = row.seq + 1;
    prevHash = row.hash;
  }
  if (!problem && anchor && anchor.seq >= expectedSeq) {
    problem = { seq: expectedSeq, reason: `tail truncated: the chain ends at entry ${expectedSeq - 1} but the anchor is entry ${anchor.seq}` };
  }
  return { shard, ok: problem === null, entries, head_hash: headHash, problem };
}

function checkLink(shard: string, row: AuditRow, expectedSeq: number, prevHash: string, anchor: AuditAnchor | null): Problem | null {
  if (row.seq > expectedSeq) return { seq: expectedSeq, reason: `seq gap: entry ${expectedSeq} missing` };
  if (row.seq < expectedSeq) return { seq: row.seq, reason: `seq out of order: expected entry ${expectedSeq}, found ${row.seq}` };
  if (row.prev_hash !== prevHash) {
    const to = row.seq === 1 ? `the genesis of ${shard} (entry from another shard?)` : `entry ${row.seq - 1}`;
    return { seq: row.seq, reason: `prev_hash does not link to ${to}` };
  }
  if (entryHash(row.prev_hash, row) !== row.hash) return { seq: row.seq, reason: 'hash mismatch: entry was edited' };
  if (anchor && row.seq === anchor.seq && row.hash !== anchor.hash) {
    return { seq: row.seq, reason: `anchor mismatch: entry ${row.seq} is not the one anchored (chain rewritten)` };
  }
  return null;
}
