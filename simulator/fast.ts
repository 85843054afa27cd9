/**
 * Fast mode: the event stream the edge would emit for N players, T tables and D days, generated
 * directly (no platform), in occurred_at order, ready to be written as R2 batch objects.
 * Written by hand, so held to the objects' own events: simulator/event-shapes.test.ts compares every
 * type's envelope and payload shapes with simulator/event-shapes.json, which the real objects write
 * for a scripted player (test/edge/event-shapes.test.ts; docs/simulator.md "Parity with the edge").
 *
 * The sequences are those of the Durable Objects (durable/player/*, durable/table/*), event by
 * event, with the same ids linking them and the same balance semantics:
 *
 *   registration   player.registered, player.login.succeeded (registration opens the first session)
 *   login          [player.login.failed] player.login.succeeded {device} [player.login.foreign_country]
 *   session end    player.session.ended {reason logout | idle_timeout | time_limit | cool_off | self_exclusion}
 *   KYC (sandbox)  player.kyc.changed none->pending (actor player), pending->verified|rejected (actor kyc:sandbox)
 *   deposit        wallet.deposit.requested, wallet.deposit.completed (balance_after = real balance) | wallet.deposit.failed;
 *                  each with the payment_reference of the card used (instruments.ts: the public development key)
 *   deposit limit  rg.limit.breach_refused instead of the deposit when it would exceed the limit
 *   table bet      wallet.hold.reserved (hold table:<table>:<bet>, ref <table>:<round>), table.bet.placed;
 *                  at settlement wallet.hold.posted (balance_after = available), [wallet.win.credited
 *                  (win <hold>:return, balance_after = real balance)], table.bet.settled
 *   table round    table.round.opened (commitment), .closed (bets), .result (outcome, revealed seed), .settled
 *   blackjack      (tables 5-7; simulator/blackjack-round.ts, docs/simulator.md "Blackjack in fast mode") table.round.opened;
 *                  per stake of a bet (main, side bets, behind) wallet.hold.reserved + table.bet.placed; .closed, table.hand.dealt
 *                  per box; table.hand.decision per decision, a double, split or insurance after its own hold + bet; .result,
 *                  table.hand.settled per hand; per stake wallet.hold.posted [wallet.win.credited], then table.bet.settled per stake; .settled
 *   slot round     wallet.hold.reserved + wallet.hold.posted (hold prov:<provider>:<tx>), provider.bet.debited,
 *                  then [wallet.win.credited] provider.win.credited (0 closes a losing round), or a rollback:
 *                  backoffice.dispute.resolved + provider.bet.rolled_back
 *   withdrawal     wallet.hold.reserved (wd:<id>), wallet.withdrawal.requested {payment_reference}; hours later an operator:
 *                  wallet.withdrawal.approved then wallet.hold.posted + wallet.withdrawal.paid, or
 *                  wallet.hold.voided + wallet.withdrawal.rejected; unless, before that, a loss chaser out
 *                  of money cancels it to play on: wallet.hold.voided + wallet.withdrawal.cancelled {actor player}
 *   limits         rg.limit.set (lower: at once; raise: pending 24 h, then rg.limit.applied), session-time
 *                  limits end sessions (time_limit), reality checks emit rg.reality_check.due
 *   breaks         rg.cool_off.started (+ session ended), rg.cool_off.ended at its end; self-exclusion:
 *                  player.status.changed active->self_excluded, rg.self_exclusion.started, session ended
 *                  (a timed one ends by alarm: player.status.changed self_excluded->active, rg.self_exclusion.ended)
 *   alerts         ops.alert.raised (brand ops, seconds after its trigger): large_win, rapid_deposit_withdraw, failed_logins;
 *                  most resolved 10 min to 4 days later: ops.alert.resolved {decision, actor operator:<id>} (ALERT_DECISION_MIX)
 *   adjustment     backoffice.adjustment.requested then .applied (at once, approved_by null, at or under the four-eyes
 *                  threshold; balance_after = real balance) or, above it, hours later .applied (by a second operator) | .rejected
 *   VIP            player.vip.changed false->true (an operator)
 *   lock           after a failed_logins alert: player.status.changed active->locked (an operator); later logins
 *                  player.login.failed {account_locked}; hours later locked->active (an operator)
 *   table dispute  on a lost table bet, hours later an operator's void or correction under the four-eyes threshold:
 *                  backoffice.adjustment.requested + .applied (id = the dispute's), backoffice.dispute.resolved {ref: the hold}
 *   round void     table.round.opened, .closed, .voided {bets_refunded}; per bet wallet.hold.voided, table.bet.settled {result void}
 *   hold expiry    wallet.hold.expired at the hold's expires_at, then table.bet.settled {result expired}
 *
 * Lifecycle and risk behaviours (reactivation after weeks, loss chasing, structuring, deposit-then-withdraw;
 * model.ts pickBehaviour) and operator activity draw from streams of their own (`behaviour:<i>`,
 * `table-ops:<table>`), so players without them keep their events byte for byte.
 *
 * Automated-table outcomes are drawn with the platform's provably-fair algorithm from a seed of the
 * simulator's PRNG, so every simulated round verifies (domain/fairness/provably-fair.ts verifyRound).
 * Everything is deterministic for a seed and `now`. No event is later than `now`: sessions, rounds and
 * withdrawals still running at `now` are left open, as they would be in a snapshot of the platform.
 */
import type { CasinoEvent, PayloadValue } from '../domain/events';
import { createHash, createHmac } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { uniformFromWords } from '../domain/fairness/provably-fair';
import { gameRules } from '../domain/games';
import type { GameRules } from '../domain/games/types';
import { addMonthsUtc } from '../domain/limits';
import jurisdictionsConfig from '../config/jurisdictions.json';
import {
  ARCHETYPES, BLACKJACK_TABLES, BRAND_WEIGHTS, DAY_MS, HOUR_MS, MINOR_PER_EUR, TABLES, baccaratSpot, birthDate, nextShapedTime, pickArchetype, pickCountry, pickCurrency,
  loginClient, pickHabits, pickSource, rouletteSpot, roundAmount, shapedTime, slotsFor, spinReturn, tableLimit,
  CHASE_MAX_REDEPOSITS, CHASE_STAKE_MAX, CHASE_STAKE_STEP, QUICK_CASHOUT_SESSION_CHANCE, STRUCTURING_SESSION_CHANCE, pickBehaviour, structuringAmounts,
  type Archetype, type ArchetypeProfile, type Behaviour, type BlackjackTableDef, type Habits, type SlotGame, type TableDef,
} from './model';
import { openShoe, playerSideBets, randomPlayerProfile, type PlayerProfile, type SideBetKind } from '../domain/games/blackjack';
import { playRound, type BehindBet, type PlayerPlay, type SeatBet } from './blackjack-round';
import { ALERT_DECISIONS } from '../domain/aml';
import { BACKOFFICE_CONFIG, fourEyesThresholdMinor, largeWinThresholdMinor } from '../domain/backoffice';
import { formatMinor, isCurrency } from '../domain/money';
import { HOLD_TTL_MAX_MS } from '../domain/money';
import { PaymentInstruments } from './instruments';
import { FastRewards } from './fast-rewards';
import { Rng } from './rng';

export type HistoryOptions = {
  players: number;
  days: number;
  /** How many of the configured tables are used (automated first, then dealer tables). */
  tables: number;
  seed?: string;
  /** The end of the history (ms); default Date.now(). Fix it for reproducible output. */
  now?: number;
  /**
   * How much each player plays (ACTIVITY_PROFILES): `default` (the calibrated casino), or `light`
   * (fewer, shorter sessions with short stints: ~1/200 of the events per player, for benchmarks of
   * 100,000 players). The same draws either way, so `default` output is unchanged by this option.
   */
  profile?: ActivityProfileName;
  /** Run the rewards engine over the players' events, as their objects do (simulator/fast-rewards.ts); default true. */
  rewards?: boolean;
};

/**
 * Per-player activity. `default` is the simulator's calibrated casino; `light` keeps every player,
 * behaviour and event type but plays less: sessions 10x further apart and 3 % as long (at least
 * 15 s), slot stints of ~3 spins (at least 1) and table stints of ~1 round (at least 1). Only the
 * constants change, never the number or order of draws, so a player's choices under `default` are
 * byte for byte those of before this option existed (warehouse/library-coverage.test.ts relies on it).
 */
export type ActivityProfile = { gapScale: number; sessionScale: number; minSessionMs: number; spinsMedian: number; minSpins: number; roundsMedian: number; minRounds: number };
export const ACTIVITY_PROFILES = {
  default: { gapScale: 1, sessionScale: 1, minSessionMs: 90_000, spinsMedian: 60, minSpins: 5, roundsMedian: 14, minRounds: 3 },
  light: { gapScale: 10, sessionScale: 0.03, minSessionMs: 15_000, spinsMedian: 3, minSpins: 1, roundsMedian: 1, minRounds: 1 },
} as const satisfies Record<string, ActivityProfile>;
export type ActivityProfileName = keyof typeof ACTIVITY_PROFILES;

export type HistoryCounts = {
  events: number;
  players: number;
  registrations: number;
  sessions: number;
  deposits: number;
  deposits_failed: number;
  deposit_refusals: number;
  table_bets: number;
  table_rounds: number;
  slot_rounds: number;
  slot_rollbacks: number;
  withdrawals: number;
  withdrawals_paid: number;
  withdrawals_rejected: number;
  /** Cancelled by the player (a loss chaser out of money) before any decision. */
  withdrawals_cancelled: number;
  kyc_submissions: number;
  reactivated: number;
  chase_raises: number;
  chase_redeposits: number;
  structuring_deposits: number;
  quick_cashouts: number;
  adjustments: number;
  alerts: number;
  /** Alerts an operator resolved with a decision (ops.alert.resolved). */
  alerts_resolved: number;
  rounds_voided: number;
  holds_expired: number;
  /** Accounts locked by an operator (after a failed_logins alert). */
  locks: number;
  /** Table bets disputed and resolved by an operator (void or correction). */
  disputes: number;
  limit_changes: number;
  cool_offs: number;
  self_exclusions: number;
  churned: number;
  by_type: Record<string, number>;
  first_at: number | null;
  last_at: number | null;
};

/**
 * How operators decide the edge's anomaly alerts, illustrative (not measured): the share resolved at
 * all (the rest stay open), then weights of ALERT_DECISIONS (no_action, false_positive, escalated,
 * reported). Large wins are mostly legitimate jackpots; a rapid deposit-withdraw is the one that gets
 * escalated; failed logins are often a player who forgot the password.
 */
export const ALERT_DECISION_MIX = {
  large_win: { resolved: 0.9, weights: [80, 10, 8, 2] },
  rapid_deposit_withdraw: { resolved: 0.85, weights: [50, 15, 28, 7] },
  failed_logins: { resolved: 0.8, weights: [40, 50, 10, 0] },
} as const;

const JURISDICTION_CONFIG_VERSION = jurisdictionsConfig.version;
/** Jurisdictions whose players may cancel a withdrawal no operator has decided (config/jurisdictions.json). */
const REVERSE_WITHDRAWALS = new Set(jurisdictionsConfig.jurisdictions.filter((j) => j.reverse_withdrawals).map((j) => j.id));
const PROVIDER_SANDBOX = 'sandbox';
const IDLE_TIMEOUT_MS = 30 * 60_000;
/**
 * A table bet's hold lives as long as the player's object allows (TableDO.reserve asks for
 * HOLD_TTL_MAX_MS, 24 h): a round settles or is voided long before, so a hold expires only when the
 * table could not reach the player's object for that long. Was 1 h here, unlike the edge.
 */
const TABLE_HOLD_TTL_MS = HOLD_TTL_MAX_MS;
/** Wall time between an automated round's close and the next round's opening beyond the pause: draw + settlement. */
const SETTLE_SLACK_MS = 120;
/** A dealer needs this long after betting closes to spin the wheel or deal the cards. */
const DEALER_RESULT_MS = 8_000;
/**
 * Operator activity, illustrative rates (not measured): per session, the chance an operator adjusts
 * the player's balance afterwards (goodwill credits, compensation); per non-first session, the chance
 * of a run of mistyped passwords that trips the failed_logins alert; per round, the chance it is
 * voided before its result (dealer misdeal, wheel fault, stream outage); per table bet, the chance
 * the table cannot reach the player's object at settlement until the hold expires.
 */
const ADJUSTMENT_SESSION_CHANCE: Record<Archetype, number> = { dormant: 0.01, casual: 0.02, regular: 0.03, highroller: 0.1, at_risk: 0.03 };
const FAILED_LOGIN_BURST_CHANCE = 0.002;
/**
 * After a failed_logins alert, the share of accounts an operator locks (someone may be guessing the
 * password) until the player confirms their identity with support, LOCK_HOURS later. Illustrative.
 */
const LOCK_AFTER_FAILED_LOGINS_SHARE = 0.5;
const LOCK_HOURS: [number, number] = [2, 72];
/** After a deposit refused by their limit, the share of players who ask for it doubled (at most once a day). Illustrative. */
const LIMIT_RAISE_AFTER_REFUSAL_SHARE = 0.15;
/**
 * Per losing table bet, the chance the player disputes it and an operator resolves it hours later:
 * voids it (misdeal or wheel fault seen on the video: the stake back) or corrects it (a win the
 * table mis-settled: the even-money return credited). Under the four-eyes threshold, applied at
 * once. Illustrative rates.
 */
const TABLE_DISPUTE_SHARE = 0.0008;
const DISPUTE_VOID_SHARE = 0.6;
const ROUND_VOID_SHARE = 0.002;
const HOLD_EXPIRY_SHARE = 0.0005;
/** Illustrative: the chance a loss chaser who just asked for a withdrawal cancels it minutes later to play on. */
const REVERSAL_CHANCE = 0.7;
const VOID_REASONS: Record<'dealer' | 'auto', string[]> = {
  dealer: ['misdeal', 'wheel fault: ball left the wheel', 'video stream interrupted', 'card shoe error'],
  auto: ['video stream interrupted', 'table maintenance'],
};

type Ev = { t: number; q: number; type: string; line: string };

/** Sink for the flattening reads in emit (so they cannot be optimised away). */
let flat = 0;

/** Events are sorted and handed out per window of simulated time; shorter windows keep less in memory. */
const WINDOW_MS = 10 * 60_000;
/**
 * A blackjack round's room for the deal, the decisions and the dealer after betting closes (its
 * table's cycle: betting + this + settlement + pause). Players hurry once 60 % of it is gone
 * (blackjack-round.ts hurry_at), so a round of seven seats fits.
 */
const BJ_PLAY_BUDGET_MS = 75_000;
/** Bets behind: the share of a Seated table's players who bet behind a seat rather than take one (and every one who finds the table full). */
const BJ_BEHIND_SHARE = 0.3;

type Round = {
  table: TableSim;
  k: number;
  round_id: string;
  round_no: number;
  opened_at: number;
  closes_at: number;
  result_at: number;
  outcome: unknown;
  outcomeJson: string;
  summary: string;
  seed: string | null;
  commitment: string | null;
  bets: number;
  lastSettle: number;
  /** Voided by an operator or the dealer before its result (no result, every stake back). */
  void: { at: number; actor: string; reason: string } | null;
};

type TableSim = {
  def: TableDef;
  rules: GameRules;
  cycle: number;
  t0: number;
  kStart: number;
  rng: Rng;
  /** Operator incidents (round voids, settlement failures), a stream of their own so the rounds' own draws do not move. */
  orng: Rng;
  rounds: Map<number, Round>;
  dealer: string | null;
};

type Action = { t: number; run: () => void };

/** A blackjack round at a table someone sat at: its bets as they come, played and settled once betting has closed for everyone. */
type BjRound = {
  k: number;
  round_id: string;
  round_no: number;
  opened_at: number;
  closes_at: number;
  seed: string | null;
  commitment: string | null;
  seats: (SeatBet & { p: Player })[];
  behind: (BehindBet & { p: Player })[];
};

type BjTableSim = {
  def: BlackjackTableDef;
  cycle: number;
  t0: number;
  kStart: number;
  rng: Rng;
  rounds: Map<number, BjRound>;
  dealer: string | null;
};

/** A player sitting at a blackjack table: the round they bet in next, how many more, and the session to go back to. */
type BjSitting = { table: BjTableSim; k: number; left: number; betProb: number; seat: number | null; ctx: SessionCtx; leaving: boolean };

type SessionEnding = 'logout' | 'idle_timeout' | 'time_limit' | 'cool_off' | 'self_exclusion';
/** A session's state between its play and its end (a blackjack table holds it while the player sits there). */
type SessionCtx = {
  sessionId: string; start: number; timeLimitAt: number; realityMs: number | null; stopAt: number; t: number; busts: number; ending: SessionEnding;
  /** Reality checks emitted so far (a session at a blackjack table emits them as it goes: realityChecks). */
  realityK: number;
};

type Limit = { period: 'day' | 'week' | 'month'; value: number };

type Player = {
  id: string;
  rng: Rng;
  country: string;
  utc: number;
  jurisdiction: string;
  currency: string;
  brand: string;
  archetype: Archetype;
  a: ArchetypeProfile;
  /** Hours of play and devices, drawn from an Rng of their own (`hrng`): the player's other draws (`rng`) do not move with them. */
  habits: Habits;
  hrng: Rng;
  /** Lifecycle and risk behaviours (reactivation, loss chasing, structuring, quick cash-outs, VIP) and operator activity, from an Rng of their own (`brng`). */
  beh: Behaviour;
  brng: Rng;
  /** Cards and accounts, for payment references (instruments.ts), from an Rng of their own (`instruments:<i>`). */
  pay: PaymentInstruments;
  /** Lapsed and came back (once). */
  reactivated: boolean;
  vip: boolean;
  regAt: number;
  churnAt: number;
  kyc: 'none' | 'pending' | 'verified' | 'rejected';
  status: 'active' | 'self_excluded';
  coolOffUntil: number;
  /** When the player last asked for a higher deposit limit after a refusal. */
  lastRaiseAt: number;
  /** Locked by an operator until then (0: not locked). */
  lockedUntil: number;
  balance: number;
  held: number;
  depositLimit: Limit | null;
  deposits: { t: number; amount: number }[];
  sessionLimitMin: number | null;
  realityMin: number | null;
  stake: number;
  depositSize: number;
  slots: SlotGame[];
  tables: TableSim[];
  /** Blackjack tables in the player's currency (tables 5.. of the history's). */
  bjTables: BjTableSim[];
  /** At a blackjack table now (the session waits), with a stream of its own for the play (`blackjack:<id>`). */
  bj: BjSitting | null;
  bjr: Rng | null;
  bjPlay: PlayerPlay | null;
  /** Share of play time on slots (the rest at tables, when the player has any). */
  slotShare: number;
  actions: Action[];
  /** Loss chasing: the multiple of the usual stake the player is at after losses (1 otherwise). */
  chaseMult: number;
  sessions: number;
  churned: boolean;
  lastT: number;
};

/** A min-heap of wake-ups (time, then insertion order). */
class Heap<T> {
  private items: { t: number; q: number; v: T }[] = [];
  private q = 0;
  get size(): number {
    return this.items.length;
  }
  peekTime(): number {
    return this.items.length ? this.items[0]!.t : Infinity;
  }
  push(t: number, v: T): void {
    const it = this.items;
    it.push({ t, q: this.q++, v });
    let i = it.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(it[p]!, it[i]!)) break;
      [it[p], it[i]] = [it[i]!, it[p]!];
      i = p;
    }
  }
  pop(): { t: number; v: T } | undefined {
    const it = this.items;
    if (!it.length) return undefined;
    const top = it[0]!;
    const last = it.pop()!;
    if (it.length) {
      it[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < it.length && less(it[l]!, it[m]!)) m = l;
        if (r < it.length && less(it[r]!, it[m]!)) m = r;
        if (m === i) break;
        [it[m], it[i]] = [it[i]!, it[m]!];
        i = m;
      }
    }
    return top;
  }
}
function less(a: { t: number; q: number }, b: { t: number; q: number }): boolean {
  return a.t < b.t || (a.t === b.t && a.q < b.q);
}

function byTime(a: Ev, b: Ev): number {
  return a.t - b.t || a.q - b.q;
}

export function emptyCounts(): HistoryCounts {
  return {
    events: 0, players: 0, registrations: 0, sessions: 0, deposits: 0, deposits_failed: 0, deposit_refusals: 0, table_bets: 0, table_rounds: 0,
    slot_rounds: 0, slot_rollbacks: 0, withdrawals: 0, withdrawals_paid: 0, withdrawals_rejected: 0, withdrawals_cancelled: 0, kyc_submissions: 0, limit_changes: 0,
    reactivated: 0, chase_raises: 0, chase_redeposits: 0, structuring_deposits: 0, quick_cashouts: 0, adjustments: 0, alerts: 0, alerts_resolved: 0, rounds_voided: 0, holds_expired: 0, locks: 0, disputes: 0,
    cool_offs: 0, self_exclusions: 0, churned: 0, by_type: {}, first_at: null, last_at: null,
  };
}

/**
 * The whole history as JSON lines (one event each, exactly as the edge serialises them), in chunks,
 * in occurred_at order (ties in emission order). Memory holds a few minutes of simulated events plus
 * the state of players, whatever the total. `counts` (optional) is filled in as lines are produced.
 */
export function* generateHistoryLines(opts: HistoryOptions, counts: HistoryCounts = emptyCounts()): Generator<string[]> {
  yield* new Generator_(opts, counts).runChunks();
}

/** The same history as event objects (parsed from the lines; for tests and small runs). */
export function* generateHistory(opts: HistoryOptions, counts: HistoryCounts = emptyCounts()): Generator<CasinoEvent> {
  for (const chunk of generateHistoryLines(opts, counts)) for (const line of chunk) yield JSON.parse(line) as CasinoEvent;
}

/**
 * Lines wait in memory for minutes of simulated time (a session is generated whole, then sorted in),
 * which with V8's default 16 MB semi-spaces promotes most of them to the old generation: half the
 * time went to garbage collection. A larger young generation (allowed to grow, not reserved) halves
 * that. Raised once, for the process, when the first history is generated; NODE_OPTIONS wins if set.
 */
let youngGenerationRaised = false;
function raiseYoungGeneration(): void {
  if (youngGenerationRaised || /--max-semi-space-size/.test(process.env.NODE_OPTIONS ?? '') || process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))) return;
  youngGenerationRaised = true;
  setFlagsFromString('--max-semi-space-size=64');
}

class Generator_ {
  private readonly seed: string;
  private readonly now: number;
  private readonly start: number;
  private readonly rng: Rng;
  private readonly tables: TableSim[];
  private readonly bjTables: BjTableSim[];
  /** Players sitting at a blackjack table now. */
  private readonly seated = new Set<Player>();
  private readonly operators: string[];
  private readonly wake = new Heap<{ p: Player; kind: 'session' | 'action' | 'bj' }>();
  /** Withdrawals no operator has decided yet, per player: what a player can still cancel. */
  private readonly undecided = new Map<Player, { wid: string; holdId: string; amount: number; cancelled: boolean }[]>();
  private buf: Ev[] = [];
  private q = 0;
  private readonly roulette = gameRules('roulette');
  private readonly baccarat = gameRules('baccarat');
  private readonly spotCache = new Map<string, { spot: string; bet_type: string }>();
  private readonly prof: ActivityProfile;
  private readonly rewards: FastRewards | null;

  constructor(private readonly opts: HistoryOptions, private readonly counts: HistoryCounts) {
    if (!(opts.players >= 0) || !(opts.days > 0)) throw new RangeError('players >= 0 and days > 0 are required');
    raiseYoungGeneration();
    this.seed = opts.seed ?? 'casino';
    const prof = ACTIVITY_PROFILES[opts.profile ?? 'default'] as ActivityProfile | undefined;
    if (!prof) throw new RangeError(`unknown profile '${opts.profile}' (${Object.keys(ACTIVITY_PROFILES).join(', ')})`);
    this.prof = prof;
    this.now = Math.floor(opts.now ?? Date.now());
    this.start = this.now - Math.round(opts.days * DAY_MS);
    this.rng = Rng.derive(this.seed, 'world');
    this.operators = Array.from({ length: 6 }, () => this.rng.uuidv7(this.start - 90 * DAY_MS));
    const n = Math.max(0, Math.min(Math.floor(opts.tables), TABLES.length));
    this.tables = TABLES.slice(0, n).map((def, i) => {
      const dealerMs = def.mode === 'dealer' ? DEALER_RESULT_MS : 0;
      const cycle = def.betting_seconds * 1000 + dealerMs + SETTLE_SLACK_MS + def.pause_seconds * 1000;
      const t0 = this.start - (this.start % cycle) - 7919 * (i + 1);
      return {
        def, rules: gameRules(def.game), cycle, t0, kStart: Math.floor((this.start - t0) / cycle), rng: Rng.derive(this.seed, `table:${def.table_id}`),
        orng: Rng.derive(this.seed, `table-ops:${def.table_id}`), rounds: new Map(), dealer: def.mode === 'dealer' ? this.operators[i % this.operators.length]! : null,
      };
    });
    // blackjack: tables 5.. (a round's cycle leaves room for the decisions: BJ_PLAY_BUDGET_MS)
    this.bjTables = BLACKJACK_TABLES.slice(0, Math.max(0, Math.min(Math.floor(opts.tables), TABLES.length + BLACKJACK_TABLES.length) - TABLES.length)).map((def, j) => {
      const i = TABLES.length + j;
      const cycle = def.betting_seconds * 1000 + BJ_PLAY_BUDGET_MS + SETTLE_SLACK_MS + def.pause_seconds * 1000;
      const t0 = this.start - (this.start % cycle) - 7919 * (i + 1);
      return {
        def, cycle, t0, kStart: Math.floor((this.start - t0) / cycle), rng: Rng.derive(this.seed, `table:${def.table_id}`), rounds: new Map(),
        dealer: def.mode === 'dealer' ? this.operators[i % this.operators.length]! : null,
      };
    });
    this.counts.players = opts.players;
    this.rewards = opts.rewards === false ? null : new FastRewards(this.seed);
  }

  // ---- output ------------------------------------------------------------------------------------

  /**
   * Appends one event, serialised at once: the envelope by hand in Outbox.emit's field order (its
   * values are ids, codes and numbers that need no escaping), the flat payload with JSON.stringify.
   */
  private emit(t: number, type: string, player: Player | null, currency: string | null, payload: Record<string, PayloadValue>, table?: { table_id: string; round_id: string; player?: Player | null }, idRng?: Rng): void {
    const id = (idRng ?? (player ? player.rng : this.rng)).uuidv7(t);
    const who = table ? (table.player ?? null) : player;
    const line = '{"event_id":"' + id + '","event_type":"' + type + '","schema_version":1,"occurred_at":' + t
      + ',"player_id":' + (who ? '"' + who.id + '"' : 'null')
      + ',"table_id":' + (table ? '"' + table.table_id + '"' : 'null')
      + ',"round_id":' + (table ? '"' + table.round_id + '"' : 'null')
      + ',"jurisdiction":' + (who ? '"' + who.jurisdiction + '"' : 'null')
      + ',"currency":' + (currency ? '"' + currency + '"' : 'null')
      + ',"payload":' + JSON.stringify(payload) + '}';
    // Reading a character flattens the concatenation now, while its pieces are still young garbage
    // (a kept rope would carry them into the old generation: most lines wait minutes of simulated time).
    flat ^= line.charCodeAt(line.length >> 1);
    this.buf.push({ t, q: this.q++, type, line });
    this.rewards?.observe(t, type, who, currency, payload, table ? table.table_id : null, table ? table.round_id : null);
  }

  /** Sorts what was produced and hands out everything before `until` (and not after `now`). */
  private flush(until: number): string[] {
    const limit = Math.min(until, this.now + 1);
    // the players' objects' rewards for what happened before the limit (their events come at the same times)
    this.rewards?.drain(limit, (t, type, line) => this.buf.push({ t, q: this.q++, type, line }));
    const buf = this.buf;
    buf.sort(byTime);
    let i = 0;
    while (i < buf.length && buf[i]!.t < limit) i++;
    const out: string[] = new Array(i);
    const c = this.counts;
    const by = c.by_type;
    for (let j = 0; j < i; j++) {
      const ev = buf[j]!;
      out[j] = ev.line;
      by[ev.type] = (by[ev.type] ?? 0) + 1;
    }
    if (i > 0) {
      c.events += i;
      if (c.first_at === null) c.first_at = buf[0]!.t;
      c.last_at = buf[i - 1]!.t;
    }
    this.buf = i === 0 ? buf : buf.slice(i);
    return out;
  }

  *runChunks(): Generator<string[]> {
    this.createPlayers();
    for (let w0 = this.start; w0 <= this.now; w0 += WINDOW_MS) {
      const w1 = w0 + WINDOW_MS;
      for (;;) {
        // a blackjack round is played once nobody can bet in it any more (every wake before its close is done)
        if (this.resolveBlackjack(w1, false)) continue;
        const t = this.wake.peekTime();
        if (t >= w1 || t > this.now) break;
        const { v } = this.wake.pop()!;
        if (v.kind === 'action') this.catchUp(v.p, t);
        else if (v.kind === 'bj') this.blackjackWake(v.p, t);
        else this.session(v.p, t);
      }
      this.finishRounds(w1);
      const out = this.flush(Math.min(w1, this.seatedHoldback()));
      if (out.length) yield out;
    }
    // rounds still open at `now`: played out, what lies after `now` is dropped by the flush
    this.resolveBlackjack(Infinity, true);
    this.finishRounds(Infinity);
    const rest = this.flush(Infinity);
    if (rest.length) yield rest;
  }

  // ---- players -----------------------------------------------------------------------------------

  private createPlayers(): void {
    for (let i = 0; i < this.opts.players; i++) {
      const rng = Rng.derive(this.seed, `player:${i}`);
      const c = pickCountry(rng);
      const currency = pickCurrency(rng, c);
      const archetype = pickArchetype(rng);
      const a = this.archetypeProfile(archetype);
      const hrng = Rng.derive(this.seed, `habits:${i}`);
      const habits = pickHabits(hrng);
      const brng = Rng.derive(this.seed, `behaviour:${i}`);
      const beh = pickBehaviour(brng, archetype);
      const pay = new PaymentInstruments(Rng.derive(this.seed, `instruments:${i}`), beh.structurer || beh.quickCashout);
      const regAt = shapedTime(rng, this.start, this.now, c.utc, habits.shape);
      const stakeEur = Math.max(0.1, rng.logNormal(a.stakeEur, 0.6));
      const slots = slotsFor(c.jurisdiction, currency);
      const tables = this.tables.filter((t) => t.def.limits[currency]);
      const bjTables = this.bjTables.filter((t) => t.def.limits[currency]);
      const p: Player = {
        id: rng.uuidv7(regAt), rng, country: c.country, utc: c.utc, jurisdiction: c.jurisdiction, currency,
        brand: rng.weighted(BRAND_WEIGHTS.map((b) => b[0]), BRAND_WEIGHTS.map((b) => b[1])), archetype, a, habits, hrng, beh, brng, pay, reactivated: false, vip: false, chaseMult: 1, regAt,
        churnAt: regAt + Math.floor(rng.exp(a.lifetimeDays * DAY_MS)), kyc: 'none', status: 'active', coolOffUntil: 0, lockedUntil: 0, lastRaiseAt: -Infinity,
        balance: 0, held: 0, depositLimit: null, deposits: [], sessionLimitMin: null, realityMin: null,
        stake: roundAmount(stakeEur, currency), depositSize: roundAmount(Math.max(10, rng.logNormal(a.depositEur, 0.5)), currency),
        slots, tables, bjTables, bj: null, bjr: null, bjPlay: null,
        slotShare: tables.length + bjTables.length === 0 ? 1 : slots.length === 0 ? 0 : Math.min(0.95, Math.max(0.05, 0.65 + 0.3 * rng.normal())),
        actions: [], sessions: 0, churned: false, lastT: regAt,
      };
      (p as Player & { birth: string; source: string | null }).birth = birthDate(rng, c.minAge, regAt);
      (p as Player & { birth: string; source: string | null }).source = pickSource(rng);
      this.wake.push(regAt, { p, kind: 'session' });
    }
  }

  /** The archetype's profile under the activity profile: the same object under `default`. */
  private archetypeProfile(archetype: Archetype): ArchetypeProfile {
    const base = ARCHETYPES[archetype];
    if (this.prof.gapScale === 1 && this.prof.sessionScale === 1) return base;
    return { ...base, gapDays: base.gapDays * this.prof.gapScale, sessionMin: base.sessionMin * this.prof.sessionScale };
  }

  /** Schedules a player action (operator decisions, limit promotions, end of a break) at `t`. */
  private schedule(p: Player, t: number, run: () => void): void {
    if (t > this.now) return; // not yet happened at the end of the history
    const acts = p.actions;
    let i = acts.length;
    while (i > 0 && acts[i - 1]!.t > t) i--;
    acts.splice(i, 0, { t, run });
    this.wake.push(t, { p, kind: 'action' });
  }

  /** Applies the player's scheduled actions due by `t`, in time order, before anything else they do at `t`. */
  private catchUp(p: Player, t: number): void {
    while (p.actions.length && p.actions[0]!.t <= t) p.actions.shift()!.run();
  }

  private nextSession(p: Player, after: number): void {
    if (p.status === 'self_excluded') return;
    let t = nextShapedTime(p.rng, after, p.a.gapDays * DAY_MS, p.utc, p.habits.shape);
    if (t > p.churnAt && p.beh.reactivates && !p.reactivated) {
      // lapses for weeks, then comes back once for a new lifetime (a reactivated player)
      p.reactivated = true;
      const back = Math.max(after, p.churnAt) + Math.floor(p.beh.lapseDays * DAY_MS);
      t = shapedTime(p.brng, back, back + DAY_MS, p.utc, p.habits.shape);
      p.churnAt = t + Math.floor(p.brng.exp(Math.max(7, p.a.lifetimeDays) * DAY_MS));
      if (t <= this.now) {
        this.counts.reactivated++;
        this.wake.push(t, { p, kind: 'session' });
      }
      return;
    }
    if (t > p.churnAt) {
      if (!p.churned) {
        p.churned = true;
        this.counts.churned++;
      }
      return;
    }
    // A player on a break mostly waits it out; some try to log in anyway (refused).
    if (t < p.coolOffUntil && p.rng.chance(0.8)) t = nextShapedTime(p.rng, p.coolOffUntil, HOUR_MS * 12, p.utc, p.habits.shape);
    if (t <= this.now) this.wake.push(t, { p, kind: 'session' });
  }

  private session(p: Player, t0: number): void {
    this.catchUp(p, t0);
    const first = p.sessions === 0;
    let t = t0;
    const r = p.rng;
    const extra = p as Player & { birth: string; source: string | null };
    let loginCountry = p.country;
    if (first) {
      this.counts.registrations++;
      this.emit(t, 'player.registered', p, p.currency, {
        brand: p.brand, country: p.country, birth_year: Number(extra.birth.slice(0, 4)), acquisition_source: extra.source, config_version: JURISDICTION_CONFIG_VERSION,
      });
    } else {
      if (r.chance(0.04)) {
        this.emit(t, 'player.login.failed', p, null, { reason: 'wrong_password' });
        t += r.range(4_000, 25_000);
      }
      if (p.brng.chance(FAILED_LOGIN_BURST_CHANCE)) t = this.failedLoginBurst(p, t);
      if (p.lockedUntil > t) {
        // locked by an operator after the burst: the right password is refused too, until support unlocks
        this.emit(t, 'player.login.failed', p, null, { reason: 'account_locked' }, undefined, p.brng);
        this.nextSession(p, p.lockedUntil);
        return;
      }
      if (p.coolOffUntil > t) {
        this.emit(t, 'player.login.failed', p, null, { reason: 'cooling_off' });
        this.nextSession(p, p.coolOffUntil);
        return;
      }
      if (r.chance(0.03)) loginCountry = r.pick(['GB', 'MT', 'DE', 'GR', 'CA', 'SE', 'JP', 'BR'].filter((c) => c !== p.country));
    }
    p.sessions++;
    this.counts.sessions++;
    const sessionId = r.uuidv7(t);
    const start = t;
    this.emit(t, 'player.login.succeeded', p, null, { session_id: sessionId, country: loginCountry, device: loginClient(p.hrng, p.habits, first).device });
    if (loginCountry !== p.country) this.emit(t, 'player.login.foreign_country', p, null, { session_id: sessionId, registered_country: p.country, login_country: loginCountry });

    const planned = Math.min(6 * HOUR_MS, Math.max(this.prof.minSessionMs, Math.floor(r.logNormal(p.a.sessionMin, 0.75) * 60_000)));
    const timeLimitAt = p.sessionLimitMin ? start + p.sessionLimitMin * 60_000 : Infinity;
    const realityMs = p.realityMin ? p.realityMin * 60_000 : null;
    // Activity must stop before the session's time limit and before `now`.
    const stopAt = Math.min(start + planned, timeLimitAt - 1_000, this.now);
    t += r.range(3_000, 40_000);

    if (first) t = this.onboarding(p, t);
    // AML-relevant players get verified (a withdrawal needs KYC); the draws are theirs alone
    if (first && (p.beh.structurer || p.beh.quickCashout) && p.kyc === 'none') t = this.submitKyc(p, t + p.brng.range(20_000, 120_000), p.brng);
    if (p.beh.vip && !p.vip && p.sessions >= 3) t = this.flagVip(p, t);
    const ctx: SessionCtx = { sessionId, start, timeLimitAt, realityMs, stopAt, t, busts: 0, ending: 'logout', realityK: 1 };

    const special = p.beh.structurer && p.brng.chance(STRUCTURING_SESSION_CHANCE) ? 'structure'
      : p.beh.quickCashout && p.kyc === 'verified' && p.brng.chance(QUICK_CASHOUT_SESSION_CHANCE) ? 'cashout' : null;
    if (special === 'structure') {
      ctx.t = this.structure(p, t, Math.min(timeLimitAt - 1_000, this.now));
    } else if (special === 'cashout') {
      ctx.t = this.quickCashout(p, t, Math.min(timeLimitAt - 1_000, this.now));
    } else if (p.archetype !== 'dormant' || r.chance(0.25)) {
      // Money in, then play until the time is up or the money is gone (and maybe more money in).
      if (this.available(p) < p.stake * 8 && !(p.beh.chaser && this.cancelWithdrawal(p, t))) ctx.t = this.deposit(p, t, first ? p.depositSize : Math.max(p.depositSize, this.redepositSize(p)));
      // seated at a blackjack table: the session goes on when the player leaves it (blackjackLeave)
      if (!this.play(p, ctx)) return;
      this.afterPlay(p, ctx);
    }
    this.endSession(p, ctx);
  }

  /**
   * The session's play: slots and tables until the time is up or the money is gone (and maybe more
   * money in). False when the player sat down at a blackjack table: its rounds are played as the
   * other players' bets come in, and the session resumes (here) when the player leaves.
   */
  private play(p: Player, ctx: SessionCtx): boolean {
    const r = p.rng;
    const stopAt = ctx.stopAt;
    let t = ctx.t;
    while (t < stopAt) {
      if (this.available(p) < this.minStake(p)) {
        // a loss chaser first takes back a withdrawal still waiting for the operator (a reversed withdrawal), and plays it
        if (p.beh.chaser && this.cancelWithdrawal(p, t)) {
          t += p.brng.range(5_000, 40_000);
          continue;
        }
        // a loss chaser goes back in (almost always, more times, within minutes, with more each time)
        const chase = p.beh.chaser;
        const again = r.chance(p.a.redeposit);
        if (ctx.busts >= (chase ? CHASE_MAX_REDEPOSITS : 3) || !(again || (chase && p.brng.chance(0.85)))) break;
        ctx.busts++;
        const before = p.balance;
        const wait = r.range(5_000, 60_000);
        const size = this.redepositSize(p);
        if (chase) this.counts.chase_redeposits++;
        t = this.deposit(p, t + (chase ? p.brng.range(15_000, 180_000) : wait), chase ? roundTo(Math.floor(size * (1 + 0.5 * ctx.busts)), 1) : size);
        if (p.balance === before) break; // refused or failed
        continue;
      }
      const slots = p.slots.length > 0 && (p.tables.length + p.bjTables.length === 0 || r.next() < p.slotShare);
      if (slots) t = this.slotStint(p, t, stopAt);
      else {
        const bj = this.pickBlackjack(p);
        if (bj && this.sitDown(p, bj, t, ctx)) return false;
        if (!bj) t = this.tableStint(p, t, stopAt);
      }
      t += r.range(2_000, 45_000);
    }
    ctx.t = t;
    return true;
  }

  /** After the play: a withdrawal, a loss chaser's reversal, a responsible-gaming action. */
  private afterPlay(p: Player, ctx: SessionCtx): void {
    const r = p.rng;
    let t = ctx.t;
    if (t < this.now) t = this.maybeWithdraw(p, t);
    // a loss chaser may regret it minutes later: cancel the withdrawal and play the money on (a reversed withdrawal)
    if (t < this.now && p.beh.chaser && this.undecided.has(p) && p.brng.chance(REVERSAL_CHANCE)) {
      const at = t + p.brng.range(60_000, 15 * 60_000);
      const until = Math.min(at + 40 * 60_000, ctx.timeLimitAt - 1_000, this.now);
      if (at < until && this.cancelWithdrawal(p, at, 1)) {
        t = at + p.brng.range(5_000, 30_000);
        while (t < until && this.available(p) >= this.minStake(p)) {
          const slots = p.slots.length > 0 && (p.tables.length === 0 || r.next() < p.slotShare);
          if (!slots && p.tables.length === 0) break; // blackjack only: not for a few minutes' reversal
          t = slots ? this.slotStint(p, t, until) : this.tableStint(p, t, until);
          t += r.range(2_000, 45_000);
        }
      }
    }
    if (t < this.now) {
      const rg = this.maybeResponsibleGaming(p, t, ctx.sessionId);
      if (rg) {
        t = rg.t;
        ctx.ending = rg.ending;
      }
    }
    ctx.t = t;
  }

  /** The session's reality checks due before `until` not emitted yet. */
  private realityChecks(p: Player, ctx: SessionCtx, until: number): void {
    const ms = ctx.realityMs;
    if (!ms) return;
    for (; ctx.start + ctx.realityK * ms < until; ctx.realityK++) {
      this.emit(ctx.start + ctx.realityK * ms, 'rg.reality_check.due', p, null, { session_id: ctx.sessionId, session_elapsed_ms: ctx.realityK * ms });
    }
  }

  /**
   * How far events may be handed out: a session at a blackjack table emits its reality checks as it
   * goes (at its wake-ups and its rounds' settlements), so none may be handed out past the time its
   * next check would be due.
   */
  private seatedHoldback(): number {
    let min = Infinity;
    for (const p of this.seated) {
      const c = p.bj?.ctx;
      if (c?.realityMs) min = Math.min(min, c.start + c.realityK * c.realityMs);
    }
    return min;
  }

  private endSession(p: Player, ctx: SessionCtx): void {
    const r = p.rng;
    const { start, timeLimitAt, sessionId } = ctx;
    let ending = ctx.ending;
    const t = Math.max(ctx.t, start);
    let endAt: number;
    if (ending === 'logout') {
      const idle = r.chance(0.3);
      endAt = idle ? t + IDLE_TIMEOUT_MS : t + r.range(1_000, 20_000);
      if (idle) ending = 'idle_timeout';
      if (endAt >= timeLimitAt) {
        endAt = timeLimitAt;
        ending = 'time_limit';
      }
    } else {
      endAt = t;
    }
    this.realityChecks(p, ctx, endAt);
    // a session still open at `now` has no end yet (the flush drops what lies after `now`)
    this.emit(endAt, 'player.session.ended', p, null, { session_id: sessionId, reason: ending, duration_ms: endAt - start });
    p.lastT = endAt;
    p.chaseMult = 1;
    if (p.deposits.length > 0 && p.brng.chance(ADJUSTMENT_SESSION_CHANCE[p.archetype])) this.adjustment(p, endAt + Math.floor(p.brng.range(1, 48) * HOUR_MS * p.brng.next()) + 60_000);
    this.nextSession(p, endAt);
  }

  /** First session: KYC, sometimes limits set at sign-up. */
  private onboarding(p: Player, t: number): number {
    const r = p.rng;
    const kycChance = p.archetype === 'dormant' ? 0.3 : p.archetype === 'casual' ? 0.65 : 0.9;
    if (r.chance(kycChance)) t = this.submitKyc(p, t + r.range(20_000, 180_000));
    if (r.chance(p.archetype === 'at_risk' ? 0.25 : 0.1)) {
      const period = r.weighted(['day', 'week', 'month'] as const, [3, 5, 2]);
      const mult = period === 'day' ? 2 : period === 'week' ? 6 : 15;
      t = this.setDepositLimit(p, t + r.range(5_000, 60_000), period, p.depositSize * mult);
    }
    if (r.chance(0.05)) t = this.setTimeLimit(p, t + r.range(5_000, 30_000), 'session_time', r.pick([60, 90, 120, 180]));
    if (r.chance(0.04)) t = this.setTimeLimit(p, t + r.range(5_000, 30_000), 'reality_check', r.pick([30, 60]));
    return t;
  }

  private submitKyc(p: Player, t: number, r: Rng = p.rng): number {
    this.counts.kyc_submissions++;
    this.emit(t, 'player.kyc.changed', p, null, { from: p.kyc, to: 'pending', reason: 'submitted via sandbox', actor: 'player' }, undefined, r);
    p.kyc = 'pending';
    const x = r.next();
    if (x < 0.86) {
      this.emit(t, 'player.kyc.changed', p, null, { from: 'pending', to: 'verified', reason: 'decided by sandbox', actor: 'kyc:sandbox' }, undefined, r);
      p.kyc = 'verified';
    } else if (x < 0.92) {
      this.emit(t, 'player.kyc.changed', p, null, { from: 'pending', to: 'rejected', reason: 'decided by sandbox', actor: 'kyc:sandbox' }, undefined, r);
      p.kyc = 'rejected';
    } else {
      // left pending for a compliance officer, who decides within a couple of days
      const at = t + Math.floor(r.range(2, 60) * HOUR_MS * r.next());
      const verified = r.chance(0.8);
      const actor = `operator:${r.pick(this.operators)}`;
      this.schedule(p, Math.max(at, t + 60_000), () => {
        if (p.kyc !== 'pending') return;
        const to = verified ? 'verified' : 'rejected';
        this.emit(Math.max(at, t + 60_000), 'player.kyc.changed', p, null, { from: 'pending', to, reason: verified ? 'documents match' : 'document unreadable', actor }, undefined, r);
        p.kyc = to;
      });
    }
    return t + r.range(500, 3_000);
  }

  private setDepositLimit(p: Player, t: number, period: Limit['period'], value: number): number {
    const previous = p.depositLimit && p.depositLimit.period === period ? p.depositLimit.value : null;
    this.counts.limit_changes++;
    if (previous === null || value < previous) {
      this.emit(t, 'rg.limit.set', p, p.currency, { kind: 'deposit', period, value, previous, effective_at: t, pending: false });
      p.depositLimit = { period, value };
    } else {
      // a raise waits 24 hours (LIMIT_INCREASE_COOLING_MS), then the alarm applies it
      const at = t + DAY_MS;
      this.emit(t, 'rg.limit.set', p, p.currency, { kind: 'deposit', period, value, previous, effective_at: at, pending: true });
      this.schedule(p, at, () => {
        this.emit(at, 'rg.limit.applied', p, p.currency, { kind: 'deposit', period, value });
        p.depositLimit = { period, value };
      });
    }
    return t + p.rng.range(1_000, 8_000);
  }

  private setTimeLimit(p: Player, t: number, kind: 'session_time' | 'reality_check', minutes: number): number {
    this.counts.limit_changes++;
    const previous = kind === 'session_time' ? p.sessionLimitMin : p.realityMin;
    this.emit(t, 'rg.limit.set', p, null, { kind, period: 'session', value: minutes, previous, effective_at: t, pending: false });
    // takes effect from the next session (the current one keeps the limits it was created with)
    if (kind === 'session_time') p.sessionLimitMin = minutes;
    else p.realityMin = minutes;
    return t + p.rng.range(1_000, 8_000);
  }

  private available(p: Player): number {
    return p.balance - p.held;
  }

  private minStake(p: Player): number {
    return Math.max(1, Math.floor(p.stake / 4));
  }

  private redepositSize(p: Player): number {
    return roundAmount(Math.max(1, p.depositSize / (MINOR_PER_UNIT(p.currency)) * (0.5 + p.rng.next())), p.currency);
  }

  private deposit(p: Player, t: number, amount: number): number {
    const r = p.rng;
    this.catchUp(p, t);
    if (p.depositLimit) {
      const windowMs = p.depositLimit.period === 'day' ? DAY_MS : p.depositLimit.period === 'week' ? 7 * DAY_MS : 30 * DAY_MS;
      const from = Math.floor((t - windowMs) / HOUR_MS) * HOUR_MS; // usage in hourly buckets: a window starts on the hour
      let used = 0;
      for (const d of p.deposits) if (d.t >= from) used += d.amount;
      if (used + amount > p.depositLimit.value) {
        const remaining = p.depositLimit.value - used;
        this.emit(t, 'rg.limit.breach_refused', p, p.currency, { kind: 'deposit', period: p.depositLimit.period, limit: p.depositLimit.value, attempted_minor: amount });
        this.counts.deposit_refusals++;
        // some ask for a higher limit after being refused (pending 24 h): hitting a limit, then raising it, is what RG teams watch for
        if (t - p.lastRaiseAt > DAY_MS && p.brng.chance(LIMIT_RAISE_AFTER_REFUSAL_SHARE)) {
          p.lastRaiseAt = t;
          return this.setDepositLimit(p, t + p.brng.range(10_000, 120_000), p.depositLimit.period, p.depositLimit.value * 2);
        }
        // some try again with what is left of the limit
        if (remaining >= this.minStake(p) * 4 && r.chance(0.5)) return this.deposit(p, t + r.range(10_000, 60_000), remaining);
        return t + r.range(2_000, 10_000);
      }
    }
    const depositId = r.uuidv7(t);
    const ref = p.pay.reference(p.pay.forDeposit());
    this.emit(t, 'wallet.deposit.requested', p, p.currency, { deposit_id: depositId, provider: PROVIDER_SANDBOX, amount_minor: amount, payment_reference: ref });
    p.deposits.push({ t, amount });
    if (p.deposits.length > 64) p.deposits.splice(0, p.deposits.length - 64);
    const done = t + r.range(40, 2_500);
    if (r.chance(0.04)) {
      this.emit(done, 'wallet.deposit.failed', p, p.currency, { deposit_id: depositId, provider: PROVIDER_SANDBOX, amount_minor: amount, reason: r.pick(['card_declined', 'insufficient_funds', '3ds_failed']), payment_reference: ref });
      p.deposits.pop(); // a failed payment gives the limit usage back
      this.counts.deposits_failed++;
      return done + r.range(5_000, 30_000);
    }
    // what the player's object did before the credit (a payout an operator sent meanwhile) is in the
    // balance the completion reports, as the object's own order would have it
    this.catchUp(p, done);
    p.balance += amount;
    this.emit(done, 'wallet.deposit.completed', p, p.currency, { deposit_id: depositId, provider: PROVIDER_SANDBOX, amount_minor: amount, balance_after_minor: p.balance, payment_reference: ref });
    this.counts.deposits++;
    return done + r.range(2_000, 15_000);
  }

  // ---- slots (provider seamless wallet) ----------------------------------------------------------

  private slotStint(p: Player, t: number, stopAt: number): number {
    const r = p.rng;
    const game = r.pick(p.slots);
    const lim = game.limits[p.currency]!;
    const provider = game.provider_id;
    let stake = Math.min(lim.max_minor, Math.max(lim.min_minor, p.stake));
    const spins = Math.max(this.prof.minSpins, Math.floor(r.logNormal(this.prof.spinsMedian, 0.8)));
    const pace = r.range(2_500, 6_000);
    for (let i = 0; i < spins && t < stopAt; i++) {
      if (p.beh.chaser) stake = Math.min(lim.max_minor, Math.max(lim.min_minor, Math.round(p.stake * p.chaseMult)));
      if (this.available(p) < stake) {
        stake = Math.max(lim.min_minor, Math.floor(stake / 2));
        if (this.available(p) < stake) break;
      }
      this.catchUp(p, t);
      const txId = r.uuidv7(t);
      const roundId = `r-${txId}`;
      const holdId = `prov:${provider}:${txId}`;
      p.held += stake;
      this.emit(t, 'wallet.hold.reserved', p, p.currency, { hold_id: holdId, kind: 'bet', amount_minor: stake, real_minor: stake, bonus_minor: 0, expires_at: null, ref: `${provider}:${roundId}` });
      p.held -= stake;
      p.balance -= stake;
      const avail = p.balance - p.held;
      this.emit(t, 'wallet.hold.posted', p, p.currency, { hold_id: holdId, kind: 'bet', amount_minor: stake, released_minor: 0, balance_after_minor: avail });
      this.emit(t, 'provider.bet.debited', p, p.currency, {
        provider_id: provider, game_id: game.game_id, tx_id: txId, round_id: roundId, amount_minor: stake, hold_id: holdId, real_minor: stake, bonus_minor: 0, balance_after_minor: avail,
      });
      this.counts.slot_rounds++;
      const t2 = t + r.range(60, 900);
      // the round's end is a later call to the player's object: whatever it did between the stake and
      // now (an operator's adjustment, a payout sent) is in the balance the win reports, and its own
      // reported balance must not include this win yet (the library's running_balance_matches_reported)
      this.catchUp(p, t2);
      if (r.next() < 0.0015) {
        // the provider cancels the round: a rollback gives the stake back (compensating entry via Disputes)
        const rbId = r.uuidv7(t2);
        p.balance += stake;
        this.emit(t2, 'backoffice.dispute.resolved', p, p.currency, {
          dispute_id: `prov:${provider}:${rbId}`, ref: holdId, resolution: 'void', amount_minor: stake, actor: `provider:${provider}`, reason: `provider rollback ${rbId} of bet ${txId}`,
        });
        this.emit(t2, 'provider.bet.rolled_back', p, p.currency, {
          provider_id: provider, game_id: game.game_id, tx_id: txId, round_id: roundId, amount_minor: stake, rollback_tx_id: rbId, balance_after_minor: p.balance - p.held,
        });
        this.counts.slot_rollbacks++;
      } else {
        const win = spinReturn(r, game, stake);
        const winId = r.uuidv7(t2);
        if (win > 0) {
          p.balance += win;
          this.emit(t2, 'wallet.win.credited', p, p.currency, { win_id: `prov:${provider}:${winId}`, hold_id: holdId, bucket: 'real', amount_minor: win, balance_after_minor: p.balance });
          this.maybeLargeWin(p, t2, `prov:${provider}:${winId}`, win);
        }
        if (p.beh.chaser) this.chase(p, win < stake);
        this.emit(t2, 'provider.win.credited', p, p.currency, {
          provider_id: provider, game_id: game.game_id, tx_id: winId, round_id: roundId, amount_minor: win, bet_tx_id: txId, balance_after_minor: p.balance - p.held,
        });
      }
      t = t2 + pace + r.range(0, 1_500);
    }
    return t;
  }

  // ---- live tables ---------------------------------------------------------------------------------

  private spot(rules: GameRules, raw: string): { spot: string; bet_type: string } {
    const key = `${rules.kind}|${raw}`;
    let s = this.spotCache.get(key);
    if (!s) {
      const parsed = rules.parseSpot(raw);
      if (!parsed.ok) throw new Error(`invariant: simulator spot ${raw} refused: ${parsed.reason}`);
      s = { spot: parsed.spot, bet_type: parsed.bet_type };
      this.spotCache.set(key, s);
    }
    return s;
  }

  private round(table: TableSim, k: number): Round {
    let rd = table.rounds.get(k);
    if (rd) return rd;
    const def = table.def;
    const opened = table.t0 + k * table.cycle;
    const closes = opened + def.betting_seconds * 1000;
    const roundId = table.rng.uuidv7(opened);
    let seed: string | null = null;
    let commitment: string | null = null;
    let outcome: unknown;
    if (def.mode === 'auto') {
      seed = table.rng.hex64();
      const key = Buffer.from(seed, 'hex');
      commitment = createHash('sha256').update(key).digest('hex');
      outcome = table.rules.draw(roundSource(key, def.table_id, roundId));
    } else {
      const rng = table.rng;
      outcome = table.rules.draw({ int: (n: number) => rng.int(n) });
    }
    const summary = Object.entries(table.rules.summarize(outcome)).map(([key, v]) => `${key}=${v}`).join(' ');
    rd = {
      table, k, round_id: roundId, round_no: k - table.kStart + 1, opened_at: opened, closes_at: closes,
      result_at: def.mode === 'auto' ? closes + 3 : closes + DEALER_RESULT_MS - table.rng.range(0, 4_000),
      outcome, outcomeJson: JSON.stringify(outcome), summary, seed, commitment, bets: 0, lastSettle: 0, void: null,
    };
    rd.lastSettle = rd.result_at + 5;
    if (table.orng.chance(ROUND_VOID_SHARE)) {
      const reason = table.orng.pick(VOID_REASONS[def.mode]);
      const actor = table.dealer ? `operator:${table.dealer}` : `operator:${this.operators[table.orng.int(this.operators.length)]}`;
      rd.void = { at: closes + table.orng.range(1_000, 4_000), actor, reason };
    }
    table.rounds.set(k, rd);
    return rd;
  }

  /** Sits at a table for a number of rounds (from the next one to open), betting in most of them. */
  private tableStint(p: Player, t: number, stopAt: number): number {
    const r = p.rng;
    const table = r.pick(p.tables);
    const def = table.def;
    const rules = table.rules;
    const rounds = Math.max(this.prof.minRounds, Math.floor(r.logNormal(this.prof.roundsMedian, 0.7)));
    let k = Math.ceil((t - table.t0) / table.cycle);
    const betProb = 0.65 + 0.3 * r.next();
    for (let n = 0; n < rounds; n++, k++) {
      const opened = table.t0 + k * table.cycle;
      if (opened >= stopAt) break;
      const rd = this.round(table, k);
      t = opened;
      if (!r.chance(betProb)) continue;
      const nBets = r.chance(0.7) ? 1 : r.range(2, 4);
      const placed: { betId: string; holdId: string; spot: string; bet_type: string; amount: number; at: number }[] = [];
      let at = opened + r.range(800, 3_000);
      for (let b = 0; b < nBets; b++) {
        const s = this.spot(rules, def.game === 'roulette' ? rouletteSpot(r) : baccaratSpot(r));
        const lim = tableLimit(def, p.currency, s.bet_type)!;
        const straightish = s.bet_type === 'straight' || s.bet_type === 'split' || s.bet_type === 'tie' || s.bet_type.endsWith('_pair');
        const base = p.beh.chaser ? Math.round(p.stake * p.chaseMult) : p.stake;
        const wanted = straightish ? Math.max(1, Math.floor(base / 2)) : base * (1 + r.int(3));
        const amount = Math.min(lim.max_minor, Math.max(lim.min_minor, roundTo(wanted, lim.min_minor)));
        if (at >= rd.closes_at - 200 || this.available(p) < amount) break;
        this.catchUp(p, at);
        const betId = r.uuidv7(at);
        const holdId = `table:${def.table_id}:${betId}`;
        p.held += amount;
        this.emit(at, 'wallet.hold.reserved', p, p.currency, {
          hold_id: holdId, kind: 'bet', amount_minor: amount, real_minor: amount, bonus_minor: 0, expires_at: at + TABLE_HOLD_TTL_MS, ref: `${def.table_id}:${rd.round_id}`,
        });
        this.emit(at + 1, 'table.bet.placed', null, p.currency, {
          bet_id: betId, game: def.game, game_id: def.game_id, spot: s.spot, bet_type: s.bet_type, amount_minor: amount, hold_id: holdId,
        }, { table_id: def.table_id, round_id: rd.round_id, player: p });
        placed.push({ betId, holdId, spot: s.spot, bet_type: s.bet_type, amount, at });
        rd.bets++;
        this.counts.table_bets++;
        at += r.range(300, 2_500);
      }
      // settlement, in the order the table settles: post the hold, credit the return, mark the bet
      let st = rd.result_at + 4 + r.range(0, 40);
      if (rd.void) {
        // voided before its result: every stake goes back (the hold is voided), the bet settles as void
        let vt = rd.void.at + 2;
        for (const b of placed) {
          this.catchUp(p, vt);
          p.held -= b.amount;
          this.emit(vt, 'wallet.hold.voided', p, p.currency, { hold_id: b.holdId, kind: 'bet', amount_minor: b.amount }, undefined, p.brng);
          this.emit(vt + 1, 'table.bet.settled', null, p.currency, {
            bet_id: b.betId, game: def.game, game_id: def.game_id, spot: b.spot, bet_type: b.bet_type, amount_minor: b.amount, returned_minor: 0, result: 'void',
          }, { table_id: def.table_id, round_id: rd.round_id, player: p }, p.brng);
          vt += 3;
        }
        t = vt;
        continue;
      }
      let lost = 0;
      for (const b of placed) {
        const s = rules.settle(b.spot, b.amount, rd.outcome);
        lost += b.amount - s.returned_minor;
        if (table.orng.chance(HOLD_EXPIRY_SHARE)) {
          // the table could not reach the player's object until the hold ran out: the stake goes back, the bet settles as expired
          const exp = b.at + TABLE_HOLD_TTL_MS;
          this.schedule(p, exp, () => {
            p.held -= b.amount;
            this.emit(exp, 'wallet.hold.expired', p, p.currency, { hold_id: b.holdId, kind: 'bet', amount_minor: b.amount }, undefined, p.brng);
          });
          this.emit(exp + 30_000, 'table.bet.settled', null, p.currency, {
            bet_id: b.betId, game: def.game, game_id: def.game_id, spot: b.spot, bet_type: b.bet_type, amount_minor: b.amount, returned_minor: 0, result: 'expired',
          }, { table_id: def.table_id, round_id: rd.round_id, player: p }, p.brng);
          if (exp + 30_000 > rd.lastSettle) rd.lastSettle = exp + 30_000;
          this.counts.holds_expired++;
          continue;
        }
        this.catchUp(p, st);
        p.held -= b.amount;
        p.balance -= b.amount;
        this.emit(st, 'wallet.hold.posted', p, p.currency, { hold_id: b.holdId, kind: 'bet', amount_minor: b.amount, released_minor: 0, balance_after_minor: p.balance - p.held });
        if (s.returned_minor > 0) {
          p.balance += s.returned_minor;
          this.emit(st, 'wallet.win.credited', p, p.currency, { win_id: `${b.holdId}:return`, hold_id: b.holdId, bucket: 'real', amount_minor: s.returned_minor, balance_after_minor: p.balance });
          this.maybeLargeWin(p, st, `${b.holdId}:return`, s.returned_minor);
        }
        this.emit(st + 1, 'table.bet.settled', null, p.currency, {
          bet_id: b.betId, game: def.game, game_id: def.game_id, spot: b.spot, bet_type: b.bet_type, amount_minor: b.amount, returned_minor: s.returned_minor, result: s.result,
        }, { table_id: def.table_id, round_id: rd.round_id, player: p });
        if (st + 1 > rd.lastSettle) rd.lastSettle = st + 1;
        if (s.returned_minor === 0 && table.orng.chance(TABLE_DISPUTE_SHARE)) this.dispute(p, st + Math.floor(HOUR_MS * (1 + table.orng.exp(20))), b.holdId, b.amount);
        st += r.range(1, 6);
      }
      if (p.beh.chaser && placed.length) this.chase(p, lost > 0);
      t = st;
    }
    return t;
  }

  // ---- live blackjack ----------------------------------------------------------------------------
  //
  // A blackjack round's cards depend on every box at the table, so it cannot be played when the first
  // player bets: a player sits down (sitDown) and bets round by round at wake-ups of their own
  // (blackjackWake), and the round is played by the engine once nobody can bet in it any more, every
  // wake-up before its close being done (resolveBlackjack, from the main loop). Its settlement then
  // wakes each player for the next round, or to leave the table and go on with the session.

  /** Whether this table stint is at a blackjack table (drawn only when the player has one, so histories without them are unchanged). */
  private pickBlackjack(p: Player): BjTableSim | null {
    if (p.bjTables.length === 0) return null;
    const r = p.rng;
    if (p.tables.length > 0 && r.next() >= p.bjTables.length / (p.tables.length + p.bjTables.length)) return null;
    return r.pick(p.bjTables);
  }

  /** Sits down for the next round to open (false if it opens after the session's stop). */
  private sitDown(p: Player, table: BjTableSim, t: number, ctx: SessionCtx): boolean {
    const k = Math.ceil((t - table.t0) / table.cycle);
    const opened = table.t0 + k * table.cycle;
    if (opened >= ctx.stopAt) return false;
    if (!p.bjr) {
      const b = Rng.derive(this.seed, `blackjack:${p.id}`);
      p.bjr = b;
      // the player's own style (mistakes, insurance, side bets), and the time they take to decide
      p.bjPlay = { random: () => b.next(), profile: randomPlayerProfile(() => b.next()), timeout_chance: 0.03, think: () => b.range(700, 4_000) };
    }
    const b = p.bjr;
    const left = Math.max(this.prof.minRounds, Math.floor(b.logNormal(this.prof.roundsMedian, 0.7)));
    p.bj = { table, k, left, betProb: 0.75 + 0.2 * b.next(), seat: null, ctx, leaving: false };
    this.seated.add(p);
    this.realityChecks(p, ctx, t);
    this.bjWakeFor(p, table, k);
    return true;
  }

  /** The player's wake-up to bet in round k (the round opens now if nobody sat there yet). */
  private bjWakeFor(p: Player, table: BjTableSim, k: number): void {
    const rd = this.bjRound(table, k);
    this.wake.push(Math.min(rd.opened_at + p.bjr!.range(800, 4_000), rd.closes_at - 500), { p, kind: 'bj' });
  }

  private bjRound(table: BjTableSim, k: number): BjRound {
    let rd = table.rounds.get(k);
    if (rd) return rd;
    const def = table.def;
    const opened = table.t0 + k * table.cycle;
    const closes = opened + def.betting_seconds * 1000;
    const roundId = table.rng.uuidv7(opened);
    const seed = def.mode === 'auto' ? table.rng.hex64() : null;
    const commitment = seed ? createHash('sha256').update(Buffer.from(seed, 'hex')).digest('hex') : null;
    rd = { k, round_id: roundId, round_no: k - table.kStart + 1, opened_at: opened, closes_at: closes, seed, commitment, seats: [], behind: [] };
    table.rounds.set(k, rd);
    this.emit(opened, 'table.round.opened', null, null, {
      round_no: rd.round_no, game: def.game, game_id: def.game_id, mode: def.mode, commitment, closes_at: closes, actor: table.dealer ? `operator:${table.dealer}` : 'rng',
    }, { table_id: def.table_id, round_id: roundId });
    return rd;
  }

  private bjLimit(def: BlackjackTableDef, currency: string, component: string): { min_minor: number; max_minor: number } | null {
    const l = def.limits[currency];
    return l ? (l[component] ?? l.default ?? null) : null;
  }

  /** A seated player's wake-up: bet in this round (a seat or a place, side bets, or a bet behind), sit it out, or leave. */
  private blackjackWake(p: Player, t: number): void {
    const s = p.bj;
    if (!s) return;
    this.catchUp(p, t);
    this.realityChecks(p, s.ctx, t);
    const b = p.bjr!;
    if (s.leaving) return this.blackjackLeave(p, t);
    const { table } = s;
    const def = table.def;
    const rd = this.bjRound(table, s.k);
    if (t >= s.ctx.stopAt || t >= rd.closes_at) return this.blackjackLeave(p, t);
    const next = () => {
      s.k++;
      s.left--;
      if (s.left <= 0 || table.t0 + s.k * table.cycle >= s.ctx.stopAt) return this.blackjackLeave(p, t + b.range(1_000, 5_000));
      this.bjWakeFor(p, table, s.k);
    };
    if (!b.chance(s.betProb)) return next();
    const lim = this.bjLimit(def, p.currency, 'main');
    if (!lim) return this.blackjackLeave(p, t);
    const base = p.beh.chaser ? Math.round(p.stake * p.chaseMult) : p.stake;
    const main = Math.min(lim.max_minor, Math.max(lim.min_minor, roundTo(base, lim.min_minor)));
    if (this.available(p) < main) return this.blackjackLeave(p, t);
    const rules = def.blackjack.rules;
    const seated = def.blackjack.format === 'seated';
    const taken = new Set(rd.seats.map((x) => x.seat));
    const free = seated ? Array.from({ length: rules.seats }, (_, i) => i + 1).filter((n) => !taken.has(n)) : [];
    const others = rd.seats.filter((x) => x.p !== p && x.seat !== null && !rd.behind.some((y) => y.p === p && y.seat === x.seat));
    // a bet behind: by choice now and then, or because every seat is taken
    const behindLim = this.bjLimit(def, p.currency, 'behind');
    if (seated && others.length > 0 && behindLim && (free.length === 0 || b.chance(BJ_BEHIND_SHARE))) {
      const amount = Math.min(behindLim.max_minor, Math.max(behindLim.min_minor, roundTo(Math.floor(base / 2), behindLim.min_minor)));
      if (this.available(p) < amount) return this.blackjackLeave(p, t);
      const seat = b.pick(others).seat!;
      const betId = b.uuidv7(t);
      this.bjStake(p, table, rd, t, betId, 'behind', amount);
      rd.behind.push({ player_id: p.id, bet_id: betId, seat, amount_minor: amount, p });
      this.counts.table_bets++;
      return;
    }
    if (seated && free.length === 0) return next();
    const seat = !seated ? null : s.seat !== null && free.includes(s.seat) ? s.seat : b.pick(free);
    s.seat = seat;
    // side bets within their limits, as far as the money goes
    const wanted = playerSideBets(rules, main, p.bjPlay!.random, p.bjPlay!.profile);
    const side: Partial<Record<SideBetKind, number>> = {};
    let total = main;
    for (const [kind, amount] of Object.entries(wanted) as [SideBetKind, number][]) {
      const l = this.bjLimit(def, p.currency, kind);
      if (!l) continue;
      const a = Math.min(l.max_minor, Math.max(l.min_minor, roundTo(amount, l.min_minor)));
      if (this.available(p) < total + a) continue;
      side[kind] = a;
      total += a;
    }
    const betId = b.uuidv7(t);
    // TableDO records the main bet and its side bets as one move: the main stake, then each side bet (`<bet>:<kind>`)
    this.bjStake(p, table, rd, t, betId, 'main', main);
    for (const [kind, a] of Object.entries(side) as [SideBetKind, number][]) this.bjStake(p, table, rd, t, `${betId}:${kind}`, kind, a);
    rd.seats.push({ player_id: p.id, bet_id: betId, seat, main_minor: main, side_bets: side, p });
    this.counts.table_bets += 1 + Object.keys(side).length;
  }

  /** One stake of a blackjack move: the player's object reserves its hold, then the table records the bet (durable/table/blackjack/stakes.ts). */
  private bjStake(p: Player, table: BjTableSim, rd: BjRound, at: number, betId: string, component: string, amount: number, reserved = false): void {
    const def = table.def;
    const holdId = `table:${def.table_id}:${betId}`;
    if (!reserved) p.held += amount;
    this.emit(at, 'wallet.hold.reserved', p, p.currency, {
      hold_id: holdId, kind: 'bet', amount_minor: amount, real_minor: amount, bonus_minor: 0, expires_at: at + TABLE_HOLD_TTL_MS, ref: `${def.table_id}:${rd.round_id}`,
    }, undefined, p.bjr!);
    this.emit(at + 1, 'table.bet.placed', null, p.currency, {
      bet_id: betId, game: def.game, game_id: def.game_id, spot: component, bet_type: component, amount_minor: amount, hold_id: holdId,
    }, { table_id: def.table_id, round_id: rd.round_id, player: p }, p.bjr!);
  }

  /** Leaves the table: the session goes on from here (more play, or its end). */
  private blackjackLeave(p: Player, t: number): void {
    const s = p.bj!;
    p.bj = null;
    this.seated.delete(p);
    const ctx = s.ctx;
    ctx.t = t + p.rng.range(2_000, 45_000);
    if (this.play(p, ctx)) {
      this.afterPlay(p, ctx);
      this.endSession(p, ctx);
    }
  }

  /**
   * Plays every blackjack round nobody can bet in any more: in the order they close, each once every
   * wake-up before its close is done (the next wake-up is after it, or `until` is reached). `all`:
   * the end of the history, every round left. True if it played one (its settlement may have woken
   * players earlier than what the caller saw next).
   */
  private resolveBlackjack(until: number, all: boolean): boolean {
    let any = false;
    for (;;) {
      let best: { table: BjTableSim; rd: BjRound } | null = null;
      for (const table of this.bjTables) {
        for (const rd of table.rounds.values()) if (!best || rd.closes_at < best.rd.closes_at) best = { table, rd };
      }
      if (!best) return any;
      if (!all && best.rd.closes_at > Math.min(this.wake.peekTime(), until)) return any;
      best.table.rounds.delete(best.rd.k);
      this.playBlackjackRound(best.table, best.rd);
      any = true;
    }
  }

  /**
   * One round as the table emits it (blackjack-table.ts): closed, the deal and the decisions with their
   * stakes (playRound), the result with the settled hands, then each stake settled in the player's
   * object (hold posted, return credited) and at the table, and the round settled. Then every
   * player at the table is woken for the next round, or to leave.
   */
  private playBlackjackRound(table: BjTableSim, rd: BjRound): void {
    const def = table.def;
    const sub = { table_id: def.table_id, round_id: rd.round_id };
    const auto = def.mode === 'auto';
    this.counts.table_rounds++;
    const bets = rd.seats.reduce((n, x) => n + 1 + Object.keys(x.side_bets).length, 0) + rd.behind.length;
    this.emit(rd.closes_at, 'table.round.closed', null, null, { round_no: rd.round_no, bets, actor: auto ? 'rng' : 'timer' }, sub);
    const players = new Map<string, Player>();
    for (const x of rd.seats) players.set(x.player_id, x.p);
    for (const x of rd.behind) players.set(x.player_id, x.p);
    const rules = def.blackjack.rules;
    const clientSeed = `table-${rd.round_no}`;
    // a dealer's table deals from a shoe shuffled out of sight (no seed is published)
    const shoe = openShoe(rd.seed ?? table.rng.hex64(), clientSeed, rd.round_no, rules.decks);
    const played = playRound({
      format: def.blackjack.format, rules, mode: def.mode, shoe, closes_at: rd.closes_at, seats: rd.seats, behind: rd.behind,
      play: (id) => players.get(id)!.bjPlay!,
      newBetId: (id, at) => players.get(id)!.bjr!.uuidv7(at),
      afford: (id, amount, at) => {
        const p = players.get(id)!;
        this.catchUp(p, at);
        if (this.available(p) < amount) return false;
        p.held += amount;
        return true;
      },
      timing: { decision_ms: def.blackjack.decision_seconds * 1000, insurance_ms: def.blackjack.insurance_seconds * 1000, card_ms: 1_500, hurry_at: rd.closes_at + Math.floor(BJ_PLAY_BUDGET_MS * 0.6) },
      outcome_extra: auto ? { client_seed: clientSeed, nonce: rd.round_no, decks: rules.decks } : {},
    });
    for (const step of played.steps) {
      if (step.kind === 'stake') {
        const p = players.get(step.stake.player_id)!;
        this.bjStake(p, table, rd, step.at, step.stake.bet_id, step.stake.component, step.stake.amount_minor, true);
        this.counts.table_bets++;
      } else {
        const p = players.get(step.player_id)!;
        this.emit(step.at + 1, step.event.type, null, p.currency, step.event.payload, { ...sub, player: p }, p.bjr!);
      }
    }
    const resultAt = played.result_at + 3;
    this.emit(resultAt, 'table.round.result', null, null, {
      round_no: rd.round_no, game: def.game, source: auto ? 'rng' : 'dealer', actor: auto ? 'rng' : 'dealer', outcome: JSON.stringify(played.outcome), summary: played.summary, server_seed: rd.seed,
    }, sub);
    for (const h of played.settled_hands) {
      const p = players.get(h.player_id)!;
      this.emit(resultAt, h.event.type, null, p.currency, h.event.payload, { ...sub, player: p }, p.bjr!);
    }
    // settlement (settlement.ts): every player's object posts the hold and credits the return, then the table marks the wave's bets
    let st = resultAt + 4 + table.rng.range(0, 40);
    const lost = new Map<Player, number>();
    for (const x of played.settlements) {
      const p = players.get(x.stake.player_id)!;
      const holdId = `table:${def.table_id}:${x.stake.bet_id}`;
      this.catchUp(p, st);
      p.held -= x.stake.amount_minor;
      p.balance -= x.stake.amount_minor;
      this.emit(st, 'wallet.hold.posted', p, p.currency, { hold_id: holdId, kind: 'bet', amount_minor: x.stake.amount_minor, released_minor: 0, balance_after_minor: p.balance - p.held }, undefined, p.bjr!);
      if (x.returned_minor > 0) {
        p.balance += x.returned_minor;
        this.emit(st, 'wallet.win.credited', p, p.currency, { win_id: `${holdId}:return`, hold_id: holdId, bucket: 'real', amount_minor: x.returned_minor, balance_after_minor: p.balance }, undefined, p.bjr!);
        this.maybeLargeWin(p, st, `${holdId}:return`, x.returned_minor);
      }
      lost.set(p, (lost.get(p) ?? 0) + x.stake.amount_minor - x.returned_minor);
      st += table.rng.range(1, 6);
    }
    for (const x of played.settlements) {
      const p = players.get(x.stake.player_id)!;
      this.emit(st + 1, 'table.bet.settled', null, p.currency, {
        bet_id: x.stake.bet_id, game: def.game, game_id: def.game_id, spot: x.stake.component, bet_type: x.stake.component, amount_minor: x.stake.amount_minor, returned_minor: x.returned_minor, result: x.result,
      }, { ...sub, player: p }, p.bjr!);
    }
    this.emit(st + 3, 'table.round.settled', null, null, { round_no: rd.round_no, game: def.game, bets: played.settlements.length, settle_ms: st + 3 - resultAt }, sub);
    // the players at the table: the next round, or up and away
    for (const p of players.values()) {
      if (p.beh.chaser) this.chase(p, (lost.get(p) ?? 0) > 0);
      const s = p.bj;
      if (!s || s.table !== table || s.k !== rd.k) continue;
      this.realityChecks(p, s.ctx, st);
      s.k++;
      s.left--;
      if (s.left <= 0 || table.t0 + s.k * table.cycle >= s.ctx.stopAt || this.available(p) < this.minStake(p)) {
        s.leaving = true;
        this.wake.push(st + 3 + p.bjr!.range(1_000, 8_000), { p, kind: 'bj' });
      } else {
        this.bjWakeFor(p, table, s.k);
      }
    }
  }

  /** Emits the table's own events of every round opened before `until` that had someone at the table. */
  private finishRounds(until: number): void {
    for (const table of this.tables) {
      const def = table.def;
      for (const [k, rd] of table.rounds) {
        if (rd.opened_at >= until) continue;
        table.rounds.delete(k);
        this.counts.table_rounds++;
        const sub = { table_id: def.table_id, round_id: rd.round_id };
        const actor = table.dealer ? `operator:${table.dealer}` : 'rng';
        this.emit(rd.opened_at, 'table.round.opened', null, null, {
          round_no: rd.round_no, game: def.game, game_id: def.game_id, mode: def.mode, commitment: rd.commitment, closes_at: rd.closes_at, actor,
        }, sub);
        this.emit(rd.closes_at, 'table.round.closed', null, null, { round_no: rd.round_no, bets: rd.bets, actor: table.dealer ? 'timer' : 'rng' }, sub);
        if (rd.void) {
          this.emit(rd.void.at, 'table.round.voided', null, null, { round_no: rd.round_no, game: def.game, actor: rd.void.actor, reason: rd.void.reason, bets_refunded: rd.bets }, sub, table.orng);
          this.counts.rounds_voided++;
          continue;
        }
        this.emit(rd.result_at, 'table.round.result', null, null, {
          round_no: rd.round_no, game: def.game, source: table.dealer ? 'dealer' : 'rng', actor, outcome: rd.outcomeJson, summary: rd.summary, server_seed: rd.seed,
        }, sub);
        const settledAt = rd.lastSettle + 2;
        this.emit(settledAt, 'table.round.settled', null, null, { round_no: rd.round_no, game: def.game, bets: rd.bets, settle_ms: settledAt - rd.result_at }, sub);
      }
    }
  }

  // ---- withdrawals and responsible gaming --------------------------------------------------------

  private maybeWithdraw(p: Player, t: number): number {
    const r = p.rng;
    const avail = this.available(p);
    if (p.kyc !== 'verified' || avail < p.depositSize * 1.5 || !r.chance(0.45)) return t;
    const amount = roundAmount(avail / (MINOR_PER_UNIT(p.currency)) * (0.5 + 0.5 * r.next()), p.currency);
    if (amount > avail || amount <= 0) return t;
    t += r.range(5_000, 60_000);
    this.withdraw(p, t, amount, r);
    return t + r.range(2_000, 10_000);
  }

  /** A withdrawal request and, hours later, an operator's decision (approve then pay most, reject a few). */
  private withdraw(p: Player, t: number, amount: number, r: Rng, quickCashout = false): void {
    const wid = r.uuidv7(t);
    const ref = p.pay.reference(p.pay.forWithdrawal(quickCashout));
    const holdId = `wd:${wid}`;
    p.held += amount;
    this.emit(t, 'wallet.hold.reserved', p, p.currency, { hold_id: holdId, kind: 'withdrawal', amount_minor: amount, real_minor: amount, bonus_minor: 0, expires_at: null, ref: wid }, undefined, r);
    this.emit(t, 'wallet.withdrawal.requested', p, p.currency, { withdrawal_id: wid, amount_minor: amount, payment_reference: ref }, undefined, r);
    this.counts.withdrawals++;
    this.maybeRapidCashoutAlert(p, t, amount);
    const open = { wid, holdId, amount, cancelled: false };
    const list = this.undecided.get(p) ?? [];
    list.push(open);
    this.undecided.set(p, list);
    // an operator works the queue: approve (then pay) most, reject a few
    const operator = `operator:${r.pick(this.operators)}`;
    const decideAt = t + Math.floor(HOUR_MS * (0.3 + r.exp(10)));
    const approve = r.chance(0.9);
    this.schedule(p, decideAt, () => {
      // cancelled by the player meanwhile: it left the queue, there is nothing to decide
      if (open.cancelled) return;
      this.forgetUndecided(p, open);
      if (approve) {
        this.emit(decideAt, 'wallet.withdrawal.approved', p, p.currency, { withdrawal_id: wid, amount_minor: amount, actor: operator }, undefined, r);
        const paidAt = decideAt + Math.floor(HOUR_MS * (0.1 + r.exp(6)));
        this.schedule(p, paidAt, () => {
          p.held -= amount;
          p.balance -= amount;
          this.emit(paidAt, 'wallet.hold.posted', p, p.currency, { hold_id: holdId, kind: 'withdrawal', amount_minor: amount, released_minor: 0, balance_after_minor: p.balance - p.held }, undefined, r);
          this.emit(paidAt, 'wallet.withdrawal.paid', p, p.currency, { withdrawal_id: wid, amount_minor: amount, balance_after_minor: p.balance - p.held }, undefined, r);
          this.counts.withdrawals_paid++;
        });
      } else {
        p.held -= amount;
        this.emit(decideAt, 'wallet.hold.voided', p, p.currency, { hold_id: holdId, kind: 'withdrawal', amount_minor: amount }, undefined, r);
        this.emit(decideAt, 'wallet.withdrawal.rejected', p, p.currency, { withdrawal_id: wid, amount_minor: amount, actor: operator, reason: r.pick(['bonus terms not met', 'payment method mismatch', 'source of funds check']) }, undefined, r);
        this.counts.withdrawals_rejected++;
      }
    });
  }

  /**
   * The player cancels the oldest withdrawal still waiting for an operator (the edge's
   * Wallet.cancelWithdrawal: its hold voided, then wallet.withdrawal.cancelled), with a chance; true
   * if one was cancelled, its money available again.
   */
  private cancelWithdrawal(p: Player, t: number, chance = 0.8): boolean {
    const w = this.undecided.get(p)?.[0];
    if (!w || !p.brng.chance(chance)) return false;
    // as the edge: where reverse withdrawals are forbidden (GB) the wish stays a wish (drawn first, so the RNG stream is unchanged)
    if (!REVERSE_WITHDRAWALS.has(p.jurisdiction)) return false;
    w.cancelled = true;
    this.forgetUndecided(p, w);
    p.held -= w.amount;
    this.emit(t, 'wallet.hold.voided', p, p.currency, { hold_id: w.holdId, kind: 'withdrawal', amount_minor: w.amount }, undefined, p.brng);
    this.emit(t, 'wallet.withdrawal.cancelled', p, p.currency, { withdrawal_id: w.wid, amount_minor: w.amount, actor: 'player' }, undefined, p.brng);
    this.counts.withdrawals_cancelled++;
    return true;
  }

  private forgetUndecided(p: Player, w: { wid: string }): void {
    const list = (this.undecided.get(p) ?? []).filter((x) => x !== w);
    if (list.length > 0) this.undecided.set(p, list);
    else this.undecided.delete(p);
  }

  // ---- loss chasing, structuring, quick cash-outs ---------------------------------------------------

  /** A loss chaser raises the stake after a loss (up to CHASE_STAKE_MAX x), and drops back after a win. */
  private chase(p: Player, lost: boolean): void {
    if (!lost) {
      p.chaseMult = 1;
      return;
    }
    const next = Math.min(CHASE_STAKE_MAX, p.chaseMult * CHASE_STAKE_STEP);
    if (next > p.chaseMult) this.counts.chase_raises++;
    p.chaseMult = next;
  }

  /** Several deposits just under the AML threshold within a day (minutes to hours apart), little play in between. */
  private structure(p: Player, t: number, stopAt: number): number {
    const b = p.brng;
    for (const amount of structuringAmounts(b, p.currency)) {
      if (t >= stopAt) break;
      const before = p.balance;
      t = this.deposit(p, t, amount);
      if (p.balance > before) this.counts.structuring_deposits++;
      // a few spins, so the account does not look idle
      if (t < stopAt && p.slots.length && b.chance(0.5)) t = this.slotStint(p, t, Math.min(stopAt, t + b.range(60_000, 300_000)));
      t += b.range(3 * 60_000, 20 * 60_000);
    }
    return Math.min(t, stopAt);
  }

  /** Deposit a large amount, play a few per cent of it, ask for most of it back within the hour. */
  private quickCashout(p: Player, t: number, stopAt: number): number {
    const b = p.brng;
    const before = p.balance;
    t = this.deposit(p, t, roundAmount((p.depositSize / MINOR_PER_UNIT(p.currency)) * b.range(3, 10), p.currency));
    const deposited = p.balance - before;
    if (deposited <= 0) return t;
    if (p.slots.length) t = this.slotStint(p, t, Math.min(stopAt, t + b.range(60_000, 6 * 60_000)));
    t += b.range(30_000, 20 * 60_000);
    const avail = this.available(p);
    const amount = Math.min(avail, Math.floor(deposited * (0.85 + 0.1 * b.next())));
    if (amount <= 0 || t >= stopAt) return Math.min(t, stopAt);
    this.withdraw(p, t, amount, b, true);
    this.counts.quick_cashouts++;
    return t + b.range(2_000, 10_000);
  }

  // ---- operators: alerts, adjustments, VIP ---------------------------------------------------------

  /** `ops.alert.raised` by the brand's ops object, seconds after the event that triggered it (events reach it through the queue). */
  private alert(p: Player, t: number, rule: 'large_win' | 'rapid_deposit_withdraw' | 'failed_logins', currency: string | null, summary: string): void {
    const b = p.brng;
    const at = t + b.range(800, 6_000);
    const alertId = b.uuidv7(at);
    this.emit(at, 'ops.alert.raised', p, currency, { alert_id: alertId, brand: p.brand, rule, severity: BACKOFFICE_CONFIG.anomaly_rules[rule].severity, summary }, undefined, b);
    this.counts.alerts++;
    this.decideAlert(p, at, alertId, rule, currency);
  }

  /**
   * An operator resolves the alert with a decision (`ops.alert.resolved`), minutes to days after it
   * was raised; some are still open at the end of the history (ALERT_DECISION_MIX). Draws from a stream
   * of the alert's own, so deciding alerts changes nothing else of the history.
   */
  private decideAlert(p: Player, raisedAt: number, alertId: string, rule: keyof typeof ALERT_DECISION_MIX, currency: string | null): void {
    const r = Rng.derive(this.seed, `alert-decision:${alertId}`);
    const mix = ALERT_DECISION_MIX[rule];
    if (!r.chance(mix.resolved)) return;
    // a queue worked through in office hours: most within the day, a tail over days (log-uniform 10 min .. 4 days)
    const delay = Math.round(Math.exp(Math.log(10 * 60_000) + r.next() * (Math.log(4 * DAY_MS) - Math.log(10 * 60_000))));
    const at = raisedAt + delay;
    const decision = r.weighted(ALERT_DECISIONS, mix.weights);
    const actor = `operator:${r.pick(this.operators)}`;
    this.schedule(p, at, () => {
      this.emit(at, 'ops.alert.resolved', p, currency, { alert_id: alertId, brand: p.brand, rule, decision, actor, resolved_at: at }, undefined, r);
      this.counts.alerts_resolved++;
    });
  }

  private money(minor: number, currency: string): string {
    return isCurrency(currency) ? formatMinor(minor, currency) : `${minor} minor ${currency}`;
  }

  private maybeLargeWin(p: Player, t: number, winId: string, amount: number): void {
    if (!isCurrency(p.currency)) return;
    const threshold = largeWinThresholdMinor(p.currency);
    if (amount < threshold) return;
    this.alert(p, t, 'large_win', p.currency, `Win of ${this.money(amount, p.currency)} credited (win ${winId}; threshold ${this.money(threshold, p.currency)})`);
  }

  /** The rule of durable/brand-ops/anomaly-rules.ts: a withdrawal request within window_ms of a deposit of which it is >= min_ratio_pct %. */
  private maybeRapidCashoutAlert(p: Player, t: number, amount: number): void {
    const { window_ms: windowMs, min_ratio_pct: pct } = BACKOFFICE_CONFIG.anomaly_rules.rapid_deposit_withdraw;
    for (let i = p.deposits.length - 1; i >= 0; i--) {
      const d = p.deposits[i]!;
      if (d.t < t - windowMs) break;
      if (d.t > t || d.amount * pct > amount * 100) continue;
      const ratio = Math.floor((amount * 100) / d.amount);
      const ms = t - d.t;
      const mins = ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
      this.alert(p, t, 'rapid_deposit_withdraw', p.currency, `Withdrawal of ${this.money(amount, p.currency)} requested ${mins} after a deposit of ${this.money(d.amount, p.currency)} (${ratio}%)`);
      return;
    }
  }

  /** A run of mistyped passwords (someone guessing, or a forgotten password) that trips the failed_logins rule. */
  private failedLoginBurst(p: Player, t: number): number {
    const b = p.brng;
    const { window_ms: windowMs, count } = BACKOFFICE_CONFIG.anomaly_rules.failed_logins;
    const n = b.range(count, count + 3);
    for (let i = 0; i < n; i++) {
      this.emit(t, 'player.login.failed', p, null, { reason: 'wrong_password' }, undefined, b);
      if (i === count - 1) this.alert(p, t, 'failed_logins', null, `${count} failed logins within ${Math.round(windowMs / 60_000)} min`);
      t += b.range(3_000, 40_000);
    }
    if (b.chance(LOCK_AFTER_FAILED_LOGINS_SHARE)) this.lock(p, t + b.range(5_000, 20_000));
    return t + b.range(30_000, 5 * 60_000);
  }

  /** An operator locks the account (player.status.changed active -> locked) and unlocks it hours later, once support has confirmed the player. */
  private lock(p: Player, at: number): void {
    const b = p.brng;
    const operator = `operator:${b.pick(this.operators)}`;
    const until = at + Math.floor(b.range(LOCK_HOURS[0], LOCK_HOURS[1]) * HOUR_MS * (0.5 + 0.5 * b.next()));
    this.emit(at, 'player.status.changed', p, null, { from: 'active', to: 'locked', reason: 'security: repeated failed logins', actor: operator }, undefined, b);
    p.lockedUntil = until;
    this.counts.locks++;
    this.schedule(p, until, () => {
      if (p.status !== 'active') return;
      this.emit(until, 'player.status.changed', p, null, { from: 'locked', to: 'active', reason: 'identity confirmed by support', actor: `operator:${b.pick(this.operators)}` }, undefined, b);
      p.lockedUntil = 0;
    });
  }

  /**
   * A player disputes a lost table bet and an operator resolves it `at`: a void (the stake back) or
   * a correction (the even-money return the table should have paid), each as the player object
   * does it under the four-eyes threshold: backoffice.adjustment.requested and .applied under the
   * dispute's id (the money), then backoffice.dispute.resolved (the resolution of the bet).
   */
  private dispute(p: Player, at: number, holdId: string, stake: number): void {
    if (!isCurrency(p.currency) || stake > fourEyesThresholdMinor(p.currency)) return;
    const b = p.brng;
    const resolution = b.chance(DISPUTE_VOID_SHARE) ? 'void' : 'correct';
    const reason = resolution === 'void' ? b.pick(['misdeal confirmed on the video', 'wheel fault confirmed on the video', 'bet placed after betting closed on the stream'])
      : b.pick(['winning bet settled as lost', 'payout missing after a stream reconnect']);
    const operator = `operator:${b.pick(this.operators)}`;
    this.schedule(p, at, () => {
      const disputeId = b.uuidv7(at);
      this.emit(at, 'backoffice.adjustment.requested', p, p.currency, {
        adjustment_id: disputeId, bucket: 'real', amount_minor: stake, reason, actor: operator, needs_approval: false,
      }, undefined, b);
      p.balance += stake;
      this.emit(at, 'backoffice.adjustment.applied', p, p.currency, {
        adjustment_id: disputeId, bucket: 'real', amount_minor: stake, balance_after_minor: p.balance, requested_by: operator, approved_by: null,
      }, undefined, b);
      this.emit(at, 'backoffice.dispute.resolved', p, p.currency, { dispute_id: disputeId, ref: holdId, resolution, amount_minor: stake, actor: operator, reason }, undefined, b);
      this.counts.disputes++;
    });
  }

  /** An operator flags a high roller as VIP (in the back office, while they play). */
  private flagVip(p: Player, t: number): number {
    const b = p.brng;
    const at = t + b.range(1_000, 5_000);
    this.emit(at, 'player.vip.changed', p, null, { from: false, to: true, actor: `operator:${b.pick(this.operators)}` }, undefined, b);
    p.vip = true;
    return at + b.range(1_000, 5_000);
  }

  /**
   * A back-office adjustment of the real balance: a goodwill credit or compensation, now and then a
   * correction the other way. Up to the four-eyes threshold it is applied at once (requested +
   * applied, approved_by null); above it a second operator approves (applied) or rejects it later.
   */
  private adjustment(p: Player, at: number): void {
    if (!isCurrency(p.currency)) return;
    const b = p.brng;
    const threshold = fourEyesThresholdMinor(p.currency);
    const big = p.archetype === 'highroller' ? b.chance(0.5) : b.chance(0.25);
    const debit = !big && b.chance(0.15);
    const eur = big ? b.range(600, 2_000) : b.range(5, 60);
    let amount = roundAmount(eur, p.currency);
    if (!big) amount = Math.min(amount, threshold);
    else amount = Math.max(amount, threshold + roundAmount(50, p.currency));
    const reason = debit ? b.pick(['duplicate goodwill credit reversed', 'correction: bonus credited twice'])
      : big ? b.pick(['compensation: game malfunction', 'VIP retention offer', 'compensation: late withdrawal']) : b.pick(['goodwill: support complaint', 'goodwill: failed deposit fee', 'birthday gift']);
    const requester = b.pick(this.operators);
    const approver = this.operators[(this.operators.indexOf(requester) + 1 + b.int(this.operators.length - 1)) % this.operators.length]!;
    const decideAt = at + Math.floor(HOUR_MS * (0.2 + b.exp(6)));
    const approve = b.chance(0.7);
    const rejectReason = b.pick(['not covered by policy', 'duplicate request', 'amount not justified']);
    this.schedule(p, at, () => {
      const signed = debit ? -Math.min(amount, this.available(p)) : amount;
      if (signed === 0) return;
      const adjustmentId = b.uuidv7(at);
      this.counts.adjustments++;
      this.emit(at, 'backoffice.adjustment.requested', p, p.currency, {
        adjustment_id: adjustmentId, bucket: 'real', amount_minor: signed, reason, actor: `operator:${requester}`, needs_approval: big,
      }, undefined, b);
      if (!big) {
        p.balance += signed;
        this.emit(at, 'backoffice.adjustment.applied', p, p.currency, {
          adjustment_id: adjustmentId, bucket: 'real', amount_minor: signed, balance_after_minor: p.balance, requested_by: `operator:${requester}`, approved_by: null,
        }, undefined, b);
        return;
      }
      this.schedule(p, decideAt, () => {
        if (approve) {
          p.balance += signed;
          this.emit(decideAt, 'backoffice.adjustment.applied', p, p.currency, {
            adjustment_id: adjustmentId, bucket: 'real', amount_minor: signed, balance_after_minor: p.balance, requested_by: `operator:${requester}`, approved_by: `operator:${approver}`,
          }, undefined, b);
        } else {
          this.emit(decideAt, 'backoffice.adjustment.rejected', p, p.currency, { adjustment_id: adjustmentId, amount_minor: signed, actor: `operator:${approver}`, reason: rejectReason }, undefined, b);
        }
      });
    });
  }

  private maybeResponsibleGaming(p: Player, t: number, _sessionId: string): { t: number; ending: 'logout' | 'cool_off' | 'self_exclusion' } | null {
    const r = p.rng;
    if (!r.chance(p.a.rg)) return null;
    t += r.range(5_000, 60_000);
    const x = r.next();
    if (x < 0.45) {
      // set or lower a deposit limit (sometimes raise it: pending for 24 h)
      const cur = p.depositLimit;
      const period = cur?.period ?? r.weighted(['day', 'week', 'month'] as const, [3, 5, 2]);
      const base = cur?.value ?? p.depositSize * 5;
      const value = roundAmount(Math.max(1, (base / MINOR_PER_UNIT(p.currency)) * (r.chance(0.8) ? 0.5 : 2)), p.currency);
      return { t: this.setDepositLimit(p, t, period, value), ending: 'logout' };
    }
    if (x < 0.6) {
      return { t: this.setTimeLimit(p, t, r.chance(0.6) ? 'session_time' : 'reality_check', r.pick([30, 60, 90, 120])), ending: 'logout' };
    }
    if (x < 0.88) {
      const hours = r.pick([24, 48, 72, 168, 336, 1008]);
      const until = t + hours * HOUR_MS;
      this.emit(t, 'rg.cool_off.started', p, null, { until, hours });
      p.coolOffUntil = until;
      this.counts.cool_offs++;
      this.schedule(p, until, () => {
        this.emit(until, 'rg.cool_off.ended', p, null, {});
        p.coolOffUntil = 0;
      });
      return { t, ending: 'cool_off' };
    }
    const permanent = r.chance(0.15);
    const months = permanent ? null : r.pick([6, 6, 12, 24, 60]);
    this.emit(t, 'player.status.changed', p, null, { from: 'active', to: 'self_excluded', reason: 'player request', actor: 'player' });
    const until = months === null ? null : addMonthsUtc(t, months);
    this.emit(t, 'rg.self_exclusion.started', p, null, { until, months });
    p.status = 'self_excluded';
    this.counts.self_exclusions++;
    // a timed exclusion ends by the player object's alarm (profile.ts liftExpired): status back to
    // active, then the event; only in histories longer than it (6 months at least). The player does not come back.
    if (until !== null) {
      this.schedule(p, until, () => {
        this.emit(until, 'player.status.changed', p, null, { from: 'self_excluded', to: 'active', reason: 'self-exclusion period ended', actor: 'system' }, undefined, p.brng);
        this.emit(until, 'rg.self_exclusion.ended', p, null, {}, undefined, p.brng);
        p.status = 'active';
      });
    }
    return { t, ending: 'self_exclusion' };
  }
}

/** Minor units of about one euro (roundAmount works in euros). */
function MINOR_PER_UNIT(currency: string): number {
  return MINOR_PER_EUR[currency] ?? 100;
}

/**
 * domain/fairness/provably-fair.ts roundSource with node:crypto instead of the portable hashes (the
 * same bytes, ~20x faster): block c is HMAC-SHA256(seed bytes, "<table_id>:<round_id>:<c>"), read
 * as big-endian uint32 words. The test checks that simulated rounds pass verifyRound.
 */
function roundSource(key: Buffer, tableId: string, roundId: string) {
  let counter = 0;
  let block: Buffer | null = null;
  let offset = 0;
  return uniformFromWords(() => {
    if (block === null || offset === 32) {
      block = createHmac('sha256', key).update(`${tableId}:${roundId}:${counter}`).digest();
      counter++;
      offset = 0;
    }
    const word = block.readUInt32BE(offset);
    offset += 4;
    return word;
  });
}

function roundTo(x: number, step: number): number {
  return Math.max(step, Math.round(x / step) * step);
}

export { ARCHETYPES };
/**
 * The generator itself, for the white-box tests of fast.test.ts that put an operator's action at a
 * chosen instant of a player's play (too rare to rely on in a whole history); not for other callers.
 */
export { Generator_ as FastGeneratorForTests };
export type { Archetype };
