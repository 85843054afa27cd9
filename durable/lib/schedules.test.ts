import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { Schedules } from './schedules';
import { Db } from './sql';

describe('Schedules', () => {
  it('arms the alarm for the next job after a transaction that armed one rolled back', async () => {
    const stub = env.PLAYER.getByName(`schedules-${crypto.randomUUID()}`);
    await runInDurableObject(stub, async (_instance, state) => {
      const schedules = new Schedules(new Db(state.storage.sql), state.storage);
      const now = Date.now();
      expect(() => state.storage.transactionSync(() => {
        schedules.at('test.job', 'a', now + 60_000);
        throw new Error('the work failed after scheduling');
      })).toThrow('the work failed');
      expect(schedules.pending().filter((j) => j.kind === 'test.job')).toEqual([]);
      state.storage.transactionSync(() => schedules.at('test.job', 'b', now + 120_000));
      expect(await state.storage.getAlarm()).toBe(now + 120_000);
      state.storage.transactionSync(() => schedules.noLaterThan('test.job', 'c', now + 90_000));
      expect(await state.storage.getAlarm()).toBe(now + 90_000);
      state.storage.transactionSync(() => schedules.cancel('test.job', 'b'));
      state.storage.transactionSync(() => schedules.cancel('test.job', 'c'));
      state.storage.transactionSync(() => schedules.rearm());
      expect(await state.storage.getAlarm()).toBeNull();
    });
  });

  it('due leaves jobs in place; done removes one unless its handler moved it; retryAt moves only the job it was given', async () => {
    const stub = env.PLAYER.getByName(`schedules-${crypto.randomUUID()}`);
    await runInDurableObject(stub, async (_instance, state) => {
      const schedules = new Schedules(new Db(state.storage.sql), state.storage);
      const now = Date.now();
      state.storage.transactionSync(() => {
        schedules.at('test.job', 'a', now - 2);
        schedules.at('test.job', 'b', now - 1);
        schedules.at('test.job', 'later', now + 60_000);
      });
      const due = schedules.due(now, 10);
      expect(due.map((j) => j.ref)).toEqual(['a', 'b']);
      // taking them changes nothing: a restart now would find them due again
      expect(schedules.due(now, 10)).toEqual(due);
      // a's handler scheduled its next run: done leaves that; b ran: done removes it
      schedules.at('test.job', 'a', now + 5_000);
      schedules.done(due[0]!);
      schedules.done(due[1]!);
      expect(schedules.pending().filter((j) => j.kind === 'test.job').map((j) => [j.ref, j.due_at])).toEqual([['a', now + 5_000], ['later', now + 60_000]]);
      // retryAt of a stale row does nothing; of the current one, moves it
      schedules.retryAt(due[0]!, now + 1);
      expect(schedules.pending().find((j) => j.ref === 'a')!.due_at).toBe(now + 5_000);
      schedules.retryAt({ kind: 'test.job', ref: 'a', due_at: now + 5_000 }, now + 7_000);
      expect(schedules.pending().find((j) => j.ref === 'a')!.due_at).toBe(now + 7_000);
      state.storage.transactionSync(() => {
        for (const ref of ['a', 'later']) schedules.cancel('test.job', ref);
        schedules.rearm();
      });
    });
  });
});
