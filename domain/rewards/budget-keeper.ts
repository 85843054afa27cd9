/**
 * The budget keeper's logic (docs/rewards.md "Budgets across players"), pure and synchronous: the
 * RewardBudgetDO runs it over its SQLite, the property test over a Map.
 *
 * A rule's `budget_minor` per currency is one global bound shared by every player. Player objects
 * cannot ask a shared object inside the transaction that grants (no await there), so the keeper
 * hands out **leases**: chunks of a budget line (budget key + currency) that one player object may
 * spend alone, synchronously, in the grant's transaction. The keeper's invariant, per line:
 *
 *     spent + outstanding <= limit      (outstanding = the amounts of the open leases)
 *
 * and a holder never spends more than its lease (the engine reads the lease's remainder as the
 * budget left). A lease is closed by its holder's report of what it used (the holder stops spending
 * it first), so `spent` only grows by amounts really granted, and the unused rest goes back to the
 * line. A lease nobody closes (an idle player) is reclaimed after its expiry: the keeper asks the
 * holder, which closes it on its side and answers its use. So whatever the retries, restarts and
 * interleavings, the grants' costs on a line add up to at most its limit:
 *
 * - every request is idempotent on its lease id (a retried open answers the first lease; a retried
 *   close with the same use is a replay, with another use a conflict that changes nothing);
 * - a close that arrives before its open (the open was lost in flight) leaves a tombstone, so the
 *   late open gets an empty lease instead of stranding budget;
 * - a use outside 0..amount is refused: the holder's report can never credit the line.
 */
import type { Currency } from '../money';

export type Lease = {
  lease_id: string;
  holder: string;
  /** `<budget key>|<currency>` */
  line: string;
  amount: number;
  /** null while open; what the holder used once closed. */
  used: number | null;
  expires_at: number;
  granted_at: number;
};

export type LineTotals = { spent: number; outstanding: number };

/** Where the keeper's state lives (SQLite in the Durable Object, a Map in tests). Writes happen inside the caller's transaction. */
export interface KeeperStore {
  totals(line: string): LineTotals;
  setTotals(line: string, t: LineTotals): void;
  lease(leaseId: string): Lease | null;
  putLease(lease: Lease): void;
}

export type OpenRequest = { lease_id: string; budget_key: string; currency: Currency; want_minor: number; min_minor: number };
export type CloseRequest = { lease_id: string; used_minor: number };
export type ExchangeRequest = { holder: string; close: CloseRequest[]; open: OpenRequest[] };
/**
 * `ttl_ms`: how long the lease lasts from its grant. The holder times it on its own clock: safety
 * never depends on clocks agreeing, because the keeper counts a lease as returned only on its
 * holder's report (a reclaim asks the holder, which closes it first).
 */
export type LeaseView = { lease_id: string; budget_key: string; currency: Currency; amount_minor: number; expires_at: number; ttl_ms: number; closed: boolean };
export type ExchangeResult = { closed: { lease_id: string; used_minor: number; outcome: 'closed' | 'replay' | 'conflict' | 'foreign' }[]; opened: LeaseView[] };

export type KeeperPolicy = {
  /** How long a lease lasts; its unused rest returns when it is closed or reclaimed. */
  lease_ttl_ms: number;
  /** An empty lease (nothing left) lasts this long: the holder does not ask again before. */
  empty_lease_ttl_ms: number;
  /** No lease takes more than this share of what is left (in basis points), so one player cannot strand a budget. */
  max_share_bp: number;
};

export const DEFAULT_POLICY: KeeperPolicy = { lease_ttl_ms: 10 * 60_000, empty_lease_ttl_ms: 60_000, max_share_bp: 2_500 };

export const lineOf = (budgetKey: string, currency: string) => `${budgetKey}|${currency}`;

function splitLine(line: string): { budget_key: string; currency: Currency } {
  const i = line.lastIndexOf('|');
  return { budget_key: line.slice(0, i), currency: line.slice(i + 1) as Currency };
}

function viewOf(l: Lease): LeaseView {
  return { lease_id: l.lease_id, ...splitLine(l.line), amount_minor: l.amount, expires_at: l.expires_at, ttl_ms: Math.max(0, l.expires_at - l.granted_at), closed: l.used !== null };
}

function isAmount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/**
 * Closes, then opens (so a holder that trades an old lease for a new one gets the old one's rest
 * back first). `limitOf(budget_key, currency)`: the declared budget, null when the line has none
 * (its leases are empty).
 */
export function exchange(store: KeeperStore, req: ExchangeRequest, limitOf: (budgetKey: string, currency: Currency) => number | null, now: number, policy: KeeperPolicy = DEFAULT_POLICY): ExchangeResult {
  const closed = req.close.map((c) => ({ lease_id: c.lease_id, used_minor: c.used_minor, outcome: close(store, req.holder, c, now) }));
  const opened = req.open.map((o) => open(store, req.holder, o, limitOf, now, policy));
  return { closed, opened };
}

export function close(store: KeeperStore, holder: string, c: CloseRequest, now: number): 'closed' | 'replay' | 'conflict' | 'foreign' {
  const l = store.lease(c.lease_id);
  if (!l) {
    if (c.used_minor !== 0) return 'conflict'; // a lease never granted cannot have been used
    // the open never arrived (or not yet): a tombstone, so that a late open is answered empty
    store.putLease({ lease_id: c.lease_id, holder, line: '', amount: 0, used: 0, expires_at: now, granted_at: now });
    return 'closed';
  }
  if (l.holder !== holder) return 'foreign';
  if (l.used !== null) return l.used === c.used_minor ? 'replay' : 'conflict';
  if (!isAmount(c.used_minor) || c.used_minor > l.amount) return 'conflict';
  const t = store.totals(l.line);
  store.setTotals(l.line, { spent: t.spent + c.used_minor, outstanding: t.outstanding - l.amount });
  store.putLease({ ...l, used: c.used_minor });
  return 'closed';
}

function open(store: KeeperStore, holder: string, o: OpenRequest, limitOf: (budgetKey: string, currency: Currency) => number | null, now: number, policy: KeeperPolicy): LeaseView {
  const known = store.lease(o.lease_id);
  if (known) {
    // a retry answers the first lease; a tombstone (closed before it was opened) or another holder's id gets nothing
    if (known.holder !== holder || known.line === '') return { lease_id: o.lease_id, budget_key: o.budget_key, currency: o.currency, amount_minor: 0, expires_at: known.expires_at, ttl_ms: policy.empty_lease_ttl_ms, closed: true };
    return viewOf(known);
  }
  const line = lineOf(o.budget_key, o.currency);
  const limit = limitOf(o.budget_key, o.currency) ?? 0;
  const t = store.totals(line);
  const available = Math.max(0, limit - t.spent - t.outstanding);
  let amount = 0;
  if (isAmount(o.want_minor) && isAmount(o.min_minor) && o.min_minor <= available) {
    const share = Math.floor((available * policy.max_share_bp) / 10_000);
    amount = Math.min(o.want_minor, available, Math.max(o.min_minor, share));
  }
  const lease: Lease = { lease_id: o.lease_id, holder, line, amount, used: null, expires_at: now + (amount > 0 ? policy.lease_ttl_ms : policy.empty_lease_ttl_ms), granted_at: now };
  store.putLease(lease);
  if (amount > 0) store.setTotals(line, { spent: t.spent, outstanding: t.outstanding + amount });
  else store.putLease({ ...lease, used: 0 }); // nothing to spend: closed at once, the holder waits out its expiry before asking again
  return viewOf(amount > 0 ? lease : { ...lease, used: 0 });
}

/** A store in memory (tests, the dry run). */
export class MemoryKeeperStore implements KeeperStore {
  readonly lines = new Map<string, LineTotals>();
  readonly leases = new Map<string, Lease>();
  totals(line: string): LineTotals {
    return this.lines.get(line) ?? { spent: 0, outstanding: 0 };
  }
  setTotals(line: string, t: LineTotals): void {
    this.lines.set(line, t);
  }
  lease(leaseId: string): Lease | null {
    return this.leases.get(leaseId) ?? null;
  }
  putLease(lease: Lease): void {
    this.leases.set(lease.lease_id, lease);
  }
}
