/**
 * What every part of the player object shares: the database, the outbox, the alarm schedules,
 * the clock, and the profile (held in memory: every event carries its player id and jurisdiction,
 * so it was read on every emit; profile.ts forgets it after each write, and a rolled-back
 * transaction forgets it through ObjectContext.tx). It also counts the events emitted, so the
 * object knows which transactions have something to relay.
 *
 * `checks`: debug mode (tests): after every transaction of PlayerDO the hot state held in memory is
 * compared with SQL, so a cache can never drift silently.
 */
import type { Currency } from '../../domain/money';
import type { EventPayload, EventType } from '../../domain/events';
import { ObjectContext } from '../lib/object-context';
import { forBackOffice } from '../brand-ops/types';

export type PlayerStatus = 'active' | 'locked' | 'self_excluded' | 'closed';
export type KycStatus = 'none' | 'pending' | 'verified' | 'rejected';

export type ProfileRow = {
  player_id: string;
  email: string;
  password_hash: string;
  date_of_birth: string;
  country: string;
  jurisdiction: string;
  currency: Currency;
  status: PlayerStatus;
  kyc_status: KycStatus;
  acquisition_source: string | null;
  cool_off_until: number | null;
  self_excluded_until: number | null;
  self_exclusion_permanent: number;
  brand: string;
  vip: number;
  created_at: number;
  updated_at: number;
};

export class PlayerContext extends ObjectContext {
  /**
   * Events for the brand's back office (relay.ts) emitted since the object last looked (PlayerDO
   * resets it at the start of each transaction): a transaction without any arms no relay.
   */
  backOfficeEvents = 0;
  /**
   * Events that record a refusal (a limit breach attempt, say). A refused call rolls its whole
   * transaction back, so these are kept aside and written after the rollback, in a transaction of
   * their own: the refusal changed no money, but regulators still want to see the attempt.
   */
  private refusals: (() => void)[] = [];

  /** Debug mode: compare the hot state with SQL after every transaction (tests turn it on). */
  checks = false;
  /** undefined: not loaded (or forgotten); null: no profile yet. */
  private cachedProfile: Readonly<ProfileRow> | null | undefined = undefined;

  constructor(storage: DurableObjectStorage) {
    super(storage);
    this.schedules.trustMemory = true;
    this.onForget(() => this.forgetProfile());
  }

  profile(): Readonly<ProfileRow> | null {
    if (this.cachedProfile === undefined) {
      const row = this.db.first<ProfileRow>`select * from profile where id = 1`;
      this.cachedProfile = row ? Object.freeze(row) : null;
    }
    return this.cachedProfile;
  }

  /** Debug mode: the profile in memory against SQL (empty when they agree). */
  verifyProfile(): string[] {
    if (this.cachedProfile === undefined) return [];
    const sql = this.db.first<ProfileRow>`select * from profile where id = 1`;
    return JSON.stringify(sql) === JSON.stringify(this.cachedProfile) ? [] : ['profile in memory != SQL'];
  }

  /** After any write to `profile` (profile.ts), and whenever SQL changed it behind memory. */
  forgetProfile(): void {
    this.cachedProfile = undefined;
  }

  /** Appends an event about this player, stamped with their jurisdiction. */
  emit<T extends EventType>(type: T, payload: EventPayload<T>, currency: Currency | null = null): void {
    const p = this.profile();
    this.outbox.emit(type, payload, { player_id: p?.player_id ?? null, jurisdiction: p?.jurisdiction ?? null, currency }, this.now());
    if (forBackOffice(type)) this.backOfficeEvents++;
    this.onEmitted?.(type, payload);
  }

  /** Told of every event emitted, inside its transaction (rewards.ts keeps its risk marks from them; the player channel closes an ended session's sockets). */
  onEmitted: (<T extends EventType>(type: T, payload: EventPayload<T>) => void) | null = null;

  /** Records a refusal: emitted whether or not the call's transaction is rolled back (see `refusals`). */
  emitRefusal<T extends EventType>(type: T, payload: EventPayload<T>, currency: Currency | null = null): void {
    this.refusals.push(() => this.emit(type, payload, currency));
  }

  /** Writes the refusals recorded since the last call; PlayerDO calls it inside a transaction. Returns how many. */
  emitRefusals(): number {
    const taken = this.refusals;
    this.refusals = [];
    for (const emit of taken) emit();
    return taken.length;
  }

  /** Forgets recorded refusals (a transaction about to start must not inherit another's). */
  clearRefusals(): void {
    this.refusals = [];
  }
}
