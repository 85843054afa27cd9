/**
 * API mode at an automated blackjack table (auto-blackjack-1: Seated, infinite-blackjack-1:
 * Infinite): one stint is a few rounds, each played as a real player would through the public API.
 *   - wait for a round open for betting (GET /v1/tables/{id}), with time left;
 *   - take a seat (Seated: a free one of the view's seats, another if it was just taken) or a place
 *     (Infinite) with a main bet, the side bets the player's profile places (playerSideBets, kept
 *     within the table's limits) and a client seed of their own (it enters the shoe's seed);
 *   - follow the round (GET .../blackjack/round, polled) and decide each hand whose `actions` are
 *     open with the policy (handDecision: basic strategy with the profile's mistakes) and insurance
 *     when offered (takesInsurance), until the round is settled (or voided);
 *   - a double or split refused (funds, limits) is not offered again for that hand.
 * Every random choice comes from the Rng the caller passes (seeded per player), which nothing else
 * draws from: the number of decisions depends on the cards, so the player's main stream stays
 * aligned whatever the shoe deals. Resolves with the number of seats/places taken.
 */
import { handDecision, playerSideBets, takesInsurance, type Action, type PlayerProfile, type SideBetKind } from '../domain/games/blackjack';
import type { BlackjackTableDef } from './model';
import type { Rng } from './rng';

export type Answer = { status: number; body: any; ok: boolean; code: string | null };
export type Call = (method: string, path: string, opts?: { token?: string; body?: unknown; country?: string }) => Promise<Answer>;

export type BlackjackCounts = { bets: number; side_bets: number; decisions: number; insurance_answers: number; rounds_settled: number };

type HandView = { hand_index: number; cards: string[]; actions: Action[] };
type BoxView = { box_id: string; insurance_offered: boolean; hands: HandView[] };
type RoundView = {
  round_id: string; state: string; format: 'seated' | 'infinite'; dealer_up_card: string | null; closes_at: number;
  seats: { seat: number }[]; you: { boxes: BoxView[] } | null;
};

/** How often a player looks at the round while it plays, and how long one round may take at most. */
const POLL_MS = 600;
const ROUND_MAX_MS = 120_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function blackjackStint(o: {
  call: Call; rng: Rng; profile: PlayerProfile; token: string; country: string; currency: string; stake: number; rounds: number;
  table: BlackjackTableDef; counts: BlackjackCounts; onError: (key: string) => void;
}): Promise<number> {
  const { call, rng, token, country, table } = o;
  const t = table.table_id;
  const limits = table.limits[o.currency];
  if (!limits) return 0;
  const limit = (kind: string) => limits[kind] ?? limits.default;
  const main = limit('main');
  if (!main) return 0;
  let placedBets = 0;
  const mainMinor = Math.min(main.max_minor, Math.max(main.min_minor, o.stake));
  const random = () => rng.next();
  let lastRound: string | null = null;
  for (let n = 0; n < o.rounds; n++) {
    const round = await openRound(call, t, lastRound);
    if (!round) {
      o.onError(`no open round at ${t} within 40 s`);
      return placedBets;
    }
    lastRound = round.round_id;
    // side bets from the profile, each within the table's limits for its kind (a size under the minimum is raised to it)
    const side: Partial<Record<SideBetKind, number>> = {};
    for (const [kind, amount] of Object.entries(playerSideBets(table.blackjack.rules, mainMinor, random, o.profile)) as [SideBetKind, number][]) {
      const l = limit(kind);
      if (l) side[kind] = Math.min(l.max_minor, Math.max(l.min_minor, amount));
    }
    const seed = `sim-${rng.hex64().slice(0, 16)}`;
    const placed = await placeBet(o, round.round_id, mainMinor, side, seed);
    if (!placed) return placedBets;
    placedBets++;
    o.counts.bets++;
    o.counts.side_bets += Object.keys(side).length;
    if (!(await playRound(o, round.round_id, random))) return placedBets;
  }
  return placedBets;
}

/** The table's round open for betting with at least ~1.5 s left, other than `after`; null after 40 s. */
async function openRound(call: Call, tableId: string, after: string | null): Promise<{ round_id: string } | null> {
  const deadline = Date.now() + 40_000;
  while (Date.now() < deadline) {
    const v = await call('GET', `/v1/tables/${tableId}`);
    const r = v.body?.round;
    if (r && r.state === 'betting_open' && r.round_id !== after && r.closes_at - Date.now() > 1_500) return r;
    await sleep(700);
  }
  return null;
}

/** Seated: a free seat (another if that one was taken meanwhile, up to three tries). Infinite: a place. True if the bet stands. */
async function placeBet(o: Parameters<typeof blackjackStint>[0], roundId: string, mainMinor: number, side: Partial<Record<SideBetKind, number>>, seed: string): Promise<boolean> {
  const t = o.table.table_id;
  const seated = o.table.blackjack.format === 'seated';
  for (let attempt = 0; attempt < 3; attempt++) {
    let seat: number | undefined;
    if (seated) {
      const v = await o.call('GET', `/v1/tables/${t}/blackjack/round?round_id=${roundId}`, { token: o.token, country: o.country });
      const taken = new Set(((v.body?.round as RoundView | undefined)?.seats ?? []).map((s) => s.seat));
      const free = Array.from({ length: o.table.blackjack.rules.seats }, (_, i) => i + 1).filter((s) => !taken.has(s));
      if (free.length === 0) return false; // the table is full: the player goes elsewhere
      seat = free[o.rng.int(free.length)];
    }
    const r = await o.call('POST', `/v1/tables/${t}/blackjack/bets`, {
      token: o.token, country: o.country,
      body: { bet_id: o.rng.uuidv7(Date.now()), round_id: roundId, currency: o.currency, ...(seat === undefined ? {} : { seat }), main_minor: mainMinor, ...(Object.keys(side).length ? { side_bets: side } : {}), client_seed: seed },
    });
    if (r.ok) return true;
    if (!seated || r.code !== 'seat_taken') return false;
  }
  return false;
}

/**
 * Follows the round until it is settled, deciding every open hand and insurance offer with the
 * policy. False when the round could not be followed (then the stint ends).
 */
async function playRound(o: Parameters<typeof blackjackStint>[0], roundId: string, random: () => number): Promise<boolean> {
  const t = o.table.table_id;
  const rules = o.table.blackjack.rules;
  const refused = new Map<string, Set<Action>>();
  const deadline = Date.now() + ROUND_MAX_MS;
  while (Date.now() < deadline) {
    const v = await o.call('GET', `/v1/tables/${t}/blackjack/round?round_id=${roundId}`, { token: o.token, country: o.country });
    if (!v.ok) return false;
    const round = v.body.round as RoundView;
    if (round.state === 'settled' || round.state === 'voided') {
      if (round.state === 'settled') o.counts.rounds_settled++;
      return true;
    }
    let moved = false;
    if (round.state === 'betting_closed') {
      for (const box of round.you?.boxes ?? []) {
        if (box.insurance_offered) {
          const take = takesInsurance(random, o.profile);
          let r = await decide(o, roundId, box.box_id, 0, take ? 'insurance' : 'no_insurance');
          // insurance the wallet refused: declined instead
          if (!r.ok && take && r.status === 422) r = await decide(o, roundId, box.box_id, 0, 'no_insurance');
          if (r.ok) o.counts.insurance_answers++;
          moved ||= r.ok;
          continue;
        }
        for (const hand of box.hands) {
          const key = `${box.box_id}:${hand.hand_index}`;
          const legal = hand.actions.filter((a) => !refused.get(key)?.has(a));
          if (legal.length === 0 || !round.dealer_up_card) continue;
          const d = handDecision(rules, hand.cards, round.dealer_up_card, legal, random, o.profile);
          if (!d) continue;
          const r = await decide(o, roundId, box.box_id, hand.hand_index, d.action);
          if (r.ok) o.counts.decisions++;
          // the money refused (funds, limits): the player plays on without it
          else if (d.action === 'double' || d.action === 'split') refused.set(key, new Set([...(refused.get(key) ?? []), d.action]));
          moved ||= r.ok;
          break; // one decision per box per look: the next view says what the hand can do now
        }
      }
    }
    if (!moved) await sleep(POLL_MS);
  }
  o.onError(`round ${roundId} at ${t} not settled within ${ROUND_MAX_MS / 1000} s`);
  return false;
}

function decide(o: Parameters<typeof blackjackStint>[0], roundId: string, boxId: string, handIndex: number, action: Action | 'insurance' | 'no_insurance'): Promise<Answer> {
  return o.call('POST', `/v1/tables/${o.table.table_id}/blackjack/decisions`, {
    token: o.token, country: o.country, body: { decision_id: o.rng.uuidv7(Date.now()), round_id: roundId, box_id: boxId, hand_index: handIndex, action },
  });
}
