/**
 * Tournaments through the real worker and objects (docs/tournaments.md): creation and its refusals,
 * joining by the entry rules (refusals change nothing), bets at a table scoring through the player
 * objects' feed, the tie rule, the end paying each prize exactly once (replays, a failing wallet,
 * restarts), cancellation, and the table's own daily leaderboard.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateEvent } from '../../domain/events';
import type { TournamentDO } from '../../durable/tournament/tournament-do';
import { FREEZE_GRACE_MS } from '../../durable/tournament/tournament-do';
import { advance, call, expectError, funded, player, type Json, type Registered } from './helpers';
import { bootstrapAdmin, createOperator, opCall, type Operator } from './ops-helpers';
import { sessionOf } from './money-helpers';
import { countStatements, statementReport, type StatementCounts } from '../../durable/lib/statement-counter';
import type { PlayerDO } from './entry';

const ROULETTE = 'roulette-1';
const HOUR = 3_600_000;

let admin: Operator;
let dealer: Operator;
let floor: Operator;

beforeAll(async () => {
  admin = await bootstrapAdmin();
  dealer = await createOperator(admin, { roles: ['dealer'], brands: ['aurora'] });
  floor = await createOperator(admin, { roles: ['marketer'], brands: ['aurora'] });
});

function tournament(id: string): DurableObjectStub<TournamentDO> {
  return env.TOURNAMENT.getByName(id) as DurableObjectStub<TournamentDO>;
}

function internals(o: unknown) {
  return o as { c: import('../../durable/lib/object-context').ObjectContext; ctx: DurableObjectState; prizePort: TournamentDO['prizePort'] };
}

let seq = 0;
function definition(over: Json = {}): Json {
  return {
    tournament_id: `t-${Date.now().toString(36)}-${++seq}`, brand: 'aurora', name: 'Friday roulette', starts_at: Date.now() - 60_000, ends_at: Date.now() + HOUR,
    currency: 'EUR', scoring: [{ term: 'stake', weight: 1 }, { term: 'wins', weight: 100 }], prizes: [5_000, 2_000, 1_000], reason: 'weekly promotion', ...over,
  };
}

async function create(over: Json = {}): Promise<Json> {
  const r = await opCall('POST', '/v1/ops/tournaments', floor, definition(over));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.tournament;
}

/** An entrant: 500.00 deposited in `over.currency` (EUR by default). */
const entrant = (over: Json = {}) => funded(50_000, over);

const join = (p: Registered, id: string) => call('POST', `/v1/tournaments/${id}/join`, undefined, { token: p.token });
const board = (p: Registered, id: string) => call('GET', `/v1/tournaments/${id}/leaderboard`, undefined, { token: p.token });

async function wallet(p: Registered, currency = 'EUR'): Promise<number> {
  const r = await call('GET', '/v1/wallet', undefined, { token: p.token });
  return (r.body.balances as Json[]).find((b) => b.currency === currency)?.available_minor ?? 0;
}

/** One roulette round: each player's bets, then the number. */
async function round(bets: { p: Registered; spot: string; amount_minor: number }[], number: number): Promise<void> {
  const opened = await opCall('POST', `/v1/ops/tables/${ROULETTE}/rounds`, dealer);
  expect(opened.status, JSON.stringify(opened.body)).toBe(201);
  for (const b of bets) {
    const r = await call('POST', `/v1/tables/${ROULETTE}/bets`, { bet_id: crypto.randomUUID(), round_id: opened.body.round.round_id, spot: b.spot, amount_minor: b.amount_minor, currency: 'EUR' }, { token: b.p.token });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
  const settled = await opCall('POST', `/v1/ops/tables/${ROULETTE}/rounds/${opened.body.round.round_id}/result`, dealer, { outcome: { number } });
  expect(settled.body.round.state).toBe('settled');
}

/** The feed is sent after each settlement commits, without the table waiting: poll until it arrived. */
async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  let v = await read();
  for (let i = 0; i < 100 && !done(v); i++) {
    await new Promise((r) => setTimeout(r, 20));
    v = await read();
  }
  return v;
}

/** Moves the tournament's clock past the freeze and runs its alarm. */
async function end(id: string): Promise<void> {
  await runInDurableObject(tournament(id), (o: TournamentDO) => { internals(o).c.clockOffsetMs += HOUR + FREEZE_GRACE_MS + 1_000; });
  await runDurableObjectAlarm(tournament(id));
}

async function outboxTypes(id: string): Promise<string[]> {
  return (await tournament(id).outbox(0, 1000)).map((r) => r.event.event_type);
}

describe('creating', () => {
  it('creates, lists and reads a tournament; the same definition again is a replay; another under the same id is refused', async () => {
    const def = definition({ segments: ['vip'] });
    const r = await opCall('POST', '/v1/ops/tournaments', floor, def);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.tournament).toMatchObject({ tournament_id: def.tournament_id, status: 'running', prize_pool_minor: 8_000, entrants: 0, segments: ['vip'] });
    expect((await opCall('POST', '/v1/ops/tournaments', floor, def)).status).toBe(200);
    expectError(await opCall('POST', '/v1/ops/tournaments', floor, { ...def, prizes: [9_000] }), 409, 'already_exists');
    const list = await opCall('GET', '/v1/ops/tournaments?brand=aurora', floor);
    expect((list.body.tournaments as Json[]).filter((t) => t.tournament_id === def.tournament_id)).toHaveLength(1);
    const read = await opCall('GET', `/v1/ops/tournaments/${def.tournament_id}`, floor);
    expect(read.body).toMatchObject({ tournament: { tournament_id: def.tournament_id }, awards: [] });
    expect(await outboxTypes(def.tournament_id)).toEqual(['tournament.created']);
  });

  it('refuses a bad definition with the field, and creates nothing', async () => {
    for (const bad of [{ ends_at: Date.now() - 120_000 }, { prizes: [100, 200] }, { scoring: [{ term: 'deposits', weight: 1 }] }, { prizes: [1.5] }, { surprise: 1 }]) {
      const def = definition(bad);
      const r = await opCall('POST', '/v1/ops/tournaments', floor, def);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
      expectError(await opCall('GET', `/v1/ops/tournaments/${def.tournament_id}`, floor), 404, 'tournament_not_found');
    }
    // an end already past passes the schema but not the object
    const past = definition({ starts_at: Date.now() - 2 * HOUR, ends_at: Date.now() - HOUR });
    expectError(await opCall('POST', '/v1/ops/tournaments', floor, past), 400, 'validation_failed');
  });

  it('an operator of another brand may not create one for aurora', async () => {
    const other = await createOperator(admin, { roles: ['marketer'], brands: ['sakura'] });
    const def = definition();
    expectError(await opCall('POST', '/v1/ops/tournaments', other, def), 403, 'forbidden');
    expectError(await opCall('GET', `/v1/ops/tournaments/${def.tournament_id}`, floor), 404, 'tournament_not_found');
  });
});

describe('joining', () => {
  it('joins once; a second join, a wrong segment, a wrong currency, an ended or cancelled tournament are refused and change nothing', async () => {
    const open = await create();
    const vip = await create({ segments: ['vip', 'high_roller'] });
    const a = await entrant();
    const j = await join(a, open.tournament_id);
    expect(j.status, JSON.stringify(j.body)).toBe(201);
    expect(j.body.tournament.entrants).toBe(1);
    expectError(await join(a, open.tournament_id), 409, 'tournament_already_joined');
    expect((await board(a, open.tournament_id)).body.tournament.entrants).toBe(1);

    // segments: refused until the warehouse publishes the player into one of them
    expectError(await join(a, vip.tournament_id), 422, 'tournament_not_eligible');
    expect((await board(a, vip.tournament_id)).body).toMatchObject({ tournament: { entrants: 0 }, you: null });
    await player(a.playerId).applySegments({ snapshot_id: '20261203T120000.000Z-0123456789ab', segments: ['high_roller'], vip_tier: null });
    expect((await join(a, vip.tournament_id)).status).toBe(201);

    // currency: a GBP wallet cannot join a EUR tournament
    const british = await entrant({ country: 'GB', currency: 'GBP' });
    expectError(await join(british, open.tournament_id), 422, 'tournament_not_eligible');

    // ended (its clock past ends_at) and cancelled
    const ended = await create();
    await runInDurableObject(tournament(ended.tournament_id), (o: TournamentDO) => { internals(o).c.clockOffsetMs += HOUR + 1_000; });
    expectError(await join(a, ended.tournament_id), 409, 'tournament_closed');
    const cancelled = await create();
    expect((await opCall('POST', `/v1/ops/tournaments/${cancelled.tournament_id}/cancel`, floor, { reason: 'prize budget withdrawn' })).status).toBe(200);
    expectError(await join(a, cancelled.tournament_id), 409, 'tournament_closed');
    expectError(await opCall('POST', `/v1/ops/tournaments/${cancelled.tournament_id}/cancel`, floor, { reason: 'again' }), 409, 'invalid_state');
    for (const t of [ended, cancelled]) expect((await board(a, t.tournament_id)).body.tournament.entrants).toBe(0);
    expectError(await join(a, 'no-such-tournament'), 404, 'tournament_not_found');
    // the player's list: their brand's tournaments, with the statuses as they stand
    const mine = (await call('GET', '/v1/tournaments', undefined, { token: a.token })).body.tournaments as Json[];
    const status = (id: string) => mine.find((x) => x.tournament_id === id)?.status;
    expect([status(open.tournament_id), status(ended.tournament_id), status(cancelled.tournament_id)]).toEqual(['running', 'finalizing', 'cancelled']);
    // another brand's player does not see aurora's tournaments, and cannot join one
    const sakura = await entrant({ brand: 'sakura' });
    expect(((await call('GET', '/v1/tournaments', undefined, { token: sakura.token })).body.tournaments as Json[]).map((x) => x.brand).filter((b) => b === 'aurora')).toEqual([]);
    expectError(await join(sakura, open.tournament_id), 404, 'tournament_not_found');
    expect((await board(a, open.tournament_id)).body.tournament.entrants).toBe(1);
    expectError(await call('POST', `/v1/tournaments/${open.tournament_id}/join`), 401, 'unauthenticated');
  });
});

describe('scoring, ranking and prizes', () => {
  it('bets at a table score for the players who joined; the end pays each prize once, through the wallet', async () => {
    const t = await create({ prizes: [5_000, 2_000] });
    const [a, b, c, outsider] = [await entrant(), await entrant(), await entrant(), await entrant()];
    for (const p of [a, b, c]) expect((await join(p, t.tournament_id)).status).toBe(201);
    // 7 is red: red wins (stake 1000 + 100 for the win), black loses (stake 300), the outsider does not score
    await round([{ p: a, spot: 'red', amount_minor: 1_000 }, { p: b, spot: 'black', amount_minor: 300 }, { p: outsider, spot: 'red', amount_minor: 5_000 }], 7);
    const lb = await eventually(() => board(a, t.tournament_id), (r) => (r.body.leaders as Json[]).length === 2);
    expect((lb.body.leaders as Json[]).map((l) => [l.rank, l.score, l.prize_minor])).toEqual([[1, 1_100, 5_000], [2, 300, 2_000]]);
    expect(lb.body.you).toMatchObject({ rank: 1, score: 1_100 });
    expect((await board(c, t.tournament_id)).body.you).toMatchObject({ rank: null, score: 0 });
    // players by handle, never by id
    expect(JSON.stringify(lb.body)).not.toContain(a.playerId);
    expect((lb.body.leaders as Json[])[0]!.handle).toMatch(/^player-[0-9a-z]{6}$/);

    const [aBefore, bBefore] = [await wallet(a), await wallet(b)];
    await end(t.tournament_id);
    const awards = (await opCall('GET', `/v1/ops/tournaments/${t.tournament_id}`, floor)).body;
    expect(awards.tournament.status).toBe('ended');
    expect((awards.awards as Json[]).map((w) => [w.rank, w.player_id, w.amount_minor, w.paid_at !== null])).toEqual([[1, a.playerId, 5_000, true], [2, b.playerId, 2_000, true]]);
    expect(await wallet(a)).toBe(aBefore + 5_000);
    expect(await wallet(b)).toBe(bBefore + 2_000);

    // the alarm again, a restart, the player's object asked again: nothing more is paid
    await runDurableObjectAlarm(tournament(t.tournament_id));
    await runInDurableObject(tournament(t.tournament_id), async (o: TournamentDO) => { await internals(o).ctx.storage.sync(); internals(o).ctx.abort('test: restart'); }).catch(() => undefined);
    await runDurableObjectAlarm(tournament(t.tournament_id));
    const again = await player(a.playerId).payTournamentPrize({ prize_id: awards.awards[0].prize_id, currency: 'EUR', amount_minor: 5_000 });
    expect(again).toMatchObject({ ok: true, replayed: true });
    expect(await wallet(a)).toBe(aBefore + 5_000);
    expect(await wallet(b)).toBe(bBefore + 2_000);
    const types = await outboxTypes(t.tournament_id);
    expect(types.filter((x) => x === 'tournament.prize.paid')).toHaveLength(2);
    expect(types.filter((x) => x === 'tournament.ended')).toHaveLength(1);
    const ended = (await tournament(t.tournament_id).outbox(0, 100)).find((r) => r.event.event_type === 'tournament.ended')!.event.payload;
    expect(ended).toMatchObject({ entrants: 3, scored: 2, awards: 2, awarded_minor: 7_000, unawarded_minor: 0 });
    // the ranking is frozen: a late bet no longer scores
    await round([{ p: c, spot: 'red', amount_minor: 10_000 }], 7);
    expect((await board(c, t.tournament_id)).body.you).toMatchObject({ rank: null, score: 0 });
    expect(await player(a.playerId).audit()).toEqual([]);
    // every event of the tournament validates against the shared schemas (domain/tournaments/events.ts)
    for (const r of await tournament(t.tournament_id).outbox(0, 1000)) expect(validateEvent(r.event), JSON.stringify(r.event)).toMatchObject({ ok: true });
    expect(new Set(types)).toEqual(new Set(['tournament.created', 'tournament.joined', 'tournament.ended', 'tournament.prize.paid']));
  });

  it('a winner whose object fails is paid by the retry, once', async () => {
    const t = await create({ prizes: [4_000] });
    const a = await entrant();
    await join(a, t.tournament_id);
    await round([{ p: a, spot: 'red', amount_minor: 200 }], 7);
    await eventually(() => board(a, t.tournament_id), (r) => (r.body.leaders as Json[]).length === 1);
    const before = await wallet(a);
    await runInDurableObject(tournament(t.tournament_id), (o: TournamentDO) => {
      internals(o).prizePort = () => ({ payTournamentPrize: () => Promise.reject(new Error('wallet unreachable')) });
    });
    await end(t.tournament_id);
    let awards = await tournament(t.tournament_id).awards();
    expect(awards[0]).toMatchObject({ paid_at: null, attempts: 1, last_error: expect.stringContaining('wallet unreachable') });
    expect(await wallet(a)).toBe(before);
    expect(await outboxTypes(t.tournament_id)).not.toContain('tournament.prize.paid');
    // the wallet is back: the next alarm pays (and a restart in between changes nothing)
    await runInDurableObject(tournament(t.tournament_id), async (o: TournamentDO) => { await internals(o).ctx.storage.sync(); internals(o).ctx.abort('test: restart'); }).catch(() => undefined);
    await runInDurableObject(tournament(t.tournament_id), (o: TournamentDO) => { internals(o).c.clockOffsetMs += 2 * HOUR + FREEZE_GRACE_MS; });
    await runDurableObjectAlarm(tournament(t.tournament_id));
    awards = await tournament(t.tournament_id).awards();
    expect(awards[0]!.paid_at).not.toBeNull();
    expect(await wallet(a)).toBe(before + 4_000);
    await runDurableObjectAlarm(tournament(t.tournament_id));
    expect(await wallet(a)).toBe(before + 4_000);
  });

  it('ties: the player who reached the score first ranks first; on the same round, who joined first', async () => {
    const t = await create({ scoring: [{ term: 'bets', weight: 10 }], prizes: [300, 200, 100] });
    const [a, b, c] = [await entrant(), await entrant(), await entrant()];
    for (const p of [b, c, a]) await join(p, t.tournament_id); // b joins before c
    await round([{ p: a, spot: 'black', amount_minor: 100 }], 7);
    await round([{ p: b, spot: 'black', amount_minor: 100 }, { p: c, spot: 'black', amount_minor: 100 }], 7);
    const lb = await eventually(() => board(a, t.tournament_id), (r) => (r.body.leaders as Json[]).length === 3);
    expect((lb.body.leaders as Json[]).map((l) => l.score)).toEqual([10, 10, 10]);
    await end(t.tournament_id);
    const awards = await tournament(t.tournament_id).awards();
    expect(awards.map((w) => w.player_id)).toEqual([a.playerId, b.playerId, c.playerId]);
  });

  it('each event counts once: a replayed delivery; another currency, a table outside the list, a bet before the start count nothing', async () => {
    const t = await create({ tables: [ROULETTE], scoring: [{ term: 'stake', weight: 1 }] });
    const a = await entrant();
    await join(a, t.tournament_id);
    const event = { event_id: 'bet-settled:x1', player_id: a.playerId, occurred_at: Date.now(), table_id: ROULETTE, round_id: 'r1', currency: 'EUR' as const,
      payload: { amount_minor: 700, returned_minor: 0, result: 'lose' } };
    expect(await tournament(t.tournament_id).score(event)).toMatchObject({ outcome: 'scored', points: 700 });
    expect(await tournament(t.tournament_id).score(event)).toMatchObject({ outcome: 'replayed', points: 0 });
    expect((await tournament(t.tournament_id).score({ ...event, event_id: 'bet-settled:x2', currency: 'GBP' })).outcome).toBe('not_counted');
    expect((await tournament(t.tournament_id).score({ ...event, event_id: 'bet-settled:x3', table_id: 'baccarat-1' })).outcome).toBe('not_counted');
    expect((await tournament(t.tournament_id).score({ ...event, event_id: 'bet-settled:x4', occurred_at: Date.now() - 3_600_000 })).outcome).toBe('not_counted');
    expect((await board(a, t.tournament_id)).body.you.score).toBe(700);
  });

  it("a bet whose delivery fails stays in the player's feed and is counted once when the alarm delivers it", async () => {
    const t = await create({ scoring: [{ term: 'stake', weight: 1 }] });
    const a = await entrant();
    await join(a, t.tournament_id);
    type Feed = { port: (id: string) => unknown; pending(): number; send(): Promise<void> };
    const feed = (o: unknown) => (o as { tournamentsRg: Feed }).tournamentsRg;
    let real: Feed['port'] | null = null;
    await runInDurableObject(player(a.playerId), (o: unknown) => {
      real = feed(o).port;
      feed(o).port = () => ({ score: () => Promise.reject(new Error('tournament unreachable')) });
    });
    await round([{ p: a, spot: 'black', amount_minor: 400 }], 7);
    expect(await runInDurableObject(player(a.playerId), (o: unknown) => feed(o).pending())).toBe(1);
    expect((await board(a, t.tournament_id)).body.you.score).toBe(0);
    await runInDurableObject(player(a.playerId), (o: unknown) => { feed(o).port = real!; });
    await advance(a.playerId, 10_000);
    await runDurableObjectAlarm(player(a.playerId));
    expect(await runInDurableObject(player(a.playerId), (o: unknown) => feed(o).pending())).toBe(0);
    expect((await board(a, t.tournament_id)).body.you.score).toBe(400);
    // the same row sent again (a delivery whose answer was lost): still 400
    const event = { event_id: 'bet-settled:none', player_id: a.playerId, occurred_at: Date.now(), table_id: ROULETTE, round_id: 'r', currency: 'EUR' as const, payload: { amount_minor: 1, returned_minor: 0 } };
    await tournament(t.tournament_id).score(event);
    await tournament(t.tournament_id).score(event);
    expect((await board(a, t.tournament_id)).body.you.score).toBe(401);
  });

  it('a cancelled tournament pays nothing', async () => {
    const t = await create({ prizes: [1_000] });
    const a = await entrant();
    await join(a, t.tournament_id);
    await round([{ p: a, spot: 'red', amount_minor: 100 }], 7);
    await eventually(() => board(a, t.tournament_id), (r) => (r.body.leaders as Json[]).length === 1);
    expect((await opCall('POST', `/v1/ops/tournaments/${t.tournament_id}/cancel`, floor, { reason: 'table fault all evening' })).body.tournament.status).toBe('cancelled');
    const before = await wallet(a);
    await end(t.tournament_id);
    expect(await tournament(t.tournament_id).awards()).toEqual([]);
    expect(await wallet(a)).toBe(before);
    expect((await board(a, t.tournament_id)).body.leaders[0].prize_minor).toBeNull();
  });
});

describe('cost on the bet path', () => {
  /**
   * Statements of a settled table bet in the player's object, warmed up (the joined list loaded):
   * a player in no tournament pays nothing more; one in a tournament pays its feed row, the backup
   * job, and after the commit the send's read of the feed (its answer's delete comes later, off the bet).
   */
  async function settleStatements(p: Registered, n: number): Promise<number> {
    const session = sessionOf(p);
    return runInDurableObject(player(p.playerId), async (o: PlayerDO) => {
      const { c, ctx } = o as unknown as { c: import('../../durable/player/context').PlayerContext; ctx: DurableObjectState };
      c.checks = false;
      const counts: StatementCounts = new Map();
      const restore = countStatements(ctx.storage.sql, counts);
      let total = 0;
      for (let i = 0; i <= n; i++) {
        const holdId = crypto.randomUUID();
        const bet = { table_id: ROULETTE, round_id: `r-${holdId}`, game: 'roulette', game_id: 'live-roulette-1', spot: 'black', bet_type: 'even_money', session_id: session, amount_minor: 100, currency: 'EUR' as const, at: Date.now() };
        const r = o.reserveTableBet(session, { hold_id: holdId, currency: 'EUR', amount_minor: 100, expires_at: Date.now() + 60_000, ref: 'cost', max_return_minor: 200 }, ['MT'], bet);
        if (!r.ok) throw new Error(JSON.stringify(r));
        await (o as unknown as { tournamentsRg: { send(): Promise<void> } }).tournamentsRg.send(); // the previous bet's send is done
        counts.clear();
        const s = o.settleTableBet({ hold_id: holdId, win_id: `${holdId}:return`, returned_minor: 0 }, { ...bet, result: 'lose' });
        if (!s.ok) throw new Error(JSON.stringify(s));
        if (i > 0) total += statementReport(counts, 1).statements_per_op; // the first one warms up
      }
      restore();
      return total / n;
    });
  }

  it('nothing for a player in no tournament; three statements for one in a tournament', async () => {
    const t = await create({ scoring: [{ term: 'bets', weight: 1 }] });
    const [inside, outside] = [await entrant(), await entrant()];
    await join(inside, t.tournament_id);
    const [a, b] = [await settleStatements(inside, 5), await settleStatements(outside, 5)];
    expect(a - b).toBe(3);
    const lb = await eventually(() => board(inside, t.tournament_id), (r) => r.body.you?.score === 6);
    expect(lb.body.you.score).toBe(6);
  });
});

describe("a table's leaderboard", () => {
  it("shows today's top net winners at the table by handle, losers left out", async () => {
    const [a, b] = [await entrant(), await entrant()];
    await round([{ p: a, spot: 'red', amount_minor: 2_000 }, { p: b, spot: 'black', amount_minor: 2_000 }], 7);
    const r = await call('GET', `/v1/tables/${ROULETTE}/leaderboard?limit=50`);
    expect(r.status).toBe(200);
    expect(r.body.day).toBe(new Date().toISOString().slice(0, 10));
    const eur = (r.body.currencies as Json[]).find((x) => x.currency === 'EUR')!;
    const text = JSON.stringify(r.body);
    expect(text).not.toContain(a.playerId);
    expect(text).not.toContain(b.playerId);
    const leaders = eur.leaders as Json[];
    expect(leaders.every((l, i) => l.rank === i + 1 && l.net_win_minor > 0)).toBe(true);
    for (let i = 1; i < leaders.length; i++) expect(leaders[i]!.net_win_minor).toBeLessThanOrEqual(leaders[i - 1]!.net_win_minor);
    expect(leaders.some((l) => l.net_win_minor >= 2_000)).toBe(true);
    expectError(await call('GET', '/v1/tables/no-such-table/leaderboard'), 404, 'table_not_found');
    expectError(await call('GET', `/v1/tables/${ROULETTE}/leaderboard?limit=0`), 400, 'validation_failed');
  });
});
