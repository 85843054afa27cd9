/**
 * PlayerDO: one Durable Object per player, the single owner of that player's profile, sessions,
 * wallet, limits and exclusions. Its RPC methods are the only way to change them. Each method runs
 * in one SQLite transaction (no await inside), so a state change and its outbox event commit
 * together, and every responsible-gaming check happens in the call that moves the money.
 *
 * Player-facing methods take the session id first and authenticate it inside the same call;
 * system methods (tables, providers, payment webhooks, operators) are called by trusted code only.
 * After a transaction that emitted events commits, the new events the back office reads are relayed to the brand's back
 * office (relay.ts) without the caller waiting for it; every event also goes to the EVENTS queue
 * for the warehouse right after its call (../lib/shipper.ts, with the alarm as its backup).
 */
import { DurableObject } from 'cloudflare:workers';
import type { Device } from '../../domain/device';
import { fail, type Failure, type Result } from '../../domain/errors';
import { uuidv7 } from '../../domain/ids';
import { jurisdictionById } from '../../domain/jurisdictions';
import type { LimitKind, LimitPeriod } from '../../domain/limits';
import type { Currency } from '../../domain/money';
import type { SegmentsOutcome } from '../../domain/segments';
import type { ProviderBetInput, ProviderRollbackInput, ProviderWinInput } from '../../domain/provider/types';
import { verifyPassword } from '../../domain/password';
import { brandOpsName } from '../brand-ops/types';
import { migrate } from '../lib/sql';
import type { OutboxRow } from '../lib/outbox';
import { OutboxShipper, objectShipper } from '../lib/shipper';
import { PlayerChannel } from './channel';
import { Adjustments, type AdjustmentRequest, type AdjustmentState } from './adjustments';
import { BackOfficeReads } from './backoffice';
import { PlayerContext, type KycStatus } from './context';
import { Disputes, type DisputeInput } from './disputes';
import { purgeExpiredKeys } from './idempotency';
import { Limits, type LimitView } from './limits';
import { Profile, playerView, type PlayerView, type RegistrationInput } from './profile';
import { ProviderWallet } from './provider-wallet';
import { Relay, RELAY_JOB, type IngestTarget } from './relay';
import { keeperOf } from './reward-budgets';
import { PlayerRewards, type TableBetContext } from './rewards';
import { rewardsContextOf } from './table-bet-context';
import { recentEvents, runDryRun, type DryRunAnswer } from './rewards-dry-run';
import { DEFAULT_REFRESH_MS, RuleSetSource, START_WAIT_MS } from './rule-source';
import type { BrandOpsDO } from '../brand-ops/brand-ops-do';
import type { RuleSet } from '../../domain/rewards';
import { PLAYER_MIGRATIONS } from './schema';
import { Segments } from './segments';
import { SESSION_MAX_MS, Sessions, type SessionView } from './sessions';
import { PlayerTournaments, FEED_JOB, type TournamentTerms } from './tournaments';
import { HOLD_TTL_MAX_MS, Wallet, type Bucket, type Hold, type HoldRequest } from './wallet';
import type { FreeBetUse } from './reward-offers';

/** A table bet staked with a free bet: the token, and the table the bet is at (a token may be for one table only). */
export type TableFreeBet = { free_bet_id: string; table_id: string };

const ALARM_BATCH_MAX = 100;
/** How far before a withdrawal's request an approver's own lone credits still bar them from approving it. */
const CREDIT_LOOKBACK_MS = 24 * 3_600_000;

/** Carries a refusal out of a transaction it rolls back (see PlayerDO.tx). */
class RolledBack extends Error {
  constructor(readonly failure: Failure) {
    super(`rolled back: ${failure.code}`);
  }
}

function isFailure(value: unknown): value is Failure {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
}

/** `device` is the edge's reading of the request (domain/device.ts): stored on the session and in its login event. */
export type LoginInput = { password: string; country: string; ip: string | null; user_agent: string | null; device: Device };

export class PlayerDO extends DurableObject<Env> {
  protected readonly c: PlayerContext;
  protected readonly limitsRg: Limits;
  protected readonly sessionsRg: Sessions;
  protected readonly profileRg: Profile;
  protected readonly walletRg: Wallet;
  protected readonly adjustmentsRg: Adjustments;
  protected readonly disputesRg: Disputes;
  protected readonly providerWalletRg: ProviderWallet;
  protected readonly segments: Segments;
  protected readonly rewardsRg: PlayerRewards;
  protected readonly channel: PlayerChannel;
  /** The brand's published rule set, refreshed after calls, off the bet's path (rule-source.ts). */
  protected readonly ruleSource: RuleSetSource;
  protected readonly tournamentsRg: PlayerTournaments;
  private readonly relay: Relay;
  private readonly shipper: OutboxShipper;
  private readonly backOffice: BackOfficeReads;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.c = new PlayerContext(ctx.storage);
    this.limitsRg = new Limits(this.c);
    this.sessionsRg = new Sessions(this.c, this.limitsRg);
    this.profileRg = new Profile(this.c, this.sessionsRg);
    this.walletRg = new Wallet(this.c, this.limitsRg);
    this.adjustmentsRg = new Adjustments(this.c, this.walletRg);
    this.disputesRg = new Disputes(this.c, this.walletRg, this.limitsRg, this.adjustmentsRg);
    this.providerWalletRg = new ProviderWallet(this.c, { wallet: this.walletRg, sessions: this.sessionsRg, profile: this.profileRg, disputes: this.disputesRg });
    this.segments = new Segments(this.c);
    this.rewardsRg = new PlayerRewards(this.c, this.segments, this.walletRg);
    // The player channel (channel.ts): rewards go to the player's sockets after their transaction commits.
    this.channel = new PlayerChannel(ctx, () => this.c.now(), () => this.c.profile()?.player_id ?? null, (tableId) => env.TABLE.getByName(tableId),
      env.ENVIRONMENT === 'development');
    this.rewardsRg.onOutcomes = (outcomes, source) => this.channel.collect(outcomes, source);
    this.rewardsRg.onSpun = (a, currency) => {
      const r = a.reward;
      const cash = r !== null && (r.type === 'free_bet' || r.type === 'cashback');
      this.channel.spun({
        type: 'rewards.wheel_spun', spin_id: a.spin_id, wheel_id: a.wheel_id, prize_id: a.prize_id, kind: r?.type ?? null,
        amount: r !== null && (r.type === 'xp' || r.type === 'points') ? r.amount : null, value_minor: cash ? r.value_minor[currency] ?? null : null,
        currency: cash ? currency : null, delivered: a.delivered, commitment: a.proof.commitment, server_seed: a.proof.server_seed, at: a.spun_at,
      });
    };
    // a free bet's hold voided or expired (its bet not played): the token comes back, in that transaction
    this.walletRg.onStakeFreeReleased = (holdId, to) => { this.rewardsRg.offers.giveBack(holdId, to); };
    // a settled free bet voided by a dispute: its token comes back too, and no limit counts it (disputes.ts)
    this.disputesRg.freeBets = this.rewardsRg.offers;
    const rewardsMarks = this.c.onEmitted;
    this.c.onEmitted = (type, payload) => {
      rewardsMarks?.(type, payload);
      if (type === 'player.session.ended' && 'session_id' in payload && typeof payload.session_id === 'string') this.channel.sessionEnded(payload.session_id);
    };
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
    const brandOps = env.BRAND_OPS as DurableObjectNamespace<BrandOpsDO>;
    const refreshMs = Number(Reflect.get(env, 'REWARDS_REFRESH_MS') ?? DEFAULT_REFRESH_MS);
    this.ruleSource = new RuleSetSource((brand, known) => brandOps.getByName(brandOpsName(brand)).activeRuleSet(known),
      (config, published) => this.rewardsRg.use(config, published), Number.isFinite(refreshMs) && refreshMs > 0 ? refreshMs : DEFAULT_REFRESH_MS);
    this.tournamentsRg = new PlayerTournaments(this.c, this.segments, (id) => env.TOURNAMENT.getByName(id), (p) => ctx.waitUntil(p));
    // a bet voided by a dispute (at once or once approved) was not played: the tournaments take its points back
    this.disputesRg.onVoided = (h) => this.tournamentsRg.betVoided(h.hold_id, h.currency);
    this.relay = new Relay(this.c, (fn) => this.c.tx(fn),
      (brand): IngestTarget => env.BRAND_OPS.getByName(brandOpsName(brand)));
    // The outbox is also the player's timeline and the relay's source: shipped rows stay.
    this.shipper = objectShipper(this.c, ctx, env.EVENTS, 'player', null);
    this.backOffice = new BackOfficeReads(this.c, {
      profile: this.profileRg, sessions: this.sessionsRg, limits: this.limitsRg, wallet: this.walletRg, adjustments: this.adjustmentsRg, relay: this.relay,
      segments: this.segments,
    });
    // Debug mode (the edge tests set HOT_STATE_CHECKS=1): memory is compared with SQL after every transaction.
    this.c.checks = Reflect.get(env, 'HOT_STATE_CHECKS') === '1';
    // Pending holds are not schedule rows: the alarm fires by the earliest expiry of those in memory (loaded by this rearm).
    this.c.schedules.extraEarliest = () => this.walletRg.nextExpiry();
    ctx.blockConcurrencyWhile(async () => {
      migrate(this.c.db, PLAYER_MIGRATIONS, ctx.storage);
      this.shipper.init();
      this.relay.armIfBehind();
      this.c.schedules.rearm();
      // the brand's live rule set before the first call, so an object that was evicted does not evaluate on the default:
      // what this isolate last saw for the brand at once, else one check (waiting 2 s at most: a slow brand object
      // must not hold a player's money calls)
      const brand = this.c.profile()?.brand;
      if (brand && !this.ruleSource.startFromIsolate(brand)) await this.ruleSource.refreshWithin(brand, START_WAIT_MS);
    });
  }

  /**
   * One SQLite transaction. A call that answers `{ok: false}` changed nothing: its transaction is
   * rolled back whole (an exception inside transactionSync, mapped back to the answer), so no path
   * can commit half of a money movement before a later step refuses. The refusal events it recorded
   * (ctx.emitRefusal) are written afterwards in a transaction of their own. `failures: 'commit'` is
   * for the few calls whose refusal is itself a state change (a wrong password counts towards the
   * lockout). If the transaction emitted events for the back office (not a bet's hold steps alone:
   * relay.ts), the relay is armed inside it (so delivery cannot
   * be lost) and kicked after it commits (so the caller does not wait for the back office).
   * `relay: 'alarm'` leaves delivery to the armed alarm (seconds later, batched): for bursts such as
   * a table settling a thousand bets at once, where a thousand immediate deliveries into the one
   * back-office object of the brand would compete with the settlement itself.
   */
  protected tx<T>(fn: () => T, relay: 'now' | 'alarm' = 'now', failures: 'roll_back' | 'commit' = 'roll_back'): T {
    let emitted = 0;
    let out: T;
    this.c.clearRefusals();
    try {
      // c.tx: a rolled-back transaction makes memory forget what it took from it (the hot state,
      // the armed alarm), so that the next call reloads from SQL rather than trusting it.
      out = this.c.tx(() => {
        this.c.backOfficeEvents = 0;
        const result = fn();
        if (failures === 'roll_back' && isFailure(result)) throw new RolledBack(result);
        this.c.emitRefusals();
        emitted = this.c.backOfficeEvents;
        if (emitted > 0) this.armRelay(relay);
        if (this.c.checks) this.checkHotState();
        return result;
      });
    } catch (err) {
      this.channel.discard(); // never a message for a rolled-back transaction
      if (!(err instanceof RolledBack)) throw err;
      out = err.failure as T;
      emitted = this.c.tx(() => {
        this.c.backOfficeEvents = 0;
        if (this.c.emitRefusals() > 0) this.armRelay(relay);
        return this.c.backOfficeEvents;
      });
    }
    if (emitted > 0 && relay === 'now') this.relay.afterCommit();
    this.channel.afterCommit();
    if (this.rewardsRg.refillHint) this.kickRewardBudgets();
    // after the commit and never awaited: a bet does not wait for the rule set's refresh
    const refreshing = this.ruleSource.maybeRefresh(() => this.c.profile()?.brand ?? null);
    if (refreshing) this.ctx.waitUntil(refreshing);
    return out;
  }

  /**
   * After a commit that evaluated rewards: the budget leases' refill, without the caller waiting
   * (reward-budgets.ts). Most evaluations leave the leases as they were: that is known in memory
   * first, with no background task started for nothing (one per settled bet was ~4 % of the
   * runtime's CPU in E5's profile, issue 15). refillBudgets checks again, with the exclusions.
   */
  private kickRewardBudgets(): void {
    const p = this.c.profile();
    const { compiled } = this.rewardsRg.config;
    if (!p || !this.rewardsRg.budgets.wantsRefill(compiled, keeperOf(p.brand, compiled), p.currency)) {
      this.rewardsRg.refillHint = false;
      return;
    }
    this.ctx.waitUntil(this.refillRewardBudgets().catch((err: Error) => console.warn(`reward budget refill failed: ${err.message}`)));
  }

  /**
   * Trades spent or expired budget leases for new ones with the rule set's keeper (RewardBudgetDO);
   * one at a time (a call during another waits for it). Outside any transaction: the keeper is awaited.
   */
  async refillRewardBudgets(): Promise<{ ok: true }> {
    await this.rewardsRg.refillBudgets((fn) => this.c.tx(fn), (keeper, req) => this.env.REWARD_BUDGET.getByName(keeper).exchange(req));
    return { ok: true };
  }

  /** The keeper takes back a lease past its expiry: closed here first, and what it used answered. */
  closeRewardLease(leaseId: string): { used_minor: number } {
    return this.tx(() => this.rewardsRg.budgets.closeForKeeper(leaseId));
  }

  /** Debug mode: the hot state against SQL, inside the transaction (a difference throws and rolls it back). */
  protected checkHotState(): void {
    const problems = [...this.c.verifyProfile(), ...this.walletRg.verifyHotState(), ...this.rewardsRg.verifyHotState()];
    if (problems.length > 0) throw new Error(`invariant: the hot state drifted from storage: ${problems.join('; ')}`);
  }

  private armRelay(relay: 'now' | 'alarm'): void {
    if (relay === 'now') this.relay.arm();
    else this.relay.armNoLater();
  }

  /**
   * Authenticates the session and runs `fn`, in one transaction (it was two: one per call is
   * ~a fifth of a bet's time in the object, issue 15). A refused session rolls that transaction
   * back with it, so the check then runs again in one that commits: an expired session is ended,
   * and stays ended, even though the call is refused (no await in between: nothing else runs). A
   * call `fn` refuses still counts as activity: its last-seen stays in memory (sessions.ts).
   */
  private asPlayer<T extends object>(sessionId: string, fn: (session: SessionView) => Result<T>, relay: 'now' | 'alarm' = 'now'): Result<T> {
    let sessionRefused = false;
    const r = this.tx(() => {
      const auth = this.sessionsRg.authenticate(sessionId);
      if (!auth.ok) sessionRefused = true;
      return auth.ok ? fn(auth.session) : auth;
    }, relay);
    if (sessionRefused) {
      const again = this.tx(() => this.sessionsRg.authenticate(sessionId), relay, 'commit');
      return again.ok ? r : again;
    }
    if (!r.ok) this.sessionsRg.seen(sessionId);
    return r;
  }

  /** Like asPlayer, and the player must be free to play and pay (not locked, excluded, cooling off). */
  private asActivePlayer<T extends object>(sessionId: string, fn: (session: SessionView) => Result<T>, relay: 'now' | 'alarm' = 'now'): Result<T> {
    return this.asPlayer(sessionId, (session) => {
      const blocked = this.profileRg.blockReason();
      return blocked ? fail(blocked) : fn(session);
    }, relay);
  }

  // ---- accounts and sessions -----------------------------------------------------------------

  /** Creates the account and its first session (registration logs the player in). */
  register(input: RegistrationInput, meta: Omit<LoginInput, 'password'>): Result<{ player: PlayerView; session: SessionView }> {
    return this.tx(() => {
      const r = this.profileRg.register(input);
      if (!r.ok) return r;
      const session = this.sessionsRg.create(meta);
      this.c.emit('player.login.succeeded', { session_id: session.session_id, country: meta.country, device: meta.device });
      // not evaluated for rewards: a registration is not a returning player's login (a welcome flow is a later slice)
      return { ok: true, player: r.player, session };
    });
  }

  async login(input: LoginInput): Promise<Result<{ player: PlayerView; session: SessionView }>> {
    const before = this.tx(() => {
      const p = this.c.profile();
      if (!p) return fail('invalid_credentials');
      const throttle = this.profileRg.loginThrottle();
      return throttle.ok ? { ok: true as const, hash: p.password_hash } : throttle;
    }, 'now', 'commit');
    if (!before.ok) return before;
    const good = await verifyPassword(input.password, before.hash);
    // A login is evaluated for rewards (a daily spin): its budget leases are fetched first, so the
    // grant finds them (they expire within minutes; a returning player has none). Best effort: a
    // keeper out of reach only means budget_exhausted for this login's cash-like grants.
    if (good) await this.refillRewardBudgets().catch((err: Error) => console.warn(`reward budget refill before login failed: ${err.message}`));
    // State may have moved while we awaited the hash: decide on a fresh read, in one transaction.
    // The throttle is checked again: concurrent attempts all passed the first check before any of
    // their failures was recorded, and a right guess among them must not get in past the limit.
    return this.tx(() => {
      const throttle = this.profileRg.loginThrottle();
      if (!throttle.ok) return throttle;
      if (!good) {
        this.profileRg.recordLoginFailure('wrong_password');
        return fail('invalid_credentials');
      }
      const blocked = this.profileRg.blockReason();
      if (blocked) {
        this.c.emit('player.login.failed', { reason: blocked });
        return fail(blocked);
      }
      this.profileRg.clearLoginFailures();
      const session = this.sessionsRg.create(input);
      const p = this.c.profile()!;
      this.c.emit('player.login.succeeded', { session_id: session.session_id, country: input.country, device: input.device });
      this.rewardsRg.login(session.session_id, input.device);
      if (input.country !== p.country) {
        this.c.emit('player.login.foreign_country', { session_id: session.session_id, registered_country: p.country, login_country: input.country });
      }
      return { ok: true, player: playerView(p), session };
    }, 'now', 'commit'); // a wrong password counts towards the lockout, and a blocked login is an event
  }

  logout(sessionId: string): Result {
    return this.tx(() => (this.sessionsRg.end(sessionId, 'logout') ? { ok: true } : fail('unauthenticated', 'no open session')));
  }

  me(sessionId: string): Result<{ player: PlayerView; session: SessionView; limits: LimitView[] }> {
    return this.asPlayer(sessionId, (session) => {
      this.profileRg.liftExpired();
      return { ok: true, player: playerView(this.c.profile()!), session, limits: this.limitsRg.list() };
    });
  }

  sessions(sessionId: string): Result<{ sessions: SessionView[] }> {
    return this.asPlayer(sessionId, () => ({ ok: true, sessions: this.sessionsRg.list() }));
  }

  /** Player submits KYC documents; `outcome` is decided by the KYC provider (the sandbox decides at once). */
  submitKyc(sessionId: string, outcome: 'pending' | 'verified' | 'rejected', provider: string): Result<{ player: PlayerView }> {
    return this.asPlayer(sessionId, () => {
      const p = this.c.profile()!;
      if (p.kyc_status === 'verified') return fail('invalid_state', 'KYC is already verified');
      const pending = this.profileRg.setKyc('pending', `submitted via ${provider}`, 'player');
      if (!pending.ok || outcome === 'pending') return pending;
      return this.profileRg.setKyc(outcome, `decided by ${provider}`, `kyc:${provider}`);
    });
  }

  // ---- wallet (player) -----------------------------------------------------------------------

  wallet(sessionId: string) {
    return this.asPlayer(sessionId, () => ({ ok: true, currency: this.c.profile()!.currency, balances: this.walletRg.balances() }));
  }

  ledger(sessionId: string, opts: { before: number | null; limit: number; currency: Currency | null }) {
    return this.asPlayer(sessionId, () => ({ ok: true, ...this.walletRg.ledger(opts) }));
  }

  /** payment_reference: the keyed hash the worker made of the instrument (worker/payments/reference.ts), never the instrument. */
  requestDeposit(sessionId: string, idempotencyKey: string, input: { provider: string; currency: Currency; amount_minor: number; payment_reference?: string | null }) {
    return this.asActivePlayer(sessionId, () => {
      const allowed = jurisdictionById(this.c.profile()!.jurisdiction)?.currencies ?? [];
      if (!allowed.includes(input.currency)) return fail('unsupported_currency', `deposits are possible in ${allowed.join(', ')}`, { allowed });
      return this.walletRg.requestDeposit(idempotencyKey, { ...input, deposit_id: uuidv7(this.c.now()) });
    });
  }

  requestWithdrawal(sessionId: string, idempotencyKey: string, input: { currency: Currency; amount_minor: number; payment_reference?: string | null }) {
    return this.asActivePlayer(sessionId, () => {
      if (this.c.profile()!.kyc_status !== 'verified') return fail('kyc_required', 'withdrawals need verified KYC');
      return this.walletRg.requestWithdrawal(idempotencyKey, { ...input, withdrawal_id: uuidv7(this.c.now()) });
    });
  }

  withdrawals(sessionId: string) {
    return this.asPlayer(sessionId, () => ({ ok: true, withdrawals: this.walletRg.withdrawals() }));
  }

  /**
   * The player takes back a withdrawal no operator has decided yet; its funds are available again.
   * Only an active player (not cooling off or self-excluded): reversing a payout to play on is a
   * harm signal, and a break is exactly when the money should leave.
   */
  cancelWithdrawal(sessionId: string, withdrawalId: string) {
    return this.asActivePlayer(sessionId, () => {
      // Some regulators forbid reversing a withdrawal at all (GB): refused like a decided one, nothing changes.
      const jurisdiction = this.c.profile()!.jurisdiction;
      const w = this.walletRg.withdrawal(withdrawalId);
      if (w && w.state === 'requested' && jurisdictionById(jurisdiction)?.reverse_withdrawals !== true) {
        return fail('withdrawal_not_cancellable', `withdrawals cannot be reversed in ${jurisdiction}: it stays with the operator`, { withdrawal_id: w.withdrawal_id, state: w.state, jurisdiction });
      }
      return this.walletRg.cancelWithdrawal(withdrawalId);
    });
  }

  /** Development sandbox game: one instant round (reserve, post, optional win), used by demo and bench. */
  instantRound(sessionId: string, input: { round_id: string; currency: Currency; amount_minor: number; win_minor: number }) {
    return this.asActivePlayer(sessionId, () => {
      const holdId = `instant:${input.round_id}`;
      const hold = this.walletRg.reserveHold({ hold_id: holdId, currency: input.currency, amount_minor: input.amount_minor, expires_at: null, ref: input.round_id });
      if (!hold.ok) return hold;
      const posted = this.walletRg.postHold(holdId);
      if (!posted.ok) return posted;
      if (input.win_minor > 0) {
        const win = this.walletRg.creditWin({ win_id: `instant-win:${input.round_id}`, hold_id: holdId, currency: input.currency, amount_minor: input.win_minor, bucket: 'real' });
        if (!win.ok) return win;
      }
      return { ok: true, round_id: input.round_id, replayed: hold.replayed, balances: this.walletRg.balances() };
    });
  }

  /** The player's rewards: XP, level, points balance, missions, badges and recent grants (rewards.ts). */
  rewards(sessionId: string) {
    return this.asPlayer(sessionId, () => ({ ok: true, rewards: this.rewardsRg.view() }));
  }

  /**
   * Spins one of the player's granted wheel spins (rewards.ts spin, docs/rewards.md "Wheel (provably
   * fair)"): one transaction draws, records and delivers the prize; a retry answers the same result.
   * Only a player free to play spins (not locked, self-excluded or cooling off: refused with that
   * code, the spin kept for later).
   */
  spinWheel(sessionId: string, spinId: string) {
    return this.asActivePlayer(sessionId, () => this.rewardsRg.spin(spinId));
  }

  /** The player channel's upgrade (GET /v1/players/me/ws; the worker verified the token): channel.ts. */
  override async fetch(request: Request): Promise<Response> {
    return this.channel.upgrade(request, (sessionId) => this.rewards(sessionId));
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.channel.message(ws, message, (sessionId) => this.rewards(sessionId));
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.channel.closed(ws, code, reason);
  }

  // ---- responsible gaming (player) -----------------------------------------------------------

  limits(sessionId: string) {
    return this.asPlayer(sessionId, () => ({ ok: true, limits: this.limitsRg.list() }));
  }

  setLimit(sessionId: string, input: { kind: LimitKind; period: LimitPeriod; currency: Currency | null; value: number | null }) {
    return this.asPlayer(sessionId, () => this.limitsRg.set(input.kind, input.period, input.currency, input.value));
  }

  coolOff(sessionId: string, hours: number) {
    return this.asPlayer(sessionId, () => this.profileRg.coolOff(hours));
  }

  selfExclude(sessionId: string, opts: { months: number | null; permanent: boolean }) {
    return this.asPlayer(sessionId, () => this.profileRg.selfExclude(opts));
  }

  // ---- system: payments, tables, providers, operators ----------------------------------------

  /** A verified payment-provider notification for one of this player's deposits. */
  confirmPayment(n: { deposit_id: string; provider: string; status: 'completed' | 'failed'; amount_minor: number; currency: Currency; provider_ref: string; reason: string | null; payment_reference?: string | null }) {
    return this.tx(() => {
      if (n.status !== 'completed') return this.walletRg.failDeposit({ deposit_id: n.deposit_id, provider: n.provider, reason: n.reason, payment_reference: n.payment_reference ?? null });
      const r = this.walletRg.completeDeposit(n);
      if (r.ok && !r.replayed) this.rewardsRg.depositCompleted(n.deposit_id, n.provider, n.amount_minor, n.currency);
      return r;
    });
  }

  /**
   * A table gives a bet's stake back: a stake it refused, a voided round's, or a reservation it gave
   * up on (remembered, so that it is refused should it still arrive). The raw two-phase steps have
   * no RPC in production: tables settle with settleTableBet, providers through
   * providerBet/Win/Rollback, so nothing reachable from the Worker can post a hold or credit a win
   * that no game settled (tests reach them through test/edge/entry.ts).
   */
  abandonTableBet(holdId: string) {
    return this.tx(() => this.walletRg.abandonBet(holdId), 'alarm');
  }

  // ---- live tables (TableDO calls these; see durable/table/player-port.ts) ------------------

  /**
   * A live-table bet's hold, for an open session of a player free to play, in a jurisdiction where
   * the table's game is offered. Idempotent on hold_id like every hold. `bet`: what the table knows
   * of the bet, for the rewards rules (the same on a retry); it changes nothing about the money.
   */
  reserveTableBet(sessionId: string, input: HoldRequest & { expires_at: number; free_bet?: TableFreeBet }, offeredIn: string[], bet?: TableBetContext) {
    return this.asActivePlayer(sessionId, () => {
      const p = this.c.profile()!;
      if (!offeredIn.includes(p.jurisdiction)) return fail('game_unavailable', `this game is not offered in ${p.jurisdiction}`);
      const expiresAt = Math.min(input.expires_at, this.c.now() + HOLD_TTL_MAX_MS);
      if (input.free_bet) return this.reserveFreeTableBet({ ...input, expires_at: expiresAt }, input.free_bet);
      const r = this.walletRg.reserveHold({ ...input, expires_at: expiresAt });
      if (!r.ok) return r;
      const facts = r.replayed ? null : rewardsContextOf(input.hold_id, bet, input, this.c.now()); // table-bet-context.ts
      if (facts) this.rewardsRg.tableBetPlaced(input.hold_id, input.currency, facts);
      return { ok: true, hold: r.hold, replayed: r.replayed, jurisdiction: p.jurisdiction, available_minor: this.walletRg.availableTotal(input.currency) };
    }, 'alarm');
  }

  /**
   * A table bet staked with a free bet (docs/rewards.md "Cash-like rewards"), inside reserveTableBet's
   * transaction, after the checks every bet gets (session, exclusions, cool-off, a closed or locked
   * account, the jurisdiction): the token is taken (reward-offers.ts: exactly its value, its
   * currency, its table, unexpired, not in play) and the bet's hold holds none of the player's money.
   * No loss or wager limit counts it (not the player's money), and no rewards rule or tournament
   * sees it (an operator's stake earns no further promotions). A refusal rolls the whole call back.
   */
  private reserveFreeTableBet(input: HoldRequest & { expires_at: number }, freeBet: TableFreeBet) {
    const taken = this.rewardsRg.offers.take({ grant_id: freeBet.free_bet_id, hold_id: input.hold_id, table_id: freeBet.table_id, currency: input.currency, amount_minor: input.amount_minor });
    if (!taken.ok) return taken;
    const r = this.walletRg.reserveFreeBetHold(input, freeBet.free_bet_id);
    if (!r.ok) return r;
    return { ok: true as const, hold: r.hold, replayed: r.replayed, jurisdiction: this.c.profile()!.jurisdiction, available_minor: this.walletRg.availableTotal(input.currency) };
  }

  /**
   * Floor probe (bench E5): an empty call, no transaction. A table settling a round calls one
   * player object per bet; this measures that fan-out alone, beside the real settlement.
   */
  floorProbe(): number {
    return 0;
  }

  /**
   * Settles a table bet in one transaction: posts its hold and credits what it returns (once per
   * win_id). A hold that was voided or expired meanwhile, or is past its expiry, settles as such,
   * returning nothing (wallet.ts settleBet). `bet`: the table's context of the bet for the rewards
   * rules, evaluated in this same transaction when the bet was posted (a retry is recognised by its
   * event id, `bet-settled:<hold id>`, and grants nothing again); it changes nothing about the money.
   */
  settleTableBet(input: { hold_id: string; win_id: string; returned_minor: number }, bet?: TableBetContext) {
    const settled = this.tx(() => {
      // Only the settlement that posts the hold is evaluated: a retry answers the first result and
      // must not count the bet again (its loss in the rapid-losses mark, or a grant under another `at`).
      // Pending holds are in memory: the first settlement's look-up costs no statement.
      const held = this.walletRg.hold(input.hold_id);
      // a hold of none of the player's money may stake a free bet (one look-up, for those holds only)
      const freeBet = held && held.kind === 'bet' && held.real_minor + held.bonus_minor === 0 ? this.rewardsRg.offers.useOf(input.hold_id) : null;
      if (freeBet) return this.settleFreeTableBet(input, held!.state, freeBet);
      const r = this.walletRg.settleBet(input);
      if (r.ok && r.state === 'posted' && held?.state === 'pending') {
        const facts = rewardsContextOf(input.hold_id, bet, { amount_minor: held.real_minor + held.bonus_minor, currency: held.currency }, this.c.now()); // table-bet-context.ts
        if (facts) {
          this.rewardsRg.tableBetSettled(input.hold_id, held.currency, r.returned_minor, facts);
          // the tournaments the player joined (tournaments.ts): written here, sent after the commit
          this.tournamentsRg.betSettled(input.hold_id, held.currency, r.returned_minor, facts);
        }
      }
      return r;
    }, 'alarm');
    this.tournamentsRg.afterCommit();
    return settled;
  }

  /**
   * Settles a free bet's hold (docs/rewards.md "Cash-like rewards"): posted (nothing leaves the
   * balance: the stake was the operator's), and the return without the stake credited as a win when
   * positive (a loss, and a push returning just the stake, pay nothing; the token stays used). The
   * credit is made only by the settlement that posts the hold, in its transaction, under the bet's
   * win id: a retry finds the hold posted and pays nothing again (answering what was paid, whatever
   * return it names). A hold that was voided or expired
   * meanwhile settles as such (its token came back then).
   */
  private settleFreeTableBet(input: { hold_id: string; win_id: string; returned_minor: number }, before: Hold['state'], freeBet: FreeBetUse) {
    const r = this.walletRg.settleBet({ hold_id: input.hold_id, win_id: input.win_id, returned_minor: 0 });
    if (!r.ok || r.state !== 'posted') return r;
    const won = input.returned_minor - freeBet.value_minor;
    if (before === 'pending' && won > 0) {
      const w = this.walletRg.creditFreeBetWin({ win_id: input.win_id, hold_id: input.hold_id, free_bet_id: freeBet.grant_id, currency: freeBet.currency, amount_minor: won });
      if (!w.ok) return w;
    }
    // a re-sent settlement (a table restarted mid-settlement) pays nothing: the wallet answered what the first one paid
    const paid = before === 'pending' ? Math.max(won, 0) : r.returned_minor;
    return { ok: true as const, state: 'posted' as const, returned_minor: paid, available_minor: this.walletRg.availableTotal(freeBet.currency) };
  }

  /**
   * Joins a tournament (docs/tournaments.md): an active player, admitted by the entry rules only this
   * object can check (brand, currency, segments; tournaments.ts). The worker then enters the player
   * in the tournament's object. Idempotent: a retry after that second step failed completes it.
   */
  joinTournament(sessionId: string, terms: TournamentTerms) {
    return this.asActivePlayer(sessionId, () => this.tournamentsRg.join(terms));
  }

  /**
   * A tournament prize (TournamentDO, at its end): a credit to the real balance under the prize's
   * deterministic id (tournament and rank) as its win id, so the tournament's retries pay it once.
   */
  payTournamentPrize(input: { prize_id: string; currency: Currency; amount_minor: number }) {
    return this.tx(() => (this.c.profile()
      ? this.walletRg.creditWin({ win_id: input.prize_id, hold_id: null, currency: input.currency, amount_minor: input.amount_minor, bucket: 'real' })
      : fail('player_not_found')));
  }

  /**
   * Crediting and paying out are never one person's decision: an operator who credited this player
   * alone (an adjustment, a correction or a void under the four-eyes thresholds) in the day before
   * the withdrawal was asked for, or at any time since, may not approve it. Tied to the withdrawal,
   * not to the clock, so waiting for midnight (or a day) does not help.
   */
  decideWithdrawal(withdrawalId: string, decision: 'approve' | 'reject', actor: string, reason: string | null) {
    return this.tx(() => {
      const w = this.walletRg.withdrawal(withdrawalId);
      if (decision === 'approve' && w && this.adjustmentsRg.creditedAloneSince(actor, w.created_at - CREDIT_LOOKBACK_MS)) {
        return fail('four_eyes_violation', 'you credited this player without a second operator around this withdrawal; another operator must approve it');
      }
      return this.walletRg.decideWithdrawal(withdrawalId, decision, actor, reason);
    });
  }

  markWithdrawalPaid(withdrawalId: string) {
    return this.tx(() => this.walletRg.markWithdrawalPaid(withdrawalId));
  }

  setKycStatus(to: KycStatus, reason: string | null, actor: string) {
    return this.tx(() => this.profileRg.setKyc(to, reason, actor));
  }

  setStatus(to: 'active' | 'locked' | 'closed', reason: string | null, actor: string) {
    return this.tx(() => this.profileRg.setStatus(to, reason, actor));
  }

  setVip(vip: boolean, actor: string) {
    return this.tx(() => this.profileRg.setVip(vip, actor));
  }

  /**
   * One player's segments and VIP tier from a warehouse snapshot (POST /internal/v1/segments,
   * trusted caller). Never a failure: an unknown player, a replay and a stale snapshot are outcomes
   * the route reports per item. Delivery to the back office is left to the alarm: a publication
   * touches thousands of players at once.
   */
  applySegments(input: { snapshot_id: string; segments: string[]; vip_tier: string | null }): { ok: true; outcome: SegmentsOutcome } {
    return this.tx(() => {
      if (!this.c.profile()) return { ok: true as const, outcome: 'unknown_player' as const };
      return { ok: true as const, outcome: this.segments.apply(input.snapshot_id, input.segments, input.vip_tier) };
    }, 'alarm');
  }

  // ---- provider seamless wallet (provider-wallet.ts; the worker has verified the provider's signature)

  /** Game launch: an open session of a player free to play, and what the provider's launch token binds. */
  providerLaunch(sessionId: string) {
    return this.asActivePlayer(sessionId, (session) => {
      const p = this.c.profile()!;
      return { ok: true, player_id: p.player_id, jurisdiction: p.jurisdiction, currency: p.currency, session_id: session.session_id, session_max_end_at: session.created_at + SESSION_MAX_MS };
    });
  }

  providerBalance(currency: Currency) {
    return this.providerWalletRg.balance(currency);
  }

  /** `refusal`: the catalog's verdict on the game (checked by the worker), applied to new transactions only. */
  providerBet(input: ProviderBetInput, refusal: Failure | null) {
    const r = this.tx(() => {
      const b = this.providerWalletRg.bet(input, refusal);
      if (b.ok && !b.replayed) this.rewardsRg.providerBet(input, input.currency);
      return b;
    });
    // A bet refused for an expired session rolled back the session's end with it: end it for good
    // (as for players, whose session check commits on its own). A replay never gets here: it answers
    // its first result before the session is looked at.
    if (!r.ok && r.code === 'session_expired') this.tx(() => this.sessionsRg.authenticate(input.session_id), 'now', 'commit');
    return r;
  }

  providerWin(input: ProviderWinInput) {
    return this.tx(() => {
      const w = this.providerWalletRg.win(input);
      if (w.ok && !w.replayed && input.amount_minor > 0) this.rewardsRg.providerWin(input, input.currency);
      return w;
    });
  }

  providerRollback(input: ProviderRollbackInput) {
    return this.tx(() => {
      const r = this.providerWalletRg.rollback(input);
      if (r.ok && !r.replayed && r.tx.amount_minor > 0) this.rewardsRg.providerRollback(input, r.tx.amount_minor, input.currency);
      return r;
    });
  }

  // ---- back office: adjustments (four eyes) and disputes -------------------------------------

  /** Applied at once up to the currency's four-eyes threshold, else pending a second operator. */
  requestAdjustment(input: AdjustmentRequest) {
    return this.tx(() => this.adjustmentsRg.request(input));
  }

  /** A correction of a bet is decided with the bet's rules (bounds checked again); any other adjustment as is. */
  decideAdjustment(adjustmentId: string, decision: 'approve' | 'reject', actor: string, reason: string | null) {
    const r = this.tx(() => (this.adjustmentsRg.get(adjustmentId)?.hold_id
      ? this.disputesRg.decide(adjustmentId, decision, actor, reason)
      : this.adjustmentsRg.decide(adjustmentId, decision, actor, reason)));
    this.tournamentsRg.afterCommit(); // an approved void's feed rows
    return r;
  }

  adjustments(opts: { state?: AdjustmentState; limit?: number } = {}) {
    if (!this.c.profile()) return fail('player_not_found');
    return { ok: true as const, adjustments: this.adjustmentsRg.list(opts) };
  }

  /** Compensating entries against a settled bet ('void' it, or 'correct' it by a signed amount). */
  resolveDispute(input: DisputeInput) {
    const r = this.tx(() => this.disputesRg.resolve(input, 'operator'));
    this.tournamentsRg.afterCommit();
    return r;
  }

  // ---- back office: reads (no player session) ------------------------------------------------

  /** Everything an operator may see about the player, PII in full: the worker masks it by policy. */
  /**
   * A dry run of a rule set (a draft, or some of its rules) against this player's recent events,
   * for the back office (rewards-dry-run.ts): nothing is written.
   */
  rewardsDryRun(ruleSet: RuleSet, opts: { rule_ids?: string[]; limit: number }): DryRunAnswer | null {
    const p = this.c.profile();
    if (!p) return null;
    const now = this.c.now();
    const budgets: Record<string, number> = {};
    for (const r of ruleSet.rules) {
      const b = r.budget_minor?.[p.currency];
      if (b !== undefined) budgets[r.id] = b;
    }
    return runDryRun(recentEvents(this.c, opts.limit), ruleSet, {
      player_id: p.player_id, currency: p.currency, segments: this.segments.view().segments,
      exclusion: p.status === 'self_excluded' ? 'self_excluded' : p.cool_off_until !== null && p.cool_off_until > now ? 'cooling_off' : 'none',
      risk: {}, event: { session_id: null, device: null, dealer_id: null }, budget_remaining_minor: budgets,
    }, opts.rule_ids);
  }

  /** The published rule set version this object evaluates (null: the deployed default). */
  rewardsRuleSetVersion(): number | null {
    return this.ruleSource.version;
  }

  inspect() {
    return this.backOffice.inspect();
  }

  ledgerForOperator(opts: { before: number | null; limit: number; currency: Currency | null }) {
    return this.backOffice.ledger(opts);
  }

  /** Every event of this player, newest first (keyset on the outbox sequence). */
  timeline(opts: { before?: number; limit: number }) {
    return this.backOffice.timeline(opts);
  }

  outbox(afterSeq = 0, limit = 100): OutboxRow[] {
    return this.c.outbox.list(afterSeq, Math.min(limit, 1000));
  }

  /** Wallet invariant violations (empty when healthy). */
  audit(): string[] {
    return this.walletRg.audit();
  }

  // ---- alarm ---------------------------------------------------------------------------------

  override async alarm(): Promise<void> {
    let relayDue = false;
    this.tx(() => {
      for (const job of this.c.schedules.takeDue(this.c.now(), ALARM_BATCH_MAX)) {
        if (job.kind === RELAY_JOB) {
          this.relay.arm(); // the next retry, in case this delivery fails or never finishes
          relayDue = true;
        } else if (!this.shipper.handle(job.kind)) {
          this.runJob(job.kind, job.ref);
        }
      }
      // Bets' holds past their expiry, from the pending holds in memory (no schedule row per hold);
      // more than a batch leaves the earliest overdue one due, so rearm fires the alarm again at once.
      for (const holdId of this.walletRg.overdueHolds(ALARM_BATCH_MAX)) this.walletRg.expireHold(holdId);
      this.c.schedules.rearm();
    });
    await Promise.all([relayDue ? this.relay.kick() : null, this.shipper.afterAlarm(), this.tournamentsRg.afterAlarm()]);
  }

  private runJob(kind: string, ref: string): void {
    switch (kind) {
      case 'hold.expire': this.walletRg.expireHold(ref); break; // rows scheduled before holds were scanned from their index
      case 'session.check': this.sessionsRg.onCheck(ref); break;
      case FEED_JOB: this.tournamentsRg.onJob(); break;
      case 'session.reality_check': this.sessionsRg.onRealityCheck(ref); break;
      case 'limit.apply': this.limitsRg.promoteDue(); break;
      case 'cool_off.end':
      case 'self_exclusion.end': if (this.c.profile()) this.profileRg.liftExpired(); break;
      case 'housekeeping':
        purgeExpiredKeys(this.c);
        this.limitsRg.purgeOldUsage();
        this.walletRg.purgeAbandoned();
        this.c.schedules.at('housekeeping', 'daily', this.c.now() + 24 * 3_600_000);
        break;
      default: throw new Error(`invariant: unknown scheduled job ${kind}`);
    }
  }
}
