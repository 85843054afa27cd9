/**
 * Player sessions: created at login, touched by every authenticated call, ended by logout, idle
 * timeout, maximum length, the player's own session-time limit, or an exclusion. Expiry is
 * enforced twice: lazily on every call (exact) and by alarm (so ended sessions emit their event
 * even when the player simply walks away).
 */
import { fail, type Result } from '../../domain/errors';
import type { Device } from '../../domain/device';
import { uuidv7 } from '../../domain/ids';
import type { PlayerContext } from './context';
import type { Limits } from './limits';

export const IDLE_TIMEOUT_MS = 30 * 60_000;
export const SESSION_MAX_MS = 12 * 3_600_000;
/** Bounded so a player (or an attacker with their password) cannot pile up sessions. */
export const OPEN_SESSIONS_MAX = 20;
/**
 * A session's last-seen is written at most this often (it was written on every call: one statement
 * of every player call). The exact time lives in memory; after a restart (or a rolled-back call)
 * the stored one, up to this much older, is all there is, so an idle session may end up to a
 * minute early: never late.
 */
export const LAST_SEEN_WRITE_MS = 60_000;

type EndReason = 'logout' | 'idle_timeout' | 'max_length' | 'time_limit' | 'cool_off' | 'self_exclusion' | 'account_locked' | 'account_closed';

type SessionRow = {
  session_id: string;
  created_at: number;
  last_seen_at: number;
  idle_timeout_ms: number;
  expires_at: number;
  time_limit_at: number | null;
  reality_check_ms: number | null;
  next_reality_check_at: number | null;
  country: string;
  ip: string | null;
  user_agent: string | null;
  device: Device;
  ended_at: number | null;
  end_reason: EndReason | null;
};

export type SessionView = {
  session_id: string;
  created_at: number;
  last_seen_at: number;
  /** When the session ends if nothing else happens: the earliest of idle, maximum and time limit. */
  ends_at: number;
  time_limit_at: number | null;
  next_reality_check_at: number | null;
  country: string;
  ended_at: number | null;
  end_reason: EndReason | null;
};

function endsAt(s: SessionRow): number {
  return Math.min(s.last_seen_at + s.idle_timeout_ms, s.expires_at, s.time_limit_at ?? Infinity);
}

function expiryReason(s: SessionRow, now: number): EndReason | null {
  if (s.time_limit_at !== null && now >= s.time_limit_at) return 'time_limit';
  if (now >= s.expires_at) return 'max_length';
  if (now >= s.last_seen_at + s.idle_timeout_ms) return 'idle_timeout';
  return null;
}

function view(s: SessionRow): SessionView {
  return {
    session_id: s.session_id, created_at: s.created_at, last_seen_at: s.last_seen_at, ends_at: endsAt(s),
    time_limit_at: s.time_limit_at, next_reality_check_at: s.next_reality_check_at, country: s.country,
    ended_at: s.ended_at, end_reason: s.end_reason,
  };
}

export class Sessions {
  /**
   * session id -> the last call's time, when later than the stored last_seen_at. Kept when a
   * transaction rolls back: the call that authenticated did come in (its authentication commits on
   * its own), and forgetting it would only move the session's view back in time.
   */
  private readonly lastSeen = new Map<string, number>();

  constructor(
    private readonly ctx: PlayerContext,
    private readonly limits: Limits,
  ) {}

  /** The row with the exact last activity known to memory. */
  private withLastSeen(s: SessionRow): SessionRow {
    const seen = this.lastSeen.get(s.session_id);
    return seen !== undefined && seen > s.last_seen_at ? { ...s, last_seen_at: seen } : s;
  }

  create(meta: { country: string; ip: string | null; user_agent: string | null; device: Device }): SessionView {
    const now = this.ctx.now();
    const open = this.ctx.db.all<{ session_id: string }>`select session_id from sessions where ended_at is null order by created_at`;
    for (const s of open.slice(0, Math.max(0, open.length - OPEN_SESSIONS_MAX + 1))) this.end(s.session_id, 'logout');
    const timeLimitMin = this.limits.minutes('session_time');
    const realityMin = this.limits.minutes('reality_check');
    const row: SessionRow = {
      session_id: uuidv7(now), created_at: now, last_seen_at: now, idle_timeout_ms: IDLE_TIMEOUT_MS,
      expires_at: now + SESSION_MAX_MS, time_limit_at: timeLimitMin ? now + timeLimitMin * 60_000 : null,
      reality_check_ms: realityMin ? realityMin * 60_000 : null, next_reality_check_at: realityMin ? now + realityMin * 60_000 : null,
      country: meta.country, ip: meta.ip, user_agent: meta.user_agent, device: meta.device, ended_at: null, end_reason: null,
    };
    this.ctx.db.run`insert into sessions (session_id, created_at, last_seen_at, idle_timeout_ms, expires_at, time_limit_at,
      reality_check_ms, next_reality_check_at, country, ip, user_agent, device)
      values (${row.session_id}, ${now}, ${now}, ${row.idle_timeout_ms}, ${row.expires_at}, ${row.time_limit_at},
      ${row.reality_check_ms}, ${row.next_reality_check_at}, ${row.country}, ${row.ip}, ${row.user_agent}, ${row.device})`;
    this.ctx.schedules.at('session.check', row.session_id, endsAt(row));
    if (row.next_reality_check_at) this.ctx.schedules.at('session.reality_check', row.session_id, row.next_reality_check_at);
    return view(row);
  }

  /** Validates a session for a call and records the activity (which pushes the idle timeout). */
  authenticate(sessionId: string): Result<{ session: SessionView }> {
    const stored = this.row(sessionId);
    if (!stored) return fail('unauthenticated', 'unknown session');
    const s = this.withLastSeen(stored);
    if (s.ended_at !== null) return fail('session_expired', `session ended (${s.end_reason})`);
    const now = this.ctx.now();
    const reason = expiryReason(s, now);
    if (reason) {
      this.end(sessionId, reason);
      return fail('session_expired', `session ended (${reason})`);
    }
    if (now - stored.last_seen_at >= LAST_SEEN_WRITE_MS) {
      this.ctx.db.run`update sessions set last_seen_at = ${now} where session_id = ${sessionId}`;
      this.lastSeen.delete(sessionId);
    } else {
      this.lastSeen.set(sessionId, now);
    }
    return { ok: true, session: view({ ...s, last_seen_at: now }) };
  }

  /**
   * A call on an open session that its transaction then rolled back (the call was refused): it
   * still came in, so its time is kept in memory as authenticate keeps it (the stored last-seen
   * went back with the transaction; the next committed call writes it when due).
   */
  seen(sessionId: string): void {
    this.lastSeen.set(sessionId, this.ctx.now());
  }

  end(sessionId: string, reason: EndReason): boolean {
    const s = this.row(sessionId);
    if (!s || s.ended_at !== null) return false;
    const now = this.ctx.now();
    this.ctx.db.run`update sessions set ended_at = ${now}, end_reason = ${reason} where session_id = ${sessionId}`;
    this.lastSeen.delete(sessionId);
    this.ctx.schedules.cancel('session.check', sessionId);
    this.ctx.schedules.cancel('session.reality_check', sessionId);
    this.ctx.emit('player.session.ended', { session_id: sessionId, reason, duration_ms: now - s.created_at });
    return true;
  }

  endAll(reason: EndReason): number {
    const open = this.ctx.db.all<{ session_id: string }>`select session_id from sessions where ended_at is null`;
    for (const s of open) this.end(s.session_id, reason);
    return open.length;
  }

  list(limit = 50): SessionView[] {
    return this.ctx.db.all<SessionRow>`select * from sessions order by created_at desc limit ${limit}`.map((s) => view(this.withLastSeen(s)));
  }

  /** Alarm: end the session if it is really over, or look again when it next could be. */
  onCheck(sessionId: string): void {
    const stored = this.row(sessionId);
    if (!stored || stored.ended_at !== null) return;
    const s = this.withLastSeen(stored);
    const reason = expiryReason(s, this.ctx.now());
    if (reason) this.end(sessionId, reason);
    else this.ctx.schedules.at('session.check', sessionId, endsAt(s));
  }

  /** Alarm: the reality-check reminder is due; record it and schedule the next one. */
  onRealityCheck(sessionId: string): void {
    const s = this.row(sessionId);
    if (!s || s.ended_at !== null || !s.reality_check_ms) return;
    const now = this.ctx.now();
    const next = now + s.reality_check_ms;
    this.ctx.db.run`update sessions set next_reality_check_at = ${next} where session_id = ${sessionId}`;
    this.ctx.emit('rg.reality_check.due', { session_id: sessionId, session_elapsed_ms: now - s.created_at });
    this.ctx.schedules.at('session.reality_check', sessionId, next);
  }

  private row(sessionId: string): SessionRow | null {
    return this.ctx.db.first<SessionRow>`select * from sessions where session_id = ${sessionId}`;
  }
}
