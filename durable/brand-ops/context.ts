/**
 * What every part of the brand's ops object shares: the database, the outbox (for alerts), the
 * alarm schedules and the clock. Rules run on event time; `now()` only stamps our own actions
 * (receipt, raising, resolving) and drives retention.
 */
import { ObjectContext } from '../lib/object-context';

/** The batch's player; where an event's envelope is silent (jurisdiction, currency), the snapshot speaks. */
export type Subject = { player_id: string; jurisdiction: string; currency: string };

export class OpsContext extends ObjectContext {
  /** The brand this object serves, once known (from its name or its first batch). */
  brand(): string | null {
    return this.db.first<{ value: string }>`select value from meta where key = 'brand'`?.value ?? null;
  }

  setBrand(brand: string): void {
    this.db.run`insert into meta (key, value) values ('brand', ${brand}) on conflict (key) do nothing`;
  }
}
