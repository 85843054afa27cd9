/** The audit log's entry shape, shared by AuditDO and the worker that records operator actions. */

export type AuditOutcome = 'allowed' | 'denied' | 'failed';

/** One operator action or sensitive read, as the worker records it. */
export type AuditEntryInput = {
  actor_id: string;
  actor_email: string | null;
  actor_roles: string[];
  action: string;
  target_type: string;
  target_id: string | null;
  brand: string;
  jurisdiction: string | null;
  outcome: AuditOutcome;
  reason: string | null;
  /** JSON-serialisable state before and after the action (null for reads and denials). */
  before: unknown;
  after: unknown;
  ip: string | null;
  request_id: string | null;
};

/** An entry as stored: the input plus its place in the hash chain. */
export type AuditEntry = Omit<AuditEntryInput, 'before' | 'after'> & {
  seq: number;
  at: number;
  before: string | null;
  after: string | null;
  prev_hash: string;
  hash: string;
};

/** An entry exactly as its SQLite row holds it (roles as JSON text): what the hash covers. */
export type AuditRow = Omit<AuditEntry, 'actor_roles'> & { actor_roles: string };

/** A head of the chain known from elsewhere (an append's answer, the warehouse's copy of the events). */
export type AuditAnchor = { seq: number; hash: string };

export type AuditAppended = { ok: true; seq: number; hash: string; at: number };

export type AuditListOptions = { afterSeq?: number; limit?: number; action?: string; actor_id?: string; target_id?: string };

export type AuditPage = { entries: AuditEntry[]; next_after_seq: number | null };

/** `head_hash` is '' while the shard has no entries. */
export type AuditStats = { shard: string | null; entries: number; head_seq: number; head_hash: string };

export type AuditVerification = {
  shard: string;
  ok: boolean;
  entries: number;
  /** Hash of the last stored entry ('' when there is none). */
  head_hash: string;
  /** The first broken link, when not ok: which seq, and what is wrong with it. */
  problem: { seq: number; reason: string } | null;
};

/** Shards are per brand and UTC day, so no single object takes every write and each day's chain is closed. */
export function auditShardName(brand: string, atMs: number): string {
  return `audit:${brand}:${new Date(atMs).toISOString().slice(0, 10)}`;
}
