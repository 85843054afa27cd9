/**
 * Review (h-review) of the shipper's cursor in memory: a seeded random walk over one pruning object
 * (BrandOpsDO) of emits (some rolled back; in 3 seeds inside outer transactions that may roll back too), runs after commit, sends that fail, the shipper's own
 * transactions rolled back after their writes, alarms (some whose transaction rolls back after the
 * shipper's jobs were handled), the clock moving past the
 * retention, and restarts (a new shipper over the same storage, as a new instance would load it).
 * At-least-once must hold at every step: every committed event that is no longer in the outbox was
 * delivered, and the cursor's row never covers an event that was not delivered (nor differs from
 * what the shipper's memory believes written); at the end, with the
 * queue up, every committed event was delivered.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ObjectContext } from './object-context';
import { OUTBOX_RETENTION_MS, OutboxShipper, type ShipSend } from './shipper';

type Internals = { shipper: OutboxShipper; c: ObjectContext; ctx: DurableObjectState };

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `nested`: the emitting transactions run inside an outer one that rolls back now and then (an
 * inner transaction's writes then go with it, though the inner one committed), and some emit
 * nothing (a refused call: a rollback that wrote no cursor).
 */
async function walk(seed: number, steps: number, nested = false): Promise<void> {
  const stub = env.BRAND_OPS.getByName(`review:${seed}:${crypto.randomUUID()}`);
  await runInDurableObject(stub, async (o: unknown) => {
    const i = o as Internals;
    const { c } = i;
    const random = rng(seed);
    const delivered = new Set<string>();
    let down = false;
    const send: ShipSend = async (m) => {
      await Promise.resolve();
      if (down) throw new Error('queue down');
      for (const e of m.events) delivered.add(e.event_id);
    };
    // the shipper's own transactions (a batch's read, a cursor's write, a failure recorded, a retry
    // cancelled) roll back now and then after doing their writes, as a storage failure would
    let flaky = false;
    const flakyTx = <T>(fn: () => T): T => c.tx(() => {
      const out = fn();
      if (flaky && random() < 0.15) throw new Error('review: shipper transaction rolled back');
      return out;
    });
    let shipper = new OutboxShipper(c, { source: i.shipper.source, tx: flakyTx, send, retentionMs: OUTBOX_RETENTION_MS });
    shipper.init();
    const committed = new Map<string, number>(); // event_id -> seq
    let known = c.db.first<{ s: number | null }>`select max(seq) as s from outbox`?.s ?? 0;
    const learn = () => {
      for (const r of c.db.all<{ seq: number; event_id: string }>`select seq, event_id from outbox where seq > ${known} order by seq`) {
        committed.set(r.event_id, r.seq);
        known = r.seq;
      }
    };
    const alarm = async (rollBack: boolean) => {
      try {
        c.tx(() => {
          for (const job of c.schedules.takeDue(c.now(), 100)) shipper.handle(job.kind);
          c.schedules.rearm();
          if (rollBack) throw new Error('review: alarm rolled back');
        });
      } catch (err) {
        if (!rollBack) throw err;
        return;
      }
      await shipper.afterAlarm();
    };
    const check = (where: string) => {
      const inOutbox = new Set(c.db.all<{ event_id: string }>`select event_id from outbox`.map((r) => r.event_id));
      const row = c.db.first<{ after_seq: number }>`select after_seq from outbox_shipping where id = 1`!.after_seq;
      for (const [id, seq] of committed) {
        if (!inOutbox.has(id)) expect(delivered.has(id), `${where}: pruned before delivered: ${id} (seq ${seq})`).toBe(true);
        if (seq <= row) expect(delivered.has(id), `${where}: the row's cursor ${row} covers undelivered seq ${seq}`).toBe(true);
      }
      // what memory believes of the row, whatever rolled back: else the cursor it believes written
      // is not, and a restart sends again more than SHIP_CURSOR_LAG_EVENTS_MAX (or a prune is lost)
      const believed = shipper as unknown as { persistedSeq: number | null; dirtySince: number | null };
      if (believed.persistedSeq !== null) expect(row, `${where}: the row's cursor is not the one memory believes written`).toBe(believed.persistedSeq);
      if (believed.dirtySince === null) expect(row, `${where}: memory's cursor believed written but ahead of its row`).toBe(shipper.status().after_seq);
    };

    for (let step = 0; step < steps; step++) {
      const r = random();
      const where = `seed ${seed} step ${step}`;
      c.clockOffsetMs += 1_000 + Math.floor(random() * 20_000);
      down = random() < 0.25;
      flaky = true;
      if (r < 0.35) {
        const n = nested ? Math.floor(random() * 5) : 1 + Math.floor(random() * 4);
        const rollBack = random() < 0.25;
        const emitting = () => {
          try {
            c.tx(() => {
              for (let k = 0; k < n; k++) c.outbox.emit('player.vip.changed', { from: false, to: true, actor: `s${step}:${k}` }, {}, c.now());
              if (rollBack) throw new Error('review: emit rolled back');
            });
          } catch (err) {
            if (!rollBack) throw err;
          }
        };
        const outerRollBack = nested && random() < 0.3;
        try {
          if (nested) {
            c.tx(() => {
              emitting();
              if (outerRollBack) throw new Error('review: outer transaction rolled back');
            });
          } else {
            emitting();
          }
        } catch (err) {
          if (!outerRollBack) throw err;
        }
        learn();
      } else if (r < 0.55) {
        await shipper.run();
      } else if (r < 0.75) {
        await alarm(random() < 0.3);
      } else if (r < 0.85) {
        c.clockOffsetMs += OUTBOX_RETENTION_MS + 1_000;
        await alarm(random() < 0.3);
      } else {
        // a restart: what the old instance had in flight finishes (or not: a delivery either way),
        // then a new shipper loads the row, as the next instance would
        await shipper.settled();
        const fresh = new OutboxShipper(c, { source: shipper.source, tx: flakyTx, send, retentionMs: OUTBOX_RETENTION_MS });
        fresh.init();
        shipper = fresh;
      }
      await shipper.settled();
      check(where);
    }
    // the queue and storage come back: everything committed is delivered in the end
    down = false;
    flaky = false;
    for (let k = 0; k < 50; k++) {
      c.clockOffsetMs += 10 * 60_000;
      await alarm(false);
      await shipper.run();
      await shipper.settled();
    }
    check(`seed ${seed} end`);
    const left = c.db.first<{ n: number }>`select count(*) as n from outbox`!.n;
    console.log(`review seed ${seed}: ${committed.size} committed, ${delivered.size} delivered, ${committed.size - left} pruned`);
    const missing = [...committed.keys()].filter((id) => !delivered.has(id));
    expect(missing, `seed ${seed}: never delivered`).toEqual([]);
  });
}

describe('review: the shipper under a random walk of emits, rollbacks, failed sends, alarms, prunes and restarts', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`seed ${seed}: nothing lost, the row's cursor never ahead of what was delivered`, async () => {
      await walk(seed, 150);
    }, 60_000);
  }
  for (const seed of [7, 8, 9]) {
    it(`seed ${seed}, emits inside outer transactions that may roll back: nothing lost, the row's cursor never ahead of what was delivered`, async () => {
      await walk(seed, 150, true);
    }, 60_000);
  }
});
