import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BATCH_FORMAT, BATCH_PREFIX, decodeBatchObject } from '../domain/event-batch';
import { validateEvent, type CasinoEvent } from '../domain/events';
import { verifyRound } from '../domain/fairness/provably-fair';
import { checkShoe } from '../domain/games/blackjack';
import { emptyCounts, FastGeneratorForTests, generateHistory, type HistoryOptions } from './fast';
import { COUNTRIES, DEVICE_WEIGHTS, HOUR_MS } from './model';
import { collectHistory, directorySink, writeHistory } from './sink';

const NOW = Date.UTC(2026, 10, 20, 18, 30);
const OPTS: HistoryOptions = { players: 120, days: 10, tables: 4, seed: 'test-seed', now: NOW };
const { events, counts } = collectHistory(OPTS);

type SimPlayer = { id: string; slots: unknown[]; currency: string; balance: number; stake: number };
/** The generator's private parts the mid-spin test drives (fast.ts FastGeneratorForTests). */
type GeneratorInternals = {
  createPlayers(): void;
  wake: { pop(): { t: number; v: { p: SimPlayer } } | undefined };
  dispute(p: SimPlayer, at: number, holdId: string, stake: number): void;
  slotStint(p: SimPlayer, t: number, stopAt: number): number;
  catchUp(p: SimPlayer, t: number): void;
  flush(until: number): string[];
};

/**
 * Walks the events in occurred_at order (ties in the given order) with each player's balance and
 * held total, as the wallet keeps them, and expects every reported balance_after to be the walk's:
 * what the player object reports, and what the warehouse's running_balance_matches_reported checks.
 * `opening`: balances players start the walk with (default 0). Returns how many reported balances it checked.
 */
function checkBalances(events: CasinoEvent[], opening: Record<string, number> = {}): number {
  const wallets = new Map<string, { balance: number; held: number; holds: Map<string, number> }>();
  const w = (e: CasinoEvent) => {
    let x = wallets.get(e.player_id!);
    if (!x) wallets.set(e.player_id!, (x = { balance: opening[e.player_id!] ?? 0, held: 0, holds: new Map() }));
    return x;
  };
  let checked = 0;
  const adjusted = new Set<string>();
  for (const e of events) {
    const p = e.payload;
    const x = e.player_id ? w(e) : null;
    switch (e.event_type) {
      case 'wallet.deposit.completed':
        x!.balance += p.amount_minor as number;
        expect(p.balance_after_minor, `${e.event_type} ${e.event_id} at ${new Date(e.occurred_at).toISOString()}`).toBe(x!.balance);
        checked++;
        break;
      case 'wallet.hold.reserved':
        x!.held += p.amount_minor as number;
        x!.holds.set(p.hold_id as string, p.amount_minor as number);
        expect(x!.balance - x!.held).toBeGreaterThanOrEqual(0);
        break;
      case 'wallet.hold.posted':
        expect(x!.holds.get(p.hold_id as string)).toBe(p.amount_minor);
        x!.holds.delete(p.hold_id as string);
        x!.held -= p.amount_minor as number;
        x!.balance -= p.amount_minor as number;
        expect(p.balance_after_minor, `${e.event_type} ${e.event_id} at ${new Date(e.occurred_at).toISOString()}`).toBe(x!.balance - x!.held);
        checked++;
        break;
      case 'wallet.hold.voided':
      case 'wallet.hold.expired':
        expect(x!.holds.get(p.hold_id as string)).toBe(p.amount_minor);
        x!.holds.delete(p.hold_id as string);
        x!.held -= p.amount_minor as number;
        break;
      case 'wallet.win.credited':
        x!.balance += p.amount_minor as number;
        expect(p.balance_after_minor, `${e.event_type} ${e.event_id} at ${new Date(e.occurred_at).toISOString()}`).toBe(x!.balance);
        checked++;
        break;
      case 'provider.bet.debited':
      case 'provider.win.credited':
      case 'wallet.withdrawal.paid':
        expect(p.balance_after_minor, `${e.event_type} ${e.event_id} at ${new Date(e.occurred_at).toISOString()}`).toBe(x!.balance - x!.held);
        break;
      case 'provider.bet.rolled_back':
        expect(p.balance_after_minor, `${e.event_type} ${e.event_id} at ${new Date(e.occurred_at).toISOString()}`).toBe(x!.balance - x!.held);
        break;
      case 'backoffice.dispute.resolved':
        // an operator's resolution moved its money in the adjustment.applied of the same id; a provider rollback moves it here
        if (!adjusted.has(p.dispute_id as string)) x!.balance += p.amount_minor as number;
        break;
      case 'backoffice.adjustment.applied':
        adjusted.add(p.adjustment_id as string);
        x!.balance += p.amount_minor as number;
        expect(p.balance_after_minor, `${e.event_type} ${e.event_id} at ${new Date(e.occurred_at).toISOString()}`).toBe(x!.balance);
        checked++;
        break;
    }
    if (x) expect(x.balance).toBeGreaterThanOrEqual(0);
  }
  return checked;
}

describe('fast mode history', () => {
  it('emits every kind of traffic', () => {
    for (const type of ['player.registered', 'player.login.succeeded', 'player.session.ended', 'player.kyc.changed', 'wallet.deposit.requested', 'wallet.deposit.completed',
      'wallet.hold.reserved', 'wallet.hold.posted', 'wallet.win.credited', 'table.bet.placed', 'table.bet.settled', 'table.round.opened', 'table.round.closed',
      'table.round.result', 'table.round.settled', 'provider.bet.debited', 'provider.win.credited', 'wallet.withdrawal.requested', 'rg.limit.set']) {
      expect(counts.by_type[type] ?? 0, type).toBeGreaterThan(0);
    }
    expect(counts.events).toBe(events.length);
  });

  it('light profile: the same players with a fraction of the play, every common event type still there, balances still consistent', () => {
    const light = collectHistory({ ...OPTS, profile: 'light' });
    // the same population: registrations are drawn before any play
    const regs = (evs: CasinoEvent[]) => evs.filter((e) => e.event_type === 'player.registered').map((e) => `${e.player_id} ${e.occurred_at} ${e.jurisdiction}`);
    expect(regs(light.events)).toEqual(regs(events));
    expect(light.counts.events).toBeLessThan(counts.events / 10);
    expect(light.counts.sessions).toBeLessThan(counts.sessions);
    for (const type of ['player.registered', 'player.login.succeeded', 'player.session.ended', 'wallet.deposit.completed', 'wallet.hold.posted', 'table.bet.settled',
      'table.round.settled', 'provider.bet.debited', 'provider.win.credited', 'rg.limit.set']) {
      expect(light.counts.by_type[type] ?? 0, type).toBeGreaterThan(0);
    }
    checkBalances(light.events);
    expect(() => collectHistory({ ...OPTS, profile: 'heavy' as never })).toThrow(/unknown profile 'heavy'/);
  });

  it('every event passes validateEvent (a sample of each type, all of the rare ones)', () => {
    const seen = new Map<string, number>();
    for (const e of events) {
      const n = seen.get(e.event_type) ?? 0;
      seen.set(e.event_type, n + 1);
      if (n >= 300 && n % 97 !== 0) continue;
      const v = validateEvent(e);
      expect(v.ok ? 'ok' : `${e.event_type}: ${v.reason}`).toBe('ok');
    }
  });

  it('is in occurred_at order, ends before now, ids unique', () => {
    let last = 0;
    const ids = new Set<string>();
    for (const e of events) {
      expect(e.occurred_at).toBeGreaterThanOrEqual(last);
      last = e.occurred_at;
      ids.add(e.event_id);
    }
    expect(last).toBeLessThanOrEqual(NOW);
    expect(events[0]!.occurred_at).toBeGreaterThanOrEqual(NOW - 10 * 86_400_000);
    expect(ids.size).toBe(events.length);
  });

  it('is deterministic for a seed and different for another seed', () => {
    const small = { ...OPTS, players: 20, days: 3 };
    const a = [...generateHistory(small)];
    const b = [...generateHistory(small)];
    expect(b).toEqual(a);
    const c = [...generateHistory({ ...small, seed: 'other' })];
    expect(c.map((e) => e.event_id)).not.toEqual(a.map((e) => e.event_id));
  });

  it('balances: every balance_after follows from the player\'s earlier movements (the wallet\'s own semantics)', () => {
    expect(checkBalances(events)).toBeGreaterThan(1000);
  });

  it('an operator\'s adjustment between a spin\'s stake and its win: each reports the balance in time order, as the player object would', () => {
    // The bug report's 150 players x 60 days (seed casino) had one: an adjustment 14 ms after a stake
    // reported the balance with the win credited 750 ms later, and the win the balance without the
    // adjustment (int_wallet_movements' running_balance_matches_reported failed on both). Too rare to
    // find in a test-sized history, so it is put there: a dispute an operator resolves mid-spin.
    const t = NOW - 86_400_000;
    // a slot spin wins or loses by the draw: take the first seed whose spin wins (a losing spin reports
    // no balance after its stake), so the test does not hang on one draw
    let p: SimPlayer | undefined;
    let out: CasinoEvent[] = [];
    for (let k = 0; k < 40 && !out.some((e) => e.event_type === 'wallet.win.credited'); k++) {
      const g = new FastGeneratorForTests({ players: 12, days: 10, tables: 0, seed: `mid-spin-${k}`, now: NOW }, emptyCounts()) as unknown as GeneratorInternals;
      g.createPlayers();
      p = undefined;
      for (let w = g.wake.pop(); w && !p; w = g.wake.pop()) if (w.v.p.slots.length > 0 && w.v.p.currency === 'EUR') p = w.v.p;
      if (!p) continue;
      p.balance = 10_000;
      p.stake = 100;
      // the stake is at t, the win 60-900 ms later: t + 30 is always between them
      g.dispute(p, t + 30, 'table:t:disputed-bet', 500);
      g.slotStint(p, t, t + 1);
      g.catchUp(p, Infinity);
      out = g.flush(Infinity).map((l) => JSON.parse(l) as CasinoEvent);
    }
    const adj = out.find((e) => e.event_type === 'backoffice.adjustment.applied');
    const debit = out.find((e) => e.event_type === 'provider.bet.debited');
    const win = out.find((e) => e.event_type === 'wallet.win.credited');
    // one of the seeds gave a winning spin
    expect(debit && adj && win, 'a winning spin and the adjustment').toBeTruthy();
    expect(adj!.occurred_at).toBeGreaterThan(debit!.occurred_at);
    expect(adj!.occurred_at).toBeLessThan(win!.occurred_at);
    const stake = debit!.payload.amount_minor as number;
    expect(adj!.payload.balance_after_minor).toBe(10_000 - stake + 500);
    expect(win!.payload.balance_after_minor).toBe(10_000 - stake + 500 + (win!.payload.amount_minor as number));
    expect(checkBalances(out, { [p!.id]: 10_000 })).toBeGreaterThanOrEqual(3);
  });

  it('table bets: placed with a hold, settled once in a round that opened before and settled after', () => {
    const rounds = new Map<string, { opened: CasinoEvent; result?: CasinoEvent; settled?: CasinoEvent; closed?: CasinoEvent; voided?: CasinoEvent }>();
    const placed = new Map<string, CasinoEvent>();
    const settled = new Set<string>();
    const holds = new Set<string>();
    for (const e of events) {
      if (e.event_type === 'wallet.hold.reserved') holds.add(e.payload.hold_id as string);
      if (e.event_type === 'table.round.opened') rounds.set(e.round_id!, { opened: e });
      if (e.event_type === 'table.round.closed') rounds.get(e.round_id!)!.closed = e;
      if (e.event_type === 'table.round.result') rounds.get(e.round_id!)!.result = e;
      if (e.event_type === 'table.round.settled') rounds.get(e.round_id!)!.settled = e;
      if (e.event_type === 'table.round.voided') {
        const r = rounds.get(e.round_id!)!;
        expect(r.result, 'a round is voided before its result').toBeUndefined();
        r.voided = e;
      }
      if (e.event_type === 'table.bet.placed') {
        const r = rounds.get(e.round_id!);
        expect(r, 'bet in a round that opened').toBeTruthy();
        expect(r!.closed).toBeUndefined();
        expect(holds.has(e.payload.hold_id as string)).toBe(true);
        expect(e.player_id && e.jurisdiction && e.currency).toBeTruthy();
        placed.set(e.payload.bet_id as string, e);
      }
      if (e.event_type === 'table.bet.settled') {
        const bet = placed.get(e.payload.bet_id as string);
        expect(bet, 'settled bet was placed').toBeTruthy();
        expect(settled.has(e.payload.bet_id as string)).toBe(false);
        settled.add(e.payload.bet_id as string);
        expect(e.round_id).toBe(bet!.round_id);
        // a voided round's bets settle as void (stake back, after the void); the others after the result
        if (e.payload.result === 'void') expect(rounds.get(e.round_id!)!.voided).toBeTruthy();
        else expect(rounds.get(e.round_id!)!.result).toBeTruthy();
      }
    }
    expect(settled.size).toBeGreaterThan(100);
    // automated rounds verify with the platform's provably-fair check
    let verified = 0;
    for (const [roundId, r] of rounds) {
      if (r.opened.payload.mode !== 'auto' || !r.result || verified >= 200) continue;
      const v = verifyRound({ kind: r.opened.payload.game as string, table_id: r.opened.table_id!, round_id: roundId, commitment: r.opened.payload.commitment as string,
        server_seed: r.result.payload.server_seed as string, outcome: JSON.parse(r.result.payload.outcome as string) });
      expect(v).toEqual({ ok: true });
      verified++;
    }
    expect(verified).toBe(200);
  });

  it('no bets, deposits or logins while self-excluded or cooling off; sessions end once', () => {
    const excluded = new Set<string>();
    const coolingUntil = new Map<string, number>();
    const open = new Map<string, string>();
    const money = new Set(['wallet.deposit.requested', 'wallet.hold.reserved', 'player.login.succeeded']);
    for (const e of events) {
      const pid = e.player_id;
      if (!pid) continue;
      if (e.event_type === 'rg.self_exclusion.started') excluded.add(pid);
      if (e.event_type === 'rg.cool_off.started') coolingUntil.set(pid, e.payload.until as number);
      if (e.event_type === 'rg.cool_off.ended') coolingUntil.delete(pid);
      if (money.has(e.event_type) && !(e.event_type === 'wallet.hold.reserved' && e.payload.kind === 'withdrawal')) {
        expect(excluded.has(pid), `${e.event_type} while self-excluded`).toBe(false);
        expect((coolingUntil.get(pid) ?? 0) > e.occurred_at, `${e.event_type} while cooling off`).toBe(false);
      }
      if (e.event_type === 'player.login.succeeded') open.set(e.payload.session_id as string, pid);
      if (e.event_type === 'player.session.ended') {
        expect(open.get(e.payload.session_id as string)).toBe(pid);
        open.delete(e.payload.session_id as string);
      }
    }
  });

  it('house edge is realistic: roulette ~2.7%, baccarat ~1.2%, slots ~4% (wide bounds for a small sample)', () => {
    const sums: Record<string, { staked: number; returned: number }> = {};
    const add = (k: string, s: number, r: number) => {
      const x = (sums[k] ??= { staked: 0, returned: 0 });
      x.staked += s;
      x.returned += r;
    };
    const bigHistory = collectHistory({ ...OPTS, players: 300, days: 14, seed: 'edge' }).events;
    for (const e of bigHistory) {
      if (e.currency !== 'EUR') continue;
      if (e.event_type === 'table.bet.settled') add(e.payload.game as string, e.payload.amount_minor as number, e.payload.returned_minor as number);
      if (e.event_type === 'provider.bet.debited') add('slots', e.payload.amount_minor as number, 0);
      if (e.event_type === 'provider.win.credited') add('slots', 0, e.payload.amount_minor as number);
    }
    const rtp = (k: string) => sums[k]!.returned / sums[k]!.staked;
    expect(rtp('slots')).toBeGreaterThan(0.85);
    expect(rtp('slots')).toBeLessThan(1.05);
    expect(rtp('roulette')).toBeGreaterThan(0.85);
    expect(rtp('roulette')).toBeLessThan(1.1);
    expect(rtp('baccarat')).toBeGreaterThan(0.9);
    expect(rtp('baccarat')).toBeLessThan(1.06);
  });
});

describe('writer', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('writes ~N-event gzip NDJSON objects under the batch prefix that decode to the same events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-out-'));
    dirs.push(dir);
    const meta: Record<string, string>[] = [];
    const sink = directorySink(dir);
    const res = await writeHistory({ ...OPTS, players: 20, days: 3, batchEvents: 1000, sink: { put: (k, v, o) => (meta.push(o.customMetadata), sink.put(k, v, o)) } });
    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d)) (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : files.push(join(d, f)));
    };
    walk(dir);
    files.sort();
    expect(files.length).toBe(res.objects);
    expect(meta.every((m) => m.format === BATCH_FORMAT)).toBe(true);
    const lines: string[] = [];
    for (const f of files) {
      expect(f.slice(dir.length + 1)).toMatch(new RegExp(`^${BATCH_PREFIX}date=\\d{4}-\\d{2}-\\d{2}/hour=\\d{2}/\\d{13}-sim-test-seed-\\d{7}\\.ndjson\\.gz$`));
      const got = await decodeBatchObject(readFileSync(f));
      expect(got.length).toBeLessThanOrEqual(1000);
      lines.push(...got);
    }
    expect(meta.reduce((s, m) => s + Number(m.events), 0)).toBe(lines.length);
    expect(lines.map((l) => JSON.parse(l))).toEqual([...generateHistory({ ...OPTS, players: 20, days: 3 })]);
  });

  it('writes into the local lake (openLocalLake over a temporary state directory)', async () => {
    const { openLocalLake } = await import('../warehouse/source/local-r2');
    const dir = mkdtempSync(join(tmpdir(), 'sim-lake-'));
    dirs.push(dir);
    const lake = await openLocalLake(dir);
    try {
      const res = await writeHistory({ ...OPTS, players: 10, days: 2, batchEvents: 2000, sink: lake.bucket as never });
      const listed = await lake.bucket.list({ prefix: BATCH_PREFIX, include: ['customMetadata'] });
      expect(listed.objects.length).toBe(res.objects);
      const first = listed.objects[0]!;
      expect(first.customMetadata?.format).toBe(BATCH_FORMAT);
      const body = await lake.bucket.get(first.key);
      const lines = await decodeBatchObject(new Uint8Array(await body!.arrayBuffer()));
      expect(lines.length).toBe(Number(first.customMetadata?.events));
      expect(validateEvent(JSON.parse(lines[0]!)).ok).toBe(true);
    } finally {
      await lake.dispose();
    }
  });
});

describe('fast mode devices and hours of play', () => {
  // A few hundred players over two weeks, no tables (only logins matter here).
  const many = [...generateHistory({ players: 400, days: 14, tables: 0, seed: 'device-mix', now: NOW })];
  const logins = many.filter((e) => e.event_type === 'player.login.succeeded');
  const utcOf = new Map(COUNTRIES.map((c) => [c.country, c.utc]));
  const countryOf = new Map(many.filter((e) => e.event_type === 'player.registered').map((e) => [e.player_id!, e.payload.country as string]));

  it('every login carries a device; first logins (one per player, on the main device) follow the mix within 6 points', () => {
    expect(logins.every((e) => ['mobile', 'desktop', 'tablet', 'app'].includes(e.payload.device as string))).toBe(true);
    const first = new Map<string, string>();
    for (const e of logins) if (!first.has(e.player_id!)) first.set(e.player_id!, e.payload.device as string);
    expect(first.size).toBeGreaterThan(300);
    const total = DEVICE_WEIGHTS.reduce((s, d) => s + d[1], 0);
    for (const [device, weight] of DEVICE_WEIGHTS) {
      const share = [...first.values()].filter((d) => d === device).length / first.size;
      expect(Math.abs(share - weight / total), device).toBeLessThan(0.06);
    }
    // some players log in from two devices
    const devices = new Map<string, Set<string>>();
    for (const e of logins) devices.set(e.player_id!, (devices.get(e.player_id!) ?? new Set()).add(e.payload.device as string));
    expect([...devices.values()].filter((d) => d.size > 1).length).toBeGreaterThan(5);
  });

  it('has night owls: players with most logins between 00:00 and 05:00 local, a minority', () => {
    const byPlayer = new Map<string, { n: number; night: number }>();
    for (const e of logins) {
      const utc = utcOf.get(countryOf.get(e.player_id!)!)!;
      const hour = Math.floor((e.occurred_at + utc * HOUR_MS) / HOUR_MS) % 24;
      const s = byPlayer.get(e.player_id!) ?? { n: 0, night: 0 };
      s.n++;
      if (hour < 5) s.night++;
      byPlayer.set(e.player_id!, s);
    }
    const active = [...byPlayer.values()].filter((s) => s.n >= 4);
    const owls = active.filter((s) => s.night / s.n >= 0.5).length;
    expect(active.length).toBeGreaterThan(50);
    expect(owls).toBeGreaterThan(0);
    expect(owls / active.length).toBeLessThan(0.25);
  });
});

describe('fast mode blackjack (tables 5..7: auto-blackjack-1 Seated, infinite-blackjack-1, blackjack-1 Seated with a dealer)', () => {
  const bj = collectHistory({ players: 400, days: 2, tables: 7, seed: 'blackjack', now: NOW });
  type Round = { table: string; events: CasinoEvent[] };
  const rounds = new Map<string, Round>();
  for (const e of bj.events) {
    if (!e.round_id || !e.table_id?.includes('blackjack')) continue;
    const r = rounds.get(e.round_id) ?? { table: e.table_id, events: [] };
    r.events.push(e);
    rounds.set(e.round_id, r);
  }
  const played = [...rounds.values()].filter((r) => r.events.some((e) => e.event_type === 'table.hand.dealt'));

  it('plays every blackjack table: seats, places, side bets, bets behind, decisions with their own stakes', () => {
    expect(new Set(played.map((r) => r.table))).toEqual(new Set(['auto-blackjack-1', 'infinite-blackjack-1', 'blackjack-1']));
    const components = new Set(bj.events.filter((e) => e.event_type === 'table.bet.placed' && e.payload.game === 'blackjack').map((e) => e.payload.bet_type));
    for (const c of ['main', 'perfect_pairs', 'twenty_one_plus_three', 'hot_3', 'double', 'split', 'insurance', 'behind']) expect(components.has(c), c).toBe(true);
    const decisions = new Set(bj.events.filter((e) => e.event_type === 'table.hand.decision').map((e) => e.payload.decision));
    for (const d of ['hit', 'stand', 'double', 'split', 'insurance', 'no_insurance', 'timeout']) expect(decisions.has(d), d).toBe(true);
    // shared dealer cards: rounds with several boxes
    expect(played.filter((r) => r.events.filter((e) => e.event_type === 'table.hand.dealt').length > 1).length).toBeGreaterThan(10);
  });

  it('balances: every balance_after follows from the player\'s earlier movements, blackjack stakes included', () => {
    expect(checkBalances(bj.events)).toBeGreaterThan(1000);
  });

  it('every event passes validateEvent', () => {
    for (const r of played) {
      for (const e of r.events) {
        const v = validateEvent(e);
        expect(v.ok ? 'ok' : `${e.event_type}: ${v.reason}`).toBe('ok');
      }
    }
  });

  it('each round in the table\'s order: opened, bets, closed, the deal and decisions (a money decision after its bet), result, settled hands, bets settled, settled', () => {
    const holds = new Set(bj.events.filter((e) => e.event_type === 'wallet.hold.reserved').map((e) => e.payload.hold_id as string));
    for (const r of played) {
      const types: string[] = r.events.map((e) => e.event_type);
      const at = (t: string) => types.indexOf(t);
      expect(at('table.round.opened')).toBe(0);
      const closed = at('table.round.closed');
      const result = at('table.round.result');
      expect(at('table.hand.dealt')).toBeGreaterThan(closed);
      expect(types.lastIndexOf('table.hand.decision')).toBeLessThan(result);
      expect(types.at(-1)).toBe('table.round.settled');
      const placed = r.events.filter((e) => e.event_type === 'table.bet.placed');
      const settled = r.events.filter((e) => e.event_type === 'table.bet.settled');
      expect(settled.map((e) => e.payload.bet_id).sort()).toEqual(placed.map((e) => e.payload.bet_id).sort());
      expect(r.events[closed]!.payload.bets).toBe(placed.filter((e) => types.indexOf('table.bet.placed') <= r.events.indexOf(e) && r.events.indexOf(e) < closed).length);
      expect(r.events.at(-1)!.payload.bets).toBe(settled.length);
      for (const p of placed) {
        expect(holds.has(p.payload.hold_id as string)).toBe(true);
        const i = r.events.indexOf(p);
        const mid = ['double', 'split', 'insurance'].includes(p.payload.bet_type as string);
        expect(i < closed, `${p.payload.bet_type} placed ${mid ? 'after' : 'before'} the close`).toBe(!mid);
        // a money decision: the next event is its decision, carrying the stake
        if (mid) expect([r.events[i + 1]!.event_type, r.events[i + 1]!.payload.decision, r.events[i + 1]!.payload.stake_minor]).toEqual(['table.hand.decision', p.payload.bet_type, p.payload.amount_minor]);
      }
      // every settled hand after the result, all with the round's dealer cards
      const hands = r.events.filter((e) => e.event_type === 'table.hand.settled');
      expect(hands.length).toBeGreaterThan(0);
      expect(Math.min(...hands.map((e) => r.events.indexOf(e)))).toBeGreaterThan(result);
      expect(new Set(hands.map((e) => e.payload.dealer_cards)).size).toBe(1);
      expect(JSON.parse(r.events[result]!.payload.outcome as string).dealer.join(' ')).toBe(hands[0]!.payload.dealer_cards);
    }
  });

  it('payouts are the engine\'s: each box player\'s settled bets return what their settled hands say; Infinite boxes share their first cards', () => {
    let rounds = 0;
    for (const r of played) {
      const own = new Map<string, { staked: number; returned: number }>();
      const add = (pid: string, s: number, ret: number) => { const x = own.get(pid) ?? { staked: 0, returned: 0 }; x.staked += s; x.returned += ret; own.set(pid, x); };
      for (const e of r.events) {
        if (e.event_type === 'table.bet.settled' && e.payload.bet_type !== 'behind') add(e.player_id!, e.payload.amount_minor as number, e.payload.returned_minor as number);
        if (e.event_type === 'table.hand.settled') add(`hand:${e.player_id}`, e.payload.staked_minor as number, e.payload.returned_minor as number);
      }
      for (const [pid, x] of own) if (!pid.startsWith('hand:')) expect(own.get(`hand:${pid}`), `${r.table} ${pid}`).toEqual(x);
      if (r.table === 'infinite-blackjack-1') expect(new Set(r.events.filter((e) => e.event_type === 'table.hand.dealt').map((e) => e.payload.cards)).size).toBe(1);
      rounds++;
    }
    expect(rounds).toBeGreaterThan(100);
  });

  it('automated rounds verify: the dealt cards are the committed shoe\'s (checkShoe), a dealer\'s round has no seed', () => {
    let verified = 0;
    for (const r of played) {
      const opened = r.events[0]!;
      const result = r.events.find((e) => e.event_type === 'table.round.result')!;
      const outcome = JSON.parse(result.payload.outcome as string);
      if (opened.payload.mode === 'dealer') {
        expect([opened.payload.commitment, result.payload.server_seed, result.payload.source]).toEqual([null, null, 'dealer']);
        continue;
      }
      expect(checkShoe({ commitment: opened.payload.commitment as string, server_seed: result.payload.server_seed as string, client_seed: outcome.client_seed, nonce: outcome.nonce, decks: outcome.decks, dealt: outcome.dealt })).toEqual({ ok: true });
      verified++;
    }
    expect(verified).toBeGreaterThan(50);
  });
});
