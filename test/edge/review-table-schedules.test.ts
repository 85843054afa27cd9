/**
 * Review: the table object's transactions and the alarm time its Schedules remember (lib/schedules.ts
 * `armedAt`). ObjectContext.tx (added with the player's hot state) forgets what memory took from a
 * transaction that rolled back; the table's shipper goes through it, but TableDO.tx called
 * storage.transactionSync directly. A rolled-back table transaction that armed the alarm takes the
 * alarm write with it (workerd rolls setAlarm back), yet memory kept "armed at X": the next job
 * scheduled at X was then written without arming the alarm, and never ran. TableDO.tx now goes
 * through ObjectContext.tx.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { expect, it } from 'vitest';
import type { TableDO } from '../../durable/table/table-do';

type TableInside = { c: import('../../durable/table/context').TableContext; tx: <T>(fn: () => T) => T; ctx: DurableObjectState };

it('a table job scheduled after a rolled-back transaction armed the alarm for the same time still arms it', async () => {
  const stub = env.TABLE.getByName('roulette-1') as DurableObjectStub<TableDO>;
  const out = await runInDurableObject(stub, async (o: TableDO) => {
    const t = o as unknown as TableInside;
    const due = t.c.now() + 3_600_000;
    const before = await t.ctx.storage.getAlarm();
    // a transaction that scheduled (and armed) a job, then threw: both are rolled back
    expect(() => t.tx(() => {
      t.c.schedules.at('round.open', 'review', due);
      throw new Error('review: rolled back');
    })).toThrow('review: rolled back');
    expect(await t.ctx.storage.getAlarm()).toBe(before);
    // the same job, committed this time
    t.tx(() => t.c.schedules.at('round.open', 'review', due));
    const armed = await t.ctx.storage.getAlarm();
    t.tx(() => {
      t.c.schedules.cancel('round.open', 'review');
      t.c.schedules.rearm();
    });
    return { before, due, armed };
  });
  // nothing earlier was armed before: the alarm must now fire by the job's time
  expect(out.before === null || out.before > out.due).toBe(true);
  expect(out.armed).not.toBeNull();
  expect(out.armed!).toBeLessThanOrEqual(out.due);
});
