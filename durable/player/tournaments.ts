/**
 * The player's side of tournaments (docs/tournaments.md): the entry rules, which need what only this
 * object knows (the player's segments, brand and currency), and the feed of settled table bets to the
 * tournaments the player joined.
 *
 * Exactly once, the simplest way: a settled bet writes one `tournament_feed` row per running
 * tournament it may count for, in the settling transaction itself (so a bet cannot settle without its
 * row, nor a rolled-back settlement leave one). After commit the rows are sent; each is deleted once
 * its tournament acknowledged it; a failed send stays and is retried by the alarm (with backoff).
 * The tournament counts each (player, event id) once, so the retries of a send that did arrive
 * change nothing. The event id is the rewards engine's (`bet-settled:<hold id>`): a table retrying
 * its settlement gets the wallet's first answer, and the rows are written only by that first one.
 *
 * Cost on the bet path of a player in no tournament: none (the joined tournaments are held in memory,
 * loaded once; an empty list writes nothing).
 */
import { fail, type Result } from '../../domain/errors';
import type { PayloadValue } from '../../domain/events';
import type { Currency } from '../../domain/money';
import { backoffMs } from '../lib/backoff';
import type { ScoreEvent, ScoreOutcome } from '../tournament/tournament-do';
import type { PlayerContext } from './context';
import type { TableBetContext } from './rewards';
import type { Segments } from './segments';

export const FEED_JOB = 'tournament.feed';
/** Event ids of the feed: a bet's settlement (the rewards engine's id) and its void by a dispute. */
const SETTLED = 'bet-settled:';
const VOIDED = 'bet-voided:';
const FEED_BATCH = 100;
const FEED_RETRY_MS = 2_000;
const FEED_RETRY_MAX_MS = 300_000;
/** A joined tournament is forgotten this long after its end (its last feed rows long delivered). */
const KEEP_AFTER_END_MS = 7 * 24 * 3_600_000;

/** What the player's object needs to know of a tournament to admit a player and feed it. */
export type TournamentTerms = {
  tournament_id: string; brand: string; currency: Currency; starts_at: number; ends_at: number;
  segments: readonly string[]; tables: readonly string[];
};

export interface ScorePort {
  score(e: ScoreEvent): Promise<{ ok: true; outcome: ScoreOutcome; points: number }>;
}

type Joined = { tournament_id: string; currency: Currency; starts_at: number; ends_at: number; tables: string[]; joined_at: number };

export class PlayerTournaments {
  /** The tournaments joined (undefined: not loaded, or forgotten after a rollback). */
  private joined: Joined[] | undefined;
  /** Rows were written by the transaction that just committed: send them. */
  private written = false;
  private sending: Promise<void> | null = null;
  private again = false;
  private failures = 0;

  constructor(
    private readonly c: PlayerContext,
    private readonly segments: Segments,
    private readonly port: (tournamentId: string) => ScorePort,
    private readonly keepAlive: (p: Promise<unknown>) => void,
  ) {
    // a rolled-back transaction wrote no feed rows (the joined list only changes through `join`, which reloads)
    c.onForget(() => { this.written = false; });
  }

  private load(): Joined[] {
    this.joined ??= this.c.db.all<Omit<Joined, 'tables'> & { tables: string }>`select tournament_id, currency, starts_at, ends_at, tables, joined_at from tournament_entries`
      .map((r) => ({ ...r, tables: JSON.parse(r.tables) as string[] }));
    return this.joined;
  }

  /**
   * The entry rules, inside the caller's transaction (an active player's): the tournament's brand and
   * currency are the player's, it has not ended, and the player is in one of its segments (none
   * listed: open to all). Recorded here before the tournament enters the player, and idempotent, so
   * the worker's retry after the tournament's answer was lost completes the join.
   */
  join(t: TournamentTerms): Result<{ player_id: string }> {
    const p = this.c.profile()!;
    if (p.brand !== t.brand) return fail('tournament_not_found', `no tournament ${t.tournament_id}`);
    if (this.c.now() >= t.ends_at) return fail('tournament_closed', 'the tournament has ended');
    if (p.currency !== t.currency) return fail('tournament_not_eligible', `this tournament plays in ${t.currency}; your wallet is in ${p.currency}`, { reason: 'currency' });
    if (t.segments.length > 0) {
      const mine = new Set(this.segments.view().segments);
      if (!t.segments.some((s) => mine.has(s))) return fail('tournament_not_eligible', 'this tournament is for players of other segments', { reason: 'segment' });
    }
    this.c.db.run`delete from tournament_entries where ends_at < ${this.c.now() - KEEP_AFTER_END_MS}`;
    this.c.db.run`insert into tournament_entries (tournament_id, currency, starts_at, ends_at, tables, joined_at)
      values (${t.tournament_id}, ${t.currency}, ${t.starts_at}, ${t.ends_at}, ${JSON.stringify(t.tables)}, ${this.c.now()}) on conflict do nothing`;
    this.joined = undefined;
    return { ok: true, player_id: p.player_id };
  }

  /** Inside the settling transaction: one feed row per joined tournament the bet may count for. */
  betSettled(holdId: string, currency: Currency, returnedMinor: number, bet: TableBetContext): void {
    const joined = this.load();
    if (joined.length === 0) return;
    const targets = joined.filter((t) => t.currency === currency && bet.at >= t.starts_at && bet.at < t.ends_at && bet.at >= t.joined_at
      && (t.tables.length === 0 || t.tables.includes(bet.table_id)));
    if (targets.length === 0) return;
    const payload: Record<string, PayloadValue> = {
      hold_id: holdId, game: bet.game, game_id: bet.game_id, spot: bet.spot, bet_type: bet.bet_type,
      amount_minor: bet.amount_minor, returned_minor: returnedMinor,
      result: bet.result ?? (returnedMinor > bet.amount_minor ? 'win' : returnedMinor < bet.amount_minor ? 'lose' : 'push'),
    };
    if (bet.natural !== undefined) payload.natural = bet.natural;
    const event: ScoreEvent = {
      event_id: `${SETTLED}${holdId}`, player_id: this.c.profile()!.player_id, occurred_at: bet.at, table_id: bet.table_id, round_id: bet.round_id, currency, payload,
    };
    const body = JSON.stringify(event);
    for (const t of targets) {
      this.c.db.run`insert into tournament_feed (tournament_id, event_id, body, created_at) values (${t.tournament_id}, ${event.event_id}, ${body}, ${this.c.now()}) on conflict do nothing`;
    }
    // the backup, should the send after commit not happen (a restart) or fail
    this.c.schedules.noLaterThan(FEED_JOB, 'all', this.c.now() + FEED_RETRY_MS);
    this.written = true;
  }

  /**
   * Inside the transaction of a dispute's void: one row per tournament joined (still kept), taking
   * back what the bet's settlement scored there. The tournament reverses it once, whichever of the
   * two arrives first, and only until it freezes; where the bet never scored it changes nothing.
   */
  betVoided(holdId: string, currency: Currency): void {
    const joined = this.load();
    if (joined.length === 0) return;
    const event: ScoreEvent = {
      event_id: `${VOIDED}${holdId}`, reverses: `${SETTLED}${holdId}`, player_id: this.c.profile()!.player_id, occurred_at: this.c.now(),
      table_id: '', round_id: '', currency, payload: {},
    };
    const body = JSON.stringify(event);
    for (const t of joined) {
      this.c.db.run`insert into tournament_feed (tournament_id, event_id, body, created_at) values (${t.tournament_id}, ${event.event_id}, ${body}, ${this.c.now()}) on conflict do nothing`;
    }
    this.c.schedules.noLaterThan(FEED_JOB, 'all', this.c.now() + FEED_RETRY_MS);
    this.written = true;
  }

  /** After the transaction committed: sends what it wrote, without the caller waiting. */
  afterCommit(): void {
    if (!this.written) return;
    this.written = false;
    this.keepAlive(this.send());
  }

  /**
   * The alarm's job, inside its transaction (which took the job): the next retry is armed at once, so
   * a restart before the run leaves it scheduled; the run comes after the commit (`afterAlarm`) and
   * cancels or moves it.
   */
  onJob(): void {
    this.c.schedules.at(FEED_JOB, 'all', this.c.now() + backoffMs(this.failures + 1, FEED_RETRY_MS, FEED_RETRY_MAX_MS));
    this.written = true;
  }

  async afterAlarm(): Promise<void> {
    if (!this.written) return;
    this.written = false;
    await this.send();
  }

  /** One run at a time; rows written while one is going are sent by one more run right after it. */
  send(): Promise<void> {
    if (this.sending) {
      this.again = true;
      return this.sending;
    }
    this.sending = (async () => {
      do {
        this.again = false;
        await this.run();
      } while (this.again && this.failures === 0);
    })().finally(() => { this.sending = null; });
    return this.sending;
  }

  private async run(): Promise<void> {
    const rows = this.c.tx(() => this.c.db.all<{ tournament_id: string; event_id: string; body: string }>`select tournament_id, event_id, body from tournament_feed order by created_at limit ${FEED_BATCH}`);
    const answers = await Promise.all(rows.map(async (r) => ({
      r, ok: await this.port(r.tournament_id).score(JSON.parse(r.body) as ScoreEvent).then((a) => a.ok, () => false),
    })));
    this.c.tx(() => {
      for (const { r, ok } of answers) {
        if (ok) this.c.db.run`delete from tournament_feed where tournament_id = ${r.tournament_id} and event_id = ${r.event_id}`;
        else this.c.db.run`update tournament_feed set attempts = attempts + 1 where tournament_id = ${r.tournament_id} and event_id = ${r.event_id}`;
      }
      const failed = answers.some((a) => !a.ok);
      this.failures = failed ? this.failures + 1 : 0;
      const left = this.c.db.first<{ n: number }>`select count(*) as n from tournament_feed`!.n;
      if (left === 0) this.c.schedules.cancel(FEED_JOB, 'all');
      // more than a batch and none failing: the next batch soon; failures: back off
      else this.c.schedules.at(FEED_JOB, 'all', this.c.now() + (failed ? backoffMs(this.failures, FEED_RETRY_MS, FEED_RETRY_MAX_MS) : 0));
    });
  }

  /** Feed rows not yet acknowledged (tests and diagnostics). */
  pending(): number {
    return this.c.db.first<{ n: number }>`select count(*) as n from tournament_feed`!.n;
  }
}
