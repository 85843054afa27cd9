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
});
