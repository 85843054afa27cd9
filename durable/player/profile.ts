/**
 * Who the player is and what they may do: registration data, KYC state with history, account
 * status, cool-off and self-exclusion. `blockReason` is the single answer to "may this player log
 * in / deposit / bet right now?", asked inside every call that does any of those.
 */
import { DEFAULT_BRAND, isBrand } from '../../domain/brands';
import { fail, type ErrorCode, type Result } from '../../domain/errors';
import { addMonthsUtc, COOL_OFF_HOURS_MAX, COOL_OFF_HOURS_MIN, HOUR_MS, SELF_EXCLUSION_MONTHS_MIN } from '../../domain/limits';
import type { KycStatus, PlayerContext, PlayerStatus, ProfileRow } from './context';
import type { Sessions } from './sessions';

/** Failed logins allowed per player in LOGIN_FAILURE_WINDOW_MS before logins are refused (429). */
export const LOGIN_FAILURES_MAX = 5;
export const LOGIN_FAILURE_WINDOW_MS = 15 * 60_000;

type Identity = Pick<ProfileRow, 'player_id' | 'brand' | 'email' | 'date_of_birth' | 'country' | 'jurisdiction' | 'currency'>;

/** `brand` defaults to DEFAULT_BRAND (callers that predate brands, such as the bench, leave it out). */
export type RegistrationInput = Omit<Identity, 'brand'> & Pick<ProfileRow, 'password_hash' | 'acquisition_source'> & { brand?: string; config_version: string };

/** What a player (and later an operator) sees: the profile without secrets. */
export type PlayerView = Identity & Pick<ProfileRow, 'status' | 'kyc_status' | 'cool_off_until' | 'self_excluded_until' | 'created_at'> & {
  self_exclusion_permanent: boolean;
};

export function playerView(p: ProfileRow): PlayerView {
  return {
    player_id: p.player_id, brand: p.brand, email: p.email, date_of_birth: p.date_of_birth, country: p.country, jurisdiction: p.jurisdiction,
    currency: p.currency, status: p.status, kyc_status: p.kyc_status, cool_off_until: p.cool_off_until,
    self_excluded_until: p.self_excluded_until, self_exclusion_permanent: p.self_exclusion_permanent === 1, created_at: p.created_at,
  };
}

/** What an operator sees: the player's view plus the back office's own flags. */
export type OperatorPlayerView = PlayerView & { vip: boolean; updated_at: number };

export function operatorPlayerView(p: ProfileRow): OperatorPlayerView {
  return { ...playerView(p), vip: p.vip === 1, updated_at: p.updated_at };
}

export class Profile {
  constructor(
    private readonly ctx: PlayerContext,
    private readonly sessions: Sessions,
  ) {}

  register(input: RegistrationInput): Result<{ player: PlayerView }> {
    const existing = this.ctx.profile();
    if (existing) {
      // Same registration retried (the directory claim and this call are not one transaction).
      if (existing.email === input.email) return { ok: true, player: playerView(existing) };
      return fail('invalid_state', 'this player id is taken');
    }
    const brand = input.brand ?? DEFAULT_BRAND;
    if (!isBrand(brand)) return fail('validation_failed', `unknown brand ${brand}`, { brand });
    const now = this.ctx.now();
    this.ctx.db.run`insert into profile (id, player_id, brand, email, password_hash, date_of_birth, country, jurisdiction, currency,
      status, kyc_status, acquisition_source, created_at, updated_at)
      values (1, ${input.player_id}, ${brand}, ${input.email}, ${input.password_hash}, ${input.date_of_birth}, ${input.country},
      ${input.jurisdiction}, ${input.currency}, 'active', 'none', ${input.acquisition_source}, ${now}, ${now})`;
    this.ctx.forgetProfile();
    this.ctx.emit('player.registered', {
      brand, country: input.country, birth_year: Number(input.date_of_birth.slice(0, 4)), acquisition_source: input.acquisition_source,
      config_version: input.config_version,
    }, input.currency);
    this.ctx.schedules.at('housekeeping', 'daily', now + 24 * HOUR_MS);
    return { ok: true, player: playerView(this.ctx.profile()!) };
  }

  /** Why this player may not play or pay in right now, or null. Lifts expired cool-offs/exclusions. */
  blockReason(): ErrorCode | null {
    const p = this.ctx.profile();
    if (!p) return 'player_not_found';
    this.liftExpired(p);
    const q = this.ctx.profile()!;
    if (q.status === 'locked') return 'account_locked';
    if (q.status === 'closed') return 'account_closed';
    if (q.status === 'self_excluded') return 'self_excluded';
    if (q.cool_off_until !== null && q.cool_off_until > this.ctx.now()) return 'cooling_off';
    return null;
  }

  /** Per-player login throttle: too many recent failures answers 429 until the window passes. */
  loginThrottle(): Result<{ retry_after_ms: number }> {
    const since = this.ctx.now() - LOGIN_FAILURE_WINDOW_MS;
    this.ctx.db.run`delete from login_failures where at < ${since}`;
    const rows = this.ctx.db.all<{ at: number }>`select at from login_failures order by at`;
    if (rows.length < LOGIN_FAILURES_MAX) return { ok: true, retry_after_ms: 0 };
    const retry = rows[0]!.at + LOGIN_FAILURE_WINDOW_MS - this.ctx.now();
    return fail('rate_limited', 'too many failed logins for this account', { retry_after_ms: Math.max(1000, retry) });
  }

  recordLoginFailure(reason: string): void {
    this.ctx.db.run`insert into login_failures (at) values (${this.ctx.now()})`;
    this.ctx.emit('player.login.failed', { reason });
  }

  clearLoginFailures(): void {
    this.ctx.db.run`delete from login_failures`;
  }

  setKyc(to: KycStatus, reason: string | null, actor: string): Result<{ player: PlayerView }> {
    const p = this.ctx.profile();
    if (!p) return fail('player_not_found');
    if (p.kyc_status === to) return { ok: true, player: playerView(p) };
    const now = this.ctx.now();
    this.ctx.db.run`update profile set kyc_status = ${to}, updated_at = ${now} where id = 1`;
    this.ctx.forgetProfile();
    this.ctx.db.run`insert into kyc_history (at, from_status, to_status, reason, actor) values (${now}, ${p.kyc_status}, ${to}, ${reason}, ${actor})`;
    this.ctx.emit('player.kyc.changed', { from: p.kyc_status, to, reason, actor });
    return { ok: true, player: playerView(this.ctx.profile()!) };
  }

  kycHistory(): { at: number; from_status: string; to_status: string; reason: string | null; actor: string }[] {
    return this.ctx.db.all`select at, from_status, to_status, reason, actor from kyc_history order by seq`;
  }

  /** Operator lock/unlock/close. Self-exclusion is not an operator switch: it has its own rules. */
  setStatus(to: 'active' | 'locked' | 'closed', reason: string | null, actor: string): Result<{ player: PlayerView }> {
    const p = this.ctx.profile();
    if (!p) return fail('player_not_found');
    if (p.status === 'self_excluded') return fail('self_exclusion_irrevocable', 'a self-excluded account cannot change status until the exclusion ends');
    if (p.status === 'closed' && to !== 'closed') return fail('invalid_state', 'closed accounts stay closed');
    if (p.status !== to) this.changeStatus(p, to, reason, actor);
    if (to === 'locked') this.sessions.endAll('account_locked');
    if (to === 'closed') this.sessions.endAll('account_closed');
    return { ok: true, player: playerView(this.ctx.profile()!) };
  }

  /** Operator flag for VIP handling; no event when nothing changes. */
  setVip(vip: boolean, actor: string): Result<{ player: OperatorPlayerView; changed: boolean }> {
    const p = this.ctx.profile();
    if (!p) return fail('player_not_found');
    const from = p.vip === 1;
    if (from !== vip) {
      this.ctx.db.run`update profile set vip = ${vip ? 1 : 0}, updated_at = ${this.ctx.now()} where id = 1`;
      this.ctx.forgetProfile();
      this.ctx.emit('player.vip.changed', { from, to: vip, actor });
    }
    return { ok: true, player: operatorPlayerView(this.ctx.profile()!), changed: from !== vip };
  }

  coolOff(hours: number): Result<{ player: PlayerView }> {
    if (!Number.isInteger(hours) || hours < COOL_OFF_HOURS_MIN || hours > COOL_OFF_HOURS_MAX) {
      return fail('validation_failed', `cool-off lasts ${COOL_OFF_HOURS_MIN} to ${COOL_OFF_HOURS_MAX} hours`);
    }
    const p = this.ctx.profile()!;
    const until = this.ctx.now() + hours * HOUR_MS;
    // A second cool-off can lengthen the current one, never shorten it.
    const effective = Math.max(until, p.cool_off_until ?? 0);
    this.ctx.db.run`update profile set cool_off_until = ${effective}, updated_at = ${this.ctx.now()} where id = 1`;
    this.ctx.forgetProfile();
    this.ctx.schedules.at('cool_off.end', 'player', effective);
    this.ctx.emit('rg.cool_off.started', { until: effective, hours });
    this.sessions.endAll('cool_off');
    return { ok: true, player: playerView(this.ctx.profile()!) };
  }

  selfExclude(opts: { months: number | null; permanent: boolean }): Result<{ player: PlayerView }> {
    if (!opts.permanent && (opts.months === null || !Number.isInteger(opts.months) || opts.months < SELF_EXCLUSION_MONTHS_MIN)) {
      return fail('validation_failed', `self-exclusion lasts at least ${SELF_EXCLUSION_MONTHS_MIN} months, or is permanent`);
    }
    const p = this.ctx.profile()!;
    const now = this.ctx.now();
    const permanent = opts.permanent || p.self_exclusion_permanent === 1;
    const requested = permanent ? null : addMonthsUtc(now, opts.months!);
    // Exclusions only ever get longer: never shorten an existing one.
    const until = permanent ? null : Math.max(requested!, p.status === 'self_excluded' ? (p.self_excluded_until ?? 0) : 0);
    this.ctx.db.run`update profile set self_excluded_until = ${until}, self_exclusion_permanent = ${permanent ? 1 : 0}, updated_at = ${now} where id = 1`;
    this.ctx.forgetProfile();
    if (p.status !== 'self_excluded') this.changeStatus(p, 'self_excluded', 'player request', 'player');
    if (until !== null) this.ctx.schedules.at('self_exclusion.end', 'player', until);
    else this.ctx.schedules.cancel('self_exclusion.end', 'player');
    this.ctx.emit('rg.self_exclusion.started', { until, months: permanent ? null : opts.months });
    this.sessions.endAll('self_exclusion');
    return { ok: true, player: playerView(this.ctx.profile()!) };
  }

  /** Alarm and lazy path: a cool-off or a timed self-exclusion that has run out ends here. */
  liftExpired(p: ProfileRow = this.ctx.profile()!): void {
    const now = this.ctx.now();
    if (p.cool_off_until !== null && p.cool_off_until <= now) {
      this.ctx.db.run`update profile set cool_off_until = null, updated_at = ${now} where id = 1`;
      this.ctx.forgetProfile();
      this.ctx.emit('rg.cool_off.ended', {});
    }
    if (p.status === 'self_excluded' && p.self_exclusion_permanent === 0 && p.self_excluded_until !== null && p.self_excluded_until <= now) {
      this.ctx.db.run`update profile set self_excluded_until = null, updated_at = ${now} where id = 1`;
      this.ctx.forgetProfile();
      this.changeStatus(p, 'active', 'self-exclusion period ended', 'system');
      this.ctx.emit('rg.self_exclusion.ended', {});
    }
  }

  private changeStatus(p: ProfileRow, to: PlayerStatus, reason: string | null, actor: string): void {
    this.ctx.db.run`update profile set status = ${to}, updated_at = ${this.ctx.now()} where id = 1`;
    this.ctx.forgetProfile();
    this.ctx.emit('player.status.changed', { from: p.status, to, reason, actor });
  }
}
