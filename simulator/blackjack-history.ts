/**
 * Blackjack rounds as the table emits them, with what the engine says each hand and stake came to:
 * the one generator of the tests that load blackjack into the warehouse and check it
 * (warehouse/blackjack-engine.test.ts against the engine, test/e2e/blackjack-rounds.ts for the
 * dashboards). Every round is played by `playRound` (simulator/blackjack-round.ts), the round player
 * of fast mode: the same deal, decisions, stakes and settlement, with a fixed set of box players
 * who play the simulated player's policy with insurance and side bets turned up (so a few hundred
 * rounds cover naturals, busts, doubles, splits, surrenders where offered, insurance and every side
 * bet), and, at a Seated table, a fourth player betting behind seat 2.
 *
 * Events: the table's (round opened, closed, the hand events, result, settled hands, bets settled,
 * round settled) and each stake's hold (wallet.hold.reserved) and bet (table.bet.placed), each
 * checked with validateEvent. The player objects' settlement (hold posted, win credited) is left out:
 * these players have no deposits, so a balance would mean nothing; fast mode writes it.
 * Deterministic for a seed (ids included).
 */
import { validateEvent, type CasinoEvent } from '../domain/events';
import { commitSeed } from '../domain/fairness/provably-fair';
import { openShoe, TYPICAL_PLAYER, type BlackjackRules, type Format, type PlayerProfile, type StakeComponent } from '../domain/games/blackjack';
import { playRound, type HandExpectation, type PlayerPlay, type RoundStake } from './blackjack-round';
import { Rng } from './rng';

export type HistoryTable = { table_id: string; game_id: string; format: Format; rules: BlackjackRules };
/** A box player (give registered players of a simulated history where the money marts need their brand). */
export type HistoryPlayer = { player_id: string; jurisdiction: string | null; currency: string };

export type BlackjackHistory = {
  events: CasinoEvent[];
  hands: (HandExpectation & { table_id: string; round_id: string })[];
  stakes: { table_id: string; component: StakeComponent; amount: number; returned: number }[];
  /** Rounds per table, and those whose dealer busted. */
  rounds: Map<string, number>;
  dealerBusts: Map<string, number>;
};

/** The test players: the typical player's mistakes, insurance half the time, every side bet offered at a tenth of the main bet. */
const TEST_PROFILE: PlayerProfile = { mistakes: TYPICAL_PLAYER.mistakes, insurance: 0.5, side_bets: { chance: 1, fractions: [0.1] } };
const BETTING_MS = 15_000;

function valid(input: unknown): CasinoEvent {
  const result = validateEvent(input);
  if (!result.ok) throw new Error(`not the edge schema: ${result.reason}\n${JSON.stringify(input)}`);
  return result.event;
}

/**
 * `rounds` rounds at each table from each of `starts` (ms; rounds 90 s apart), three box players
 * (the first three of `players`, main bets 10, 15 and 20 units) and at a Seated table the fourth
 * betting 4 units behind seat 2. Automated tables: provably-fair shoes from `seed`.
 */
export function blackjackHistory(opts: { tables: HistoryTable[]; starts: number[]; rounds: number; players: HistoryPlayer[]; seed: string }): BlackjackHistory {
  if (opts.players.length < 4) throw new Error('blackjackHistory needs four players');
  const [p1, p2, p3, p4] = opts.players as [HistoryPlayer, HistoryPlayer, HistoryPlayer, HistoryPlayer];
  const byId = new Map(opts.players.map((p) => [p.player_id, p]));
  const ids = Rng.derive(opts.seed, 'ids');
  const plays = new Map(opts.players.map((p): [string, PlayerPlay] => {
    const r = Rng.derive(opts.seed, `player:${p.player_id}`);
    return [p.player_id, { random: () => r.next(), profile: TEST_PROFILE, timeout_chance: 0.04, think: () => r.range(800, 4_000) }];
  }));
  const out: BlackjackHistory = { events: [], hands: [], stakes: [], rounds: new Map(), dealerBusts: new Map() };
  for (const [day, start] of opts.starts.entries()) {
    for (const [t, table] of opts.tables.entries()) {
      for (let r = 0; r < opts.rounds; r++) {
        const openedAt = start + t * 7_000 + r * 90_000;
        const closesAt = openedAt + BETTING_MS;
        const roundNo = day * opts.rounds + r + 1;
        const roundId = ids.uuidv7(openedAt);
        const serverSeed = Rng.derive(opts.seed, `seed:${table.table_id}:${roundNo}`).hex64();
        const clientSeed = `table-${roundNo}`;
        const envelope = (at: number, type: string, playerId: string | null, payload: Record<string, unknown>, onTable = true) => {
          const who = playerId ? byId.get(playerId) : undefined;
          out.events.push(valid({
            event_id: ids.uuidv7(at), event_type: type, schema_version: 1, occurred_at: at, player_id: playerId, table_id: onTable ? table.table_id : null,
            round_id: onTable ? roundId : null, jurisdiction: who?.jurisdiction ?? null, currency: who?.currency ?? null, payload,
          }));
        };
        const hold = (s: RoundStake) => `table:${table.table_id}:${s.bet_id}`;
        const placed = (at: number, s: RoundStake) => {
          envelope(at, 'wallet.hold.reserved', s.player_id, { hold_id: hold(s), kind: 'bet', amount_minor: s.amount_minor, real_minor: s.amount_minor, bonus_minor: 0, expires_at: at + 86_400_000, ref: `${table.table_id}:${roundId}` }, false);
          envelope(at + 1, 'table.bet.placed', s.player_id, { bet_id: s.bet_id, game: 'blackjack', game_id: table.game_id, spot: s.component, bet_type: s.component, amount_minor: s.amount_minor, hold_id: hold(s) });
        };
        const seated = table.format === 'seated';
        const seats = [p1, p2, p3].map((p, i) => {
          const main = 1_000 + 500 * i;
          const side = Object.fromEntries(table.rules.side_bets.map((k) => [k, Math.round(main * TEST_PROFILE.side_bets.fractions[0]!)]));
          return { player_id: p.player_id, bet_id: ids.uuidv7(openedAt + 1_000), seat: seated ? i + 1 : null, main_minor: main, side_bets: side };
        });
        const behind = seated ? [{ player_id: p4.player_id, bet_id: ids.uuidv7(openedAt + 2_000), seat: 2, amount_minor: 400 }] : [];
        const played = playRound({
          format: table.format, rules: table.rules, mode: 'auto', shoe: openShoe(serverSeed, clientSeed, roundNo, table.rules.decks), closes_at: closesAt, seats, behind,
          play: (id) => plays.get(id)!, newBetId: (_, at) => ids.uuidv7(at), afford: () => true,
          timing: { decision_ms: 15_000, insurance_ms: 8_000, card_ms: 0, hurry_at: closesAt + 60_000 },
          outcome_extra: { client_seed: clientSeed, nonce: roundNo, decks: table.rules.decks },
        });
        const commitment = commitSeed(serverSeed);
        envelope(openedAt, 'table.round.opened', null, { round_no: roundNo, game: 'blackjack', game_id: table.game_id, mode: 'auto', commitment, closes_at: closesAt, actor: 'rng' });
        played.betting.forEach((s, i) => placed(openedAt + 1_000 + 100 * i, s));
        envelope(closesAt, 'table.round.closed', null, { round_no: roundNo, bets: played.betting.length, actor: 'rng' });
        for (const step of played.steps) {
          if (step.kind === 'stake') placed(step.at, step.stake);
          else envelope(step.at, step.event.type, step.player_id, step.event.payload);
        }
        const at = played.result_at + 1;
        envelope(at, 'table.round.result', null, { round_no: roundNo, game: 'blackjack', source: 'rng', actor: 'rng', outcome: JSON.stringify(played.outcome), summary: played.summary, server_seed: serverSeed });
        for (const h of played.settled_hands) envelope(at, h.event.type, h.player_id, h.event.payload);
        for (const s of played.settlements) {
          envelope(at + 40, 'table.bet.settled', s.stake.player_id, {
            bet_id: s.stake.bet_id, game: 'blackjack', game_id: table.game_id, spot: s.stake.component, bet_type: s.stake.component, amount_minor: s.stake.amount_minor, returned_minor: s.returned_minor, result: s.result,
          });
          out.stakes.push({ table_id: table.table_id, component: s.stake.component, amount: s.stake.amount_minor, returned: s.returned_minor });
        }
        envelope(at + 42, 'table.round.settled', null, { round_no: roundNo, game: 'blackjack', bets: played.settlements.length, settle_ms: 42 });
        for (const h of played.hands) out.hands.push({ ...h, table_id: table.table_id, round_id: roundId });
        out.rounds.set(table.table_id, (out.rounds.get(table.table_id) ?? 0) + 1);
        if (played.dealer_busted) out.dealerBusts.set(table.table_id, (out.dealerBusts.get(table.table_id) ?? 0) + 1);
      }
    }
  }
  out.events.sort((a, b) => a.occurred_at - b.occurred_at);
  return out;
}
