/**
 * What every part of the player object shares: the database, the outbox, the alarm schedules,
 * the clock, and the profile (read once per call, since nearly every call needs it). It also
 * counts the events emitted, so the object knows which transactions have something to relay.
 */
import type { Currency } from '../../domain/money';
import type { EventPayload, EventType } from '../../domain/events';
import { ObjectContext } from '../lib/object-context';

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
  /** Events emitted since the object last looked (PlayerDO resets it at the start of each transaction). */
  eventsEmitted = 0;
  /**
   * Events that record a refusal (a limit breach attempt, say). A refused call rolls its whole
   * transaction back, so these are kept aside and written after the rollback, in a transaction of
   * their own: the refusal changed no money, but regulators still want to see the attempt.
   */
  private refusals: (() => void)[] = [];

  profile(): ProfileRow | null {
    return this.db.first<ProfileRow>`select * from profile where id = 1`;
  }

  /** Appends an event about this player, stamped with their jurisdiction. */
  emit<T extends EventType>(type: T, payload: EventPayload<T>, currency: Currency | null = null): void {
    const p = this.profile();
    this.outbox.emit(type, payload, { player_id: p?.player_id ?? null, jurisdiction: p?.jurisdiction ?? null, currency }, this.now());
    this.eventsEmitted++;
  }

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
