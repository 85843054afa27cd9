/** meta.model_runs.intervals (formatIntervals' text) read back to the latest end it computed. */
import { describe, expect, it } from 'vitest';
import { formatIntervals } from '../runner/engine/intervals';
import { latestEnd } from './freshness';

const t = (iso: string) => Date.parse(iso);

describe('latestEnd', () => {
  it('reads day ranges (inclusive last day), single days and hour ranges (exclusive end)', () => {
    expect(latestEnd(formatIntervals([[t('2026-10-01T00:00:00Z'), t('2026-10-04T00:00:00Z')]]))).toBe(t('2026-10-04T00:00:00Z'));
    expect(latestEnd(formatIntervals([[t('2026-10-01T00:00:00Z'), t('2026-10-02T00:00:00Z')], [t('2026-10-05T00:00:00Z'), t('2026-10-06T00:00:00Z')]]))).toBe(t('2026-10-06T00:00:00Z'));
    expect(latestEnd(formatIntervals([[t('2026-10-01T05:00:00Z'), t('2026-10-01T08:00:00Z')]]))).toBe(t('2026-10-01T08:00:00Z'));
    expect(latestEnd('')).toBeUndefined();
    expect(latestEnd(null)).toBeUndefined();
  });
});
