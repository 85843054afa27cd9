/**
 * The table's round life cycle at its edges: an automated table's next round is scheduled in the
 * transaction that ends the last one (a restart right after cannot leave it idle), a settle job run
 * again announces nothing twice, a job that keeps failing backs off, and a parked round says so.
 */
import { SELF, env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { expect, it } from 'vitest';
import type { TableDO } from '../../durable/table/table-do';
import { call, deposit, register, type Json } from './helpers';

type Inside = {
  c: import('../../durable/table/context').TableContext;
  settlement: import('../../durable/table/settlement').Settlement;
  ctx: DurableObjectState;
};
const inside = (o: unknown) => o as Inside;
const table = (id: string) => env.TABLE.getByName(id) as DurableObjectStub<TableDO>;

it("an automated round's settlement schedules the next round in its own transaction", async () => {
  const AUTO = 'auto-roulette-1';
  const p = await register();
  expect((await deposit(p.token, 5_000)).status).toBe(201);
  const opened = await table(AUTO).openRound('rng');
  if (!opened.ok) throw new Error(JSON.stringify(opened));
  const roundId = opened.round.round_id;
  expect((await call('POST', `/v1/tables/${AUTO}/bets`, { bet_id: crypto.randomUUID(), round_id: roundId, spot: 'red', amount_minor: 100, currency: 'EUR' }, { token: p.token })).status).toBe(201);
  const jobs = await runInDurableObject(table(AUTO), async (o: TableDO) => {
    const t = inside(o);
    // the result, then the settlement alone: what TableDO does after it (announcing) is not run, as if the object died there
    t.c.tx(() => {
      t.c.db.run`update rounds set state = 'betting_closed', closed_at = ${t.c.now()} where round_id = ${roundId}`;
      t.c.schedules.cancel('round.close', roundId);
    });
    t.c.tx(() => (o as unknown as { rounds: import('../../durable/table/rounds').Rounds }).rounds.recordResult(roundId, { number: 1 }, 'rng', 'rng'));
    const settled = await t.settlement.settle(roundId);
    expect(settled).toMatchObject({ done: true, settledNow: true });
    return t.c.tx(() => t.c.schedules.pending().map((j) => j.kind));
  });
  expect(jobs).toContain('round.open');
});

it('a settle job run again for a settled round announces nothing twice; a job that keeps failing backs off', async () => {
  const AUTO = 'auto-baccarat-1';
  const res = await SELF.fetch(`https://casino.test/v1/tables/${AUTO}/ws`, { headers: { Upgrade: 'websocket', 'Sec-WebSocket-Protocol': 'casino.v1' }, cf: { country: 'MT' } } as RequestInit);
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  ws.accept();
  const log: Json[] = [];
  ws.addEventListener('message', (e) => log.push(JSON.parse(e.data as string) as Json));
  // the spectator woke the table: its round runs to the end on the alarm
  const roundId = await runInDurableObject(table(AUTO), (o: TableDO) => inside(o).c.db.first<{ round_id: string }>`select round_id from rounds order by round_no desc limit 1`!.round_id);
  for (let i = 0; i < 5; i++) {
    await runInDurableObject(table(AUTO), (o: TableDO) => { inside(o).c.clockOffsetMs += 15_000; });
    await runDurableObjectAlarm(table(AUTO));
    if ((await call('GET', `/v1/tables/${AUTO}/rounds/${roundId}`)).body.round.state === 'settled') break;
  }
  expect((await call('GET', `/v1/tables/${AUTO}/rounds/${roundId}`)).body.round.state).toBe('settled');
  await new Promise((r) => setTimeout(r, 50));
  const settledBefore = log.filter((m) => m.type === 'round.settled' && m.round.round_id === roundId).length;
  expect(settledBefore).toBe(1);
  // the settle job again (a duplicate alarm), and a job that throws every time
  await runInDurableObject(table(AUTO), (o: TableDO) => {
    const t = inside(o);
    t.c.tx(() => t.c.schedules.at('round.settle', roundId, t.c.now()));
    t.c.tx(() => t.c.schedules.at('no.such.job', 'x', t.c.now()));
  });
  const delays: number[] = [];
  for (let i = 0; i < 3; i++) {
    await runDurableObjectAlarm(table(AUTO));
    delays.push(await runInDurableObject(table(AUTO), (o: TableDO) => {
      const t = inside(o);
      const job = t.c.tx(() => t.c.schedules.pending().find((j) => j.kind === 'no.such.job')!);
      const delay = job.due_at - t.c.now();
      // due again now, for the next failure
      t.c.tx(() => t.c.schedules.at('no.such.job', 'x', t.c.now()));
      return Math.round(delay / 1000);
    }));
  }
  expect(delays).toEqual([30, 60, 120]);
  await new Promise((r) => setTimeout(r, 50));
  expect(log.filter((m) => m.type === 'round.settled' && m.round.round_id === roundId)).toHaveLength(1);
  await runInDurableObject(table(AUTO), (o: TableDO) => { const t = inside(o); t.c.tx(() => t.c.schedules.cancel('no.such.job', 'x')); });
  ws.close();
});
