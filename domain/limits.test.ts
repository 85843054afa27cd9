import { describe, expect, it } from 'vitest';
import { addMonthsUtc, hourOf, isRestrictive, windowStartHour, HOUR_MS, DAY_MS } from './limits';

describe('limit changes', () => {
  it('treats lowering and first limits as restrictive (immediate)', () => {
    expect(isRestrictive(null, 100)).toBe(true);
    expect(isRestrictive(100, 50)).toBe(true);
    expect(isRestrictive(100, 100)).toBe(true);
  });
  it('treats raising and removing as permissive (cooling-off)', () => {
    expect(isRestrictive(100, 101)).toBe(false);
    expect(isRestrictive(100, null)).toBe(false);
    expect(isRestrictive(null, null)).toBe(true);
  });
});

describe('windows', () => {
  it('rolling windows start 24 h / 7 d / 30 d back, rounded down to the hour', () => {
    const now = 1_000 * DAY_MS + 30 * 60_000;
    expect(windowStartHour('day', now)).toBe(hourOf(now) - 24);
    expect(windowStartHour('week', now)).toBe(hourOf(now) - 7 * 24);
    expect(windowStartHour('month', now)).toBe(hourOf(now) - 30 * 24);
    expect(hourOf(HOUR_MS - 1)).toBe(0);
  });
  it('adds calendar months in UTC', () => {
    expect(new Date(addMonthsUtc(Date.UTC(2026, 0, 15), 6)).toISOString()).toBe('2026-07-15T00:00:00.000Z');
  });
});
