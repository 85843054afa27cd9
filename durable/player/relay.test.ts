/** The relay's pure parts: retry backoff and the snapshot it sends with every batch. */
import { describe, expect, it } from 'vitest';
import type { ProfileRow } from './context';
import { RELAY_BATCH_EVENTS_MAX } from '../brand-ops/types';
import { playerSnapshot, retryDelayMs, RELAY_BATCH_MAX, RELAY_RETRY_MAX_MS, RELAY_RETRY_MS } from './relay';

describe('relay backoff', () => {
  it('starts at RELAY_RETRY_MS, doubles per failure and stops growing at RELAY_RETRY_MAX_MS', () => {
    expect([0, 1, 2, 3].map(retryDelayMs)).toEqual([RELAY_RETRY_MS, RELAY_RETRY_MS, 2 * RELAY_RETRY_MS, 4 * RELAY_RETRY_MS]);
    expect(retryDelayMs(30)).toBe(RELAY_RETRY_MAX_MS);
    expect(retryDelayMs(1e9)).toBe(RELAY_RETRY_MAX_MS);
  });
});

describe('relay batches', () => {
  it('stay within what BrandOpsDO accepts', () => {
    expect(RELAY_BATCH_MAX).toBeLessThanOrEqual(RELAY_BATCH_EVENTS_MAX);
  });
});

describe('player snapshot', () => {
  it('carries what the back office indexes, never the password hash or date of birth', () => {
    const row: ProfileRow = {
      player_id: 'p1', email: 'a@example.test', password_hash: 'secret', date_of_birth: '1990-01-01', country: 'FI', jurisdiction: 'MT',
      currency: 'EUR', status: 'locked', kyc_status: 'pending', acquisition_source: null, cool_off_until: null, self_excluded_until: null,
      self_exclusion_permanent: 0, brand: 'sakura', vip: 1, created_at: 10, updated_at: 20,
    };
    expect(playerSnapshot(row)).toEqual({
      player_id: 'p1', brand: 'sakura', email: 'a@example.test', country: 'FI', jurisdiction: 'MT', currency: 'EUR',
      status: 'locked', kyc_status: 'pending', vip: true, created_at: 10, updated_at: 20,
    });
  });
});
