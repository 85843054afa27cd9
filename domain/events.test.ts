import { describe, expect, it } from 'vitest';
import { uuidv7, uuidv7Time, isUuid } from './ids';
import { validateEvent } from './events';

describe('event contract', () => {
  const good = {
    event_id: uuidv7(), event_type: 'wallet.deposit.completed', schema_version: 1, occurred_at: Date.now(), player_id: 'p', table_id: null,
    round_id: null, jurisdiction: 'MT', currency: 'EUR', payload: { deposit_id: 'd', provider: 'sandbox', amount_minor: 100, balance_after_minor: 100 },
  };
  it('accepts a well-formed event', () => expect(validateEvent(good).ok).toBe(true));
  it('refuses unknown types and bad payloads with a reason', () => {
    const unknown = validateEvent({ ...good, event_type: 'wallet.magic' });
    expect(unknown.ok).toBe(false);
    const bad = validateEvent({ ...good, payload: { ...good.payload, amount_minor: 1.5 } });
    expect(bad).toMatchObject({ ok: false, reason: expect.stringContaining('amount_minor') });
  });
  it('uuidv7 ids are valid and time-ordered', () => {
    const a = uuidv7(1_700_000_000_000);
    const b = uuidv7(1_700_000_000_001);
    expect(isUuid(a)).toBe(true);
    expect(a < b).toBe(true);
    expect(uuidv7Time(a)).toBe(1_700_000_000_000);
  });

  it('player.login.succeeded: device is one of the coarse devices, and a login from before the field (no device) still validates', () => {
    const login = (payload: Record<string, unknown>) => validateEvent({ ...good, event_type: 'player.login.succeeded', currency: null, payload });
    expect(login({ session_id: 's', country: 'MT', device: 'mobile' }).ok).toBe(true);
    expect(login({ session_id: 's', country: 'MT' }).ok).toBe(true); // schema_version 1, emitted before 2026-12
    expect(login({ session_id: 's', country: 'MT', device: 'phone' })).toMatchObject({ ok: false, reason: expect.stringContaining('device') });
    expect(login({ session_id: 's', country: 'MT', device: null }).ok).toBe(false);
  });
});
