/**
 * The fast-mode side of the parity contract (simulator/event-shapes.ts, docs/simulator.md "Parity
 * with the edge"): fast mode writes the edge's events by hand, so its event types, envelope fields
 * and payload key paths with their JSON types must be those the real objects emitted for a scripted
 * player (test/edge/event-shapes.test.ts, kept in simulator/event-shapes.json). A field the edge
 * gained, lost or retyped and fast mode did not follow (or the reverse) fails here with one line per
 * key. Event types only one side emits are listed below with the reason; a stale entry fails too.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../domain/events';
import { describeDiff, diffShapes, ShapeCollector, type EventShapes, type ShapeDiff } from './event-shapes';
import { emptyCounts, generateHistoryLines } from './fast';
import { ARCHETYPES } from './model';

const CONTRACT: EventShapes = JSON.parse(readFileSync(new URL('./event-shapes.json', import.meta.url), 'utf8'));

/**
 * Event types the edge script emits (they are in the contract) that fast mode does not write, and why.
 * Fast mode must not emit them; if it starts to, the entry goes and its shape is checked like the others.
 */
const EDGE_ONLY: Record<string, string> = {
  'provider.rollback.unmatched': 'a provider rolling back a bet the platform never saw: an integration fault, not simulated',
};

/** Event types of the contract (domain/events.ts) the edge script does not produce, and why: nothing to compare fast mode with. */
const NOT_SCRIPTED: Record<string, string> = {
  'player.segments.changed': 'emitted when the warehouse publishes segments back (wh publish segments), not by casino traffic; fast mode does not emit it',
  'audit.entry.appended': "AuditDO's hash-chained log of operator requests; fast mode does not reproduce the chain",
  'catalog.provider.changed': 'catalog edits (CatalogDO), not casino traffic; fast mode does not emit them',
  'catalog.category.changed': 'catalog edits (CatalogDO), not casino traffic; fast mode does not emit them',
  'catalog.game.changed': 'catalog edits (CatalogDO), not casino traffic; fast mode does not emit them',
  'rewards.assigned': 'an A/B assignment: the live rule set assigns on the 20th bet at one table, which the edge script does not reach; test/edge/statement-budget.test.ts does',
  'rewards.mission_expired': 'a mission left a week: not in a short script',
  'rewards.break_suggested': 'a player at risk betting: test/edge/rewards.test.ts emits it; the edge script does not',
  'wallet.reward.credited': 'a cashback paid into the wallet: the live rule set has no cashback rule; test/edge/rewards-offers.test.ts emits it',
  'rewards.wheel_spun': 'a player spinning a granted wheel spin (POST /v1/players/me/rewards/spins/{id}): the edge script does not spin; test/edge/reward-wheel.test.ts emits and validates it; fast mode does not simulate spins',
  'tournament.created': 'tournaments (TournamentDO, docs/tournaments.md) are marketing configuration, not casino traffic: test/edge/tournaments.test.ts emits and validates them; fast mode does not simulate tournaments',
  'tournament.joined': 'tournaments: test/edge/tournaments.test.ts emits and validates it; fast mode does not simulate tournaments',
  'tournament.cancelled': 'tournaments: an operator cancelling one; test/edge/tournaments.test.ts emits and validates it; fast mode does not simulate tournaments',
  'tournament.ended': "tournaments: the end's alarm, an hour or more after a script's bets; test/edge/tournaments.test.ts emits and validates it; fast mode does not simulate tournaments",
  'tournament.prize.paid': 'tournaments: a prize credited at the end; test/edge/tournaments.test.ts emits and validates it; fast mode does not simulate tournaments',
  'table.round.settle_stuck': "a failure signal (a player object refusing a table's settlements), not casino traffic; test/edge/review-table-money.test.ts emits it; fast mode does not",
};

/**
 * Event types fast mode writes that the edge script does not reach (every line of fast.ts stands for an
 * object's event). Their payloads are made by the player object's own `eventOf`, and
 * simulator/fast-rewards.test.ts validates each against its schema (domain/rewards/events.ts).
 */
const FAST_ONLY: Record<string, string> = {
  'rewards.assigned': 'an A/B assignment on the 20th bet at one table (NOT_SCRIPTED); fast mode runs the engine (simulator/fast-rewards.ts)',
  'rewards.mission_expired': 'a mission left a week (NOT_SCRIPTED); fast mode runs the engine (simulator/fast-rewards.ts)',
  'rewards.break_suggested': 'a player at risk betting (NOT_SCRIPTED); fast mode runs the engine (simulator/fast-rewards.ts)',
};

/** Event types whose payloads fast mode builds with the player object's own code (durable/player/rewards.ts eventOf). */
const OBJECT_BUILT = /^rewards\./;

/** A responsible-gaming action in 30 % of sessions instead of 0.5-8 %: limit raises applied, cool-offs ended, self-exclusions. */
const RG_HEAVY = 0.3;

/**
 * Fast mode's shapes: one small history of the population as simulated, then histories of players
 * who use the responsible-gaming tools far more often (ARCHETYPES' `rg` raised: the rarest paths,
 * a limit raise applied or a cool-off that ended, need hundreds of player-weeks otherwise), of
 * successive seeds until every type the edge script covers (but the edge-only ones) has been seen.
 * Then long histories until a self-exclusion has ended. Bounded, and deterministic.
 */
function fastShapes(): { shapes: EventShapes; histories: number; events: number } {
  // (a self-exclusion's end needs a history longer than 6 months: the last loop below)
  const wanted = Object.keys(CONTRACT).filter((t) => !(t in EDGE_ONLY) && t !== 'rg.self_exclusion.ended');
  const c = new ShapeCollector();
  const seen = new Set<string>();
  const rg = Object.fromEntries(Object.entries(ARCHETYPES).map(([k, a]) => [k, a.rg]));
  let events = 0;
  let histories = 0;
  try {
    for (let i = 0; i < 10 && !wanted.every((t) => seen.has(t)); i++) {
      histories++;
      if (i === 1) for (const a of Object.values(ARCHETYPES)) a.rg = RG_HEAVY;
      const counts = emptyCounts();
      for (const chunk of generateHistoryLines({ players: 60, days: 14, tables: 7, seed: `event-shapes-${i}`, now: Date.UTC(2026, 10, 20, 18, 30) }, counts)) {
        for (const line of chunk) c.add(JSON.parse(line));
      }
      events += counts.events;
      for (const t of Object.keys(counts.by_type)) seen.add(t);
    }
    // a self-exclusion ends 6 months or more after it started: long histories of a few players who
    // use the tools at every session (no tables: cheap, ~30k events each)
    for (let i = 0; i < 4 && !seen.has('rg.self_exclusion.ended'); i++) {
      histories++;
      for (const a of Object.values(ARCHETYPES)) a.rg = 1;
      const counts = emptyCounts();
      for (const chunk of generateHistoryLines({ players: 20, days: 400, tables: 0, seed: `event-shapes-long-${i}`, now: Date.UTC(2026, 10, 20, 18, 30) }, counts)) {
        for (const line of chunk) c.add(JSON.parse(line));
      }
      events += counts.events;
      for (const t of Object.keys(counts.by_type)) seen.add(t);
    }
  } finally {
    for (const [k, a] of Object.entries(ARCHETYPES)) a.rg = rg[k]!;
  }
  return { shapes: c.shapes(), histories, events };
}

/**
 * A difference fast mode may have: a type variant it did not happen to write in these histories
 * (a nullable field always filled, say). Everything it writes must be a type the edge writes, and
 * a field the edge fills must not be always null in fast mode.
 */
function tolerated(d: ShapeDiff): boolean {
  if (d.edge === null || d.fast === null) return false; // a key only one side has
  const edge = new Set(d.edge.split('|'));
  const fast = d.fast.split('|');
  // rewards events are made by the object's own eventOf (simulator/fast-rewards.ts); the short edge script
  // leaves some of their nullable fields always null, which fast mode's longer histories fill
  // (simulator/fast-rewards.test.ts validates every one of them against its schema)
  if (OBJECT_BUILT.test(d.event_type) && d.edge === 'null' && fast.includes('null')) return true;
  const nonNull = (ts: Iterable<string>) => [...ts].filter((t) => t !== 'null');
  return fast.every((t) => edge.has(t)) && (nonNull(edge).length === 0 || nonNull(fast).length > 0);
}

describe('fast mode writes the events the objects emit (simulator/event-shapes.json)', () => {
  const { shapes: fast, histories, events } = fastShapes();

  it('the lists of one-sided types are complete and current', () => {
    // every event type of the platform is either in the contract or listed as not scripted, with a reason
    const unaccounted = EVENT_TYPES.filter((t) => !(t in CONTRACT) && !(t in NOT_SCRIPTED));
    expect(unaccounted, 'new event types: add them to test/edge/event-shapes.test.ts (then refresh the contract) or to NOT_SCRIPTED').toEqual([]);
    expect(Object.keys(NOT_SCRIPTED).filter((t) => t in CONTRACT), 'scripted now: remove from NOT_SCRIPTED').toEqual([]);
    expect(Object.keys(EDGE_ONLY).filter((t) => !(t in CONTRACT)), 'EDGE_ONLY entries the edge script does not emit').toEqual([]);
  });

  it('emits every event type the edge script emits, and no other, but the listed ones', () => {
    expect(histories, `${events} events`).toBeGreaterThan(0);
    const missing = Object.keys(CONTRACT).filter((t) => !(t in fast) && !(t in EDGE_ONLY));
    expect(missing, 'edge event types fast mode never wrote').toEqual([]);
    const extra = Object.keys(fast).filter((t) => !(t in CONTRACT) && !(t in FAST_ONLY));
    expect(extra, 'event types fast mode wrote that the edge script never emitted').toEqual([]);
    const nowEmitted = Object.keys(EDGE_ONLY).filter((t) => t in fast);
    expect(nowEmitted, 'fast mode emits these now: remove them from EDGE_ONLY').toEqual([]);
    const notFastOnly = Object.keys(FAST_ONLY).filter((t) => t in CONTRACT);
    expect(notFastOnly, 'the edge emits these too: remove them from FAST_ONLY').toEqual([]);
  });

  it('the same envelope fields and payload key paths, with the same JSON types', () => {
    const diffs = diffShapes(CONTRACT, fast);
    const failing = diffs.filter((d) => !tolerated(d)).map(describeDiff);
    expect(failing, 'fix simulator/fast.ts (or, if the edge changed, refresh the contract: see docs/simulator.md)').toEqual([]);
  });
});

describe('the comparison itself', () => {
  const edge: EventShapes = { 'x.y': { envelope: { currency: 'null|string' }, payload: { a: 'integer', b: 'null|string', c: 'string' } } };

  it('reports a key on one side only, and a type fast mode writes that the edge does not', () => {
    const fast: EventShapes = { 'x.y': { envelope: { currency: 'string' }, payload: { a: 'number', b: 'string', d: 'boolean' } } };
    expect(diffShapes(edge, fast).filter((d) => !tolerated(d)).map(describeDiff)).toEqual([
      'x.y payload.a: edge integer, fast number',
      'x.y payload.c: edge string, fast (absent)',
      'x.y payload.d: edge (absent), fast boolean',
    ]);
  });

  it('tolerates a nullable field fast mode always filled, not one it never filled', () => {
    expect(tolerated({ event_type: 'x.y', part: 'payload', key: 'b', edge: 'null|string', fast: 'string' })).toBe(true);
    expect(tolerated({ event_type: 'x.y', part: 'payload', key: 'b', edge: 'null|string', fast: 'null' })).toBe(false);
    expect(tolerated({ event_type: 'x.y', part: 'payload', key: 'c', edge: 'string', fast: 'null|string' })).toBe(false);
  });
});
