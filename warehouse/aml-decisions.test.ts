/**
 * The AML decision loop's warehouse end (docs/aml.md), from raw events: a player structures three
 * deposits just under Malta's threshold in one day (marts.aml_alerts raises a structuring alert with
 * id md5('structuring|<player>|<day>')), another player's day stays under the pattern, and an
 * operator's `ops.alert.resolved` for the first alert (as the edge emits it after `wh publish
 * aml-alerts`) is in the same batch. `wh sync` loads it, `wh plan --auto-apply` builds prod with
 * every audit, and marts.rpt_suspicious_activity shows the alert decided: decision, decided_by,
 * decided_at; the other player's alert-free day adds nothing, and an alert without a resolution is open.
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateEvent, type CasinoEvent } from '../domain/events';
import { uuidv7 } from '../domain/ids';
import { warehousePaths } from './config';
import { openWarehouse, rows } from './db';
import { scratchWarehouse } from './testing/scratch-warehouse';

const { root, dir, wh, loadEvents } = scratchWarehouse('aml-decisions');

const at = (iso: string) => Date.parse(iso);
const STRUCTURER = uuidv7(at('2026-11-01T08:00:00Z'));
const VELOCITY = uuidv7(at('2026-11-01T08:05:00Z'));
const OPERATOR = 'operator:0192f0aa-0000-7000-8000-00000000aa01';

function event(type: string, occurredAt: number, playerId: string, payload: Record<string, unknown>, currency: string | null = 'EUR'): CasinoEvent {
  return {
    event_id: uuidv7(occurredAt), event_type: type, schema_version: 1, occurred_at: occurredAt, player_id: playerId, table_id: null, round_id: null,
    jurisdiction: 'MT', currency, payload,
  } as unknown as CasinoEvent;
}

function registered(playerId: string, t: number): CasinoEvent {
  return event('player.registered', t, playerId, { brand: 'aurora', country: 'MT', birth_year: 1990, acquisition_source: null, config_version: 'test' }, null);
}

function deposit(playerId: string, t: number, n: number, amount: number, balanceAfter: number): CasinoEvent[] {
  const id = `dep-${playerId.slice(-6)}-${n}`;
  return [
    event('wallet.deposit.requested', t, playerId, { deposit_id: id, provider: 'sandbox', amount_minor: amount, payment_reference: null }),
    event('wallet.deposit.completed', t + 2_000, playerId, { deposit_id: id, provider: 'sandbox', amount_minor: amount, balance_after_minor: balanceAfter, payment_reference: null }),
  ];
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const STRUCTURING_ID = md5(`structuring|${STRUCTURER}|2026-11-02`);
const VELOCITY_ID = md5(`velocity|${VELOCITY}|2026-11-02`);
const DECIDED_AT = at('2026-11-03T10:15:00.250Z');

beforeAll(async () => {
  const events: CasinoEvent[] = [
    registered(STRUCTURER, at('2026-11-01T08:00:00Z')),
    registered(VELOCITY, at('2026-11-01T08:05:00Z')),
    // three completed deposits of EUR 1,900 (>= 0.8 x and < the MT threshold of EUR 2,000) in one UTC day: structuring, high
    ...deposit(STRUCTURER, at('2026-11-02T09:00:00Z'), 1, 190_000, 190_000),
    ...deposit(STRUCTURER, at('2026-11-02T13:00:00Z'), 2, 190_000, 380_000),
    ...deposit(STRUCTURER, at('2026-11-02T18:00:00Z'), 3, 190_000, 570_000),
    // five deposit attempts within the hour: velocity (medium), left undecided
    ...[0, 1, 2, 3, 4].flatMap((i) => deposit(VELOCITY, at('2026-11-02T20:00:00Z') + i * 5 * 60_000, i, 2_000, 2_000 * (i + 1))),
    // the operator's decision, as BrandOpsDO emits it (test/edge/aml-alerts.test.ts)
    event('ops.alert.resolved', DECIDED_AT, STRUCTURER, { alert_id: STRUCTURING_ID, brand: 'aurora', rule: 'aml.structuring', decision: 'reported', actor: OPERATOR, resolved_at: DECIDED_AT }),
  ];
  for (const e of events) expect(validateEvent(e), JSON.stringify(e)).toMatchObject({ ok: true });
  await loadEvents(events, 'aml-decisions-test');
}, 20 * 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('an operator\'s decision reaches the suspicious-activity report', () => {
  it('stages the resolution and shows the structuring alert decided, the velocity alert open', async () => {
    const w = await openWarehouse(warehousePaths(dir).db, { readOnly: true });
    try {
      expect(await rows(w.con, 'select alert_id, rule, decision, actor, is_aml from staging.stg_alert_resolutions')).toEqual([
        { alert_id: STRUCTURING_ID, rule: 'aml.structuring', decision: 'reported', actor: OPERATOR, is_aml: true },
      ]);
      const report = await rows<Record<string, unknown>>(w.con, `select alert_id, rule, player_id, brand, severity, status, decision, decided_by,
          strftime(decided_at, '%Y-%m-%dT%H:%M:%S.%g') as decided_at, report_month::varchar as report_month
        from marts.rpt_suspicious_activity order by rule`);
      expect(report).toEqual([
        { alert_id: STRUCTURING_ID, rule: 'structuring', player_id: STRUCTURER, brand: 'aurora', severity: 'high', status: 'decided', decision: 'reported', decided_by: OPERATOR, decided_at: '2026-11-03T10:15:00.250', report_month: '2026-11-01' },
        { alert_id: VELOCITY_ID, rule: 'velocity', player_id: VELOCITY, brand: 'aurora', severity: 'medium', status: 'open', decision: null, decided_by: null, decided_at: null, report_month: '2026-11-01' },
      ]);
    } finally {
      w.close();
    }
  });

  it('passes the audits of the report and its staging model', async () => {
    const audit = await wh('audit', 'marts.rpt_suspicious_activity', 'staging.stg_alert_resolutions');
    expect(audit.code, `${audit.out}\n${audit.err}`).toBe(0);
  });
});
