/**
 * What a PlayerDO relays to its brand's BrandOpsDO: the player's current profile (for search and
 * the KYC queue) and its new outbox events (for the withdrawal and adjustment queues and the
 * anomaly rules). Delivery is at-least-once; BrandOpsDO deduplicates on event_id.
 */
import type { CasinoEvent } from '../../domain/events';

export type PlayerSnapshot = {
  player_id: string;
  brand: string;
  /** PII, kept here only so operators can search; masked in views by policy. */
  email: string;
  country: string;
  jurisdiction: string;
  currency: string;
  status: 'active' | 'locked' | 'self_excluded' | 'closed';
  kyc_status: 'none' | 'pending' | 'verified' | 'rejected';
  vip: boolean;
  created_at: number;
  updated_at: number;
};

export type RelayBatch = { player: PlayerSnapshot; events: CasinoEvent[] };
