/**
 * Fast mode's rewards: the real engine (domain/rewards `evaluate`, the live rule set of
 * config/rewards.json) run over the player events fast mode writes, so a simulated warehouse has
 * `rewards.*` events to measure (the rewards marts, docs/rewards.md "Warehouse").
 *
 * A mirror of durable/player/rewards.ts (PlayerRewards), call for call:
 *
 *   object call                 engine event (id)                          seen here as
 *   reserveTableBet             table.bet.placed (bet-placed:<hold>)        wallet.hold.reserved (table:...) + table.bet.placed
 *   settleTableBet (posted)     table.bet.settled (bet-settled:<hold>)      wallet.hold.posted + table.bet.settled (void, expired: nothing)
 *   providerBet / providerWin>0 provider.bet.debited / provider.win.credited (provider-bet:<p>:<tx>, provider-win:<p>:<tx>)
 *   confirmPayment (completed)  wallet.deposit.completed (deposit:<id>)
 *   login (not registration's)  player.login.succeeded (login:<session>)
 *
 * with the same context (the bet's table, round, game, spot, session; `at` = the bet's creation for
 * a reservation and the round's result for a settlement; the dealer of a dealer round), the same
 * safety inputs (an account not active, a cool-off, a limit refusal or a session-time limit, the end
 * of a cool-off or a self-exclusion, rapid losses at tables and provider games, per currency), one
 * global budget per rule and currency (the keeper's bound; fast mode needs no leases: one process
 * sees every player), and the outcomes turned into
 * events by the object's own `eventOf`, stamped at the time of the object's call, in the player's
 * currency, with the engine event's table and round.
 *
 * fast.ts hands over every event it writes (`observe`, a set lookup for the rest), and before each
 * flush `drain` evaluates what was observed before the flush's limit in occurred_at order: per
 * player, the order the object would have seen its calls in. Event ids come from a stream of their
 * own per player (`rewards:<player>`), so the other events of a history stay byte for byte. A call
 * made a millisecond before an event that fell exactly on the previous flush's limit is stamped at
 * that limit (the history stays in occurred_at order; it takes an event on the exact millisecond of a
 * 10-minute window's edge).
 *
 * One departure, for memory: fast mode never repeats an event, so the engine's idempotency memory
 * (up to 1,024 ids per player, ~100 KB) is cut to its chunks' timestamps once a chunk is full. The
 * low-water mark, and so every decision the engine makes here, is unchanged.
 */
import type { CasinoEvent, EventType, PayloadValue } from '../domain/events';
import type { Currency } from '../domain/money';
import { evaluate, initialState, type Outcome, type PlayerRewardsContext, type RewardsState } from '../domain/rewards';
import { liveRewardsConfig, type RewardsConfig } from '../durable/player/rewards-config';
import { NO_MARKS, eventOf, rapidLosses, withLoss, type Marks } from '../durable/player/rewards-pure';
import { Rng } from './rng';

const MINUTE_MS = 60_000;
/** Round results are kept this long for their settlements (a posted bet settles seconds after its round's result). */
const ROUND_MEMORY_MS = 6 * 3_600_000;

/** The events fast mode writes that the player's object would evaluate, or that change its safety inputs. */
const OBSERVED = new Set([
  'player.registered', 'player.login.succeeded', 'player.status.changed', 'player.session.ended', 'rg.cool_off.started', 'rg.cool_off.ended',
  'rg.self_exclusion.ended', 'rg.limit.breach_refused',
  'wallet.hold.reserved', 'wallet.hold.posted', 'table.bet.placed', 'table.bet.settled', 'table.round.result',
  'provider.bet.debited', 'provider.win.credited', 'provider.bet.rolled_back', 'wallet.deposit.completed',
]);

export type RewardsPlayer = { id: string; jurisdiction: string; currency: string };

type Observed = { t: number; q: number; type: string; who: RewardsPlayer | null; currency: string | null; payload: Record<string, PayloadValue>; table_id: string | null; round_id: string | null };

type Shadow = {
  who: RewardsPlayer;
  state: RewardsState;
  marks: Marks;
  status: string;
  coolOffUntil: number;
  /** The player's current session (table bets and provider bets name it, as the object's calls do). */
  session: string | null;
  /** The next login is the registration's own (not evaluated, as in PlayerDO.register). */
  registering: boolean;
  /** Open table holds: when the object reserved (and posted) them. */
  reservedAt: Map<string, number>;
  postedAt: Map<string, number>;
  ids: Rng | null;
};

export type RewardsCounts = { evaluated: number; outcomes: number };

export class FastRewards {
  private pending: Observed[] = [];
  private q = 0;
  /** The previous drain's limit: everything before it is already written, so nothing may be stamped earlier. */
  private floor = -Infinity;
  private readonly players = new Map<string, Shadow>();
  private readonly rounds = new Map<string, { at: number; dealer: string | null }>();
  readonly counts: RewardsCounts = { evaluated: 0, outcomes: 0 };
  /** What every player together spent per budget key and currency: the keeper's global bound, without its leases. */
  private readonly spent = new Map<string, number>();

  constructor(private readonly seed: string, private readonly config: RewardsConfig = liveRewardsConfig()) {}

  /** Every event fast mode writes (cheap for the ones that do not matter here). */
  observe(t: number, type: string, who: RewardsPlayer | null, currency: string | null, payload: Record<string, PayloadValue>, table_id: string | null, round_id: string | null): void {
    if (!OBSERVED.has(type)) return;
    this.pending.push({ t, q: this.q++, type, who, currency, payload, table_id, round_id });
  }

  /** Evaluates, in time order, what was observed before `limit`; each outcome is handed to `write` as a serialised event. */
  drain(limit: number, write: (t: number, type: string, line: string) => void): void {
    const pending = this.pending;
    pending.sort((a, b) => a.t - b.t || a.q - b.q);
    let i = 0;
    for (; i < pending.length && pending[i]!.t < limit; i++) this.apply(pending[i]!, write);
    this.pending = i === 0 ? pending : pending.slice(i);
    this.floor = limit;
    // rounds whose bets settled long ago (Map order is insertion order, close to time order)
    for (const [id, r] of this.rounds) {
      if (r.at >= limit - ROUND_MEMORY_MS) break;
      this.rounds.delete(id);
    }
  }

  private shadow(who: RewardsPlayer): Shadow {
    let s = this.players.get(who.id);
    if (!s) {
      s = { who, state: initialState(), marks: NO_MARKS, status: 'active', coolOffUntil: 0, session: null, registering: false, reservedAt: new Map(), postedAt: new Map(), ids: null };
      this.players.set(who.id, s);
    }
    return s;
  }

  private apply(o: Observed, write: (t: number, type: string, line: string) => void): void {
    const p = o.payload;
    if (o.type === 'table.round.result') {
      if (o.round_id) this.rounds.set(o.round_id, { at: o.t, dealer: p.source === 'dealer' && typeof p.actor === 'string' ? p.actor : null });
      return;
    }
    if (!o.who) return;
    const s = this.shadow(o.who);
    switch (o.type) {
      case 'player.registered': s.registering = true; return;
      case 'player.status.changed': s.status = String(p.to); return;
      case 'rg.cool_off.started': s.coolOffUntil = Number(p.until); return;
      // PlayerRewards' onEmitted marks, in the transaction that emits them
      case 'rg.cool_off.ended': case 'rg.self_exclusion.ended': s.marks = { ...s.marks, cool_off_ended_at: o.t }; return;
      case 'rg.limit.breach_refused': s.marks = { ...s.marks, limit_hit_at: o.t }; return;
      case 'player.session.ended': if (p.reason === 'time_limit') s.marks = { ...s.marks, limit_hit_at: o.t }; return;
      case 'player.login.succeeded': {
        const session = String(p.session_id);
        s.session = session;
        if (s.registering) { s.registering = false; return; }
        this.evaluate(s, o.t, { event_id: `login:${session}`, event_type: 'player.login.succeeded', occurred_at: o.t, table_id: null, round_id: null, currency: null,
          payload: { session_id: session, device: p.device ?? null } }, session, 0, write);
        return;
      }
      case 'wallet.hold.reserved': if (String(p.hold_id).startsWith('table:')) s.reservedAt.set(String(p.hold_id), o.t); return;
      case 'wallet.hold.posted': if (s.reservedAt.has(String(p.hold_id))) s.postedAt.set(String(p.hold_id), o.t); return;
      case 'table.bet.placed': {
        const hold = String(p.hold_id);
        const at = s.reservedAt.get(hold) ?? o.t;
        if (s.session === null) return; // a bet needs a session (the table's call names it)
        this.evaluate(s, at, { event_id: `bet-placed:${hold}`, event_type: 'table.bet.placed', occurred_at: at, table_id: o.table_id, round_id: o.round_id, currency: o.currency,
          payload: { hold_id: hold, game: p.game ?? null, game_id: p.game_id ?? null, spot: p.spot ?? null, bet_type: p.bet_type ?? null, amount_minor: p.amount_minor ?? null, dealer_id: null } },
        s.session, 0, write);
        return;
      }
      case 'table.bet.settled': {
        const hold = typeof p.hold_id === 'string' ? p.hold_id : `table:${o.table_id}:${String(p.bet_id)}`;
        const postedAt = s.postedAt.get(hold);
        s.reservedAt.delete(hold);
        s.postedAt.delete(hold);
        // voided and expired holds were never posted: the object's settle call evaluates nothing for them
        if (postedAt === undefined || s.session === null) return;
        const round = o.round_id ? this.rounds.get(o.round_id) : undefined;
        const amount = Number(p.amount_minor);
        const returned = Number(p.returned_minor);
        const result = p.result === 'win' || p.result === 'lose' || p.result === 'push' ? p.result : returned > amount ? 'win' : returned < amount ? 'lose' : 'push';
        const payload: Record<string, PayloadValue> = {
          hold_id: hold, game: p.game ?? null, game_id: p.game_id ?? null, spot: p.spot ?? null, bet_type: p.bet_type ?? null,
          amount_minor: amount, returned_minor: returned, result, dealer_id: round?.dealer ?? null,
        };
        if (typeof p.natural === 'boolean') payload.natural = p.natural;
        if (typeof p.busted === 'boolean') payload.busted = p.busted;
        this.evaluate(s, postedAt, { event_id: `bet-settled:${hold}`, event_type: 'table.bet.settled', occurred_at: round?.at ?? postedAt, table_id: o.table_id, round_id: o.round_id, currency: o.currency, payload },
          s.session, amount - returned, write);
        return;
      }
      case 'provider.bet.debited':
        this.evaluate(s, o.t, { event_id: `provider-bet:${String(p.provider_id)}:${String(p.tx_id)}`, event_type: 'provider.bet.debited', occurred_at: o.t, table_id: null, round_id: String(p.round_id), currency: o.currency,
          payload: { provider_id: p.provider_id ?? null, game_id: p.game_id ?? null, amount_minor: p.amount_minor ?? null } }, s.session, Number(p.amount_minor), write);
        return;
      case 'provider.bet.rolled_back':
        // the stake given back no longer counts as lost (the rapid-losses mark only: no rule reads it)
        if (!(Number(p.amount_minor) > 0)) return;
        this.evaluate(s, o.t, { event_id: `provider-rollback:${String(p.provider_id)}:${String(p.rollback_tx_id)}`, event_type: 'provider.bet.rolled_back', occurred_at: o.t, table_id: null, round_id: String(p.round_id), currency: o.currency,
          payload: { provider_id: p.provider_id ?? null, game_id: p.game_id ?? null, amount_minor: p.amount_minor ?? null } }, null, -Number(p.amount_minor), write);
        return;
      case 'provider.win.credited':
        if (!(Number(p.amount_minor) > 0)) return; // a win of 0 closes a losing round: not evaluated
        this.evaluate(s, o.t, { event_id: `provider-win:${String(p.provider_id)}:${String(p.tx_id)}`, event_type: 'provider.win.credited', occurred_at: o.t, table_id: null, round_id: String(p.round_id), currency: o.currency,
          payload: { provider_id: p.provider_id ?? null, game_id: p.game_id ?? null, amount_minor: p.amount_minor ?? null } }, null, -Number(p.amount_minor), write);
        return;
      case 'wallet.deposit.completed':
        this.evaluate(s, o.t, { event_id: `deposit:${String(p.deposit_id)}`, event_type: 'wallet.deposit.completed', occurred_at: o.t, table_id: null, round_id: null, currency: o.currency,
          payload: { deposit_id: p.deposit_id ?? null, provider: p.provider ?? null, amount_minor: p.amount_minor ?? null } }, null, 0, write);
        return;
    }
  }

  /** What is left of each rule's declared budget in `currency`, across all players (RewardBudgetDO's bound). */
  private budgetsLeft(currency: Currency): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.config.compiled.set.rules) {
      const b = r.budget_minor?.[currency];
      if (b !== undefined) out[r.id] = b - (this.spent.get(`${r.id}|${currency}`) ?? 0);
    }
    return out;
  }

  private spend(outcomes: readonly Outcome[], currency: Currency): void {
    for (const o of outcomes) {
      if (o.type !== 'grant' || !o.budget_key || !(o.cost_minor > 0)) continue;
      const key = `${o.budget_key}|${currency}`;
      this.spent.set(key, (this.spent.get(key) ?? 0) + o.cost_minor);
    }
  }

  /** PlayerRewards.evaluate, with `now` the time of the object's call. */
  private evaluate(s: Shadow, now: number, e: { event_id: string; event_type: EventType; occurred_at: number; table_id: string | null; round_id: string | null; currency: string | null; payload: Record<string, PayloadValue> },
    sessionId: string | null, netLossMinor: number, write: (t: number, type: string, line: string) => void): void {
    const { compiled, risk } = this.config;
    const relevant = compiled.rulesByType.has(e.event_type) || compiled.countersByType.has(e.event_type);
    if (!relevant && netLossMinor === 0) return;
    const who = s.who;
    const currency = who.currency as Currency;
    // losses count per currency, each against its own threshold (amounts are never converted)
    const marks = netLossMinor === 0 || e.currency === null ? s.marks
      : withLoss(s.marks, e.occurred_at, netLossMinor, risk.rapid_losses.window_minutes, e.currency === who.currency ? undefined : e.currency as Currency);
    s.marks = marks;
    if (!relevant) return;
    const ctx: PlayerRewardsContext = {
      player_id: who.id, currency,
      // a closed or locked account gets nothing either
      exclusion: s.status !== 'active' ? 'self_excluded' : s.coolOffUntil > now ? 'cooling_off' : 'none',
      segments: [],
      risk: {
        rapid_losses: rapidLosses(marks, now, risk.rapid_losses, currency),
        limit_hit: marks.limit_hit_at !== null && now - marks.limit_hit_at < risk.limit_hit_minutes * MINUTE_MS,
        cool_off_ended_recently: marks.cool_off_ended_at !== null && now - marks.cool_off_ended_at < risk.cool_off_ended_minutes * MINUTE_MS,
      },
      event: { session_id: sessionId, device: null, dealer_id: null },
      budget_remaining_minor: this.budgetsLeft(currency),
    };
    const event = { ...e, currency: e.currency as Currency | null, schema_version: 1, player_id: who.id, jurisdiction: who.jurisdiction } as CasinoEvent;
    this.counts.evaluated++;
    const r = evaluate(s.state, event, compiled, ctx);
    if (r.skipped !== null) return;
    s.state = forgetIds(r.state);
    if (r.outcomes.length === 0) return;
    this.spend(r.outcomes, currency);
    this.counts.outcomes += r.outcomes.length;
    s.ids ??= Rng.derive(this.seed, `rewards:${who.id}`);
    // A call a millisecond before its event (a reservation, a posted hold) whose event fell exactly on
    // the previous flush's limit: stamped at the limit, so the history stays in occurred_at order.
    const at = Math.max(now, this.floor);
    const head = ',"player_id":"' + who.id + '","table_id":' + (e.table_id === null ? 'null' : '"' + e.table_id + '"')
      + ',"round_id":' + (e.round_id === null ? 'null' : '"' + e.round_id + '"') + ',"jurisdiction":"' + who.jurisdiction + '","currency":"' + who.currency + '","payload":';
    for (const o of r.outcomes) {
      const ev = eventOf(o, e.event_id);
      write(at, ev.type, '{"event_id":"' + s.ids.uuidv7(at) + '","event_type":"' + ev.type + '","schema_version":1,"occurred_at":' + at + head + JSON.stringify(ev.payload) + '}');
    }
  }
}

/** The memory cut of the header: full chunks keep their timestamps (the low-water mark), not their ids. */
function forgetIds(state: RewardsState): RewardsState {
  const chunks = state.seen.chunks;
  if (chunks.length === 0 || chunks.at(-1)!.ids.length === 0) return state;
  return { ...state, seen: { ...state.seen, chunks: chunks.map((c) => (c.ids.length === 0 ? c : { ids: [], max_at: c.max_at })) } };
}
