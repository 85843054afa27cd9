/**
 * The points ledger, as a model of the table the player's object keeps (like the wallet's): entries
 * are only appended, each under an idempotency key (a grant's is "<event id>:<rule id>:<action
 * index>", so the same grant replayed is the same key); balances are derived from the entries, never
 * stored beside them. The same key with the same content is a replay (nothing appended); with other
 * content it is a conflict. A debit (redeeming points) never takes a balance below zero.
 */
import type { Outcome } from './outcomes';
export type PointsAccount = 'points' | 'xp';

export type LedgerEntry = {
  entry_id: string;
  account: PointsAccount;
  /** Positive: granted; negative: redeemed or expired. */
  delta: number;
  rule_id: string | null;
  rule_version: number | null;
  event_id: string | null;
  at: number;
};

export type PointsLedger = { readonly entries: readonly LedgerEntry[]; readonly byId: ReadonlyMap<string, LedgerEntry> };

export type AppendResult =
  | { ok: true; ledger: PointsLedger; replayed: boolean }
  | { ok: false; code: 'idempotency_conflict' | 'insufficient_points' | 'invalid_amount' };

export function emptyLedger(): PointsLedger {
  return { entries: [], byId: new Map() };
}

export function appendEntry(ledger: PointsLedger, entry: LedgerEntry): AppendResult {
  const existing = ledger.byId.get(entry.entry_id);
  if (existing) return sameEntry(existing, entry) ? { ok: true, ledger, replayed: true } : { ok: false, code: 'idempotency_conflict' };
  if (!Number.isSafeInteger(entry.delta) || entry.delta === 0) return { ok: false, code: 'invalid_amount' };
  if (entry.delta < 0 && balanceOf(ledger, entry.account) + entry.delta < 0) return { ok: false, code: 'insufficient_points' };
  const byId = new Map(ledger.byId);
  byId.set(entry.entry_id, entry);
  return { ok: true, ledger: { entries: [...ledger.entries, entry], byId }, replayed: false };
}

/** Derived: the sum of the account's entries. */
export function balanceOf(ledger: PointsLedger, account: PointsAccount): number {
  let sum = 0;
  for (const e of ledger.entries) if (e.account === account) sum += e.delta;
  return sum;
}

function sameEntry(a: LedgerEntry, b: LedgerEntry): boolean {
  return a.account === b.account && a.delta === b.delta && a.rule_id === b.rule_id && a.rule_version === b.rule_version && a.event_id === b.event_id;
}

/**
 * The ledger entries of an evaluation's grants: one per points or XP grant, keyed by its grant id
 * (deterministic from event, rule and action), so appending them twice for the same event is a replay.
 */
export function entriesOf(outcomes: readonly Outcome[], eventId: string, at: number): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  for (const o of outcomes) {
    if (o.type !== 'grant' || (o.grant.kind !== 'points' && o.grant.kind !== 'xp')) continue;
    entries.push({ entry_id: o.grant_id, account: o.grant.kind, delta: o.grant.amount, rule_id: o.source.rule_id, rule_version: o.source.rule_version, event_id: eventId, at });
  }
  return entries;
}
