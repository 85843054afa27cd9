/** The hash chain alone (no object): what it links, and each way a stored chain can be broken. */
import { describe, expect, it } from 'vitest';
import { canonical, entryHash, genesisHash, verifyChain } from './chain';
import type { AuditRow } from './types';

const SHARD = 'audit:acme:2026-03-01';

function fields(seq: number): Omit<AuditRow, 'prev_hash' | 'hash'> {
  return {
    seq, at: 1_772_323_200_000 + seq, actor_id: 'op-1', actor_email: 'ann@acme.test', actor_roles: '["support"]',
    action: 'player.view', target_type: 'player', target_id: `p-${seq}`, brand: 'acme', jurisdiction: 'MT',
    outcome: 'allowed', reason: null, before: null, after: seq % 2 ? '{"status":"locked"}' : null, ip: '10.0.0.1', request_id: `r-${seq}`,
  };
}

/** A valid chain of `n` entries, built the way AuditDO appends. */
function chain(n: number, shard = SHARD): AuditRow[] {
  const rows: AuditRow[] = [];
  let prev = genesisHash(shard);
  for (let seq = 1; seq <= n; seq++) {
    const f = fields(seq);
    const hash = entryHash(prev, f);
    rows.push({ ...f, prev_hash: prev, hash });
    prev = hash;
  }
  return rows;
}

/** Recomputes every link and hash, as an attacker with storage access would. */
function rehash(rows: AuditRow[], shard = SHARD): AuditRow[] {
  let prev = genesisHash(shard);
  return rows.map((r) => {
    const hash = entryHash(prev, r);
    const out = { ...r, prev_hash: prev, hash };
    prev = hash;
    return out;
  });
}

describe('audit hash chain', () => {
  it('links from a genesis hash of the shard name, over every stored field in a fixed order', () => {
    const rows = chain(2);
    expect(rows[0]!.prev_hash).toBe(genesisHash(SHARD));
    expect(genesisHash(SHARD)).toMatch(/^[0-9a-f]{64}$/);
    expect(genesisHash('audit:acme:2026-03-02')).not.toBe(genesisHash(SHARD));
    expect(rows[1]!.prev_hash).toBe(rows[0]!.hash);
    const c = JSON.parse(canonical(rows[0]!)) as unknown[];
    expect(c).toHaveLength(16);
    expect(c.slice(0, 6)).toEqual([1, fields(1).at, 'op-1', 'ann@acme.test', '["support"]', 'player.view']);
    // the hash covers neither hash field, so a row and its fields hash alike
    expect(entryHash(rows[0]!.prev_hash, rows[0]!)).toBe(rows[0]!.hash);
  });

  it('verifies an intact chain and an empty one', () => {
    const rows = chain(5);
    expect(verifyChain(SHARD, rows)).toEqual({ shard: SHARD, ok: true, entries: 5, head_hash: rows[4]!.hash, problem: null });
    expect(verifyChain(SHARD, rows, { seq: 5, hash: rows[4]!.hash }).ok).toBe(true);
    expect(verifyChain(SHARD, rows, { seq: 2, hash: rows[1]!.hash }).ok).toBe(true);
    expect(verifyChain(SHARD, [])).toEqual({ shard: SHARD, ok: true, entries: 0, head_hash: '', problem: null });
  });

  it('detects an edited field, whichever field it is', () => {
    for (const key of Object.keys(fields(1)) as (keyof ReturnType<typeof fields>)[]) {
      if (key === 'seq') continue;
      const rows = chain(4);
      rows[2] = { ...rows[2]!, [key]: key === 'at' ? 1 : 'forged' };
      expect(verifyChain(SHARD, rows).problem, key).toEqual({ seq: 3, reason: 'hash mismatch: entry was edited' });
    }
  });

  it('detects a missing entry, and a missing entry with the rest renumbered', () => {
    const rows = chain(5);
    const gap = [...rows.slice(0, 2), ...rows.slice(3)];
    expect(verifyChain(SHARD, gap)).toMatchObject({ ok: false, entries: 4, problem: { seq: 3, reason: 'seq gap: entry 3 missing' } });
    const renumbered = gap.map((r, i) => ({ ...r, seq: i + 1 }));
    expect(verifyChain(SHARD, renumbered).problem).toEqual({ seq: 3, reason: 'prev_hash does not link to entry 2' });
  });

  it('detects reordered entries', () => {
    const rows = chain(5);
    const swapped = [rows[0]!, rows[1]!, { ...rows[3]!, seq: 3 }, { ...rows[2]!, seq: 4 }, rows[4]!];
    expect(verifyChain(SHARD, swapped).problem).toEqual({ seq: 3, reason: 'prev_hash does not link to entry 2' });
    expect(verifyChain(SHARD, [rows[1]!, rows[0]!]).problem).toEqual({ seq: 1, reason: 'seq gap: entry 1 missing' });
  });

  it('detects an edit whose hash was recomputed, at the next link', () => {
    const rows = chain(4);
    const edited = { ...rows[1]!, outcome: 'denied' as const };
    rows[1] = { ...edited, hash: entryHash(edited.prev_hash, edited) };
    expect(verifyChain(SHARD, rows).problem).toEqual({ seq: 3, reason: 'prev_hash does not link to entry 2' });
  });

  it('detects entries from another shard', () => {
    const other = chain(3, 'audit:acme:2026-02-28');
    expect(verifyChain(SHARD, other).problem).toEqual({ seq: 1, reason: `prev_hash does not link to the genesis of ${SHARD} (entry from another shard?)` });
    const mixed = [...chain(2), other[2]!];
    expect(verifyChain(SHARD, mixed).problem).toEqual({ seq: 3, reason: 'prev_hash does not link to entry 2' });
  });

  it('needs an anchor to see a truncated tail or a rebuilt chain', () => {
    const rows = chain(5);
    const anchor = { seq: 5, hash: rows[4]!.hash };
    const truncated = rows.slice(0, 4);
    expect(verifyChain(SHARD, truncated).ok).toBe(true);
    expect(verifyChain(SHARD, truncated, anchor).problem).toEqual({ seq: 5, reason: 'tail truncated: the chain ends at entry 4 but the anchor is entry 5' });
    expect(verifyChain(SHARD, [], anchor).problem).toEqual({ seq: 1, reason: 'tail truncated: the chain ends at entry 0 but the anchor is entry 5' });

    const rebuilt = rehash(rows.map((r) => (r.seq === 2 ? { ...r, reason: 'forged' } : r)));
    expect(verifyChain(SHARD, rebuilt).ok).toBe(true);
    expect(verifyChain(SHARD, rebuilt, anchor).problem).toEqual({ seq: 5, reason: 'anchor mismatch: entry 5 is not the one anchored (chain rewritten)' });
    // an older anchor still catches a rewrite at or before it, and cannot vouch for what follows it
    expect(verifyChain(SHARD, rebuilt, { seq: 2, hash: rows[1]!.hash }).problem?.seq).toBe(2);
    expect(verifyChain(SHARD, rehash(rows.map((r) => (r.seq === 4 ? { ...r, reason: 'forged' } : r))), { seq: 2, hash: rows[1]!.hash }).ok).toBe(true);
  });

  it('reports the first problem and still counts every entry', () => {
    const rows = chain(6);
    rows[1] = { ...rows[1]!, action: 'forged' };
    rows[4] = { ...rows[4]!, action: 'forged' };
    expect(verifyChain(SHARD, rows)).toMatchObject({ ok: false, entries: 6, head_hash: rows[5]!.hash, problem: { seq: 2 } });
  });

  it('refuses an anchor that is not a positive seq', () => {
    expect(() => verifyChain(SHARD, chain(1), { seq: 0, hash: '' })).toThrow(/invariant/);
  });
});
