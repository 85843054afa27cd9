/** How timeline events read (worker/ops/timeline-view.ts): units, times, durations and names. */
import { describe, expect, it } from 'vitest';
import type { CasinoEvent } from '../../domain/events';
import { showEvent, showField } from './timeline-view';

const OPERATOR = 'operator:0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const PLAYER = 'player:0193a1b2-c3d4-7e5f-8a9b-aaaaaaaaaaaa';
const names = new Map([[OPERATOR, 'Olga Operator'], [PLAYER, 'p***@p***.example']]);

function event(event_type: string, payload: CasinoEvent['payload'], currency: string | null = 'EUR'): CasinoEvent {
  return {
    event_id: '0193a1b2-c3d4-7e5f-8a9b-000000000001', event_type: event_type as CasinoEvent['event_type'], schema_version: 1,
    occurred_at: Date.UTC(2026, 11, 2, 4, 37, 8, 123), player_id: PLAYER.slice(7), table_id: null, round_id: null, jurisdiction: 'MT',
    currency: currency as CasinoEvent['currency'], payload,
  };
}

describe('timeline fields', () => {
  it('shows amounts in major units of the event currency, named without _minor, the minor units on hover', () => {
    const cases: [string, number, string][] = [['EUR', 18_000, '180.00 EUR'], ['JPY', 1_500, '1500 JPY'], ['KWD', 1_234, '1.234 KWD'], ['BTC', 1, '0.00000001 BTC'], ['EUR', -7, '-0.07 EUR']];
    for (const [cur, minor, text] of cases) {
      const e = event('wallet.deposit.completed', { amount_minor: minor }, cur);
      expect(showField('amount_minor', minor, e, names)).toEqual({ name: 'amount', text, title: `${minor} minor units` });
    }
    const e = event('wallet.deposit.completed', { balance_after_minor: 10_734 });
    expect(showField('balance_after_minor', 10_734, e, names)).toEqual({ name: 'balance after', text: '107.34 EUR', title: '10734 minor units' });
    // no currency on the event: the raw minor amount, still labelled as such
    expect(showField('amount_minor', 500, event('wallet.deposit.completed', { amount_minor: 500 }, null), names)).toEqual({ name: 'amount (minor units)', text: '500', title: null });
  });

  it('shows limits by their kind: money in the currency, time limits in minutes, none when lifted', () => {
    expect(showField('value', 5_000, event('rg.limit.set', { kind: 'deposit', value: 5_000 }), names).text).toBe('50.00 EUR');
    expect(showField('value', 60, event('rg.limit.set', { kind: 'session_time', value: 60 }, null), names).text).toBe('60 min');
    expect(showField('value', null, event('rg.limit.set', { kind: 'loss', value: null }), names).text).toBe('none');
  });

  it('shows times in UTC (ISO on hover) and durations in h/min/s', () => {
    const at = Date.UTC(2026, 0, 2, 3, 17, 8, 5);
    expect(showField('expires_at', at, event('wallet.hold.reserved', { expires_at: at }), names)).toEqual({ name: 'expires at', text: '2026-01-02 03:17:08 UTC', title: '2026-01-02T03:17:08.005Z' });
    expect(showField('until', null, event('rg.self_exclusion.started', { until: null }, null), names).text).toBe('permanent');
    expect(showField('duration_ms', 3_723_000, event('player.session.ended', { duration_ms: 3_723_000 }, null), names)).toEqual({ name: 'duration', text: '1 h 2 min 3 s', title: '3723000 ms' });
  });

  it('names operators and players, with the id on hover; other strings as they are', () => {
    const e = event('backoffice.adjustment.applied', { requested_by: OPERATOR, approved_by: 'operator:0193a1b2-0000-7000-8000-000000000000', reason: 'goodwill' });
    expect(showField('requested_by', OPERATOR, e, names)).toEqual({ name: 'requested by', text: 'Olga Operator', title: OPERATOR });
    // an operator the directory does not know: the id itself
    expect(showField('approved_by', 'operator:0193a1b2-0000-7000-8000-000000000000', e, names).text).toBe('operator:0193a1b2-0000-7000-8000-000000000000');
    expect(showField('actor', PLAYER, e, names)).toEqual({ name: 'actor', text: 'p***@p***.example', title: PLAYER });
    expect(showField('actor', 'system', e, names)).toEqual({ name: 'actor', text: 'system', title: null });
  });

  it('shows the whole event: when (UTC), type and each field in payload order', () => {
    const shown = showEvent(event('player.status.changed', { from: 'active', to: 'locked', reason: 'ticket 1001', actor: OPERATOR }, null), names);
    expect(shown.at).toEqual({ name: 'at', text: '2026-12-02 04:37:08 UTC', title: '2026-12-02T04:37:08.123Z' });
    expect(shown.type).toBe('player.status.changed');
    expect(shown.fields.map((f) => `${f.name}: ${f.text}`)).toEqual(['from: active', 'to: locked', 'reason: ticket 1001', 'actor: Olga Operator']);
  });
});
