/**
 * The rewards engine wired into the player's object (docs/rewards.md "Wiring"): the object's own
 * events (a table bet placed or settled, a provider bet or win, a completed deposit, a login) are
 * evaluated against the live rule set inside the transaction that recorded them, so the grant and
 * the bet commit or roll back together.
 *
 * Storage (migration 13): `rewards_state`, one row holding the engine's state (plain JSON) and the
 * object's own risk marks; `rewards_grants`, append-only (triggers), one row per grant under its
 * grant id, so a replayed event can never grant twice even past the engine's memory. The points
 * balance is derived from it. Since migration 17 the engine's idempotency memory keeps its full
 * chunks (immutable) in `rewards_seen_chunks`, one row each, written once when a chunk fills and
 * deleted when it is forgotten; the state row lists them (rewards-pure.ts `toStored`). Since
 * migration 19 a distinct counter's values are rows of `reward_counter_values` (the state row keeps
 * their count): adding one is one insert that answers whether it was new, and a period's rows are
 * deleted when the counter moves on to the next (counters.ts `rolledOver`). Cash-like
 * grants spend their cost from the player's budget leases (reward-budgets.ts) and are delivered
 * (reward-offers.ts: a cashback paid into the wallet, `paid = 1`; a free bet a token, `paid = 0`),
 * all in the grant's transaction.
 *
 * Cost on the bet path: an event type no rule or counter names costs nothing (no statement); one
 * that is evaluated writes the state row (1 statement, a few KB at most: not the memory's full
 * chunks nor distinct counters' values), one insert per distinct counter the event adds a value
 * to (+1 each), and when it has outcomes, its grants (1, one multi-row insert) and its events (1,
 * one multi-row outbox insert). Once in 64 evaluated events a chunk fills: its row is inserted and
 * the rows no longer listed (the forgotten chunk) deleted, +2; once a day (a `today` counter) or a
 * session, a distinct counter's old period is deleted, +1.
 */
import type { CasinoEvent, EventType, PayloadValue } from '../../domain/events';
import type { Currency } from '../../domain/money';
import { fail, type Result } from '../../domain/errors';
import { BADGES_MAX, CASH_LIKE, evaluate, initialState, riskReasons, rolledOver, spinWheel, type DistinctValues, type Outcome, type PlayerRewardsContext, type RewardsState, type SeenChunk, type WheelPrize } from '../../domain/rewards';
import type { ExchangeResult } from '../../domain/rewards/budget-keeper';
import type { LeaseExchange, RuleSetRef } from '../../domain/rewards/budget-limits';
import type { OutcomeSource } from './channel';
import type { PlayerContext } from './context';
import { keeperOf, PlayerBudgets, type PublishedRef } from './reward-budgets';
import { RewardOffers, type FreeBetView } from './reward-offers';
import { prizeGrantId, RewardWheel, type SpinAnswer, type SpinView } from './reward-wheel';
import { liveRewardsConfig, type RewardsConfig } from './rewards-config';
import type { Segments } from './segments';
import { MINUTE_MS, NO_MARKS, eventOf, fromStored, rapidLosses, toStored, withLoss, type Marks, type StoredState } from './rewards-pure';
import type { Wallet } from './wallet';

/** What the table knows of a bet and passes along with its reserve and settle calls (durable/table/player-port.ts). */
export type TableBetContext = {
  table_id: string; round_id: string; game: string; game_id: string; spot: string; bet_type: string;
  session_id: string; amount_minor: number;
  /** The bet's currency (a player may bet in more than their wallet's main currency). */
  currency?: Currency;
  /** When the bet was placed (reserve) or the round's result came in (settle): the same on every retry. */
  at: number;
  result?: 'win' | 'lose' | 'push';
  dealer_id?: string | null;
  /** Blackjack hands: the hand this stake rode on. */
  natural?: boolean; busted?: boolean;
};

export const RECENT_GRANTS = 20;

/** The memory's full chunks as stored: `chunks` (the very objects, immutable) are the rows `seqs`, in order. */
type ChunkRows = { chunks: readonly SeenChunk[]; seqs: readonly number[] };
const NO_CHUNK_ROWS: ChunkRows = { chunks: [], seqs: [] };
function fresh(): { state: RewardsState; rows: ChunkRows } {
  const state = initialState();
  return { state, rows: { chunks: state.seen.chunks, seqs: [] } };
}

type Hot = { state: RewardsState; marks: Marks; segments: readonly string[]; rows: ChunkRows };

export type RewardsView = {
  rule_set: { id: string; version: number };
  xp: number; level: { level: number; name: string; tier: string } | null; next_level: { level: number; name: string; min_xp: number } | null;
  points_balance: number;
  missions: { mission_id: string; name: string; step_index: number; step_id: string | null; step_name: string | null; progress: number; target: number | null; completions: number; expires_at: number | null }[];
  badges: string[];
  recent_grants: { grant_id: string; kind: string; amount: number | null; value_minor: number | null; currency: string | null; paid: boolean | null; rule_id: string; rule_version: number; detail: string | null; at: number }[];
  free_bets: FreeBetView[];
  /** Unspun wheel spins with their commitments (never the seed): POST /v1/players/me/rewards/spins/{spin_id} spins one. */
  spins: SpinView[];
};

export class PlayerRewards {
  private hot: Hot | undefined;
  config: RewardsConfig;
  /** The brand's published version `config` is (its budgets are the keeper's limits); null: the deployed default. */
  published: PublishedRef = null;
  /** Told of every evaluation's outcomes, inside its transaction (the player channel sends them after the commit: channel.ts). */
  onOutcomes: ((outcomes: readonly Outcome[], source: OutcomeSource) => void) | null = null;
  readonly budgets: PlayerBudgets;
  readonly offers: RewardOffers;
  readonly wheel: RewardWheel;
  /** Told of each spin, inside its transaction (the player channel sends it after the commit). */
  onSpun: ((answer: SpinAnswer, currency: Currency) => void) | null = null;
  /** Set by an evaluation: the object checks, after the commit, whether its budget leases need a refill. */
  refillHint = false;

  private readonly wallet: Wallet;

  /**
   * Distinct counters' value sets (migration 19): an insert that answers whether the value was new,
   * in the evaluation's transaction. The values an insert found or added are remembered (per counter
   * and period, at most DISTINCT_MAX each), so a value met again (the same game, bet after bet)
   * costs no statement; they are forgotten with the hot state (a rollback, a reload) and with their period.
   */
  private known = new Map<string, Set<string>>();
  private readonly counterValues: DistinctValues = {
    add: (counter, period, value) => {
      const key = `${counter}\u0001${period}`;
      let known = this.known.get(key);
      if (known?.has(value)) return false;
      const added = this.ctx.db.first<{ added: number }>`insert into reward_counter_values (counter, period, value) values (${counter}, ${period}, ${value})
        on conflict do nothing returning 1 as added` !== null;
      if (!known) this.known.set(key, known = new Set());
      known.add(value);
      return added;
    },
  };

  constructor(private readonly ctx: PlayerContext, private readonly segmentsRg: Segments, wallet: Wallet) {
    this.config = liveRewardsConfig();
    this.budgets = new PlayerBudgets(ctx);
    this.offers = new RewardOffers(ctx, wallet);
    this.wheel = new RewardWheel(ctx);
    this.wallet = wallet;
    ctx.onForget(() => { this.hot = undefined; this.known = new Map(); });
    // Risk marks come from the object's own events, in the transaction that emits them.
    ctx.onEmitted = (type, payload) => {
      // a limit hit: a refusal, or the player's own session-time limit ending their session
      if (type === 'rg.limit.breach_refused' || (type === 'player.session.ended' && 'reason' in payload && payload.reason === 'time_limit')) this.mark({ limit_hit_at: this.ctx.now() });
      // the end of a self-exclusion is at least as much a sign as the end of a cool-off (engine reason: cool_off_ended)
      else if (type === 'rg.cool_off.ended' || type === 'rg.self_exclusion.ended') this.mark({ cool_off_ended_at: this.ctx.now() });
      else if (type === 'player.segments.changed' && this.hot) this.hot = { ...this.hot, segments: this.segmentsRg.view().segments };
    };
  }

  /** Installs a rule set (rule-source.ts: the brand's published version; tests: another configuration). */
  use(config: RewardsConfig, published: PublishedRef = null): void {
    this.config = config;
    this.published = published;
  }

  private load(): Hot {
    if (this.hot) return this.hot;
    const row = this.ctx.db.first<{ state: string; marks: string }>`select state, marks from rewards_state where id = 1`;
    const { state, rows } = row ? this.stateOf(JSON.parse(row.state) as StoredState | RewardsState) : fresh();
    this.hot = { state, marks: row ? JSON.parse(row.marks) as Marks : NO_MARKS, segments: this.segmentsRg.view().segments, rows };
    return this.hot;
  }

  /** The engine state of the stored row: its memory's full chunks read from their rows (one statement; none while there are none). */
  private stateOf(stored: StoredState | RewardsState): { state: RewardsState; rows: ChunkRows } {
    const { seen } = stored;
    // a row of the older form (chunks inline, before migration 17): none stored yet, the next save writes them
    if ('chunks' in seen) return { state: { ...stored, seen }, rows: NO_CHUNK_ROWS };
    const listed = seen.chunk_rows;
    const bySeq = listed.length === 0 ? new Map<number, SeenChunk>()
      : new Map(this.ctx.db.all<{ seq: number; ids: string; max_at: number }>`select seq, ids, max_at from rewards_seen_chunks where seq in (select value from json_each(${JSON.stringify(listed)}))`
        .map((r) => [r.seq, { ids: JSON.parse(r.ids) as string[], max_at: r.max_at }]));
    const state = fromStored({ ...stored, seen }, (seq) => bySeq.get(seq));
    return { state, rows: { chunks: state.seen.chunks, seqs: listed } };
  }

  private save(hot: Hot): void {
    const rows = hot.state.seen.chunks === hot.rows.chunks ? hot.rows : this.storeChunks(hot.rows, hot.state.seen.chunks);
    this.hot = rows === hot.rows ? hot : { ...hot, rows };
    this.ctx.db.run`insert into rewards_state (id, state, marks, updated_at) values (1, ${JSON.stringify(toStored(hot.state, rows.seqs))}, ${JSON.stringify(hot.marks)}, ${this.ctx.now()})
      on conflict (id) do update set state = excluded.state, marks = excluded.marks, updated_at = excluded.updated_at`;
  }

  /**
   * The memory's chunk list changed (a chunk filled, and past 16 the oldest was forgotten): a chunk
   * not stored yet is inserted (once: full chunks never change), and the rows the list no longer
   * names are deleted, in the transaction of the state row that lists them.
   */
  private storeChunks(held: ChunkRows, chunks: readonly SeenChunk[]): ChunkRows {
    const seqs = chunks.map((chunk) => {
      const i = held.chunks.indexOf(chunk);
      if (i >= 0) return held.seqs[i]!;
      return this.ctx.db.first<{ seq: number }>`insert into rewards_seen_chunks (ids, max_at) values (${JSON.stringify(chunk.ids)}, ${chunk.max_at}) returning seq`!.seq;
    });
    this.ctx.db.run`delete from rewards_seen_chunks where seq not in (select value from json_each(${JSON.stringify(seqs)}))`;
    return { chunks, seqs };
  }

  private mark(change: Partial<Marks>): void {
    const hot = this.load();
    this.save({ ...hot, marks: { ...hot.marks, ...change } });
  }

  // ---- the object's events ----------------------------------------------------------------------

  tableBetPlaced(holdId: string, currency: Currency, bet: TableBetContext): void {
    this.evaluate({
      event_id: `bet-placed:${holdId}`, event_type: 'table.bet.placed', occurred_at: bet.at, table_id: bet.table_id, round_id: bet.round_id, currency,
      payload: { hold_id: holdId, game: bet.game, game_id: bet.game_id, spot: bet.spot, bet_type: bet.bet_type, amount_minor: bet.amount_minor, dealer_id: bet.dealer_id ?? null },
    }, bet.session_id);
  }

  /** A settled table bet also feeds the rapid-losses mark (its net loss, in 5-minute buckets), as provider bets, wins and rollbacks do. */
  tableBetSettled(holdId: string, currency: Currency, returnedMinor: number, bet: TableBetContext): void {
    const result = bet.result ?? (returnedMinor > bet.amount_minor ? 'win' : returnedMinor < bet.amount_minor ? 'lose' : 'push');
    const payload: Record<string, PayloadValue> = {
      hold_id: holdId, game: bet.game, game_id: bet.game_id, spot: bet.spot, bet_type: bet.bet_type,
      amount_minor: bet.amount_minor, returned_minor: returnedMinor, result, dealer_id: bet.dealer_id ?? null,
    };
    if (bet.natural !== undefined) payload.natural = bet.natural;
    if (bet.busted !== undefined) payload.busted = bet.busted;
    this.evaluate({ event_id: `bet-settled:${holdId}`, event_type: 'table.bet.settled', occurred_at: bet.at, table_id: bet.table_id, round_id: bet.round_id, currency, payload },
      bet.session_id, bet.amount_minor - returnedMinor);
  }

  providerBet(tx: { tx_id: string; provider_id: string; game_id: string; round_id: string; amount_minor: number; session_id: string }, currency: Currency): void {
    this.evaluate({ event_id: `provider-bet:${tx.provider_id}:${tx.tx_id}`, event_type: 'provider.bet.debited', occurred_at: this.ctx.now(), table_id: null, round_id: tx.round_id, currency,
      payload: { provider_id: tx.provider_id, game_id: tx.game_id, amount_minor: tx.amount_minor } }, tx.session_id, tx.amount_minor);
  }

  providerWin(tx: { tx_id: string; provider_id: string; game_id: string; round_id: string; amount_minor: number }, currency: Currency): void {
    this.evaluate({ event_id: `provider-win:${tx.provider_id}:${tx.tx_id}`, event_type: 'provider.win.credited', occurred_at: this.ctx.now(), table_id: null, round_id: tx.round_id, currency,
      payload: { provider_id: tx.provider_id, game_id: tx.game_id, amount_minor: tx.amount_minor } }, null, -tx.amount_minor);
  }

  /** A provider's bet given back: its stake no longer counts as lost (the rapid-losses mark only). */
  providerRollback(tx: { tx_id: string; provider_id: string; game_id: string; round_id: string }, restoredMinor: number, currency: Currency): void {
    this.evaluate({ event_id: `provider-rollback:${tx.provider_id}:${tx.tx_id}`, event_type: 'provider.bet.rolled_back', occurred_at: this.ctx.now(), table_id: null, round_id: tx.round_id, currency,
      payload: { provider_id: tx.provider_id, game_id: tx.game_id, amount_minor: restoredMinor } }, null, -restoredMinor);
  }

  depositCompleted(depositId: string, provider: string, amountMinor: number, currency: Currency): void {
    this.evaluate({ event_id: `deposit:${depositId}`, event_type: 'wallet.deposit.completed', occurred_at: this.ctx.now(), table_id: null, round_id: null, currency,
      payload: { deposit_id: depositId, provider, amount_minor: amountMinor } }, null);
  }

  login(sessionId: string, device: string): void {
    this.evaluate({ event_id: `login:${sessionId}`, event_type: 'player.login.succeeded', occurred_at: this.ctx.now(), table_id: null, round_id: null, currency: null,
      payload: { session_id: sessionId, device } }, sessionId);
  }

  // ---- evaluation -------------------------------------------------------------------------------

  private evaluate(e: { event_id: string; event_type: EventType; occurred_at: number; table_id: string | null; round_id: string | null; currency: Currency | null; payload: Record<string, PayloadValue> }, sessionId: string | null, netLossMinor = 0): void {
    const { compiled, risk } = this.config;
    const relevant = compiled.rulesByType.has(e.event_type) || compiled.countersByType.has(e.event_type);
    if (!relevant && netLossMinor === 0) return; // nothing reads this event: no statement at all
    const p = this.ctx.profile();
    if (!p) return;
    const hot = this.load();
    const now = this.ctx.now();
    // losses count per currency, each against its own threshold (amounts are never converted)
    const marks = netLossMinor === 0 || e.currency === null ? hot.marks
      : withLoss(hot.marks, e.occurred_at, netLossMinor, risk.rapid_losses.window_minutes, e.currency === p.currency ? undefined : e.currency);
    if (!relevant) return this.save({ ...hot, marks });
    const ctx: PlayerRewardsContext = {
      player_id: p.player_id, currency: p.currency,
      // a closed or locked account gets nothing either (the engine's skip: no outcome, no counter)
      exclusion: p.status !== 'active' ? 'self_excluded' : p.cool_off_until !== null && p.cool_off_until > now ? 'cooling_off' : 'none',
      segments: hot.segments,
      risk: {
        rapid_losses: rapidLosses(marks, now, risk.rapid_losses, p.currency),
        limit_hit: marks.limit_hit_at !== null && now - marks.limit_hit_at < risk.limit_hit_minutes * MINUTE_MS,
        cool_off_ended_recently: marks.cool_off_ended_at !== null && now - marks.cool_off_ended_at < risk.cool_off_ended_minutes * MINUTE_MS,
      },
      event: { session_id: sessionId, device: null, dealer_id: null },
      // what this object's budget leases have left (reward-budgets.ts): the rule's global budget is the keeper's
      budget_remaining_minor: this.budgets.remaining(keeperOf(p.brand, compiled), p.currency, now),
    };
    this.refillHint = true;
    const event: CasinoEvent = { ...e, schema_version: 1, player_id: p.player_id, jurisdiction: p.jurisdiction };
    const r = evaluate(hot.state, event, compiled, ctx, this.counterValues);
    if (r.skipped !== null) {
      if (marks !== hot.marks) this.save({ ...hot, marks });
      return;
    }
    // a period ended (a new day, a new session) or a counter left the rule set: its values go with it
    for (const gone of rolledOver(hot.state.counters, r.state.counters)) {
      this.ctx.db.run`delete from reward_counter_values where counter = ${gone.counter} and period = ${gone.period}`;
      this.known.delete(`${gone.counter}\u0001${gone.period}`);
    }
    this.save({ ...hot, state: r.state, marks });
    if (r.outcomes.length === 0) return;
    this.budgets.spend(r.outcomes, keeperOf(p.brand, compiled), p.currency, now);
    const fresh = this.record(r.outcomes, e.event_id, p.currency);
    this.offers.deliver(r.outcomes, fresh);
    this.wheel.grant(r.outcomes, fresh, compiled.wheels, { id: compiled.set.id, version: compiled.set.version });
    const subject = { player_id: p.player_id, jurisdiction: p.jurisdiction, currency: p.currency, table_id: e.table_id, round_id: e.round_id };
    this.ctx.outbox.emitMany(r.outcomes.map((o) => ({ ...eventOf(o, e.event_id), subject })), now);
    this.onOutcomes?.(r.outcomes, { event_id: e.event_id, table_id: e.table_id, round_id: e.round_id, rule_set: { id: compiled.set.id, version: compiled.set.version } });
  }

  /**
   * After a commit (never inside a transaction): trades this object's spent or expired budget leases
   * for new ones with the keeper (reward-budgets.ts). Excluded players hold no leases.
   */
  async refillBudgets(tx: <T>(fn: () => T) => T, exchange: (keeper: string, req: LeaseExchange) => Promise<ExchangeResult>): Promise<void> {
    this.refillHint = false;
    const p = this.ctx.profile();
    if (!p || p.status === 'self_excluded' || (p.cool_off_until !== null && p.cool_off_until > this.ctx.now())) return;
    const { compiled } = this.config;
    const keeper = keeperOf(p.brand, compiled);
    if (!this.budgets.wantsRefill(compiled, keeper, p.currency)) return;
    const ruleSet: RuleSetRef = { brand: p.brand, rule_set_id: compiled.set.id, version: this.published?.version ?? null, hash: this.published?.hash ?? null };
    await this.budgets.refill(compiled, ruleSet, p.currency, p.player_id, (req) => exchange(keeper, req), tx);
  }

  /** Every grant, one multi-row insert; a grant id already there is left alone (a replay). Returns the grant ids inserted now. */
  private record(outcomes: readonly Outcome[], eventId: string, currency: Currency): Set<string> {
    const rows: unknown[][] = [];
    for (const o of outcomes) {
      if (o.type !== 'grant') continue;
      const g = o.grant;
      const cash = g.kind === 'free_bet' || g.kind === 'cashback';
      const amount = g.kind === 'xp' || g.kind === 'points' ? g.amount : null;
      const value = g.kind === 'free_bet' || g.kind === 'cashback' ? g.value_minor : null;
      const detail = 'badge_id' in g ? g.badge_id : 'mission_id' in g ? g.mission_id : 'wheel_id' in g ? g.wheel_id : 'template' in g ? g.template : null;
      rows.push([o.grant_id, g.kind, amount, value, cash ? currency : null, cash ? (g.kind === 'cashback' ? 1 : 0) : null, o.source.rule_id, o.source.rule_version, o.source.variant, detail, eventId, this.ctx.now()]);
    }
    if (rows.length === 0) return new Set();
    return new Set(this.ctx.db.all<{ grant_id: string }>`insert into rewards_grants (grant_id, kind, amount, value_minor, currency, paid, rule_id, rule_version, variant, detail, event_id, at)
      select value ->> '$[0]', value ->> '$[1]', value ->> '$[2]', value ->> '$[3]', value ->> '$[4]', value ->> '$[5]', value ->> '$[6]', value ->> '$[7]', value ->> '$[8]', value ->> '$[9]', value ->> '$[10]', value ->> '$[11]'
      from json_each(${JSON.stringify(rows)}) where true order by key
      on conflict (grant_id) do nothing returning grant_id`.map((r) => r.grant_id));
  }

  // ---- wheel spins -------------------------------------------------------------------------------

  /**
   * Spins a granted wheel spin (docs/rewards.md "Wheel (provably fair)"), in the caller's transaction:
   * the prize drawn from the spin's seed and its prize table as granted, its result recorded, the
   * prize delivered under its own grant id, `rewards.wheel_spun` emitted with the revealed seed. A
   * spin with a result answers that result again and delivers nothing (the result row's primary
   * key, and each delivery's own unique key, not only this check). Refusals write nothing: an
   * unknown spin, an expired one, and a spin of a wheel with a cash-like prize while the player is at
   * risk (the engine's promotional rules withhold cash-like offers then; the spin waits, its seed unrevealed).
   */
  spin(spinId: string): Result<{ spin: SpinAnswer; replayed: boolean }> {
    const spin = this.wheel.find(spinId);
    if (!spin) return fail('reward_spin_not_found', 'no such wheel spin', { spin_id: spinId });
    const done = this.wheel.resultOf(spinId);
    if (done) return { ok: true, spin: this.wheel.answerOf(spin, done), replayed: true };
    const p = this.ctx.profile();
    if (!p) return fail('reward_spin_not_found', 'no such wheel spin', { spin_id: spinId });
    const now = this.ctx.now();
    if (spin.expires_at !== null && spin.expires_at <= now) return fail('reward_spin_expired', 'this wheel spin has expired', { spin_id: spinId, expires_at: spin.expires_at });
    const cashLike = spin.wheel.prizes.some((prize) => prize.reward !== null && CASH_LIKE.has(prize.reward.type));
    const risk = cashLike ? this.riskNow() : [];
    if (risk.length > 0) return fail('reward_spin_player_at_risk', 'this wheel has cash-like prizes, which are withheld while you may be at risk: try again later', { spin_id: spinId, reasons: risk });
    const prize = spinWheel(spin.wheel, spin.server_seed, spin.spin_id);
    const delivered = this.deliverPrize(prize, prizeGrantId(spinId), spin, p.currency);
    if (!this.wheel.record(spinId, prize, delivered)) throw new Error(`invariant: spin ${spinId} recorded twice in one transaction`);
    const answer = this.wheel.answerOf(spin, this.wheel.resultOf(spinId)!);
    const r = prize.reward;
    const value = r !== null && (r.type === 'free_bet' || r.type === 'cashback') ? r.value_minor[p.currency] ?? null : null;
    this.ctx.emit('rewards.wheel_spun', {
      spin_id: spinId, grant_id: spin.grant_id, wheel_id: spin.wheel_id, prize_id: prize.id, prize_grant_id: answer.prize_grant_id,
      prize_kind: r?.type ?? null, amount: r !== null && (r.type === 'xp' || r.type === 'points') ? r.amount : null, value_minor: value, delivered,
      commitment: spin.commitment, server_seed: spin.server_seed, rule_id: spin.rule_id, rule_version: spin.rule_version,
      rule_set_id: spin.rule_set_id, rule_set_version: spin.rule_set_version,
    }, p.currency);
    this.onSpun?.(answer, p.currency);
    return { ok: true, spin: answer, replayed: false };
  }

  /**
   * The prize delivered through the paths the engine's own grants take: a grant row (the points
   * ledger, recent grants) under the prize's grant id, then XP, points or a badge into the engine's
   * state, a free bet a token, a cashback the wallet (kind 'reward', that grant id). False: nothing
   * to deliver (a "no prize" slot, a badge owned already, a cash-like prize with no value, or 0, in
   * the player's currency).
   */
  private deliverPrize(prize: WheelPrize, grantId: string, spin: { spin_id: string; wheel_id: string; rule_id: string; rule_version: number }, currency: Currency): boolean {
    const r = prize.reward;
    if (r === null) return false;
    const hot = this.load();
    const now = this.ctx.now();
    const row = (kind: string, amount: number | null, value: number | null, paid: number | null, detail: string | null) => {
      const inserted = this.ctx.db.first<{ grant_id: string }>`insert into rewards_grants (grant_id, kind, amount, value_minor, currency, paid, rule_id, rule_version, variant, detail, event_id, at)
        values (${grantId}, ${kind}, ${amount}, ${value}, ${value === null ? null : currency}, ${paid}, ${spin.rule_id}, ${spin.rule_version}, ${null}, ${detail}, ${`wheel-spin:${spin.spin_id}`}, ${now})
        on conflict (grant_id) do nothing returning grant_id`;
      if (!inserted) throw new Error(`invariant: prize ${grantId} granted twice`);
    };
    switch (r.type) {
      case 'xp':
        row('xp', r.amount, null, null, spin.wheel_id);
        this.save({ ...hot, state: { ...hot.state, xp: hot.state.xp + r.amount } });
        return true;
      case 'points':
        row('points', r.amount, null, null, spin.wheel_id);
        this.save({ ...hot, state: { ...hot.state, points_granted: hot.state.points_granted + r.amount } });
        return true;
      case 'badge':
        if (hot.state.badges.includes(r.badge_id) || hot.state.badges.length >= BADGES_MAX) return false;
        row('badge', null, null, null, r.badge_id);
        this.save({ ...hot, state: { ...hot.state, badges: [...hot.state.badges, r.badge_id] } });
        return true;
      case 'message':
      case 'shout_out':
        row(r.type, null, null, null, r.template);
        return true;
      case 'free_bet':
      case 'cashback': {
        const value = r.value_minor[currency];
        // no value, or 0 (a rule set may name 0 for a currency it gives nothing in): nothing to deliver,
        // rather than a zero token or credit that the table's check and the wallet refuse on every retry
        if (value === undefined || value <= 0) return false;
        row(r.type, null, value, r.type === 'cashback' ? 1 : 0, spin.wheel_id);
        if (r.type === 'cashback') this.wallet.creditReward({ grant_id: grantId, currency, amount_minor: value });
        else {
          this.ctx.db.run`insert into reward_free_bets (grant_id, currency, value_minor, table_id, expires_at, created_at)
            values (${grantId}, ${currency}, ${value}, ${r.table_id ?? null}, ${now + r.valid_hours * 3_600_000}, ${now})`;
        }
        return true;
      }
      case 'wheel_spin':
      case 'mission_progress':
        return false; // not a prize (rule-schema.ts refuses them in a wheel)
    }
  }

  /** Why the player counts as at risk now (the engine's reasons: rapid losses, a limit hit, a cool-off just ended, the rg_risk segment). */
  private riskNow(): string[] {
    const p = this.ctx.profile();
    if (!p) return [];
    const { marks, segments } = this.load();
    const { risk } = this.config;
    const now = this.ctx.now();
    return riskReasons({
      player_id: p.player_id, currency: p.currency, exclusion: 'none', segments,
      risk: {
        rapid_losses: rapidLosses(marks, now, risk.rapid_losses, p.currency),
        limit_hit: marks.limit_hit_at !== null && now - marks.limit_hit_at < risk.limit_hit_minutes * MINUTE_MS,
        cool_off_ended_recently: marks.cool_off_ended_at !== null && now - marks.cool_off_ended_at < risk.cool_off_ended_minutes * MINUTE_MS,
      },
      event: { session_id: null, device: null, dealer_id: null },
      budget_remaining_minor: {},
    });
  }

  // ---- reads ------------------------------------------------------------------------------------

  view(): RewardsView {
    const { state } = this.load();
    const set = this.config.compiled.set;
    const level = state.level === null ? null : set.levels.find((l) => l.level === state.level) ?? null;
    const next = set.levels.find((l) => l.min_xp > state.xp && (state.level === null || l.level > state.level)) ?? null;
    const balance = this.ctx.db.first<{ points: number }>`select coalesce(sum(amount), 0) as points from rewards_grants where kind = 'points'`!.points;
    const recent = this.ctx.db.all<{ grant_id: string; kind: string; amount: number | null; value_minor: number | null; currency: string | null; paid: number | null; rule_id: string; rule_version: number; detail: string | null; at: number }>`
      select grant_id, kind, amount, value_minor, currency, paid, rule_id, rule_version, detail, at from rewards_grants order by seq desc limit ${RECENT_GRANTS}`;
    return {
      rule_set: { id: set.id, version: set.version },
      xp: state.xp,
      level: level ? { level: level.level, name: level.name, tier: level.tier } : null,
      next_level: next ? { level: next.level, name: next.name, min_xp: next.min_xp } : null,
      points_balance: balance,
      missions: set.missions.map((m) => {
        const s = state.missions[m.id];
        const step = s && s.completed_at === null ? m.steps[s.step] ?? null : s ? null : m.steps[0] ?? null;
        return { mission_id: m.id, name: m.name, step_index: s?.step ?? 0, step_id: step?.id ?? null, step_name: step?.name ?? null, progress: s?.progress ?? 0, target: step?.target ?? null, completions: s?.completions ?? 0, expires_at: s?.expires_at ?? null };
      }),
      badges: [...state.badges],
      recent_grants: recent.map((g) => ({ ...g, paid: g.paid === null ? null : g.paid === 1 })),
      free_bets: this.offers.freeBets(),
      spins: this.wheel.unspun(),
    };
  }

  /** Debug mode: the state in memory against SQL. */
  verifyHotState(): string[] {
    const leases = this.budgets.verifyHotState();
    if (leases.length > 0) return leases;
    if (!this.hot) return [];
    const row = this.ctx.db.first<{ state: string; marks: string }>`select state, marks from rewards_state where id = 1`;
    if (!row) return JSON.stringify(this.hot.state) === JSON.stringify(initialState()) ? [] : ['rewards state in memory but not in SQL'];
    const stored = this.stateOf(JSON.parse(row.state) as StoredState | RewardsState);
    // every chunk row is one the state row lists (a forgotten chunk's row is deleted with it)
    const unlisted = this.ctx.db.first<{ n: number }>`select count(*) as n from rewards_seen_chunks where seq not in (select value from json_each(${JSON.stringify(stored.rows.seqs)}))`!.n;
    if (unlisted > 0) return [`${unlisted} rewards memory chunk rows not listed by the state row`];
    const { rows } = this.hot;
    if (rows.chunks !== this.hot.state.seen.chunks || JSON.stringify(rows.seqs) !== JSON.stringify(stored.rows.seqs)) return ['rewards memory chunk rows in memory != SQL'];
    // every distinct counter's value rows are its current period's, as many as the state counts
    const valueSets = this.ctx.db.all<{ counter: string; period: string; n: number }>`select counter, period, count(*) as n from reward_counter_values group by counter, period`;
    const counted = Object.entries(stored.state.counters).filter(([, c]) => c.n !== undefined && c.n > 0);
    const sets = new Map(valueSets.map((v) => [`${v.counter}\u0001${v.period}`, v.n]));
    if (valueSets.length !== counted.length || counted.some(([id, c]) => sets.get(`${id}\u0001${c.period}`) !== c.n)) return ['rewards distinct counter value rows != the counts in the state'];
    return JSON.stringify(stored.state) === JSON.stringify(this.hot.state) && row.marks === JSON.stringify(this.hot.marks) ? [] : ['rewards state in memory != SQL'];
  }
}
