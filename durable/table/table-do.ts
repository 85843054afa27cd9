/**
 * TableDO: one Durable Object per live table (named by its table_id in config/tables.json), the
 * single owner of its rounds and bets. Money never lives here: a bet is a hold in the player's
 * object, reserved when the bet is placed and posted or voided at settlement, through idempotent
 * calls only (player-port.ts), so every retry is safe.
 *
 * Rounds: betting_open (closed by alarm when the timer runs out) -> betting_closed -> result (from
 * the dealer, or drawn from a committed CSPRNG seed on automated tables) -> settled; or voided by an
 * operator before the result, refunding every bet. Automated tables cycle only while someone
 * watches, so an idle table costs nothing; WebSockets use the Hibernation API for the same reason.
 *
 * State changes and their events commit together (one SQLite transaction, no await inside); the
 * awaits between them (calls to player objects) are written so that a restart at any point is
 * finished by the alarm.
 */
import { DurableObject } from 'cloudflare:workers';
import { fail, type Result } from '../../domain/errors';
import { drawRound } from '../../domain/fairness/provably-fair';
import type { OutboxRow } from '../lib/outbox';
import type { ScheduleRow } from '../lib/schedules';
import { OUTBOX_RETENTION_MS, OutboxShipper, PRUNE_JOB, SHIP_JOB, objectShipper } from '../lib/shipper';
import { backoffMs } from '../lib/backoff';
import { migrate } from '../lib/sql';
import { Bets, betView, ROUND_RESULT_DEADLINE_MS } from './bets';
import { HOLD_TTL_MAX_MS } from '../player/wallet';
import { Chat, shoutOutLine } from './chat';
import { catalogGame } from './catalog-port';
import { tableConfig, type TableConfig } from './config';
import { TableContext } from './context';
import { Fanout, SPECTATOR_TAG, type SocketAttachment } from './fanout';
import { playerPort } from './player-port';
import { Rounds } from './rounds';
import { TABLE_MIGRATIONS } from './schema';
import { Settlement, type SettledBet } from './settlement';
import type { BetView, PlaceBetInput, PublicRound, RoundDetail, RoundRow, TableView } from './types';
import { observedRtp, type TableRtp } from './rtp';
import { tableLeaderboard, type TableLeaderboard } from './leaderboard';
import { BlackjackTable, TIMER_JOB, type BehindInput, type BlackjackBetInput, type BlackjackHost, type BlackjackRoundView, type DecisionInput, type MoveAnswer } from './blackjack/blackjack-table';
import type { BetRow } from './types';

const ALARM_BATCH_MAX = 50;
/** A settlement or refund run that dies (restart, failed calls) is picked up again this long after it started. */
const SETTLE_BACKUP_MS = 60_000;
const WS_MESSAGE_MAX_BYTES = 2048;
const RELEASE_RETRY_BASE_MS = 2_000;
const RELEASE_RETRY_MAX_MS = 300_000;
/** A scheduled job whose handler threw runs again this much later, doubling per consecutive failure up to JOB_RETRY_MAX_MS. */
const JOB_RETRY_MS = 30_000;
const JOB_RETRY_MAX_MS = 600_000;

export class TableDO extends DurableObject<Env> {
  private readonly c: TableContext;
  private readonly rounds: Rounds;
  private readonly bets: Bets;
  private readonly chat: Chat;
  private readonly fanout: Fanout;
  private readonly settlement: Settlement;
  private readonly shipper: OutboxShipper;
  /** Reservations in flight (bet id -> promise): settlement and voids wait for them first. */
  private readonly inflight = new Map<string, Promise<unknown>>();
  /** One settlement or refund run per round at a time (the alarm and a dealer may both start one). */
  private readonly running = new Map<string, Promise<unknown>>();
  /** Consecutive failures to release a refused bet's hold (for the retry's backoff; a restart starts over). */
  private readonly releaseFailures = new Map<string, number>();
  /** Consecutive failures of a scheduled job (kind|ref), for its retry's backoff (a restart starts over). */
  private readonly jobFailures = new Map<string, number>();
  /** Blackjack tables only: the game's moves, timers and pricing (durable/table/blackjack/). */
  private readonly bj: BlackjackTable | null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const table = tableConfig(ctx.id.name ?? '');
    if (!table) throw new Error(`invariant: no table ${ctx.id.name} in config/tables.json (use TABLE.getByName(table_id))`);
    this.c = new TableContext(ctx.storage, table);
    this.rounds = new Rounds(this.c);
    this.bets = new Bets(this.c);
    this.chat = new Chat(this.c);
    this.fanout = new Fanout(ctx);
    this.settlement = new Settlement(this.c, this.rounds, this.bets, (id) => playerPort(env, id), (fn) => this.tx(fn));
    this.bj = table.blackjack ? new BlackjackTable(this.c, table.blackjack, this.rounds, this.bets, this.blackjackHost()) : null;
    // Only the outbox() RPC reads this outbox (rounds and bets are tables of their own): shipped rows go after the retention.
    this.shipper = objectShipper(this.c, ctx, env.EVENTS, 'table', OUTBOX_RETENTION_MS);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
    ctx.blockConcurrencyWhile(async () => {
      migrate(this.c.db, TABLE_MIGRATIONS, ctx.storage);
      this.shipper.init();
      // settlements and refunds a restart interrupted are finished by the alarm
      for (const r of this.rounds.unfinished()) this.c.schedules.at(r.state === 'result' ? 'round.settle' : 'round.refund', r.round_id, this.c.now());
      this.c.schedules.rearm();
    });
  }

  /**
   * Through ObjectContext.tx: a transaction that throws (rolled back, its alarm write with it) makes
   * the schedules forget the alarm time they remember, so the next job re-arms it.
   */
  private tx<T>(fn: () => T): T {
    return this.c.tx(fn);
  }

  private get table(): TableConfig {
    return this.c.table;
  }

  // ---- reads ---------------------------------------------------------------------------------

  view(): TableView {
    return this.tx(() => {
      const r = this.rounds.latest();
      return {
        table_id: this.table.table_id, name: this.table.name, game: this.table.game, game_id: this.table.game_id, brand: this.table.brand,
        mode: this.table.mode, betting_seconds: this.table.betting_seconds, currencies: Object.keys(this.table.limits) as TableView['currencies'],
        watchers: this.fanout.watchers(), round: r ? this.rounds.publicView(r) : null,
      };
    });
  }

  /** A round's public data (enough to verify an automated round: commitment, seed, outcome). */
  round(roundId: string): Result<{ round: PublicRound }> {
    return this.tx(() => {
      const r = this.rounds.get(roundId);
      return r ? { ok: true, round: this.rounds.publicView(r) } : fail('round_not_found');
    });
  }

  history(opts: { before: number | null; limit: number }): { rounds: PublicRound[]; next_before: number | null } {
    return this.tx(() => {
      const list = this.rounds.list(opts);
      const last = list.at(-1);
      return { rounds: list.map((r) => this.rounds.publicView(r)), next_before: list.length === opts.limit && last ? last.round_no : null };
    });
  }

  /** For the back office: a round with its totals and bets (player ids included). */
  roundDetail(roundId: string, limit = 1000): Result<RoundDetail> {
    return this.tx(() => {
      const r = this.rounds.get(roundId);
      if (!r) return fail('round_not_found');
      return {
        ok: true, round: this.rounds.publicView(r), totals: this.bets.totals(roundId),
        bets: this.bets.ofRound(roundId, limit).map((b) => ({ ...betView(b), player_id: b.player_id })),
      };
    });
  }

  myBets(playerId: string, roundId: string): BetView[] {
    return this.tx(() => this.bets.ofPlayer(roundId, playerId).map(betView));
  }

  rtp(): TableRtp {
    return this.tx(() => observedRtp(this.c));
  }

  /** Today's top net winners at this table, by handle (leaderboard.ts). */
  leaderboard(limit = 10): TableLeaderboard {
    return this.tx(() => tableLeaderboard(this.c, limit));
  }

  outbox(afterSeq = 0, limit = 100): OutboxRow[] {
    return this.c.outbox.list(afterSeq, Math.min(limit, 1000));
  }

  // ---- bets ----------------------------------------------------------------------------------

  /** Places one bet: checked here, then its stake reserved in the player's object. Idempotent on bet_id. */
  async placeBet(input: PlaceBetInput): Promise<Result<{ bet: BetView; replayed: boolean; available_minor: number | null }>> {
    if (this.bj) return fail('wrong_game', 'a blackjack table takes seats and bets at POST /v1/tables/{table_id}/blackjack/bets');
    const began = this.tx(() => {
      const replay = this.bets.replay(input);
      if (replay) return replay.ok ? { ok: true as const, bet: replay.bet, replayed: true } : replay;
      const b = this.bets.begin(this.rounds.get(input.round_id), input);
      return b.ok ? { ok: true as const, bet: b.bet, replayed: false } : b;
    });
    if (!began.ok) return began;
    if (began.replayed) {
      await this.inflight.get(input.bet_id);
      const b = this.tx(() => this.bets.get(input.bet_id)!);
      return b.state === 'refused' ? fail('invalid_state', `bet was refused: ${b.refusal}`, { bet: betView(b) }) : { ok: true, bet: betView(b), replayed: true, available_minor: null };
    }
    const reservation = this.reserve(began.bet);
    this.inflight.set(input.bet_id, reservation);
    try {
      return await reservation;
    } finally {
      this.inflight.delete(input.bet_id);
    }
  }

  private async reserve(b: BetRow) {
    const round = this.tx(() => this.rounds.get(b.round_id)!);
    const answer = await this.askHold(b, JSON.parse(round.offered_in) as string[]);
    const outcome = this.tx(() => {
      const bet = this.bets.get(b.bet_id)!;
      if (!answer.ok) {
        this.bets.refuse(b.bet_id, answer.code);
        return { accepted: null, voidHold: false };
      }
      const now = this.rounds.get(b.round_id)!;
      if (bet.state !== 'reserving' || now.state !== 'betting_open' || answer.hold.state !== 'pending') {
        this.bets.refuse(b.bet_id, 'betting_closed');
        return { accepted: null, voidHold: answer.hold.state === 'pending' };
      }
      return { accepted: this.bets.accept(bet, answer.jurisdiction), voidHold: false };
    });
    if (!answer.ok) return answer;
    if (!outcome.accepted) {
      if (outcome.voidHold) await this.releaseHold(b.player_id, b.hold_id);
      return fail('betting_closed', 'betting closed before the bet was confirmed; its stake was not taken');
    }
    const view = betView(outcome.accepted);
    this.fanout.toPlayer(b.player_id, { type: 'bet.accepted', bet: view, available_minor: answer.available_minor });
    return { ok: true as const, bet: view, replayed: false, available_minor: answer.available_minor };
  }

  /** Asks the player's object for a bet's hold. Its expiry is the player object's maximum: the round's deadline comes long before it. */
  private askHold(b: Pick<BetRow, 'player_id' | 'session_id' | 'hold_id' | 'currency' | 'amount_minor' | 'round_id' | 'max_return_minor' | 'spot' | 'bet_type' | 'created_at'> & { free_bet_id?: string | null }, offeredIn: string[]) {
    return playerPort(this.env, b.player_id).reserveTableBet(b.session_id, {
      hold_id: b.hold_id, currency: b.currency, amount_minor: b.amount_minor, expires_at: this.c.now() + HOLD_TTL_MAX_MS,
      ref: `${this.table.table_id}:${b.round_id}`, max_return_minor: b.max_return_minor,
      // a free bet: the player's object takes the token instead of holding the player's money
      ...(b.free_bet_id ? { free_bet: { free_bet_id: b.free_bet_id, table_id: this.table.table_id } } : {}),
    }, offeredIn, {
      // for the player's rewards rules only (player-port.ts): from the bet row, so a retry carries the same
      table_id: this.table.table_id, round_id: b.round_id, game: this.table.game, game_id: this.table.game_id,
      spot: b.spot, bet_type: b.bet_type, session_id: b.session_id, amount_minor: b.amount_minor, currency: b.currency, at: b.created_at,
    });
  }

  /**
   * Gives back the hold of a bet this table refused after the player's object had reserved it. A
   * failed call is retried by alarm (with backoff) until the player's object answers, so the stake
   * is never left held until the hold's own expiry.
   */
  private async releaseHold(playerId: string, holdId: string): Promise<void> {
    const ref = `${playerId}|${holdId}`;
    const r = await playerPort(this.env, playerId).abandonTableBet(holdId)
      .catch((err: unknown): Result<object> => ({ ok: false, code: 'internal_error', message: String(err) }));
    // invalid_state: already voided or expired (the stake is back either way)
    const released = r.ok || r.code === 'invalid_state';
    const failures = released ? 0 : (this.releaseFailures.get(ref) ?? 0) + 1;
    if (released) this.releaseFailures.delete(ref);
    else this.releaseFailures.set(ref, failures);
    this.tx(() => {
      if (released) this.c.schedules.cancel('hold.release', ref);
      else this.c.schedules.at('hold.release', ref, this.c.now() + backoffMs(failures, RELEASE_RETRY_BASE_MS, RELEASE_RETRY_MAX_MS));
    });
  }

  // ---- blackjack -----------------------------------------------------------------------------

  /** Takes a seat (Seated) or a place (Infinite) with a main bet and side bets; idempotent on bet_id. */
  blackjackBet(input: BlackjackBetInput): Promise<MoveAnswer> {
    return this.bj ? this.bj.bet(input) : Promise.resolve(fail('wrong_game', 'not a blackjack table'));
  }

  blackjackBehind(input: BehindInput): Promise<MoveAnswer> {
    return this.bj ? this.bj.behind(input) : Promise.resolve(fail('wrong_game', 'not a blackjack table'));
  }

  blackjackDecide(input: DecisionInput): Promise<MoveAnswer> {
    return this.bj ? this.bj.decide(input) : Promise.resolve(fail('wrong_game', 'not a blackjack table'));
  }

  blackjackLeave(input: { player_id: string; round_id: string; seat?: number }): Promise<MoveAnswer> {
    return this.bj ? this.bj.leave(input) : Promise.resolve(fail('wrong_game', 'not a blackjack table'));
  }

  /** A dealer's card (dealer tables): checked against the hand and the shoe's composition. */
  blackjackCard(roundId: string, card: string, position?: number): Promise<MoveAnswer> {
    return this.bj ? this.bj.dealerCard(roundId, card, position) : Promise.resolve(fail('wrong_game', 'not a blackjack table'));
  }

  /** The round (the latest when roundId is null) as everyone sees it, and the player's own hands and actions. */
  blackjackRound(roundId: string | null, playerId: string | null): Result<{ round: BlackjackRoundView }> {
    if (!this.bj) return fail('wrong_game', 'not a blackjack table');
    const id = roundId ?? this.tx(() => this.rounds.latest())?.round_id;
    const view = id ? this.bj.view(id, playerId) : null;
    return view ? { ok: true, round: view } : fail('round_not_found');
  }

  private blackjackHost(): BlackjackHost {
    return {
      tx: (fn) => this.tx(fn),
      reserveHold: (b, offeredIn) => this.askHold(b, offeredIn),
      releaseHold: (playerId, holdId) => this.releaseHold(playerId, holdId),
      abandonHold: (playerId, holdId) => playerPort(this.env, playerId).abandonTableBet(holdId)
        .catch((err: unknown): Result<object> => ({ ok: false, code: 'internal_error', message: String(err) })),
      settle: (roundId) => this.runSettlement(roundId),
      announceResult: (roundId) => { this.announce('round.result', this.tx(() => this.rounds.get(roundId)!)); },
      fanout: this.fanout,
      inflight: this.inflight,
    };
  }

  // ---- round lifecycle -----------------------------------------------------------------------

  /** Opens betting (a dealer, or the automated table itself). The game must be enabled in the catalog. */
  async openRound(actor: string, bettingSeconds?: number): Promise<Result<{ round: PublicRound }>> {
    const game = await catalogGame(this.env, this.table.game_id);
    if (!game.ok) return game;
    if (!game.game.enabled) return fail('game_disabled', `${this.table.game_id} is disabled in the catalog`);
    const r = this.tx(() => {
      const opened = this.rounds.open(actor, game.game.jurisdictions, bettingSeconds);
      if (opened.ok) this.bj?.opened(opened.round.round_id);
      return opened;
    });
    if (!r.ok) return r;
    return { ok: true, round: this.announce('round.opened', r.round) };
  }

  async closeRound(roundId: string, actor: string): Promise<Result<{ round: PublicRound }>> {
    const r = this.tx(() => {
      const closed = this.rounds.close(roundId, actor);
      if (!closed.ok) return closed;
      // blackjack deals (an automated table from its shoe) in the same transaction; the others draw next
      if (this.bj) return { ...closed, dealt: this.bj.closed(closed.round) };
      if (this.table.mode === 'auto') this.c.schedules.at('round.draw', roundId, this.c.now());
      return { ...closed, dealt: null };
    });
    if (!r.ok) return r;
    const round = this.announce('round.closed', r.round);
    if (this.bj && r.dealt) await this.bj.afterCommit(roundId, r.dealt);
    return { ok: true, round };
  }

  /** A dealer's (or studio feed's) result; settlement runs before this returns (the alarm finishes it if interrupted). */
  async enterResult(roundId: string, input: unknown, actor: string): Promise<Result<{ round: PublicRound }>> {
    if (this.table.mode !== 'dealer') return fail('invalid_state', 'automated tables draw their own results');
    if (this.bj) return fail('wrong_game', 'a blackjack result is its cards: POST /v1/ops/tables/{table_id}/rounds/{round_id}/cards, one at a time');
    const parsed = this.c.rules.parseOutcome(input);
    if (!parsed.ok) return fail('invalid_outcome', parsed.reason);
    return this.resultAndSettle(roundId, parsed.outcome, 'dealer', actor);
  }

  private async resultAndSettle(roundId: string, outcome: unknown, source: 'rng' | 'dealer', actor: string): Promise<Result<{ round: PublicRound }>> {
    const r = this.tx(() => {
      const done = this.rounds.recordResult(roundId, outcome, source, actor);
      if (done.ok) this.c.schedules.at('round.settle', roundId, this.c.now() + SETTLE_BACKUP_MS);
      return done;
    });
    if (!r.ok) return r;
    this.announce('round.result', r.round);
    await this.runSettlement(roundId);
    return { ok: true, round: this.tx(() => this.rounds.publicView(this.rounds.get(roundId)!)) };
  }

  /**
   * Bench E5's floor, development only (the worker's /v1/dev route): one empty call to the player
   * object of every bet of a round, in settlement's waves. Changes nothing.
   */
  async floorProbe(roundId: string): Promise<Result<{ calls: number; ms: number }>> {
    if (!this.tx(() => this.rounds.get(roundId))) return fail('round_not_found');
    return { ok: true, ...(await this.settlement.probePlayers(roundId)) };
  }

  /**
   * Development only (the worker's /v1/dev route, bench E5's blackjack variant): moves a blackjack
   * round's open decision timer (insurance, or the decision window) to `dueInSeconds` from now, and
   * with 0 runs it at once, as the alarm does when the window runs out: insurance declined, or every
   * open hand stood; when that completes the hand, the dealer plays, the result is recorded and every
   * stake settled before this returns. A benchmark placing 1,000 bets cannot beat a 15 s window.
   */
  async devDecisionTimer(roundId: string, dueInSeconds: number): Promise<Result<{ round: PublicRound; timer: string }>> {
    if (!this.bj) return fail('wrong_game', 'not a blackjack table');
    const armed = this.bj.moveTimer(roundId, this.c.now() + dueInSeconds * 1000);
    if (!armed.ok) return armed;
    // the timer re-arms or cancels its own job (a job left due is run by the alarm, harmlessly: the key moved on)
    if (dueInSeconds === 0) await this.bj.timerFired(roundId);
    return { ok: true, round: this.tx(() => this.rounds.publicView(this.rounds.get(roundId)!)), timer: armed.key };
  }

  /** Voids a round before its result: no more bets, every stake goes back. */
  async voidRound(roundId: string, actor: string, reason: string): Promise<Result<{ round: PublicRound }>> {
    const r = this.tx(() => {
      const open = this.c.db.first<{ n: number }>`select count(*) as n from bets where round_id = ${roundId} and state in ('reserving', 'accepted')`!.n;
      const voided = this.rounds.void(roundId, actor, reason, open);
      if (voided.ok) this.c.schedules.at('round.refund', roundId, this.c.now() + SETTLE_BACKUP_MS);
      if (voided.ok) this.c.schedules.cancel(TIMER_JOB, roundId);
      return voided;
    });
    if (!r.ok) return r;
    this.announce('round.voided', r.round);
    await this.runRefund(roundId);
    return { ok: true, round: this.tx(() => this.rounds.publicView(this.rounds.get(roundId)!)) };
  }

  /** A round still without a result at its deadline is voided in full, before any of its holds can expire. */
  private async expireRound(roundId: string): Promise<void> {
    const r = this.tx(() => this.rounds.get(roundId));
    if (!r || (r.state !== 'betting_open' && r.state !== 'betting_closed')) return;
    const voided = await this.voidRound(roundId, 'system', `no result within ${ROUND_RESULT_DEADLINE_MS / 60_000} minutes of opening`);
    if (!voided.ok) console.warn(`table ${this.table.table_id}: expire ${roundId}: ${voided.code}`);
  }

  private runSettlement(roundId: string): Promise<unknown> {
    return this.once(`settle:${roundId}`, async () => {
      await this.awaitReservations();
      // an automated table's next round is scheduled by the transaction that settles or parks this one (Rounds.scheduleNext)
      const { settledNow, finished } = await this.settlement.settle(roundId, this.bj?.priceOf);
      this.notifySettled(finished);
      // once: a settle job run again for a round already settled announces nothing
      if (settledNow) this.announce('round.settled', this.tx(() => this.rounds.get(roundId)!));
    });
  }

  private runRefund(roundId: string): Promise<unknown> {
    return this.once(`refund:${roundId}`, async () => {
      await this.awaitReservations();
      const { finished } = await this.settlement.refund(roundId);
      this.notifySettled(finished);
    });
  }

  private async once(key: string, fn: () => Promise<void>): Promise<unknown> {
    const running = this.running.get(key);
    if (running) return running;
    const p = fn().finally(() => this.running.delete(key));
    this.running.set(key, p);
    return p;
  }

  private async awaitReservations(): Promise<void> {
    await Promise.allSettled([...this.inflight.values()]);
  }

  private notifySettled(finished: SettledBet[]): void {
    for (const f of finished) {
      this.fanout.toPlayer(f.bet.player_id, { type: 'bet.settled', bet: betView(f.bet), ...(f.available_minor === null ? {} : { available_minor: f.available_minor }) });
    }
  }

  private announce(type: 'round.opened' | 'round.closed' | 'round.result' | 'round.settled' | 'round.voided', r: RoundRow): PublicRound {
    const round = this.rounds.publicView(r);
    this.fanout.toAll({ type, round, server_time: this.c.now() });
    return round;
  }

  // ---- automated tables ----------------------------------------------------------------------

  /** Draws the result of a closed automated round from its committed seed. */
  private async draw(roundId: string): Promise<void> {
    const r = this.tx(() => this.rounds.get(roundId));
    const game = this.table.game;
    if (!r || r.state !== 'betting_closed' || !r.server_seed || game === 'blackjack') return;
    const outcome = drawRound(game, r.server_seed, this.table.table_id, r.round_id);
    await this.resultAndSettle(roundId, outcome, 'rng', 'rng');
  }

  /** Starts the next automated round if anyone is watching; otherwise the table goes idle. */
  private async wake(): Promise<void> {
    if (this.table.mode !== 'auto' || this.fanout.watchers() === 0) return;
    const last = this.tx(() => this.rounds.latest());
    if (last && this.rounds.blocksNext(last)) return;
    const opened = await this.openRound('rng');
    if (!opened.ok && opened.code !== 'invalid_state') console.warn(`table ${this.table.table_id}: cannot open a round: ${opened.code}`);
  }

  // ---- WebSockets ----------------------------------------------------------------------------

  /** WebSocket upgrades only; the worker has authenticated the player (or lets a spectator in). */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') return new Response('expected a WebSocket upgrade', { status: 426 });
    const playerId = request.headers.get('X-Player-Id');
    const sessionId = request.headers.get('X-Session-Id');
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [playerId ?? SPECTATOR_TAG]);
    server.serializeAttachment({ player_id: playerId, session_id: sessionId, joined_at: this.c.now() } satisfies SocketAttachment);
    const view = this.view();
    server.send(JSON.stringify({
      type: 'hello', table: view, you: playerId ? { player_id: playerId, bets: view.round ? this.myBets(playerId, view.round.round_id) : [] } : null,
      chat: this.tx(() => this.chat.recent()), server_time: this.c.now(),
    }));
    await this.wake();
    const protocol = request.headers.get('Sec-WebSocket-Protocol')?.split(',').map((p) => p.trim()).includes('casino.v1') ? 'casino.v1' : null;
    return new Response(null, { status: 101, webSocket: client, headers: protocol ? { 'Sec-WebSocket-Protocol': protocol } : {} });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const reply = (code: string, msg: string) => ws.send(JSON.stringify({ type: 'error', code, message: msg }));
    if (typeof message !== 'string' || message.length > WS_MESSAGE_MAX_BYTES) return reply('validation_failed', `send JSON text up to ${WS_MESSAGE_MAX_BYTES} bytes`);
    let msg: { type?: unknown; text?: unknown };
    try {
      msg = JSON.parse(message) as typeof msg;
    } catch {
      return reply('malformed_json', 'messages are JSON');
    }
    const who = ws.deserializeAttachment() as SocketAttachment | null;
    if (msg?.type === 'chat') {
      if (!who?.player_id) return reply('unauthenticated', 'spectators cannot chat; connect with a player token');
      const posted = this.tx(() => this.chat.post(who.player_id!, msg.text));
      if (!posted.ok) return reply(posted.code, posted.message ?? posted.code);
      this.fanout.toAll({ type: 'chat', ...posted.line });
      return;
    }
    if (msg?.type === 'state') {
      ws.send(JSON.stringify({ type: 'hello', table: this.view(), server_time: this.c.now() }));
      return;
    }
    reply('validation_failed', "unknown message type (expected 'chat' or 'state'; bets are placed with POST /v1/tables/{table_id}/bets)");
  }

  /**
   * A rewards shout-out from a player's object, after the grant committed (durable/player/channel.ts):
   * shown to everyone watching, not kept, no transaction. Best effort: nobody retries it.
   */
  shoutOut(input: { player_id: string; template: string; rule_id: string; at: number }): { ok: true; watchers: number } {
    this.fanout.toAll({ type: 'shout_out', ...shoutOutLine(input.player_id, input.template, input.at), rule_id: input.rule_id });
    return { ok: true, watchers: this.fanout.watchers() };
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, reason);
    } catch {
      // already closed
    }
  }

  // ---- alarm ---------------------------------------------------------------------------------

  /**
   * At least once: a due job stays in `schedules` until it has run (`done` in the transaction after
   * it, or in its own for the shipper's), so a restart between taking the jobs and finishing them
   * runs them again from the re-armed alarm. Every handler is idempotent (guarded state changes,
   * idempotent player calls). A job that throws is retried later instead of stopping the others.
   */
  override async alarm(): Promise<void> {
    const jobs = this.tx(() => this.c.schedules.due(this.c.now(), ALARM_BATCH_MAX));
    for (const job of jobs) {
      const key = `${job.kind}|${job.ref}`;
      try {
        await this.runJob(job);
        this.jobFailures.delete(key);
      } catch (err) {
        const failures = (this.jobFailures.get(key) ?? 0) + 1;
        this.jobFailures.set(key, failures);
        const delay = backoffMs(failures, JOB_RETRY_MS, JOB_RETRY_MAX_MS);
        console.warn(`table ${this.table.table_id}: job ${job.kind} ${job.ref} failed (${failures} in a row); retried in ${delay / 1000} s: ${String(err)}`);
        this.tx(() => this.c.schedules.retryAt(job, this.c.now() + delay));
      }
    }
    this.tx(() => this.c.schedules.rearm());
    await this.shipper.afterAlarm();
  }

  private async runJob(job: ScheduleRow): Promise<void> {
    switch (job.kind) {
      case 'round.close': {
        const closed = await this.closeRound(job.ref, this.table.mode === 'auto' ? 'rng' : 'timer');
        if (!closed.ok && closed.code !== 'invalid_state') console.warn(`table ${this.table.table_id}: close ${job.ref}: ${closed.code}`);
        break;
      }
      case 'round.draw': await this.draw(job.ref); break;
      case 'round.settle': await this.runSettlement(job.ref); break;
      case 'round.refund': await this.runRefund(job.ref); break;
      case 'round.open': await this.wake(); break;
      case 'round.expire': await this.expireRound(job.ref); break;
      case TIMER_JOB: await this.bj?.timerFired(job.ref); break;
      case 'hold.release': {
        const [playerId, holdId] = job.ref.split('|') as [string, string];
        await this.releaseHold(playerId, holdId);
        break;
      }
      case SHIP_JOB:
      case PRUNE_JOB: this.tx(() => { this.shipper.handle(job.kind); this.c.schedules.done(job); }); return;
      default: throw new Error(`invariant: unknown scheduled job ${job.kind}`);
    }
    this.tx(() => this.c.schedules.done(job));
  }
}
