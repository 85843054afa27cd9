/**
 * OperatorDO: one Durable Object per back-office operator, the owner of their account, roles and
 * attributes, second factor, login challenges and sessions. Every operator request authenticates
 * here, so a role change, a disabled account or a revoked session takes effect on the next request,
 * not when a token expires.
 *
 * Login is two steps whatever the first factor: password (or SSO) opens a short-lived challenge;
 * a TOTP or recovery code completes it into a session. An operator without a second factor yet is
 * enrolled during the first login: the challenge carries the new secret and recovery codes, and the
 * first valid code confirms them.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Role } from '../../domain/authz';
import { fail, type Result } from '../../domain/errors';
import { uuidv7 } from '../../domain/ids';
import { verifyPassword } from '../../domain/password';
import { Db, migrate } from '../lib/sql';
import { enrolment, hashRecoveryCode, newRecoveryCodes, newTotpSecret, RECOVERY_CODE, totpStep, type Enrolment } from './mfa';
import { OPERATOR_MIGRATIONS } from './schema';

export const OPERATOR_SESSION_IDLE_MS = 15 * 60_000;
export const OPERATOR_SESSION_MAX_MS = 8 * 3_600_000;
export const CHALLENGE_TTL_MS = 5 * 60_000;
/** Failed passwords or codes within the window that lock the account for the rest of the window. */
export const FAILURES_MAX = 5;
export const FAILURE_WINDOW_MS = 15 * 60_000;

export type OperatorAttributes = { roles: Role[]; brands: string[]; jurisdictions: string[]; vip_clearance: boolean };

export type OperatorInput = OperatorAttributes & {
  operator_id: string;
  email: string;
  display_name: string;
  password_hash: string | null;
  sso_issuer: string | null;
  sso_subject: string | null;
};

export type OperatorView = OperatorAttributes & {
  operator_id: string;
  email: string;
  display_name: string;
  status: 'active' | 'disabled';
  mfa_enrolled: boolean;
  password_login: boolean;
  sso: boolean;
  created_by: string;
  created_at: number;
  updated_at: number;
};

export type OperatorSessionView = { session_id: string; method: string; created_at: number; last_seen_at: number; expires_at: number; ip: string | null; ended_at: number | null; end_reason: string | null };
export type LoginMeta = { ip: string | null; user_agent: string | null };
export type Challenge = { challenge_id: string; expires_at: number; enrolment: Enrolment | null };

type Row = Omit<OperatorView, 'roles' | 'brands' | 'jurisdictions' | 'vip_clearance' | 'mfa_enrolled' | 'password_login' | 'sso'> & {
  roles: string; brands: string; jurisdictions: string; vip_clearance: number;
  password_hash: string | null; sso_issuer: string | null; sso_subject: string | null;
  totp_secret: string | null; totp_pending_secret: string | null; totp_last_step: number;
};

function view(r: Row): OperatorView {
  return {
    operator_id: r.operator_id, email: r.email, display_name: r.display_name,
    roles: JSON.parse(r.roles) as Role[], brands: JSON.parse(r.brands) as string[], jurisdictions: JSON.parse(r.jurisdictions) as string[],
    vip_clearance: r.vip_clearance === 1, status: r.status, mfa_enrolled: r.totp_secret !== null,
    password_login: r.password_hash !== null, sso: r.sso_subject !== null,
    created_by: r.created_by, created_at: r.created_at, updated_at: r.updated_at,
  };
}

export class OperatorDO extends DurableObject<Env> {
  private readonly db: Db;
  /** Tests move time forward with this (through runInDurableObject); production leaves it at 0. */
  clockOffsetMs = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.db = new Db(ctx.storage.sql);
    ctx.blockConcurrencyWhile(async () => migrate(this.db, OPERATOR_MIGRATIONS, ctx.storage));
  }

  private now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  private tx<T>(fn: () => T): T {
    return this.ctx.storage.transactionSync(fn);
  }

  private row(): Row | null {
    return this.db.first<Row>`select * from operator where id = 1`;
  }

  // ---- account -------------------------------------------------------------------------------

  create(input: OperatorInput, actor: string): Result<{ operator: OperatorView }> {
    return this.tx(() => {
      if (this.row()) return fail('operator_exists');
      const now = this.now();
      this.db.run`insert into operator (id, operator_id, email, display_name, roles, brands, jurisdictions, vip_clearance, status,
        password_hash, sso_issuer, sso_subject, created_by, created_at, updated_at)
        values (1, ${input.operator_id}, ${input.email}, ${input.display_name}, ${JSON.stringify(input.roles)}, ${JSON.stringify(input.brands)},
        ${JSON.stringify(input.jurisdictions)}, ${input.vip_clearance ? 1 : 0}, 'active', ${input.password_hash}, ${input.sso_issuer},
        ${input.sso_subject}, ${actor}, ${now}, ${now})`;
      return { ok: true, operator: view(this.row()!) };
    });
  }

  view(): Result<{ operator: OperatorView; sessions: OperatorSessionView[] }> {
    const r = this.row();
    if (!r) return fail('operator_not_found');
    const sessions = this.db.all<OperatorSessionView>`select session_id, method, created_at, last_seen_at, expires_at, ip, ended_at, end_reason
      from sessions order by created_at desc limit 50`;
    return { ok: true, operator: view(r), sessions };
  }

  /** Changes roles, attributes or status. Disabling ends every session at once. */
  update(patch: Partial<OperatorAttributes> & { display_name?: string; status?: 'active' | 'disabled' }): Result<{ operator: OperatorView; before: OperatorView }> {
    return this.tx(() => {
      const r = this.row();
      if (!r) return fail('operator_not_found');
      const before = view(r);
      const next = { ...before, ...patch };
      this.db.run`update operator set display_name = ${next.display_name}, roles = ${JSON.stringify(next.roles)}, brands = ${JSON.stringify(next.brands)},
        jurisdictions = ${JSON.stringify(next.jurisdictions)}, vip_clearance = ${next.vip_clearance ? 1 : 0}, status = ${next.status},
        updated_at = ${this.now()} where id = 1`;
      if (next.status === 'disabled') this.endAll('disabled');
      return { ok: true, operator: view(this.row()!), before };
    });
  }

  /** Ends every open session (admin revocation, or a disabled account). */
  revokeSessions(reason: string): Result<{ revoked: number }> {
    return this.tx(() => (this.row() ? { ok: true, revoked: this.endAll(reason) } : fail('operator_not_found')));
  }

  /** Forgets the second factor: the next login enrols a new one (lost phone, handled by an admin). */
  resetMfa(): Result<{ operator: OperatorView }> {
    return this.tx(() => {
      if (!this.row()) return fail('operator_not_found');
      this.db.run`update operator set totp_secret = null, totp_pending_secret = null, updated_at = ${this.now()} where id = 1`;
      this.db.run`delete from recovery_codes`;
      this.endAll('mfa_reset');
      return { ok: true, operator: view(this.row()!) };
    });
  }

  // ---- login ---------------------------------------------------------------------------------

  /** First factor by password. Wrong passwords count towards the lockout. */
  async beginPasswordLogin(password: string): Promise<Result<Challenge>> {
    const before = this.tx(() => {
      const r = this.row();
      if (!r || r.password_hash === null || r.status !== 'active') return fail('invalid_credentials');
      const locked = this.lockout();
      return locked ?? { ok: true as const, hash: r.password_hash };
    });
    if (!before.ok) return before;
    const good = await verifyPassword(password, before.hash);
    return this.tx(() => {
      if (!good) return this.failure('password');
      const locked = this.lockout();
      return locked ?? this.openChallenge('password');
    });
  }

  /**
   * First factor by the identity provider: refreshes roles and attributes from the IdP's groups
   * (the IdP is the source of truth for SSO operators). When the IdP asserts MFA (amr), the session
   * opens at once; otherwise our TOTP is still required.
   */
  beginSsoLogin(attrs: OperatorAttributes & { display_name: string }, idpMfa: boolean, meta: LoginMeta): Result<Challenge & { session: OperatorSessionView | null; operator: OperatorView }> {
    return this.tx(() => {
      const r = this.row();
      if (!r || r.sso_subject === null) return fail('operator_not_found');
      if (r.status !== 'active') return fail('forbidden', 'this operator is disabled');
      const locked = this.lockout();
      if (locked) return locked;
      this.db.run`update operator set display_name = ${attrs.display_name}, roles = ${JSON.stringify(attrs.roles)}, brands = ${JSON.stringify(attrs.brands)},
        jurisdictions = ${JSON.stringify(attrs.jurisdictions)}, vip_clearance = ${attrs.vip_clearance ? 1 : 0}, updated_at = ${this.now()} where id = 1`;
      const operator = view(this.row()!);
      if (idpMfa) return { ok: true, challenge_id: '', expires_at: 0, enrolment: null, session: this.openSession('sso+idp_mfa', meta), operator };
      const challenge = this.openChallenge('sso');
      return challenge.ok ? { ...challenge, session: null, operator } : challenge;
    });
  }

  /** Second factor: a TOTP code (or, when enrolled, a recovery code) turns the challenge into a session. */
  completeMfa(challengeId: string, code: string, meta: LoginMeta): Result<{ session: OperatorSessionView; operator: OperatorView; recovery_codes_left: number }> {
    return this.tx(() => {
      const r = this.row();
      if (!r || r.status !== 'active') return fail('unauthenticated');
      const locked = this.lockout();
      if (locked) return locked;
      const now = this.now();
      const ch = this.db.first<{ method: string; expires_at: number; used_at: number | null }>`select method, expires_at, used_at from challenges where challenge_id = ${challengeId}`;
      if (!ch || ch.used_at !== null || ch.expires_at <= now) return fail('unauthenticated', 'the login challenge is unknown, used or expired; log in again');

      if (r.totp_secret === null) {
        // Enrolment: the first valid code proves the authenticator app holds the new secret.
        if (!r.totp_pending_secret) return fail('unauthenticated', 'log in again to enrol');
        const t = totpStep(r.totp_pending_secret, code, now, 0);
        if ('error' in t) return this.failure('mfa');
        this.db.run`update operator set totp_secret = totp_pending_secret, totp_pending_secret = null, totp_last_step = ${t.step}, updated_at = ${now} where id = 1`;
        this.db.run`delete from recovery_codes where state != 'pending'`;
        this.db.run`update recovery_codes set state = 'active'`;
      } else if (RECOVERY_CODE.test(code)) {
        const used = this.db.run`update recovery_codes set state = 'used', used_at = ${now} where code_hash = ${hashRecoveryCode(code)} and state = 'active'`;
        if (used !== 1) return this.failure('mfa');
      } else {
        const t = totpStep(r.totp_secret, code, now, r.totp_last_step);
        if ('error' in t) return this.failure('mfa', t.error === 'replayed' ? 'this code was already used; wait for the next one' : undefined);
        this.db.run`update operator set totp_last_step = ${t.step} where id = 1`;
      }
      this.db.run`update challenges set used_at = ${now} where challenge_id = ${challengeId}`;
      this.db.run`delete from failures`;
      const session = this.openSession(`${ch.method}+totp`, meta);
      const left = this.db.first<{ n: number }>`select count(*) as n from recovery_codes where state = 'active'`!.n;
      return { ok: true, session, operator: view(this.row()!), recovery_codes_left: left };
    });
  }

  /** Checks a session on every request (idle and maximum length), and slides its idle timeout. */
  authenticate(sessionId: string): Result<{ operator: OperatorView; session: OperatorSessionView }> {
    return this.tx(() => {
      const r = this.row();
      const s = this.db.first<OperatorSessionView>`select session_id, method, created_at, last_seen_at, expires_at, ip, ended_at, end_reason
        from sessions where session_id = ${sessionId}`;
      if (!r || !s || s.ended_at !== null) return fail('unauthenticated');
      if (r.status !== 'active') return fail('unauthenticated', 'this operator is disabled');
      const now = this.now();
      if (now >= s.expires_at) return this.expire(s.session_id, 'max_length');
      if (now - s.last_seen_at >= OPERATOR_SESSION_IDLE_MS) return this.expire(s.session_id, 'idle_timeout');
      this.db.run`update sessions set last_seen_at = ${now} where session_id = ${sessionId}`;
      return { ok: true, operator: view(r), session: { ...s, last_seen_at: now } };
    });
  }

  logout(sessionId: string): Result {
    return this.tx(() => {
      const n = this.db.run`update sessions set ended_at = ${this.now()}, end_reason = 'logout' where session_id = ${sessionId} and ended_at is null`;
      return n === 1 ? { ok: true } : fail('unauthenticated', 'no open session');
    });
  }

  // ---- internals -----------------------------------------------------------------------------

  private openChallenge(method: 'password' | 'sso'): Result<Challenge> {
    const r = this.row()!;
    const now = this.now();
    this.db.run`delete from challenges where expires_at < ${now - 24 * 3_600_000}`;
    const challengeId = crypto.randomUUID();
    const expiresAt = now + CHALLENGE_TTL_MS;
    this.db.run`insert into challenges (challenge_id, method, created_at, expires_at) values (${challengeId}, ${method}, ${now}, ${expiresAt})`;
    if (r.totp_secret !== null) return { ok: true, challenge_id: challengeId, expires_at: expiresAt, enrolment: null };
    // Not enrolled yet: a fresh secret and recovery codes each time, valid until the first code confirms them.
    const secret = newTotpSecret();
    const codes = newRecoveryCodes();
    this.db.run`update operator set totp_pending_secret = ${secret} where id = 1`;
    this.db.run`delete from recovery_codes where state = 'pending'`;
    for (const code of codes) this.db.run`insert into recovery_codes (code_hash, state) values (${hashRecoveryCode(code)}, 'pending')`;
    return { ok: true, challenge_id: challengeId, expires_at: expiresAt, enrolment: enrolment(secret, r.email, codes) };
  }

  private openSession(method: string, meta: LoginMeta): OperatorSessionView {
    const now = this.now();
    const sessionId = uuidv7(now);
    this.db.run`insert into sessions (session_id, method, created_at, last_seen_at, expires_at, ip, user_agent)
      values (${sessionId}, ${method}, ${now}, ${now}, ${now + OPERATOR_SESSION_MAX_MS}, ${meta.ip}, ${meta.user_agent})`;
    this.db.run`delete from sessions where ended_at is not null and ended_at < ${now - 30 * 24 * 3_600_000}`;
    return { session_id: sessionId, method, created_at: now, last_seen_at: now, expires_at: now + OPERATOR_SESSION_MAX_MS, ip: meta.ip, ended_at: null, end_reason: null };
  }

  private expire(sessionId: string, reason: string): Result<never> {
    this.db.run`update sessions set ended_at = ${this.now()}, end_reason = ${reason} where session_id = ${sessionId}`;
    return fail('session_expired');
  }

  private endAll(reason: string): number {
    return this.db.run`update sessions set ended_at = ${this.now()}, end_reason = ${reason} where ended_at is null`;
  }

  /** Records a failed factor and answers as the caller should: invalid, or locked when this was one too many. */
  private failure(kind: 'password' | 'mfa', message?: string): Result<never> {
    this.db.run`insert into failures (at, kind) values (${this.now()}, ${kind})`;
    return this.lockout() ?? fail(kind === 'password' ? 'invalid_credentials' : 'invalid_mfa_code', message);
  }

  private lockout(): Result<never> | null {
    const now = this.now();
    this.db.run`delete from failures where at <= ${now - FAILURE_WINDOW_MS}`;
    const rows = this.db.all<{ at: number }>`select at from failures order by at`;
    if (rows.length < FAILURES_MAX) return null;
    const retry = rows[rows.length - FAILURES_MAX]!.at + FAILURE_WINDOW_MS - now;
    return fail('rate_limited', 'too many failed attempts: this operator is locked for a while', { retry_after_ms: Math.max(1000, retry) });
  }
}
