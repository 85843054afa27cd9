/**
 * BrandOpsDO through real RPC: at-least-once ingestion (dedupe, out-of-order snapshots and queue
 * events), the brand guard, player search with jurisdiction scope, the work queues, counts and the
 * housekeeping alarm.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { BrandOpsDO } from './brand-ops-do';
import { batch, ev, MIN, opsStub, snapshot, T0 } from './test-fixtures';
import { RELAY_BATCH_EVENTS_MAX, type RelayBatch } from './types';

describe('ingest', () => {
  it('applies each event once: a replayed batch and duplicates inside a batch are counted, not applied', async () => {
    const ops = opsStub();
    const p = snapshot();
    const a = ev.withdrawalRequested(p, 'w1', 1000, T0);
    const b = ev.loginFailed(p, T0 + 1);
    expect(await ops.ingest(batch(p, a, b, a))).toEqual({ ok: true, accepted: 2, duplicates: 1 });
    expect(await ops.ingest(batch(p, a, b))).toEqual({ ok: true, accepted: 0, duplicates: 2 });
    expect(await ops.seen(a.event_id)).toBe(true);
    expect(await ops.seen(crypto.randomUUID())).toBe(false);
    expect(await ops.withdrawalQueue()).toHaveLength(1);
  });

  it('keeps the newest snapshot whatever the arrival order (ties: the later arrival)', async () => {
    const ops = opsStub();
    const p = snapshot({ updated_at: T0 + 10, status: 'locked', email: 'New@Example.test' });
    await ops.ingest(batch(p));
    await ops.ingest(batch({ ...p, updated_at: T0 + 5, status: 'active', email: 'old@example.test' }));
    expect(await ops.player(p.player_id)).toEqual(p);
    await ops.ingest(batch({ ...p, status: 'closed' }));
    expect((await ops.player(p.player_id))?.status).toBe('closed');
    expect(await ops.player('nobody')).toBeNull();
  });

  it('refuses a snapshot of another brand than the first one it was sent, applying nothing', async () => {
    const ops = opsStub();
    await ops.ingest(batch(snapshot()));
    const other = snapshot({ brand: 'sakura' });
    const e = ev.loginFailed(other, T0);
    await refuses(ops, batch(other, e), /brand sakura/);
    expect(await ops.seen(e.event_id)).toBe(false);
    expect(await ops.player(other.player_id)).toBeNull();
  });

  it('takes its brand from its name ops:<brand>', async () => {
    const ops = opsStub(`ops:sakura`);
    await refuses(ops, batch(snapshot({ brand: 'aurora' })), /serves sakura/);
    expect(await ops.ingest(batch(snapshot({ brand: 'sakura' })))).toEqual({ ok: true, accepted: 0, duplicates: 0 });
  });

  it('refuses malformed batches: an invalid event, another player\'s event, too many events', async () => {
    const ops = opsStub();
    const p = snapshot();
    const bad = { ...ev.loginFailed(p, T0), payload: { reason: 42 } };
    await refuses(ops, batch(p, bad as never), /invalid/);
    await refuses(ops, batch(p, ev.loginFailed(snapshot(), T0)), /of player/);
    const many = Array.from({ length: RELAY_BATCH_EVENTS_MAX + 1 }, (_, i) => ev.loginFailed(p, T0 + i));
    await refuses(ops, batch(p, ...many), /at most/);
    await refuses(ops, { player: { ...p, kyc_status: 'maybe' } as never, events: [] }, /snapshot/);
    expect(await ops.player(p.player_id)).toBeNull();
  });
});

describe('player search', () => {
  async function seeded() {
    const ops = opsStub();
    const players = [
      snapshot({ email: 'Ana.Silva@example.test', jurisdiction: 'MT', created_at: T0 + 1 }),
      snapshot({ email: 'anabel@mail.test', jurisdiction: 'GB', country: 'GB', currency: 'GBP', created_at: T0 + 2, kyc_status: 'pending' }),
      snapshot({ email: 'bob@example.test', jurisdiction: 'MT', created_at: T0 + 3, status: 'locked', vip: true }),
      snapshot({ email: 'carla@silva.test', jurisdiction: 'ON', country: 'CA', currency: 'CAD', created_at: T0 + 4 }),
    ];
    for (const p of players) await ops.ingest(batch(p));
    return { ops, players };
  }
  const ids = (r: { players: { player_id: string }[] }) => r.players.map((p) => p.player_id);

  it('matches an exact id, an email prefix or part, case-insensitively; newest first', async () => {
    const { ops, players: [ana, anabel, bob, carla] } = await seeded();
    expect(ids(await ops.search({ q: bob!.player_id }))).toEqual([bob!.player_id]);
    expect(ids(await ops.search({ q: 'ANA' }))).toEqual([anabel!.player_id, ana!.player_id]);
    expect(ids(await ops.search({ q: 'silva' }))).toEqual([carla!.player_id, ana!.player_id]);
    expect(ids(await ops.search({ q: '%' }))).toEqual([]); // no LIKE wildcards
    expect(ids(await ops.search({ q: bob!.player_id.slice(0, 8) }))).toEqual([]); // ids match exactly only
  });

  it('filters by status, KYC state, jurisdiction and VIP, within the caller\'s jurisdictions', async () => {
    const { ops, players: [ana, anabel, bob, carla] } = await seeded();
    expect(ids(await ops.search({ status: 'locked' }))).toEqual([bob!.player_id]);
    expect(ids(await ops.search({ kyc_status: 'pending' }))).toEqual([anabel!.player_id]);
    expect(ids(await ops.search({ jurisdiction: 'MT' }))).toEqual([bob!.player_id, ana!.player_id]);
    expect(ids(await ops.search({ jurisdictions: ['MT'] }))).toEqual([bob!.player_id, ana!.player_id]);
    expect(ids(await ops.search({ jurisdictions: ['MT'], vip: false }))).toEqual([ana!.player_id]);
    expect(ids(await ops.search({ q: 'ana', jurisdictions: ['MT', 'ON'] }))).toEqual([ana!.player_id]);
    expect(ids(await ops.search({ jurisdiction: 'GB', jurisdictions: ['MT'] }))).toEqual([]);
    expect(ids(await ops.search({ jurisdictions: [] }))).toEqual([]);
    expect(ids(await ops.search({ jurisdictions: ['*'] }))).toHaveLength(4);
    expect(ids(await ops.search({}))).toEqual([carla, bob, anabel, ana].map((p) => p!.player_id));
  });

  it('pages with a cursor and caps the limit at 100', async () => {
    const { ops, players } = await seeded();
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const r: { players: { player_id: string }[]; next: string | null } = await ops.search({ limit: 3, after });
      seen.push(...ids(r));
      after = r.next;
      if (!after) break;
    }
    expect(seen).toEqual(players.map((p) => p.player_id).reverse());
    expect(await ops.search({ limit: 2, jurisdictions: ['GB'] })).toEqual({ players: [players[1]], next: null });
    await runInDurableObject(ops, (o: BrandOpsDO) => expect(() => o.search({ after: 'garbage' })).toThrow(/cursor/));

    const big = opsStub();
    const many = Array.from({ length: 120 }, (_, i) => snapshot({ created_at: T0 + i }));
    for (const p of many) await big.ingest(batch(p));
    const page = await big.search({ limit: 1000 });
    expect(page.players).toHaveLength(100);
    expect(page.next).not.toBeNull();
  });

  it('exports in registration order, within the caller\'s jurisdictions', async () => {
    const { ops, players } = await seeded();
    expect((await ops.exportPlayers()).map((p) => p.player_id)).toEqual(players.map((p) => p.player_id));
    expect((await ops.exportPlayers({ jurisdictions: ['GB', 'ON'] })).map((p) => p.email)).toEqual(['anabel@mail.test', 'carla@silva.test']);
  });
});

describe('work queues', () => {
  it('KYC: pending players oldest first, since the change to pending; leaves when decided', async () => {
    const ops = opsStub();
    const a = snapshot({ jurisdiction: 'GB', kyc_status: 'pending', updated_at: T0 + 20 * MIN });
    const b = snapshot({ kyc_status: 'pending', updated_at: T0 + 9 * MIN });
    await ops.ingest(batch(a, ev.kycChanged(a, 'none', 'pending', T0 + 5 * MIN)));
    await ops.ingest(batch(b)); // no event yet: pending since the snapshot that showed it
    expect((await ops.kycQueue()).map((i) => [i.player_id, i.pending_since])).toEqual([[a.player_id, T0 + 5 * MIN], [b.player_id, T0 + 9 * MIN]]);
    expect((await ops.kycQueue({ jurisdictions: ['MT'] })).map((i) => i.player_id)).toEqual([b.player_id]);
    // b's own event arrives later and says when it really started
    await ops.ingest(batch({ ...b, updated_at: T0 + 9 * MIN }, ev.kycChanged(b, 'none', 'pending', T0 + 2 * MIN)));
    expect((await ops.kycQueue()).map((i) => i.player_id)).toEqual([b.player_id, a.player_id]);
    // decided: verified, then the stale pending snapshot arrives late and changes nothing
    const verified = { ...a, kyc_status: 'verified' as const, updated_at: T0 + 30 * MIN };
    await ops.ingest(batch(verified, ev.kycChanged(a, 'pending', 'verified', T0 + 30 * MIN)));
    await ops.ingest(batch(a));
    expect((await ops.kycQueue()).map((i) => i.player_id)).toEqual([b.player_id]);
  });

  it('withdrawals: pending, then approved (still listed), then gone when paid or rejected', async () => {
    const ops = opsStub();
    const p = snapshot();
    await ops.ingest(batch(p, ev.withdrawalRequested(p, 'w1', 2500, T0), ev.withdrawalRequested(p, 'w2', 700, T0 + 1)));
    expect(await ops.withdrawalQueue()).toEqual([
      { withdrawal_id: 'w1', player_id: p.player_id, jurisdiction: 'MT', vip: false, currency: 'EUR', amount_minor: 2500, state: 'pending', requested_at: T0, approved_at: null, approved_by: null },
      expect.objectContaining({ withdrawal_id: 'w2', state: 'pending' }),
    ]);
    await ops.ingest(batch(p, ev.withdrawalApproved(p, 'w1', 2500, T0 + MIN)));
    expect((await ops.withdrawalQueue({ state: 'approved' })).map((w) => [w.withdrawal_id, w.approved_by, w.approved_at])).toEqual([['w1', 'operator:ops-1', T0 + MIN]]);
    expect((await ops.withdrawalQueue({ state: 'pending' })).map((w) => w.withdrawal_id)).toEqual(['w2']);
    await ops.ingest(batch(p, ev.withdrawalPaid(p, 'w1', 2500, T0 + 2 * MIN), ev.withdrawalRejected(p, 'w2', 700, T0 + 2 * MIN)));
    expect(await ops.withdrawalQueue()).toEqual([]);
  });

  it('withdrawals: a later state is never overwritten by an earlier one arriving late', async () => {
    const ops = opsStub();
    const p = snapshot();
    // paid before requested and approved: never listed
    await ops.ingest(batch(p, ev.withdrawalPaid(p, 'w1', 100, T0 + 2 * MIN)));
    await ops.ingest(batch(p, ev.withdrawalRequested(p, 'w1', 100, T0), ev.withdrawalApproved(p, 'w1', 100, T0 + MIN)));
    // approved before requested: listed as approved, the request time filled in when it comes
    await ops.ingest(batch(p, ev.withdrawalApproved(p, 'w2', 300, T0 + 5 * MIN)));
    expect((await ops.withdrawalQueue()).map((w) => [w.withdrawal_id, w.state, w.requested_at])).toEqual([['w2', 'approved', null]]);
    await ops.ingest(batch(p, ev.withdrawalRequested(p, 'w2', 300, T0 + 4 * MIN)));
    expect((await ops.withdrawalQueue()).map((w) => [w.withdrawal_id, w.state, w.requested_at])).toEqual([['w2', 'approved', T0 + 4 * MIN]]);
    // rejected before requested
    await ops.ingest(batch(p, ev.withdrawalRejected(p, 'w3', 50, T0 + 9 * MIN)));
    await ops.ingest(batch(p, ev.withdrawalRequested(p, 'w3', 50, T0 + 8 * MIN)));
    expect((await ops.withdrawalQueue()).map((w) => w.withdrawal_id)).toEqual(['w2']);
  });

  it('withdrawals: one its player cancelled leaves the queue and the counts, whatever the arrival order', async () => {
    const ops = opsStub();
    const p = snapshot();
    await ops.ingest(batch(p, ev.withdrawalRequested(p, 'w1', 400, T0), ev.withdrawalRequested(p, 'w2', 500, T0 + 1)));
    expect((await ops.counts()).withdrawals_pending).toBe(2);
    await ops.ingest(batch(p, ev.withdrawalCancelled(p, 'w1', 400, T0 + MIN)));
    expect((await ops.withdrawalQueue()).map((w) => w.withdrawal_id)).toEqual(['w2']);
    expect((await ops.counts()).withdrawals_pending).toBe(1);
    // cancelled before its request arrives: a tombstone, never listed
    await ops.ingest(batch(p, ev.withdrawalCancelled(p, 'w3', 50, T0 + 9 * MIN)));
    await ops.ingest(batch(p, ev.withdrawalRequested(p, 'w3', 50, T0 + 8 * MIN)));
    expect((await ops.withdrawalQueue()).map((w) => w.withdrawal_id)).toEqual(['w2']);
    const rows = await runInDurableObject(ops, (o: BrandOpsDO) => internals(o).c.db.all`select withdrawal_id, state, rank, requested_at from withdrawals order by withdrawal_id`);
    expect(rows).toEqual([
      { withdrawal_id: 'w1', state: 'cancelled', rank: 3, requested_at: T0 },
      { withdrawal_id: 'w2', state: 'pending', rank: 1, requested_at: T0 + 1 },
      { withdrawal_id: 'w3', state: 'cancelled', rank: 3, requested_at: T0 + 8 * MIN },
    ]);
  });

  it('adjustments: only those needing approval, until applied or rejected, in any order', async () => {
    const ops = opsStub();
    const p = snapshot({ jurisdiction: 'GB', currency: 'GBP' });
    await ops.ingest(batch(p,
      ev.adjustmentRequested(p, 'a1', 90_000, true, T0),
      ev.adjustmentRequested(p, 'a2', 100, false, T0 + 1),
      ev.adjustmentApplied(p, 'a2', 100, T0 + 1),
      ev.adjustmentRequested(p, 'a3', -70_000, true, T0 + 2)));
    expect(await ops.adjustmentQueue()).toEqual([
      { adjustment_id: 'a1', player_id: p.player_id, jurisdiction: 'GB', vip: false, currency: 'GBP', bucket: 'real', amount_minor: 90_000, reason: 'goodwill', requested_by: 'operator:ops-1', requested_at: T0 },
      expect.objectContaining({ adjustment_id: 'a3', amount_minor: -70_000 }),
    ]);
    expect(await ops.adjustmentQueue({ jurisdictions: ['MT'] })).toEqual([]);
    await ops.ingest(batch(p, ev.adjustmentApplied(p, 'a1', 90_000, T0 + MIN), ev.adjustmentRejected(p, 'a3', -70_000, T0 + MIN)));
    // decided before requested: never queued
    await ops.ingest(batch(p, ev.adjustmentApplied(p, 'a4', 60_000, T0 + 3 * MIN)));
    await ops.ingest(batch(p, ev.adjustmentRequested(p, 'a4', 60_000, true, T0 + 2 * MIN)));
    expect(await ops.adjustmentQueue()).toEqual([]);
  });

  it('counts the queues for the dashboard, within a scope', async () => {
    const ops = opsStub();
    const mt = snapshot({ kyc_status: 'pending' });
    const gb = snapshot({ jurisdiction: 'GB', currency: 'GBP', vip: true });
    await ops.ingest(batch(mt, ev.withdrawalRequested(mt, 'w1', 100, T0), ev.withdrawalRequested(mt, 'w2', 100, T0), ev.withdrawalApproved(mt, 'w2', 100, T0 + 1)));
    await ops.ingest(batch(gb, ev.adjustmentRequested(gb, 'a1', 90_000, true, T0), ev.winCredited(gb, 'win1', 500_000, T0, 'GBP')));
    expect(await ops.counts()).toEqual({ players: 2, kyc_pending: 1, withdrawals_pending: 1, withdrawals_approved: 1, adjustments_pending: 1, alerts_open: 1 });
    expect(await ops.counts({ jurisdictions: ['MT'] })).toEqual({ players: 1, kyc_pending: 1, withdrawals_pending: 1, withdrawals_approved: 1, adjustments_pending: 0, alerts_open: 0 });
    expect(await ops.counts({ vip: true })).toEqual({ players: 1, kyc_pending: 0, withdrawals_pending: 0, withdrawals_approved: 0, adjustments_pending: 1, alerts_open: 1 });
  });
});

describe('housekeeping', () => {
  it('forgets seen event ids and queue tombstones after 35 days, daily, by alarm', async () => {
    const ops = opsStub();
    const p = snapshot();
    const old = ev.withdrawalPaid(p, 'w1', 100, T0);
    await ops.ingest(batch(p, old, ev.withdrawalRequested(p, 'w2', 100, T0), ev.withdrawalCancelled(p, 'w3', 100, T0)));
    const before = await runInDurableObject(ops, (o: BrandOpsDO) => internals(o).c.schedules.pending());
    expect(before.map((j) => j.kind)).toEqual(['housekeeping']);

    await runInDurableObject(ops, (o: BrandOpsDO) => { internals(o).c.clockOffsetMs = 34 * 24 * 3_600_000; });
    await runDurableObjectAlarm(ops);
    expect(await ops.seen(old.event_id)).toBe(true);

    await runInDurableObject(ops, (o: BrandOpsDO) => { internals(o).c.clockOffsetMs = 36 * 24 * 3_600_000; });
    await runDurableObjectAlarm(ops);
    expect(await ops.seen(old.event_id)).toBe(false);
    const after = await runInDurableObject(ops, (o: BrandOpsDO) => ({
      withdrawals: internals(o).c.db.all<{ withdrawal_id: string }>`select withdrawal_id from withdrawals order by withdrawal_id`,
      jobs: internals(o).c.schedules.pending(),
      now: internals(o).c.now(),
    }));
    expect(after.withdrawals.map((w) => w.withdrawal_id)).toEqual(['w2']); // the pending one stays; paid and cancelled tombstones go
    expect(after.jobs).toEqual([{ kind: 'housekeeping', ref: 'daily', due_at: expect.any(Number) }]);
    expect(after.jobs[0]!.due_at).toBeGreaterThan(after.now);
  });
});

/**
 * Asserts that ingest throws. Called inside the object: a rejecting RPC leaks an unhandled
 * rejection in the vitest pool even when the test handles it (workers-sdk#14736).
 */
async function refuses(ops: DurableObjectStub<BrandOpsDO>, b: RelayBatch, message: RegExp): Promise<void> {
  await runInDurableObject(ops, (o: BrandOpsDO) => expect(() => o.ingest(b)).toThrow(message));
}

/** The private parts of a BrandOpsDO instance, for tests that run inside it. */
function internals(o: BrandOpsDO) {
  return o as unknown as { c: import('./context').OpsContext };
}
