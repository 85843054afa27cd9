/**
 * Live blackjack rounds as TableDO emits them, for the dashboards' end-to-end test: the simulator's
 * fast mode plays roulette and baccarat only, so the blackjack page would have no rows to show.
 *
 * As warehouse/blackjack-engine.test.ts does it: the engine (domain/games/blackjack/) deals from
 * provably-fair shoes and plays basic strategy, with a few timeouts, insurance taken by one player
 * and declined or timed out by the others, side bets on every box and (Seated) a bet behind that
 * follows; each step's hand events are flattened with the table's own `handEventPayload`, one bet
 * (hold, placed, settled) per stake with `bet_type` the stake's component, and every event checked
 * with `validateEvent` (domain/events.ts). Deterministic: the same rounds every run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BATCH_FORMAT, batchObjectKey, decodeBatchObject, encodeBatchObject } from '../../domain/event-batch';
import { validateEvent, type CasinoEvent } from '../../domain/events';
import {
  activeHandIndex, basicStrategy, CLASSIC_INFINITE, CLASSIC_SEATED, type BlackjackEvent, type BlackjackRules, betBehind, closeBetting, closeInsurance, currentTurn, dealFromShoe, decide,
  type Format, handEventPayload, insure, legalActions, newRound, openShoe, placeBet, type RoundState, settleRound, type Stake, type Step, timeout,
} from '../../domain/games/blackjack';
import { uuidv7 } from '../../domain/ids';
import { directorySink } from '../../simulator/sink';

export type BlackjackTable = { table_id: string; game_id: string; format: Format; rules: BlackjackRules };
/** A box player: a registered player of the simulated warehouse, so the money marts know their brand. */
export type BlackjackPlayer = { player_id: string; jurisdiction: string | null; currency: string };

function must(step: Step): { state: RoundState; events: BlackjackEvent[] } {
  if (!step.ok) throw new Error(`the engine refused: ${step.code} (${step.message})`);
  return step;
}

function valid(input: unknown): CasinoEvent {
  const result = validateEvent(input);
  if (!result.ok) throw new Error(`not the edge schema: ${result.reason}\n${JSON.stringify(input)}`);
  return result.event;
}

/** A deterministic coin (no Math.random: the same history every run). */
function coin(n: number, percent: number): boolean {
  return ((n * 2654435761) >>> 0) % 100 < percent;
}

/** The next hand waiting for a decision: the seat whose turn it is, or (Infinite) any box's open hand. */
function nextDecision(state: RoundState): { player_id: string; box_id: string; hand_index: number } | null {
  if (state.format === 'seated') return currentTurn(state);
  for (const box of state.boxes) {
    const index = activeHandIndex(box);
    if (index !== null && box.hands[index]?.status === 'playing') return { player_id: box.player_id, box_id: box.box_id, hand_index: index };
  }
  return null;
}

/**
 * `rounds` rounds at each table on each UTC day of `days` (from 12:00, ~a minute apart), three box
 * players (the first three of `players`) and, at a Seated table, the fourth betting behind seat 2.
 * Main bets 10, 15 and 20 units, side bets 1 unit each, in each player's currency.
 */
export function blackjackRounds(opts: { tables: BlackjackTable[]; days: string[]; rounds: number; players: BlackjackPlayer[] }): CasinoEvent[] {
  if (opts.players.length < 4) throw new Error('blackjackRounds needs four players');
  const byId = new Map(opts.players.map((p) => [p.player_id, p]));
  const [p1, p2, p3, p4] = opts.players.map((p) => p.player_id) as [string, string, string, string];
  const events: CasinoEvent[] = [];
  let coinFlips = 0;
  for (const day of opts.days) {
    for (const { table_id, game_id, format, rules } of opts.tables) {
      let clock = Date.parse(`${day}T12:00:00Z`) + (format === 'infinite' ? 30_000 : 0);
      for (let r = 0; r < opts.rounds; r++) {
        const roundId = `${table_id}-${day}-r${r}`;
        const serverSeed = `${'b'.repeat(62)}${String(r % 100).padStart(2, '0')}`;
        const envelope = (type: string, playerId: string | null, payload: Record<string, unknown>) => {
          const player = playerId ? byId.get(playerId) : undefined;
          return valid({ event_id: uuidv7(clock), event_type: type, schema_version: 1, occurred_at: clock, player_id: playerId, table_id, round_id: roundId,
            jurisdiction: player?.jurisdiction ?? null, currency: player?.currency ?? null, payload });
        };
        const tick = () => (clock += 1_000);
        /** Every stake the step added: its hold and its bet placed, now. */
        const newStakes = (before: RoundState, after: RoundState): Stake[] => {
          const added = after.stakes.filter((s) => !before.stakes.some((b) => b.stake_id === s.stake_id));
          for (const s of added) {
            const holdId = `table:${table_id}:${roundId}:${s.stake_id}`;
            events.push(envelope('wallet.hold.reserved', s.player_id, { hold_id: holdId, kind: 'bet', amount_minor: s.amount_minor, real_minor: s.amount_minor, bonus_minor: 0, expires_at: clock + 86_400_000, ref: s.stake_id }));
            events.push(envelope('table.bet.placed', s.player_id, { bet_id: `${roundId}:${s.stake_id}`, game: 'blackjack', game_id, spot: s.component, bet_type: s.component, amount_minor: s.amount_minor, hold_id: holdId }));
          }
          return added;
        };
        /** The step's hand events, flattened; a decision carries the further stake it reserved. */
        const emit = (before: RoundState, step: { state: RoundState; events: BlackjackEvent[] }) => {
          tick();
          const added = newStakes(before, step.state);
          for (const e of step.events) {
            if (e.type === 'table.hand.dealt') events.push(envelope(e.type, e.player_id, handEventPayload(e).payload));
            else if (e.type === 'table.hand.decision') {
              const component = e.decision === 'double' || e.decision === 'split' || e.decision === 'insurance' ? e.decision : null;
              const stake = added.filter((s) => s.box_id === e.box_id && s.player_id === e.player_id && s.component === component).reduce((a, s) => a + s.amount_minor, 0);
              events.push(envelope(e.type, e.player_id, handEventPayload(e, stake).payload));
            }
          }
          return step.state;
        };

        events.push(envelope('table.round.opened', null, { round_no: r + 1, game: 'blackjack', game_id, mode: 'auto', commitment: 'c0ffee', closes_at: clock + 15_000, actor: 'rng' }));
        let state = newRound(format, rules);
        for (const [i, player] of [p1, p2, p3].entries()) {
          const sideBets = Object.fromEntries(rules.side_bets.map((k) => [k, 100]));
          state = emit(state, must(placeBet(state, { player_id: player, ...(format === 'seated' ? { seat: i + 1 } : {}), main_minor: 1_000 + 500 * i, side_bets: sideBets })));
        }
        if (format === 'seated') state = emit(state, must(betBehind(state, { player_id: p4, seat: 2, amount_minor: 400, follow: true })));
        events.push(envelope('table.round.closed', null, { round_no: r + 1, bets: state.stakes.length, actor: 'rng' }));
        state = emit(state, must(closeBetting(state)));
        const shoe = openShoe(serverSeed, `dashboards-${day}`, r, rules.decks); // a client seed per day: each day deals other cards
        for (let pass = 0; state.phase !== 'complete'; pass++) {
          if (pass > 200) throw new Error('a round did not end');
          state = emit(state, must(dealFromShoe(state, shoe)));
          if (state.phase === 'insurance') {
            // p2 insures, p3 declines, p1 lets the window time out
            for (const [player, take] of [[p2, true], [p3, false]] as const) {
              const box = state.boxes.find((b) => b.player_id === player);
              if (state.phase === 'insurance' && box?.insurance === 'pending') state = emit(state, must(insure(state, { player_id: player, box_id: box.box_id, take })));
            }
            if (state.phase === 'insurance') state = emit(state, must(closeInsurance(state)));
            continue;
          }
          const turn = nextDecision(state);
          const box = turn ? state.boxes.find((b) => b.box_id === turn.box_id) : undefined;
          const hand = turn && box ? box.hands[turn.hand_index] : undefined;
          if (!turn || !hand || hand.status !== 'playing') continue;
          if (coin(++coinFlips, 4)) {
            state = emit(state, must(timeout(state)));
            continue;
          }
          const legal = legalActions(state, turn.player_id, turn.box_id, turn.hand_index);
          const action = basicStrategy(rules, hand.cards, state.dealer[0] ?? '', legal);
          state = emit(state, must(decide(state, { player_id: turn.player_id, box_id: turn.box_id, hand_index: turn.hand_index, action })));
        }
        const settlement = settleRound(state);
        if ('ok' in settlement) throw new Error(`settlement refused: ${settlement.code}`);
        tick();
        events.push(envelope('table.round.result', null, { round_no: r + 1, game: 'blackjack', source: 'rng', actor: 'rng', outcome: JSON.stringify({ dealer: state.dealer, shoe: state.dealt }), summary: `dealer ${state.dealer.join(' ')}`, server_seed: serverSeed }));
        for (const h of settlement.hands) {
          const flat = handEventPayload(h);
          events.push(envelope(flat.type, h.player_id, flat.payload));
        }
        tick();
        for (const s of settlement.stakes) {
          const result = s.returned_minor > s.stake_minor ? 'win' : s.returned_minor === s.stake_minor ? 'push' : 'lose';
          events.push(envelope('table.bet.settled', s.player_id, { bet_id: `${roundId}:${s.stake_id}`, game: 'blackjack', game_id, spot: s.component, bet_type: s.component, amount_minor: s.stake_minor, returned_minor: s.returned_minor, result }));
        }
        events.push(envelope('table.round.settled', null, { round_no: r + 1, game: 'blackjack', bets: settlement.stakes.length, settle_ms: 40 }));
        clock += 60_000;
      }
    }
  }
  return events.sort((a, b) => a.occurred_at - b.occurred_at);
}

/** The catalog's blackjack tables (config/tables.json: blackjack-1 Seated, infinite-blackjack-1), with their rules' presets. */
export const CATALOG_TABLES: BlackjackTable[] = [
  { table_id: 'blackjack-1', game_id: 'live-blackjack-1', format: 'seated', rules: CLASSIC_SEATED },
  { table_id: 'infinite-blackjack-1', game_id: 'infinite-blackjack-1', format: 'infinite', rules: CLASSIC_INFINITE },
];

/**
 * Plays `rounds` rounds a day at the catalog's two blackjack tables on `days`, for four EUR players
 * of the simulator's history in `eventsDir` (players who bet at a table, so they are registered),
 * and writes them there as one more batch object, so one `wh sync --source dir:<eventsDir>` loads
 * both (a later sync would list only objects after its newest one, and prod's incremental models
 * would not reprocess days they have already built). Returns the number of events.
 */
export async function writeBlackjackBatch(opts: { eventsDir: string; days: string[]; rounds: number }): Promise<number> {
  const players = new Map<string, BlackjackPlayer>();
  const files = readdirSync(opts.eventsDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ndjson.gz')).sort();
  for (const file of files) {
    for (const line of await decodeBatchObject(readFileSync(join(opts.eventsDir, file)))) {
      const e = JSON.parse(line) as { event_type: string; player_id: string | null; jurisdiction: string | null; currency: string | null };
      if (e.player_id && e.currency === 'EUR' && e.jurisdiction && e.event_type.startsWith('table.bet.')) players.set(e.player_id, { player_id: e.player_id, jurisdiction: e.jurisdiction, currency: 'EUR' });
    }
    if (players.size >= 4) break;
  }
  const events = blackjackRounds({ tables: CATALOG_TABLES, days: opts.days, rounds: opts.rounds, players: [...players.values()].slice(0, 4) });
  await directorySink(opts.eventsDir).put(batchObjectKey(events.at(-1)!.occurred_at + 1_000, 'dashboards-blackjack'), await encodeBatchObject(events.map((e) => JSON.stringify(e))), { customMetadata: { format: BATCH_FORMAT, events: String(events.length) } });
  return events.length;
}
