/**
 * TournamentDO: one Durable Object per tournament (named by its tournament id), the single owner of
 * its entrants, scores, ranking and prizes (docs/tournaments.md). A brand's index object of the same
 * class (named `index:<brand>`) only lists the brand's tournament ids.
 *
 * - Entries: the worker asks the player's object first (it knows the player's segments and checks
 *   the entry rules), then enters the player here; joining twice, after the end or into a cancelled
 *   tournament is refused and changes nothing.
 * - Scores: each player object that joined sends its settled table bets here after they commit
 *   (durable/player/tournaments.ts), retrying until acknowledged; this object counts each event id
 *   once per player (`score_events`), so a retry or a replay never scores twice.
 * - The end: the alarm freezes the ranking FREEZE_GRACE_MS after `ends_at` (late deliveries of bets
 *   settled before the end still count until then), fixes the awards (domain/tournaments/prizes.ts)
 *   and pays each through the winner's object under its deterministic prize id (the credit's win id,
 *   idempotent there), retried by alarm until the player's object acknowledges: paid exactly once.
 */
import { DurableObject } from 'cloudflare:workers';
import { fourEyesThresholdMinor } from '../../domain/backoffice';
import { fail, type Result } from '../../domain/errors';
import type { CasinoEvent, PayloadValue } from '../../domain/events';
import type { Currency } from '../../domain/money';
import { factsOf } from '../../domain/rewards/facts';
import type { CreatedAlone } from '../../domain/tournaments/four-eyes';
import { allocatePrizes } from '../../domain/tournaments/prizes';
import { rank, type Standing } from '../../domain/tournaments/ranking';
import { prizePool, type TournamentDefinition } from '../../domain/tournaments/schema';
import { scoreOf } from '../../domain/tournaments/scoring';
import { backoffMs } from '../lib/backoff';
import { ObjectContext } from '../lib/object-context';
import type { OutboxRow } from '../lib/outbox';
import type { ScheduleRow } from '../lib/schedules';
import { OUTBOX_RETENTION_MS, OutboxShipper, PRUNE_JOB, SHIP_JOB, objectShipper } from '../lib/shipper';
import { migrate } from '../lib/sql';
import { chatHandle } from '../table/fanout';
import { TOURNAMENT_MIGRATIONS } from './schema';

/** Bets settled before the end whose delivery is still on its way count until this long after it. */
export const FREEZE_GRACE_MS = 60_000;
const END_JOB = 'tournament.end';
const PAY_JOB = 'prize.pay';
const PAY_RETRY_MS = 5_000;
const PAY_RETRY_MAX_MS = 600_000;
const ALARM_BATCH_MAX = 20;
export const LEADERBOARD_MAX = 100;

const SETTLED = 'bet-settled:';
const VOIDED = 'bet-voided:';
/** The event id of a settlement's void (`bet-settled:<hold>` -> `bet-voided:<hold>`), null for another kind of event. */
function voidIdOf(eventId: string): string | null {
  return eventId.startsWith(SETTLED) ? `${VOIDED}${eventId.slice(SETTLED.length)}` : null;
}

/** The name of a brand's index object. */
export function tournamentIndexName(brand: string): string {
  return `index:${brand}`;
}

/** A settled table bet as a player object reports it (the payload the rewards engine reads: domain/rewards/facts.ts). */
export type ScoreEvent = {
  event_id: string; player_id: string; occurred_at: number; table_id: string; round_id: string; currency: Currency;
  payload: Record<string, PayloadValue>;
  /** A dispute voided the bet: the event id of its settlement, whose points are taken back (`bet-voided:<hold id>`). */
  reverses?: string;
};
/** scored / reversed (a void took a bet's points back) / replayed / not_counted (outside the window, another currency or table, before joining, not an entrant) / closed (frozen or cancelled). */
export type ScoreOutcome = 'scored' | 'reversed' | 'replayed' | 'not_counted' | 'closed';

/** pending_approval: a prize pool above the four-eyes threshold, not yet approved by a second operator (no entries, no scores). */
export type TournamentStatus = 'pending_approval' | 'upcoming' | 'running' | 'finalizing' | 'ended' | 'cancelled';
export type TournamentView = TournamentDefinition & {
  prize_pool_minor: number; status: TournamentStatus; entrants: number;
  created_at: number; ended_at: number | null; cancelled_at: number | null; freezes_at: number;
  /** Four eyes: whether the pool needed a second operator's approval, and who gave it. */
  approval_required: boolean; approved_by: string | null; approved_at: number | null;
};
export type LeaderRow = { rank: number; handle: string; score: number; reached_at: number; prize_minor: number | null; paid: boolean | null };
export type Leaderboard = { tournament: TournamentView; leaders: LeaderRow[]; you: { rank: number | null; score: number; joined_at: number } | null };
export type AwardView = { rank: number; prize_id: string; player_id: string; amount_minor: number; score: number; paid_at: number | null; attempts: number; last_error: string | null };

/** What a tournament asks of a winner's object: credit a prize, idempotent on its prize id. */
export interface PrizePort {
  payTournamentPrize(input: { prize_id: string; currency: Currency; amount_minor: number }): Promise<Result<{ balance_after_minor: number }>>;
}

type TournamentRow = {
  tournament_id: string; definition: string; status: 'open' | 'ended' | 'cancelled'; created_at: number; created_by: string;
  ended_at: number | null; cancelled_at: number | null;
  approval_required: number; approved_by: string | null; approved_at: number | null;
};
type EntryRow = Standing & { scored_events: number };

export class TournamentDO extends DurableObject<Env> {
  private readonly c: ObjectContext;
  private readonly shipper: OutboxShipper;
  /** Consecutive failed payment runs (for the retry's backoff; a restart starts over). */
  private payFailures = 0;
  private paying: Promise<void> | null = null;
  /** Tests replace it (a winner's object that fails, then recovers). */
  prizePort: (playerId: string) => PrizePort;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.c = new ObjectContext(ctx.storage);
    this.shipper = objectShipper(this.c, ctx, env.EVENTS, 'tournament', OUTBOX_RETENTION_MS);
    this.prizePort = (playerId) => env.PLAYER.getByName(playerId);
    ctx.blockConcurrencyWhile(async () => {
      migrate(this.c.db, TOURNAMENT_MIGRATIONS, ctx.storage);
      this.shipper.init();
      this.c.schedules.rearm();
    });
  }

  private tx<T>(fn: () => T): T {
    return this.c.tx(fn);
  }

  private row(): TournamentRow | null {
    return this.c.db.first<TournamentRow>`select tournament_id, definition, status, created_at, created_by, ended_at, cancelled_at, approval_required, approved_by, approved_at from tournament where id = 1`;
  }

  private definition(row: TournamentRow): TournamentDefinition {
    return JSON.parse(row.definition) as TournamentDefinition;
  }

  private emit<T extends 'tournament.created' | 'tournament.joined' | 'tournament.cancelled' | 'tournament.ended' | 'tournament.prize.paid'>(
    type: T, payload: import('../../domain/events').EventPayload<T>, def: TournamentDefinition, playerId: string | null = null,
  ): void {
    this.c.outbox.emit(type, payload, { player_id: playerId, currency: def.currency }, this.c.now());
  }

  // ---- operators -----------------------------------------------------------------------------

  /**
   * Creates the tournament (the worker validated `def`). The same definition again is a replay (the
   * worker's retry after the brand index failed); another one under the same id is refused.
   */
  create(def: TournamentDefinition, actor: string, opts: { fourEyes?: boolean } = {}): Result<{ tournament: TournamentView; replayed: boolean }> {
    return this.tx(() => {
      const held = this.row();
      if (held) {
        return held.definition === JSON.stringify(def)
          ? { ok: true, tournament: this.view(held), replayed: true }
          : fail('already_exists', `tournament ${def.tournament_id} exists with another definition`, { tournament_id: def.tournament_id });
      }
      if (def.ends_at <= this.c.now()) return fail('validation_failed', 'ends_at is in the past', { ends_at: def.ends_at });
      // four eyes, as for a manual credit (config/backoffice.json): one operator alone could otherwise pay
      // a pool of any size to a player they control; `fourEyes`: the worker found the creator's pools of
      // the last day (the brand index) past the daily cumulative threshold
      const approvalRequired = opts.fourEyes === true || prizePool(def) > fourEyesThresholdMinor(def.currency) ? 1 : 0;
      this.c.db.run`insert into tournament (id, tournament_id, definition, status, created_at, created_by, approval_required)
        values (1, ${def.tournament_id}, ${JSON.stringify(def)}, 'open', ${this.c.now()}, ${actor}, ${approvalRequired})`;
      this.c.schedules.at(END_JOB, def.tournament_id, def.ends_at + FREEZE_GRACE_MS);
      this.emit('tournament.created', {
        tournament_id: def.tournament_id, brand: def.brand, name: def.name, starts_at: def.starts_at, ends_at: def.ends_at,
        scoring: def.scoring.map((s) => `${s.term}*${s.weight}`).join(','), segments: def.segments.join(','), tables: def.tables.join(','),
        prizes: def.prizes.length, prize_pool_minor: prizePool(def), actor,
      }, def);
      return { ok: true, tournament: this.view(this.row()!), replayed: false };
    });
  }

  /** Cancels an open tournament before its end: no prizes; entries and scores stay for the record. */
  cancel(actor: string, reason: string): Result<{ tournament: TournamentView }> {
    return this.tx(() => {
      const row = this.row();
      if (!row) return fail('tournament_not_found');
      if (row.status !== 'open') return fail('invalid_state', `the tournament is ${row.status}`, { status: row.status });
      const def = this.definition(row);
      // past its end the results stand on the leaderboard: cancelling then would let an operator veto a
      // winner (the grace before the freeze is for late deliveries, not for second thoughts)
      if (this.c.now() >= def.ends_at) return fail('invalid_state', 'the tournament has ended', { status: this.view(row).status });
      this.c.db.run`update tournament set status = 'cancelled', cancelled_at = ${this.c.now()}, cancelled_by = ${actor}, cancel_reason = ${reason} where id = 1`;
      this.c.schedules.cancel(END_JOB, def.tournament_id);
      this.emit('tournament.cancelled', { tournament_id: def.tournament_id, actor, reason }, def);
      return { ok: true, tournament: this.view(this.row()!) };
    });
  }

  /**
   * Four eyes: a second operator (never the creator) approves a pool above the threshold; until then
   * the tournament takes no entries. Refused once approved, cancelled, ended or past its end.
   */
  approve(actor: string): Result<{ tournament: TournamentView }> {
    return this.tx(() => {
      const row = this.row();
      if (!row) return fail('tournament_not_found');
      const def = this.definition(row);
      if (row.status !== 'open' || this.c.now() >= def.ends_at) return fail('invalid_state', `the tournament is ${this.view(row).status}`, { status: this.view(row).status });
      if (!row.approval_required || row.approved_at !== null) return fail('invalid_state', 'the tournament needs no approval', { status: this.view(row).status });
      if (row.created_by === actor) return fail('four_eyes_violation', 'the operator who created a tournament cannot approve it');
      this.c.db.run`update tournament set approved_by = ${actor}, approved_at = ${this.c.now()} where id = 1`;
      return { ok: true, tournament: this.view(this.row()!) };
    });
  }

  private pending(row: TournamentRow): boolean {
    return row.status === 'open' && row.approval_required === 1 && row.approved_at === null;
  }

  // ---- reads ---------------------------------------------------------------------------------

  get(): Result<{ tournament: TournamentView }> {
    const row = this.row();
    return row ? { ok: true, tournament: this.view(row) } : fail('tournament_not_found');
  }

  private view(row: TournamentRow): TournamentView {
    const def = this.definition(row);
    const now = this.c.now();
    const status: TournamentStatus = row.status === 'cancelled' ? 'cancelled' : row.status === 'ended' ? 'ended'
      : this.pending(row) && now < def.ends_at ? 'pending_approval' : now < def.starts_at ? 'upcoming' : now < def.ends_at ? 'running' : 'finalizing';
    const entrants = this.c.db.first<{ n: number }>`select count(*) as n from entries`!.n;
    return {
      ...def, prize_pool_minor: prizePool(def), status, entrants,
      created_at: row.created_at, ended_at: row.ended_at, cancelled_at: row.cancelled_at, freezes_at: def.ends_at + FREEZE_GRACE_MS,
      approval_required: row.approval_required === 1, approved_by: row.approved_by, approved_at: row.approved_at,
    };
  }

  /**
   * The ranking (scored players only, by the tie rule of domain/tournaments/ranking.ts), players shown
   * by the handle the table sockets use, never their id; `playerId`: the caller's own place.
   */
  leaderboard(limit: number, playerId: string | null = null): Result<Leaderboard> {
    return this.tx(() => {
      const row = this.row();
      if (!row) return fail('tournament_not_found');
      const def = this.definition(row);
      const top = this.c.db.all<EntryRow>`select player_id, joined_at, score, reached_at, scored_events from entries where score > 0
        order by score desc, reached_at, joined_at, player_id limit ${Math.min(limit, LEADERBOARD_MAX)}`;
      const awards = new Map(this.awards().map((a) => [a.rank, a]));
      const leaders = rank(top, { scored: true }).map((r): LeaderRow => {
        const award = awards.get(r.rank);
        const prize = row.status === 'cancelled' ? null : def.prizes[r.rank - 1] ?? null;
        return { rank: r.rank, handle: chatHandle(r.player_id), score: r.score, reached_at: r.reached_at, prize_minor: prize, paid: award ? award.paid_at !== null : null };
      });
      let you: Leaderboard['you'] = null;
      if (playerId) {
        const me = this.c.db.first<EntryRow>`select player_id, joined_at, score, reached_at from entries where player_id = ${playerId}`;
        if (me) {
          const ahead = me.score > 0 ? this.c.db.first<{ n: number }>`select count(*) as n from entries where score > ${me.score}
            or (score = ${me.score} and (reached_at < ${me.reached_at} or (reached_at = ${me.reached_at} and (joined_at < ${me.joined_at}
              or (joined_at = ${me.joined_at} and player_id < ${me.player_id})))))`!.n : null;
          you = { rank: ahead === null ? null : ahead + 1, score: me.score, joined_at: me.joined_at };
        }
      }
      return { ok: true, tournament: this.view(row), leaders, you };
    });
  }

  /** The fixed awards and their payment state (back office and tests). */
  awards(): AwardView[] {
    return this.c.db.all<AwardView>`select rank, prize_id, player_id, amount_minor, score, paid_at, attempts, last_error from awards order by rank`;
  }

  outbox(afterSeq = 0, limit = 100): OutboxRow[] {
    return this.c.outbox.list(afterSeq, Math.min(limit, 1000));
  }

  // ---- players -------------------------------------------------------------------------------

  /** Enters a player the player's object admitted (entry rules checked there). */
  join(playerId: string): Result<{ joined_at: number; tournament: TournamentView }> {
    return this.tx(() => {
      const row = this.row();
      if (!row) return fail('tournament_not_found');
      const def = this.definition(row);
      if (row.status !== 'open' || this.c.now() >= def.ends_at) {
        return fail('tournament_closed', row.status === 'cancelled' ? 'the tournament was cancelled' : 'the tournament has ended', { status: this.view(row).status });
      }
      if (this.pending(row)) return fail('tournament_closed', 'the tournament awaits approval', { status: 'pending_approval' });
      const held = this.c.db.first<{ joined_at: number }>`select joined_at from entries where player_id = ${playerId}`;
      if (held) return fail('tournament_already_joined', 'you are in this tournament already', { joined_at: held.joined_at });
      const now = this.c.now();
      this.c.db.run`insert into entries (player_id, joined_at) values (${playerId}, ${now})`;
      this.emit('tournament.joined', { tournament_id: def.tournament_id }, def, playerId);
      return { ok: true, joined_at: now, tournament: this.view(this.row()!) };
    });
  }

  /**
   * One settled bet of an entrant. Counts once per (player, event id); counts only bets settled in
   * the window, after the player joined, in the tournament's currency, at its tables. Always an
   * acknowledgement (the player's object stops retrying), whatever the outcome.
   */
  score(e: ScoreEvent): { ok: true; outcome: ScoreOutcome; points: number } {
    return this.tx(() => {
      const row = this.row();
      if (!row || row.status !== 'open' || this.pending(row)) return { ok: true as const, outcome: 'closed' as const, points: 0 };
      const def = this.definition(row);
      const entry = this.c.db.first<{ joined_at: number }>`select joined_at from entries where player_id = ${e.player_id}`;
      if (e.reverses !== undefined) return entry ? this.reverse(e, e.reverses) : { ok: true as const, outcome: 'not_counted' as const, points: 0 };
      // a void that arrived before its settlement: the settlement counts nothing
      const voided = voidIdOf(e.event_id);
      if (voided && this.c.db.first`select 1 from score_events where player_id = ${e.player_id} and event_id = ${voided}`) {
        return { ok: true as const, outcome: 'not_counted' as const, points: 0 };
      }
      const counts = entry !== null && e.occurred_at >= def.starts_at && e.occurred_at < def.ends_at && e.occurred_at >= entry.joined_at
        && e.currency === def.currency && (def.tables.length === 0 || def.tables.includes(e.table_id));
      if (!counts) return { ok: true as const, outcome: 'not_counted' as const, points: 0 };
      const event: CasinoEvent = {
        event_id: e.event_id, event_type: 'table.bet.settled', schema_version: 1, occurred_at: e.occurred_at, player_id: e.player_id,
        table_id: e.table_id, round_id: e.round_id, jurisdiction: null, currency: e.currency, payload: e.payload,
      };
      const points = scoreOf(def.scoring, factsOf(event, { session_id: null, device: null, dealer_id: null }));
      const inserted = this.c.db.run`insert into score_events (player_id, event_id, points, occurred_at, received_at)
        values (${e.player_id}, ${e.event_id}, ${points}, ${e.occurred_at}, ${this.c.now()}) on conflict do nothing`;
      if (inserted === 0) return { ok: true as const, outcome: 'replayed' as const, points: 0 };
      if (points > 0) {
        this.c.db.run`update entries set score = score + ${points}, reached_at = max(reached_at, ${e.occurred_at}), scored_events = scored_events + 1
          where player_id = ${e.player_id}`;
      }
      return { ok: true as const, outcome: 'scored' as const, points };
    });
  }

  /**
   * A dispute voided a bet: its settlement's points come off, once (the void's own event id is kept,
   * with the points it took, so a retry or the settlement arriving after it changes nothing), and the
   * time the score was reached is the latest of the bets still scoring (the tie rule).
   */
  private reverse(e: ScoreEvent, settledId: string): { ok: true; outcome: ScoreOutcome; points: number } {
    const orig = this.c.db.first<{ points: number; occurred_at: number }>`select points, occurred_at from score_events where player_id = ${e.player_id} and event_id = ${settledId}`;
    const points = orig?.points ?? 0;
    const taken = points > 0 ? -points : 0; // never -0
    const inserted = this.c.db.run`insert into score_events (player_id, event_id, points, occurred_at, received_at)
      values (${e.player_id}, ${e.event_id}, ${taken}, ${orig?.occurred_at ?? e.occurred_at}, ${this.c.now()}) on conflict do nothing`;
    if (inserted === 0) return { ok: true, outcome: 'replayed', points: 0 };
    if (points > 0) {
      const reached = this.c.db.first<{ at: number }>`select coalesce(max(s.occurred_at), 0) as at from score_events s
        where s.player_id = ${e.player_id} and s.points > 0
          and not exists (select 1 from score_events v where v.player_id = s.player_id and v.event_id = ${VOIDED} || substr(s.event_id, ${SETTLED.length + 1}))`!.at;
      this.c.db.run`update entries set score = score - ${points}, reached_at = ${reached}, scored_events = scored_events - 1 where player_id = ${e.player_id}`;
    }
    return { ok: true, outcome: 'reversed', points: taken };
  }

  // ---- the end -------------------------------------------------------------------------------

  /**
   * Freezes the ranking and fixes the awards, once (status 'open' -> 'ended' in the same transaction
   * as the awards and the job's removal: a second run finds it ended and does nothing; a restart
   * before it commits leaves the job due). Payment follows.
   */
  private freeze(job: ScheduleRow): void {
    this.tx(() => {
      const row = this.row();
      if (!row || row.status !== 'open') {
        this.c.schedules.done(job);
        return;
      }
      const def = this.definition(row);
      if (this.c.now() < def.ends_at + FREEZE_GRACE_MS) { // not yet: the job moves to when it is due
        this.c.schedules.at(END_JOB, def.tournament_id, def.ends_at + FREEZE_GRACE_MS);
        return;
      }
      this.c.schedules.done(job);
      const standings = this.c.db.all<EntryRow>`select player_id, joined_at, score, reached_at from entries`;
      // never approved (four eyes): nobody could join, and nothing is paid whatever the table says
      const ranking = this.pending(row) ? [] : rank(standings, { scored: true });
      const { awards, unawarded_minor } = allocatePrizes(def.tournament_id, def.prizes, ranking);
      for (const a of awards) {
        this.c.db.run`insert into awards (rank, prize_id, player_id, amount_minor, score)
          values (${a.rank}, ${a.prize_id}, ${a.player_id}, ${a.amount_minor}, ${ranking[a.rank - 1]!.score})`;
      }
      this.c.db.run`update tournament set status = 'ended', ended_at = ${this.c.now()} where id = 1`;
      this.emit('tournament.ended', {
        tournament_id: def.tournament_id, entrants: standings.length, scored: ranking.length, awards: awards.length,
        awarded_minor: awards.reduce((s, a) => s + a.amount_minor, 0), unawarded_minor,
      }, def);
      if (awards.length > 0) this.c.schedules.at(PAY_JOB, def.tournament_id, this.c.now());
    });
  }

  /** Pays every unpaid award (one run at a time); what fails is retried by alarm, with backoff. */
  private payPrizes(): Promise<void> {
    this.paying ??= this.payRun().finally(() => { this.paying = null; });
    return this.paying;
  }

  private async payRun(): Promise<void> {
    const row = this.tx(() => this.row());
    if (!row || row.status !== 'ended') return;
    const def = this.definition(row);
    const unpaid = this.tx(() => this.awards().filter((a) => a.paid_at === null));
    const answers = await Promise.all(unpaid.map(async (a) => ({
      a, r: await this.prizePort(a.player_id).payTournamentPrize({ prize_id: a.prize_id, currency: def.currency, amount_minor: a.amount_minor })
        .catch((err: unknown): Result<{ balance_after_minor: number }> => fail('internal_error', String(err))),
    })));
    this.tx(() => {
      for (const { a, r } of answers) {
        if (r.ok) {
          // guarded: a payment recorded once, whatever runs overlap
          const marked = this.c.db.run`update awards set paid_at = ${this.c.now()}, attempts = attempts + 1, last_error = null where rank = ${a.rank} and paid_at is null`;
          if (marked > 0) this.emit('tournament.prize.paid', { tournament_id: def.tournament_id, prize_id: a.prize_id, rank: a.rank, score: a.score, amount_minor: a.amount_minor }, def, a.player_id);
        } else {
          this.c.db.run`update awards set attempts = attempts + 1, last_error = ${`${r.code}: ${r.message ?? ''}`.slice(0, 500)} where rank = ${a.rank}`;
        }
      }
      const left = this.c.db.first<{ n: number }>`select count(*) as n from awards where paid_at is null`!.n;
      this.payFailures = left > 0 ? this.payFailures + 1 : 0;
      if (left > 0) this.c.schedules.at(PAY_JOB, def.tournament_id, this.c.now() + backoffMs(this.payFailures, PAY_RETRY_MS, PAY_RETRY_MAX_MS));
      else this.c.schedules.cancel(PAY_JOB, def.tournament_id);
    });
  }

  // ---- brand index (objects named index:<brand>) ---------------------------------------------

  /** Lists a tournament in its brand's index (idempotent), with who created it, its currency and pool (four eyes). */
  list(tournamentId: string, meta: { created_by: string; currency: Currency; prize_pool_minor: number; approval_required: boolean }): void {
    this.tx(() => {
      this.c.db.run`insert into listed (tournament_id, created_at, created_by, currency, prize_pool_minor, approval_required)
        values (${tournamentId}, ${this.c.now()}, ${meta.created_by}, ${meta.currency}, ${meta.prize_pool_minor}, ${meta.approval_required ? 1 : 0}) on conflict do nothing`;
    });
  }

  /**
   * The pools one operator created alone (no second operator's approval) within the window, per
   * currency: the daily cumulative four eyes adds them up across currencies (domain/tournaments/four-eyes.ts).
   */
  createdAlone(actor: string, windowMs: number): CreatedAlone[] {
    return this.c.db.all<CreatedAlone>`select currency, sum(prize_pool_minor) as total_minor from listed
      where created_by = ${actor} and approval_required = 0 and created_at > ${this.c.now() - windowMs} group by currency order by currency`;
  }

  listed(limit = 100): string[] {
    return this.c.db.all<{ tournament_id: string }>`select tournament_id from listed order by created_at desc, tournament_id limit ${limit}`.map((r) => r.tournament_id);
  }

  // ---- alarm ---------------------------------------------------------------------------------

  /** At least once, like the table's: a job stays until it has run; every handler is idempotent. */
  override async alarm(): Promise<void> {
    const jobs = this.tx(() => this.c.schedules.due(this.c.now(), ALARM_BATCH_MAX));
    for (const job of jobs) await this.runJob(job);
    this.tx(() => this.c.schedules.rearm());
    await this.shipper.afterAlarm();
  }

  private async runJob(job: ScheduleRow): Promise<void> {
    switch (job.kind) {
      case END_JOB:
        this.freeze(job);
        await this.payPrizes();
        return;
      // the run's last transaction moves the job on (a retry) or removes it; a restart before that leaves it due
      case PAY_JOB: await this.payPrizes(); return;
      case SHIP_JOB:
      case PRUNE_JOB: this.tx(() => { this.shipper.handle(job.kind); this.c.schedules.done(job); }); return;
      default: throw new Error(`invariant: unknown scheduled job ${job.kind}`);
    }
  }
}
