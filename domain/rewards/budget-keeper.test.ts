/**
 * The budget keeper (budget-keeper.ts): examples, and a property test in which player objects lease,
 * spend, close, retry, lose answers and get reclaimed in any order, against a fixed limit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { close, exchange, lineOf, MemoryKeeperStore, type KeeperPolicy } from './budget-keeper';

const POLICY: KeeperPolicy = { lease_ttl_ms: 600_000, empty_lease_ttl_ms: 60_000, max_share_bp: 2_500 };
const limits = (l: Record<string, number>) => (key: string, currency: string) => l[lineOf(key, currency)] ?? null;

describe('budget keeper: examples', () => {
  it('leases at most a share of what is left, never more than the limit, and takes back the unused rest', () => {
    const s = new MemoryKeeperStore();
    const lim = limits({ 'r|EUR': 1000 });
    const a = exchange(s, { holder: 'p1', close: [], open: [{ lease_id: 'a', budget_key: 'r', currency: 'EUR', want_minor: 1000, min_minor: 200 }] }, lim, 0, POLICY);
    expect(a.opened[0]).toMatchObject({ amount_minor: 250, closed: false }); // 25% of 1000
    const again = exchange(s, { holder: 'p1', close: [], open: [{ lease_id: 'a', budget_key: 'r', currency: 'EUR', want_minor: 1000, min_minor: 200 }] }, lim, 5, POLICY);
    expect(again.opened[0]).toEqual(a.opened[0]); // a retry answers the first lease
    expect(s.totals('r|EUR')).toEqual({ spent: 0, outstanding: 250 });
    expect(close(s, 'p1', { lease_id: 'a', used_minor: 200 }, 10)).toBe('closed');
    expect(s.totals('r|EUR')).toEqual({ spent: 200, outstanding: 0 });
    expect(close(s, 'p1', { lease_id: 'a', used_minor: 200 }, 11)).toBe('replay');
    expect(close(s, 'p1', { lease_id: 'a', used_minor: 0 }, 12)).toBe('conflict');
    expect(s.totals('r|EUR')).toEqual({ spent: 200, outstanding: 0 });
  });

  it('an empty line answers an empty, closed lease; a line without a budget too', () => {
    const s = new MemoryKeeperStore();
    const lim = limits({ 'r|EUR': 300 });
    exchange(s, { holder: 'p1', close: [], open: [{ lease_id: 'a', budget_key: 'r', currency: 'EUR', want_minor: 300, min_minor: 200 }] }, lim, 0, POLICY);
    const b = exchange(s, { holder: 'p2', close: [], open: [{ lease_id: 'b', budget_key: 'r', currency: 'EUR', want_minor: 300, min_minor: 200 }] }, lim, 0, POLICY);
    expect(b.opened[0]).toMatchObject({ amount_minor: 0, closed: true, expires_at: 60_000 });
    const c = exchange(s, { holder: 'p2', close: [], open: [{ lease_id: 'c', budget_key: 'r', currency: 'GBP', want_minor: 300, min_minor: 1 }] }, lim, 0, POLICY);
    expect(c.opened[0]).toMatchObject({ amount_minor: 0, closed: true });
  });

  it('a close before its open leaves a tombstone: the late open gets nothing; uses outside the lease and other holders are refused', () => {
    const s = new MemoryKeeperStore();
    const lim = limits({ 'r|EUR': 1000 });
    expect(close(s, 'p1', { lease_id: 'x', used_minor: 0 }, 0)).toBe('closed');
    expect(exchange(s, { holder: 'p1', close: [], open: [{ lease_id: 'x', budget_key: 'r', currency: 'EUR', want_minor: 100, min_minor: 1 }] }, lim, 1, POLICY).opened[0]).toMatchObject({ amount_minor: 0, closed: true });
    expect(close(s, 'p1', { lease_id: 'never', used_minor: 5 }, 0)).toBe('conflict');
    exchange(s, { holder: 'p1', close: [], open: [{ lease_id: 'y', budget_key: 'r', currency: 'EUR', want_minor: 100, min_minor: 1 }] }, lim, 1, POLICY);
    expect(close(s, 'p1', { lease_id: 'y', used_minor: 101 }, 2)).toBe('conflict');
    expect(close(s, 'p1', { lease_id: 'y', used_minor: -1 }, 2)).toBe('conflict');
    expect(close(s, 'p2', { lease_id: 'y', used_minor: 0 }, 2)).toBe('foreign');
    expect(exchange(s, { holder: 'p2', close: [], open: [{ lease_id: 'y', budget_key: 'r', currency: 'EUR', want_minor: 100, min_minor: 1 }] }, lim, 1, POLICY).opened[0]).toMatchObject({ amount_minor: 0 });
    expect(s.totals('r|EUR')).toEqual({ spent: 0, outstanding: 100 });
  });
});

/** One player object's side: the leases it knows (the keeper's answers it received) and what it spent of each. */
type Holder = { id: string; known: Map<string, { amount: number; used: number; open: boolean }>; asked: string[] };

const Op = fc.oneof(
  fc.record({ t: fc.constant('open' as const), h: fc.nat(3), want: fc.integer({ min: 0, max: 600 }), min: fc.integer({ min: 0, max: 300 }), lose: fc.boolean() }),
  fc.record({ t: fc.constant('spend' as const), h: fc.nat(3), amount: fc.integer({ min: 1, max: 300 }) }),
  fc.record({ t: fc.constant('close' as const), h: fc.nat(3), lose: fc.boolean() }),
  fc.record({ t: fc.constant('retry' as const), h: fc.nat(3) }),
  fc.record({ t: fc.constant('reclaim' as const), h: fc.nat(3) }),
  fc.record({ t: fc.constant('forge' as const), h: fc.nat(3), used: fc.integer({ min: -10, max: 2_000 }) }),
);

describe('budget keeper: properties', () => {
  it('whatever the order, retries, lost answers and reclaims: granted <= limit, and the totals are what the leases say', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 3_000 }), fc.array(Op, { maxLength: 120 }), (limit, ops) => {
      const s = new MemoryKeeperStore();
      const lim = limits({ 'r|EUR': limit });
      const holders: Holder[] = [0, 1, 2, 3].map((i) => ({ id: `p${i}`, known: new Map(), asked: [] }));
      let seq = 0;
      let now = 0;
      let granted = 0;
      for (const op of ops) {
        now += 1_000;
        const h = holders[op.h]!;
        if (op.t === 'open') {
          const id = `l${++seq}`;
          h.asked.push(id);
          const r = exchange(s, { holder: h.id, close: [], open: [{ lease_id: id, budget_key: 'r', currency: 'EUR', want_minor: op.want, min_minor: op.min }] }, lim, now, POLICY);
          if (!op.lose) h.known.set(id, { amount: r.opened[0]!.amount_minor, used: 0, open: !r.opened[0]!.closed });
        } else if (op.t === 'retry') {
          // the same open again (an answer that was lost, or a duplicate): never a second lease
          const id = h.asked.at(-1);
          if (!id) continue;
          const r = exchange(s, { holder: h.id, close: [], open: [{ lease_id: id, budget_key: 'r', currency: 'EUR', want_minor: 600, min_minor: 0 }] }, lim, now, POLICY);
          const k = h.known.get(id);
          if (!k) h.known.set(id, { amount: r.opened[0]!.amount_minor, used: 0, open: !r.opened[0]!.closed });
          else expect(r.opened[0]!.amount_minor === k.amount || !k.open).toBe(true);
        } else if (op.t === 'spend') {
          // a grant spends from an open lease it knows, never past its remainder (the engine's check)
          const lease = [...h.known.values()].find((k) => k.open && k.amount - k.used >= op.amount);
          if (lease) { lease.used += op.amount; granted += op.amount; }
        } else if (op.t === 'close' || op.t === 'reclaim') {
          // the holder closes (stops spending first) and reports; or the keeper asks it after expiry: the same report
          for (const id of h.asked) {
            // a request never answered is closed with a use of 0 (nothing was spent of it)
            const k = h.known.get(id) ?? { amount: 0, used: 0, open: true };
            if (!k.open) continue;
            k.open = false;
            h.known.set(id, k);
            if (op.t === 'close' && op.lose) continue; // the report is lost: sent again by a later close
            expect(['closed', 'replay']).toContain(close(s, h.id, { lease_id: id, used_minor: k.used }, now));
          }
          if (op.t === 'close') {
            // resend reports that were lost
            for (const id of h.asked) {
              const k = h.known.get(id)!;
              if (!k.open) expect(['closed', 'replay', 'conflict']).toContain(close(s, h.id, { lease_id: id, used_minor: k.used }, now));
            }
          }
        } else {
          // a wrong report (a bug, another holder): refused, or a replay of the same one; it never frees budget that was spent
          const id = holders[(op.h + 1) % 4]!.asked.at(-1) ?? 'none';
          close(s, h.id, { lease_id: id, used_minor: op.used }, now);
        }
        const t = s.totals('r|EUR');
        expect(granted).toBeLessThanOrEqual(limit);
        expect(t.spent + t.outstanding).toBeLessThanOrEqual(limit);
        expect(t.spent).toBeGreaterThanOrEqual(0);
        expect(t.outstanding).toBeGreaterThanOrEqual(0);
        // the keeper's totals are its leases': spent = the uses reported, outstanding = the open leases
        const leases = [...s.leases.values()].filter((l) => l.line === 'r|EUR');
        expect(t.spent).toBe(leases.reduce((a, l) => a + (l.used ?? 0), 0));
        expect(t.outstanding).toBe(leases.reduce((a, l) => a + (l.used === null ? l.amount : 0), 0));
      }
      // what the holders spent is never more than what the keeper counts as spent or still lent
      const t = s.totals('r|EUR');
      expect(granted).toBeLessThanOrEqual(t.spent + t.outstanding);
    }), { numRuns: 400 });
  });
});
