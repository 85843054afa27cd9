/**
 * What every part of the player object shares: the database, the outbox, the alarm schedules,
 * the clock, and the profile (read once per call, since nearly every call needs it). It also
 * counts the events emitted, so the object knows which transactions have something to relay.
 */
import type { Currency } from '../../domain/money';
import type { EventPayload, EventType } from '../../domain/events';
import { Db } from '../lib/sql';
import { Outbox } from '../lib/outbox';
import { Schedules } from '../lib/schedules';

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

export class PlayerContext {
  readonly db: Db;
  readonly outbox: Outbox;
  readonly schedules: Schedules;
  /** Tests move time forward with this (through runInDurableObject); production leaves it at 0. */
  clockOffsetMs = 0;
  /** Events emitted since the object last looked (PlayerDO resets it at the start of each transaction). */
  eventsEmitted = 0;

  constructor(storage: DurableObjectStorage) {
    this.db = new Db(storage.sql);
    this.outbox = new Outbox(this.db);
    this.schedules = new Schedules(this.db, storage);
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  profile(): ProfileRow | null {
    return this.db.first<ProfileRow>`select * from profile where id = 1`;
  }

  /** Appends an event about this player, stamped with their jurisdiction. */
  emit<T extends EventType>(type: T, payload: EventPayload<T>, currency: Currency | null = null): void {
    const p = this.profile();
    this.outbox.emit(type, payload, { player_id: p?.player_id ?? null, jurisdiction: p?.jurisdiction ?? null, currency }, this.now());
    this.eventsEmitted++;
  }
}
