/**
 * R7 (TARGETS.md): the audit log is tamper-evident. A real AuditDO in workerd: appends chain and
 * emit their events; the triggers refuse edits; and every edit made with raw storage access (the
 * triggers dropped, as an attacker with the database would) is found by `verify`.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../domain/events';
import type { AuditDO } from './audit-do';
import { entryHash } from './chain';
import { STATE_BYTES_MAX } from './schema';
import { auditShardName, type AuditEntryInput, type AuditRow } from './types';

const DROP_TRIGGERS = 'drop trigger entries_no_update; drop trigger entries_no_delete;';

function newShard(): string {
  return auditShardName(`b${crypto.randomUUID().slice(0, 8)}`, Date.now());
}

function auditLog(shard: string): DurableObjectStub<AuditDO> {
  return env.AUDIT.getByName(shard) as DurableObjectStub<AuditDO>;
}

function entry(shard: string, over: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    actor_id: 'op-1', actor_email: 'ann@brand.test', actor_roles: ['support', 'payments'], action: 'player.status.set',
    target_type: 'player', target_id: 'p-1', brand: shard.split(':')[1]!, jurisdiction: 'MT', outcome: 'allowed',
    reason: 'chargeback', before: { status: 'active' }, after: { status: 'locked' }, ip: '10.0.0.1', request_id: 'req-1', ...over,
  };
}

/** A shard holding `n` entries (targets p-1..p-n); returns the stub and the last append's answer. */
async function filled(n: number, shard = newShard()) {
  const stub = auditLog(shard);
  let last = { seq: 0, hash: '' };
  for (let i = 1; i <= n; i++) last = await stub.append(shard, entry(shard, { target_id: `p-${i}` }));
  return { shard, stub, anchor: { seq: last.seq, hash: last.hash } };
}

/** Raw SQL inside the object, with the append-only triggers dropped first. */
function tamper(stub: DurableObjectStub<AuditDO>, fn: (sql: SqlStorage) => void): Promise<void> {
  return runInDurableObject(stub, (_o: AuditDO, state) => {
    state.storage.sql.exec(DROP_TRIGGERS);
    fn(state.storage.sql);
  });
}

function row(sql: SqlStorage, seq: number): AuditRow {
  return sql.exec<AuditRow>('select * from entries where seq = ?', seq).one();
}

describe('AuditDO appends', () => {
  it('chains entries, lists them and verifies', async () => {
    const { shard, stub, anchor } = await filled(5);
    const page = await stub.list(shard, {});
    expect(page.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(page.entries[1]!.prev_hash).toBe(page.entries[0]!.hash);
    expect(page.entries[0]).toMatchObject({ actor_roles: ['support', 'payments'], before: '{"status":"active"}', after: '{"status":"locked"}' });
    expect(await stub.verify(shard, anchor)).toEqual({ shard, ok: true, entries: 5, head_hash: anchor.hash, problem: null });
    expect(await stub.stats()).toEqual({ shard, entries: 5, head_seq: 5, head_hash: anchor.hash });
  });

  it('gives 200 concurrent appends seq 1..200 on one unforked chain', async () => {
    const shard = newShard();
    const stub = auditLog(shard);
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => stub.append(shard, entry(shard, { request_id: `req-${i}` }))));
    expect(answers.map((a) => a.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const head = answers.find((a) => a.seq === 200)!;
    expect(await stub.verify(shard, { seq: 200, hash: head.hash })).toMatchObject({ ok: true, entries: 200 });
  });

  it('emits one valid audit.entry.appended per entry, in the same transaction', async () => {
    const { shard, stub } = await filled(3);
    await stub.append(shard, entry(shard, { target_type: 'operator', target_id: 'op-2', jurisdiction: null, outcome: 'denied' }));
    const events = await stub.outbox();
    const entries = (await stub.list(shard, {})).entries;
    expect(events).toHaveLength(4);
    for (const [i, { event }] of events.entries()) {
      expect(validateEvent(event)).toMatchObject({ ok: true });
      expect(event.event_type).toBe('audit.entry.appended');
      const e = entries[i]!;
      expect(event.payload).toEqual({ shard, seq: e.seq, action: e.action, outcome: e.outcome, actor_id: e.actor_id, target_type: e.target_type, target_id: e.target_id, hash: e.hash });
    }
    expect(events[0]!.event).toMatchObject({ player_id: 'p-1', jurisdiction: 'MT' });
    expect(events[3]!.event).toMatchObject({ player_id: null, jurisdiction: null });
  });

  it('truncates oversize before/after instead of refusing the entry', async () => {
    const shard = newShard();
    const stub = auditLog(shard);
    const big = { blob: 'é'.repeat(STATE_BYTES_MAX) }; // 2 bytes a character
    const bytes = new TextEncoder().encode(JSON.stringify(big)).byteLength;
    await stub.append(shard, entry(shard, { before: big, after: { ok: true }, reason: 'x'.repeat(5000) }));
    const [e] = (await stub.list(shard, {})).entries;
    expect(JSON.parse(e!.before!)).toEqual({ truncated: true, bytes });
    expect(e!.after).toBe('{"ok":true}');
    expect(e!.reason!.length).toBeLessThan(2100);
    expect((await stub.verify(shard)).ok).toBe(true);
  });

  // Called on the instance, not over RPC: the test pool reports every rejected RPC as unhandled
  // (cloudflare/workers-sdk#14736), even when the test awaits it.
  it('refuses malformed entries and a second shard name', async () => {
    const shard = newShard();
    const other = newShard();
    await runInDurableObject(auditLog(shard), (o: AuditDO) => {
      expect(() => o.append(shard, entry(shard, { outcome: 'maybe' as never }))).toThrow(/invariant: audit outcome/);
      expect(() => o.append(shard, entry(shard, { actor_id: '' }))).toThrow(/invariant: audit actor_id/);
      expect(() => o.append(shard, entry(shard, { actor_roles: 'admin' as never }))).toThrow(/invariant: audit actor_roles/);
      expect(() => o.append('not-a-shard', entry(shard))).toThrow(/not an audit shard name/);
      expect(o.stats()).toEqual({ shard: null, entries: 0, head_seq: 0, head_hash: '' });
      o.append(shard, entry(shard));
      expect(() => o.append(other, entry(other))).toThrow(/invariant: this audit object is/);
      expect(() => o.verify(other)).toThrow(/invariant/);
      expect(o.stats()).toMatchObject({ shard, entries: 1 });
    });
  });

  it('lists by page and by action, actor or target', async () => {
    const shard = newShard();
    const stub = auditLog(shard);
    for (let i = 1; i <= 7; i++) {
      await stub.append(shard, entry(shard, { action: i % 2 ? 'player.view' : 'player.status.set', actor_id: `op-${i % 3}`, target_id: `p-${i}` }));
    }
    const first = await stub.list(shard, { limit: 3 });
    expect(first.entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(first.next_after_seq).toBe(3);
    const last = await stub.list(shard, { limit: 3, afterSeq: 6 });
    expect(last).toMatchObject({ next_after_seq: null });
    expect(last.entries.map((e) => e.seq)).toEqual([7]);
    expect((await stub.list(shard, { action: 'player.view' })).entries.map((e) => e.seq)).toEqual([1, 3, 5, 7]);
    expect((await stub.list(shard, { actor_id: 'op-0' })).entries.map((e) => e.seq)).toEqual([3, 6]);
    expect((await stub.list(shard, { target_id: 'p-4', action: 'player.status.set' })).entries.map((e) => e.seq)).toEqual([4]);
    expect((await stub.list(shard, { limit: 10_000 })).entries).toHaveLength(7);
  });
});

describe('AuditDO tamper evidence (R7)', () => {
  it('refuses UPDATE and DELETE while the triggers exist', async () => {
    const { stub } = await filled(2);
    await runInDurableObject(stub, (_o: AuditDO, state) => {
      expect(() => state.storage.sql.exec("update entries set action = 'x' where seq = 1")).toThrow(/append-only/);
      expect(() => state.storage.sql.exec('delete from entries where seq = 2')).toThrow(/append-only/);
      expect(() => state.storage.sql.exec("update meta set value = 'x'")).toThrow(/append-only/);
    });
  });

  it('detects an edited field of a middle entry', async () => {
    const { shard, stub } = await filled(5);
    await tamper(stub, (sql) => sql.exec("update entries set outcome = 'denied' where seq = 3"));
    expect((await stub.verify(shard)).problem).toEqual({ seq: 3, reason: 'hash mismatch: entry was edited' });
  });

  it('detects a deleted middle entry', async () => {
    const { shard, stub } = await filled(5);
    await tamper(stub, (sql) => sql.exec('delete from entries where seq = 3'));
    expect(await stub.verify(shard)).toMatchObject({ ok: false, entries: 4, problem: { seq: 3, reason: 'seq gap: entry 3 missing' } });
  });

  it('detects two swapped entries', async () => {
    const { shard, stub } = await filled(5);
    await tamper(stub, (sql) => sql.exec('update entries set seq = -3 where seq = 3; update entries set seq = 3 where seq = 4; update entries set seq = 4 where seq = -3;'));
    expect((await stub.verify(shard)).problem).toEqual({ seq: 3, reason: 'prev_hash does not link to entry 2' });
  });

  it('detects an edited entry whose hash was recomputed, at the next link', async () => {
    const { shard, stub } = await filled(5);
    await tamper(stub, (sql) => {
      sql.exec("update entries set reason = 'goodwill' where seq = 2");
      const r = row(sql, 2);
      sql.exec('update entries set hash = ? where seq = 2', entryHash(r.prev_hash, r));
    });
    expect((await stub.verify(shard)).problem).toEqual({ seq: 3, reason: 'prev_hash does not link to entry 2' });
  });

  it('detects a deleted last entry only against an anchor', async () => {
    const { shard, stub, anchor } = await filled(5);
    await tamper(stub, (sql) => sql.exec('delete from entries where seq = 5'));
    expect(await stub.verify(shard)).toMatchObject({ ok: true, entries: 4 });
    expect((await stub.verify(shard, anchor)).problem).toEqual({ seq: 5, reason: 'tail truncated: the chain ends at entry 4 but the anchor is entry 5' });
  });

  it('detects a rebuilt chain only against an anchor', async () => {
    const { shard, stub, anchor } = await filled(5);
    await tamper(stub, (sql) => {
      sql.exec("update entries set outcome = 'failed' where seq = 2");
      for (let seq = 2; seq <= 5; seq++) {
        const r = row(sql, seq);
        const prev = row(sql, seq - 1).hash;
        sql.exec('update entries set prev_hash = ?, hash = ? where seq = ?', prev, entryHash(prev, r), seq);
      }
    });
    expect((await stub.verify(shard)).ok).toBe(true);
    expect((await stub.verify(shard, anchor)).problem).toEqual({ seq: 5, reason: 'anchor mismatch: entry 5 is not the one anchored (chain rewritten)' });
  });

  it('detects an entry copied from another shard', async () => {
    const source = await filled(3);
    const copied = await runInDurableObject(source.stub, (_o: AuditDO, state) => ({ first: row(state.storage.sql, 1), third: row(state.storage.sql, 3) }));
    const insert = (sql: SqlStorage, r: AuditRow) => sql.exec(`insert into entries values (${Object.keys(r).map(() => '?').join(', ')})`, ...Object.values(r));

    const target = await filled(2);
    await tamper(target.stub, (sql) => insert(sql, copied.third));
    expect((await target.stub.verify(target.shard)).problem).toEqual({ seq: 3, reason: 'prev_hash does not link to entry 2' });

    const empty = newShard();
    await tamper(auditLog(empty), (sql) => insert(sql, copied.first));
    expect((await auditLog(empty).verify(empty)).problem).toEqual({ seq: 1, reason: `prev_hash does not link to the genesis of ${empty} (entry from another shard?)` });
  });
});
