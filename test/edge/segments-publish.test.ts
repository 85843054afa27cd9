/**
 * POST /internal/v1/segments: the warehouse's segment publications (domain/segments.ts). Only its
 * own signature authenticates; a replay or an older snapshot changes nothing; an event is emitted
 * once per actual change; batches are bounded; unknown players are reported per item. The back
 * office shows what was published, to operators who may read the profile.
 */
import { SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateEvent, type CasinoEvent } from '../../domain/events';
import { SEGMENTS_BATCH_MAX, SEGMENTS_BODY_LIMIT_BYTES, snapshotId } from '../../domain/segments';
import { signRequest } from '../../domain/signed-request';
import { expectError, player, register, type Json } from './helpers';
import { createOperator, opCall, bootstrapAdmin, type Operator } from './ops-helpers';

const SECRET = 'test-only-segments-publish-secret-0123456789';
const PATH = '/internal/v1/segments';

type Item = { snapshot_id: string; player_id: string; segments: string[]; vip_tier: string | null };

let snap = 0;
/** Snapshot ids in the order they are made (each a millisecond later). */
const nextSnapshot = () => snapshotId(Date.UTC(2026, 11, 2, 8, 0, 0) + ++snap, crypto.randomUUID().replaceAll('-', ''));

async function post(body: string, headers: Record<string, string>): Promise<{ status: number; body: Json }> {
  const res = await SELF.fetch(`https://casino.test${PATH}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

async function publish(items: Item[] | unknown, opts: { secret?: string; nowMs?: number } = {}) {
  const body = JSON.stringify({ items });
  return post(body, await signRequest(opts.secret ?? SECRET, 'segments', body, opts.nowMs));
}

async function segmentEvents(playerId: string): Promise<CasinoEvent[]> {
  const rows = await player(playerId).outbox(0, 1000);
  return rows.map((r) => r.event).filter((e) => e.event_type === 'player.segments.changed');
}

async function held(playerId: string) {
  const r = await player(playerId).inspect();
  if (!r.ok) throw new Error('no player');
  return r.segments;
}

describe('segments publish: authentication', () => {
  it('refuses a missing, wrong, foreign or stale signature with 401 and changes nothing', async () => {
    const p = await register();
    const items = [{ snapshot_id: nextSnapshot(), player_id: p.playerId, segments: ['whale'], vip_tier: 'gold' }];
    const body = JSON.stringify({ items });

    expectError(await post(body, {}), 401, 'invalid_signature');
    expectError(await post(body, { 'X-Timestamp': String(Math.floor(Date.now() / 1000)), 'X-Signature': `sha256=${'0'.repeat(64)}` }), 401, 'invalid_signature');
    // signed with another secret (a provider's), or for another action
    expectError(await publish(items, { secret: 'test-only-provider-secret-sandbox-slots-0123456789' }), 401, 'invalid_signature');
    expectError(await post(body, await signRequest(SECRET, 'bet', body)), 401, 'invalid_signature');
    // a genuine signature over other bytes (the body changed in flight)
    const signed = await signRequest(SECRET, 'segments', body);
    expectError(await post(body.replace('whale', 'minnow'), signed), 401, 'invalid_signature');
    // genuine but outside the 5-minute window
    expectError(await publish(items, { nowMs: Date.now() - 6 * 60_000 }), 401, 'request_expired');

    expect(await held(p.playerId)).toMatchObject({ segments: [], vip_tier: null, snapshot_id: null });
    expect(await segmentEvents(p.playerId)).toEqual([]);
  });

  it('is not in the public OpenAPI document', async () => {
    const res = await SELF.fetch('https://casino.test/v1/openapi.json');
    const doc = await res.json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((k) => k.includes('internal') || k.includes('segments'))).toEqual([]);
  });
});

describe('segments publish: idempotency and ordering', () => {
  it('applies a snapshot once: a replay changes nothing and emits nothing', async () => {
    const p = await register();
    const s1 = nextSnapshot();
    const items = [{ snapshot_id: s1, player_id: p.playerId, segments: ['whale', 'churn_risk', 'whale'], vip_tier: 'gold' }];
    const first = await publish(items);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ results: [{ player_id: p.playerId, snapshot_id: s1, outcome: 'changed' }], summary: { changed: 1, unchanged: 0, replayed: 0, stale: 0, unknown_player: 0 } });
    const after = await held(p.playerId);
    expect(after).toMatchObject({ segments: ['churn_risk', 'whale'], vip_tier: 'gold', snapshot_id: s1 });

    const again = await publish(items);
    expect(again.status).toBe(200);
    expect(again.body.results[0].outcome).toBe('replayed');
    expect(await held(p.playerId)).toEqual(after);

    const events = await segmentEvents(p.playerId);
    expect(events).toHaveLength(1);
    expect(validateEvent(events[0])).toMatchObject({ ok: true });
    expect(events[0]!.payload).toEqual({
      snapshot_id: s1, from: '', to: 'churn_risk,whale', added: 'churn_risk,whale', removed: '', vip_tier_from: null, vip_tier_to: 'gold',
    });
  });

  it('ignores an older snapshot arriving after a newer one', async () => {
    const p = await register();
    const older = nextSnapshot();
    const newer = nextSnapshot();
    expect((await publish([{ snapshot_id: newer, player_id: p.playerId, segments: ['vip_candidate'], vip_tier: 'silver' }])).body.results[0].outcome).toBe('changed');
    const late = await publish([{ snapshot_id: older, player_id: p.playerId, segments: ['dormant'], vip_tier: null }]);
    expect(late.status).toBe(200);
    expect(late.body.results[0].outcome).toBe('stale');
    expect(await held(p.playerId)).toMatchObject({ segments: ['vip_candidate'], vip_tier: 'silver', snapshot_id: newer });
    expect(await segmentEvents(p.playerId)).toHaveLength(1);
  });

  it('emits one event per actual change: a newer snapshot with the same membership only advances the snapshot', async () => {
    const p = await register();
    const s1 = nextSnapshot();
    const s2 = nextSnapshot();
    const s3 = nextSnapshot();
    const s4 = nextSnapshot();
    await publish([{ snapshot_id: s1, player_id: p.playerId, segments: ['a', 'b'], vip_tier: 'bronze' }]);
    const first = await held(p.playerId);
    const same = await publish([{ snapshot_id: s2, player_id: p.playerId, segments: ['b', 'a'], vip_tier: 'bronze' }]);
    expect(same.body.results[0].outcome).toBe('unchanged');
    expect(await held(p.playerId)).toMatchObject({ segments: ['a', 'b'], snapshot_id: s2, changed_at: first.changed_at });

    expect((await publish([{ snapshot_id: s3, player_id: p.playerId, segments: ['b', 'c'], vip_tier: 'bronze' }])).body.results[0].outcome).toBe('changed');
    // only the tier changes: a change too
    expect((await publish([{ snapshot_id: s4, player_id: p.playerId, segments: ['b', 'c'], vip_tier: null }])).body.results[0].outcome).toBe('changed');

    const events = await segmentEvents(p.playerId);
    expect(events.map((e) => e.payload)).toEqual([
      { snapshot_id: s1, from: '', to: 'a,b', added: 'a,b', removed: '', vip_tier_from: null, vip_tier_to: 'bronze' },
      { snapshot_id: s3, from: 'a,b', to: 'b,c', added: 'c', removed: 'a', vip_tier_from: 'bronze', vip_tier_to: 'bronze' },
      { snapshot_id: s4, from: 'b,c', to: 'b,c', added: '', removed: '', vip_tier_from: 'bronze', vip_tier_to: null },
    ]);
    for (const e of events) expect(validateEvent(e)).toMatchObject({ ok: true });
  });
});

describe('segments publish: batches', () => {
  it('reports unknown players per item, next to the known ones', async () => {
    const p = await register();
    const ghost = crypto.randomUUID();
    const s = nextSnapshot();
    const r = await publish([
      { snapshot_id: s, player_id: ghost, segments: ['x'], vip_tier: null },
      { snapshot_id: s, player_id: p.playerId, segments: ['x'], vip_tier: null },
    ]);
    expect(r.status).toBe(200);
    expect(r.body.results).toEqual([
      { player_id: ghost, snapshot_id: s, outcome: 'unknown_player' },
      { player_id: p.playerId, snapshot_id: s, outcome: 'changed' },
    ]);
    expect(r.body.summary).toMatchObject({ changed: 1, unknown_player: 1 });
  });

  it(`refuses more than ${SEGMENTS_BATCH_MAX} items (422) and bodies over the limit (413), changing nothing`, async () => {
    const p = await register();
    const s = nextSnapshot();
    const items = Array.from({ length: SEGMENTS_BATCH_MAX + 1 }, (_, i) => ({ snapshot_id: s, player_id: i === 0 ? p.playerId : crypto.randomUUID(), segments: [], vip_tier: null }));
    expectError(await publish(items), 422, 'batch_too_large');

    const big = [{ snapshot_id: s, player_id: p.playerId, segments: ['a'], vip_tier: null, pad: 'x'.repeat(SEGMENTS_BODY_LIMIT_BYTES) }];
    expectError(await publish(big), 413, 'payload_too_large');
    expect(await held(p.playerId)).toMatchObject({ snapshot_id: null });

    // a full batch is accepted (bigger than the 16 KiB every other route allows)
    const full = Array.from({ length: SEGMENTS_BATCH_MAX }, (_, i) => ({ snapshot_id: s, player_id: i === 0 ? p.playerId : crypto.randomUUID(), segments: ['a', 'b'], vip_tier: 'gold' }));
    const ok = await publish(full);
    expect(ok.status).toBe(200);
    expect(ok.body.summary).toEqual({ changed: 1, unchanged: 0, replayed: 0, stale: 0, unknown_player: SEGMENTS_BATCH_MAX - 1 });
  }, 120_000); // 500 player objects

  it('refuses malformed items with 400 validation_failed in the one error shape, changing nothing', async () => {
    const p = await register();
    const s = nextSnapshot();
    const good = { snapshot_id: s, player_id: p.playerId, segments: ['a'], vip_tier: null };
    for (const bad of [
      [{ ...good, snapshot_id: '2026-12-02' }],
      [{ ...good, player_id: 'not-a-uuid' }],
      [{ ...good, segments: ['Has Spaces'] }],
      [{ ...good, segments: ['a,b'] }],
      [{ ...good, vip_tier: 7 }],
      [{ ...good, extra: true }],
      [good, good], // the same player twice
      [],
    ]) {
      const r = await publish(bad);
      expectError(r, 400, 'validation_failed');
    }
    const raw = '{"items": [';
    expectError(await post(raw, await signRequest(SECRET, 'segments', raw)), 400, 'malformed_json');
    expect(await held(p.playerId)).toMatchObject({ snapshot_id: null });
  });
});

describe('segments in the back-office profile', () => {
  let admin: Operator;
  let reader: Operator;
  let dealer: Operator;
  beforeAll(async () => {
    admin = await bootstrapAdmin();
    reader = await createOperator(admin, { roles: ['support_agent'] });
    dealer = await createOperator(admin, { roles: ['dealer'] });
  });

  it('shows segments, VIP tier and when they were published to operators with player.read only', async () => {
    const p = await register();
    const before = await opCall('GET', `/v1/ops/players/${p.playerId}`, reader);
    expect(before.status).toBe(200);
    expect(before.body.segments).toEqual({ segments: [], vip_tier: null, snapshot_id: null, published_at: null, changed_at: null });

    const s = nextSnapshot();
    await publish([{ snapshot_id: s, player_id: p.playerId, segments: ['whale', 'high_roller'], vip_tier: 'platinum' }]);
    const r = await opCall('GET', `/v1/ops/players/${p.playerId}`, reader);
    expect(r.status).toBe(200);
    expect(r.body.segments).toMatchObject({ segments: ['high_roller', 'whale'], vip_tier: 'platinum', snapshot_id: s });
    expect(typeof r.body.segments.published_at).toBe('number');

    expectError(await opCall('GET', `/v1/ops/players/${p.playerId}`, dealer), 403, 'forbidden');
  });
});
