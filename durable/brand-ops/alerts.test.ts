/**
 * Anomaly alerts through real RPC: each rule fires exactly once at its threshold and not below it,
 * on event time (late and out-of-order events too), never twice for a replayed batch; raising
 * writes `ops.alert.raised` to the outbox; resolving follows its rules.
 */
import { describe, expect, it } from 'vitest';
import { BACKOFFICE_CONFIG, largeWinThresholdMinor } from '../../domain/backoffice';
import { validateEvent } from '../../domain/events';
import { isUuid } from '../../domain/ids';
import { batch, ev, MIN, opsStub, snapshot, T0 } from './test-fixtures';

const RULES = BACKOFFICE_CONFIG.anomaly_rules;

describe('large_win', () => {
  it('fires at the currency threshold, not one minor unit below, with the amount formatted', async () => {
    const ops = opsStub();
    const p = snapshot();
    const eur = largeWinThresholdMinor('EUR');
    await ops.ingest(batch(p, ev.winCredited(p, 'w-below', eur - 1, T0)));
    expect(await ops.alerts()).toEqual([]);
    const win = ev.winCredited(p, 'w-at', eur, T0 + 1);
    await ops.ingest(batch(p, win));
    const [alert, ...rest] = await ops.alerts();
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({
      rule: 'large_win', severity: RULES.large_win.severity, player_id: p.player_id, jurisdiction: 'MT', currency: 'EUR',
      evidence: [win.event_id], state: 'open', occurred_at: T0 + 1, resolved_at: null, resolved_by: null, note: null,
    });
    expect(isUuid(alert!.alert_id)).toBe(true);
    expect(alert!.summary).toContain('5000.00 EUR');
  });

  it('uses each currency\'s own threshold (JPY has no minor unit)', async () => {
    const ops = opsStub();
    const p = snapshot({ jurisdiction: 'CW', country: 'JP', currency: 'JPY' });
    const jpy = largeWinThresholdMinor('JPY');
    await ops.ingest(batch(p, ev.winCredited(p, 'a', jpy - 1, T0), ev.winCredited(p, 'b', jpy, T0)));
    const alerts = await ops.alerts();
    expect(alerts.map((a) => a.summary)).toEqual([expect.stringContaining(`${jpy} JPY`)]);
  });

  it('raises once for a replayed batch, and writes ops.alert.raised to the outbox in the same transaction', async () => {
    const ops = opsStub();
    const p = snapshot();
    const b = batch(p, ev.winCredited(p, 'w1', 1_000_000, T0));
    await ops.ingest(b);
    await ops.ingest(b);
    await ops.ingest(batch({ ...p, updated_at: T0 + 1 }, ...b.events));
    const alerts = await ops.alerts();
    expect(alerts).toHaveLength(1);
    const outbox = await ops.outbox(0, 10);
    expect(outbox).toHaveLength(1);
    const shipped = validateEvent(outbox[0]!.event);
    expect(shipped.ok).toBe(true);
    expect(outbox[0]!.event).toMatchObject({
      event_type: 'ops.alert.raised', player_id: p.player_id, jurisdiction: 'MT', currency: 'EUR',
      payload: { alert_id: alerts[0]!.alert_id, brand: 'aurora', rule: 'large_win', severity: 'high', summary: alerts[0]!.summary },
    });
    expect(await ops.outbox(outbox[0]!.seq, 10)).toEqual([]);
  });
});

describe('rapid_deposit_withdraw', () => {
  const { window_ms: WINDOW, min_ratio_pct: PCT } = RULES.rapid_deposit_withdraw;
  const DEPOSIT = 10_000;
  const AT_RATIO = (DEPOSIT * PCT) / 100;

  it('fires for a withdrawal of min_ratio_pct% of a deposit at the end of the window, not below either bound', async () => {
    const ops = opsStub();
    const p = snapshot();
    const d = ev.depositCompleted(p, 'd1', DEPOSIT, T0);
    await ops.ingest(batch(p, d,
      ev.withdrawalRequested(p, 'w-low', AT_RATIO - 1, T0 + MIN),
      ev.withdrawalRequested(p, 'w-late', DEPOSIT, T0 + WINDOW + 1),
      ev.withdrawalRequested(p, 'w-usd', DEPOSIT, T0 + MIN, 'USD'),
      ev.withdrawalRequested(p, 'w-before', DEPOSIT, T0 - 1)));
    expect(await ops.alerts()).toEqual([]);
    const w = ev.withdrawalRequested(p, 'w-hit', AT_RATIO, T0 + WINDOW);
    await ops.ingest(batch(p, w));
    const alerts = await ops.alerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ rule: 'rapid_deposit_withdraw', severity: RULES.rapid_deposit_withdraw.severity, evidence: [d.event_id, w.event_id], currency: 'EUR' });
    expect(alerts[0]!.summary).toBe(`Withdrawal of 80.00 EUR requested 60 min after a deposit of 100.00 EUR (${PCT}%)`);
  });

  it('fires when the withdrawal arrives before its deposit, once, and not again on replay', async () => {
    const ops = opsStub();
    const p = snapshot();
    const w = batch(p, ev.withdrawalRequested(p, 'w1', DEPOSIT, T0 + 10 * MIN));
    const d = batch(p, ev.depositCompleted(p, 'd1', DEPOSIT, T0), ev.depositCompleted(p, 'd2', DEPOSIT, T0 + 5 * MIN));
    await ops.ingest(w);
    expect(await ops.alerts()).toEqual([]);
    await ops.ingest(d);
    await ops.ingest(w);
    await ops.ingest(d);
    const alerts = await ops.alerts();
    expect(alerts).toHaveLength(1); // one alert per withdrawal, though two deposits qualify
    expect(alerts[0]!.evidence[1]).toBe(w.events[0]!.event_id);
  });
});

describe('failed_logins', () => {
  const { window_ms: WINDOW, count: COUNT } = RULES.failed_logins;

  it('fires at count failures within the window, once per player per window', async () => {
    const ops = opsStub();
    const p = snapshot();
    const fails = Array.from({ length: COUNT + 2 }, (_, i) => ev.loginFailed(p, T0 + i * MIN));
    await ops.ingest(batch(p, ...fails.slice(0, COUNT - 1)));
    expect(await ops.alerts()).toEqual([]);
    await ops.ingest(batch(p, ...fails.slice(COUNT - 1)));
    const alerts = await ops.alerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ rule: 'failed_logins', currency: null, evidence: fails.slice(0, COUNT).map((f) => f.event_id) });
    expect(alerts[0]!.summary).toBe(`${COUNT} failed logins within 15 min`);
    expect(await ops.outbox(0, 10)).toHaveLength(1); // the later failures of the window raised nothing
    // another player's failures are counted apart
    const q = snapshot();
    await ops.ingest(batch(q, ...Array.from({ length: COUNT - 1 }, (_, i) => ev.loginFailed(q, T0 + i))));
    expect(await ops.alerts()).toHaveLength(1);
  });

  it('counts a window inclusively: count failures spanning exactly window_ms fire, one ms more does not', async () => {
    const spaced = (span: number) => Array.from({ length: COUNT }, (_, i) => Math.round((i * span) / (COUNT - 1)));
    const exact = opsStub();
    const p = snapshot();
    await exact.ingest(batch(p, ...spaced(WINDOW).map((d) => ev.loginFailed(p, T0 + d))));
    expect(await exact.alerts()).toHaveLength(1);
    const wide = opsStub();
    await wide.ingest(batch(p, ...spaced(WINDOW + 1).map((d) => ev.loginFailed(p, T0 + d))));
    expect(await wide.alerts()).toEqual([]);
  });

  it('fires when a late failure completes a run of later ones, and raises a second alert only in a new window', async () => {
    const ops = opsStub();
    const p = snapshot();
    const later = Array.from({ length: COUNT - 1 }, (_, i) => ev.loginFailed(p, T0 + (i + 1) * MIN));
    await ops.ingest(batch(p, ...later));
    const first = batch(p, ev.loginFailed(p, T0));
    await ops.ingest(first);
    await ops.ingest(first);
    expect(await ops.alerts()).toHaveLength(1);
    // a burst in the next window is a new alert
    const next = Array.from({ length: COUNT }, (_, i) => ev.loginFailed(p, T0 + WINDOW + 2 * MIN + i));
    await ops.ingest(batch(p, ...next));
    await ops.ingest(batch(p, ...next));
    expect(await ops.alerts()).toHaveLength(2);
  });
});

describe('resolving alerts', () => {
  async function withAlerts() {
    const ops = opsStub();
    const mt = snapshot();
    const gb = snapshot({ jurisdiction: 'GB', currency: 'GBP' });
    await ops.ingest(batch(mt, ev.winCredited(mt, 'w1', 600_000, T0)));
    await ops.ingest(batch(gb, ev.winCredited(gb, 'w2', 600_000, T0 + 1)));
    return { ops, mt, gb };
  }

  it('resolves once with actor and note; a second time is invalid_state; an unknown id is alert_not_found', async () => {
    const { ops, mt } = await withAlerts();
    const [, mtAlert] = await ops.alerts();
    expect(mtAlert!.player_id).toBe(mt.player_id);
    const r = await ops.resolveAlert(mtAlert!.alert_id, 'operator:ops-1', 'verified with the provider');
    expect(r).toMatchObject({ ok: true, alert: { state: 'resolved', resolved_by: 'operator:ops-1', note: 'verified with the provider' } });
    expect(r.ok && r.alert.resolved_at).toBeGreaterThan(0);
    expect(await ops.resolveAlert(mtAlert!.alert_id, 'operator:ops-2', 'again')).toMatchObject({ ok: false, code: 'invalid_state' });
    expect(await ops.resolveAlert(crypto.randomUUID(), 'operator:ops-1', 'x')).toMatchObject({ ok: false, code: 'alert_not_found' });
    expect(await ops.resolveAlert(mtAlert!.alert_id, '', 'x')).toMatchObject({ ok: false, code: 'validation_failed' });
    expect((await ops.alert(mtAlert!.alert_id))?.resolved_by).toBe('operator:ops-1');
  });

  it('lists by state and within the caller\'s jurisdictions, newest first, paging back with before', async () => {
    const { ops, mt, gb } = await withAlerts();
    const all = await ops.alerts();
    expect(all.map((a) => a.player_id)).toEqual([gb.player_id, mt.player_id]);
    await ops.resolveAlert(all[0]!.alert_id, 'operator:ops-1', 'ok');
    expect((await ops.alerts({ state: 'open' })).map((a) => a.player_id)).toEqual([mt.player_id]);
    expect((await ops.alerts({ state: 'resolved' })).map((a) => a.player_id)).toEqual([gb.player_id]);
    expect((await ops.alerts({ jurisdictions: ['MT'] })).map((a) => a.player_id)).toEqual([mt.player_id]);
    expect(await ops.alerts({ jurisdictions: ['ON'] })).toEqual([]);
    expect((await ops.alerts({ limit: 1 })).map((a) => a.player_id)).toEqual([gb.player_id]);
    expect((await ops.alerts({ before: all[0]!.alert_id })).map((a) => a.player_id)).toEqual([mt.player_id]);
    expect(await ops.counts({ jurisdictions: ['GB'] })).toMatchObject({ alerts_open: 0 });
  });

  it('an anomaly alert resolves with or without a decision; ops.alert.resolved carries it (null when none) and the actor, not the note', async () => {
    const { ops, mt, gb } = await withAlerts();
    const [gbAlert, mtAlert] = await ops.alerts();
    expect(await ops.resolveAlert(mtAlert!.alert_id, 'operator:ops-1', 'x', 'ignore')).toMatchObject({ ok: false, code: 'invalid_decision' });
    expect((await ops.alert(mtAlert!.alert_id))?.state).toBe('open');
    expect(await ops.resolveAlert(mtAlert!.alert_id, 'operator:ops-1', 'jackpot verified', 'no_action')).toMatchObject({ ok: true, alert: { decision: 'no_action' } });
    expect(await ops.resolveAlert(gbAlert!.alert_id, 'operator:ops-2', 'fine')).toMatchObject({ ok: true, alert: { decision: null } });
    const resolved = (await ops.outbox(0, 100)).map((r) => r.event).filter((e) => e.event_type === 'ops.alert.resolved');
    for (const e of resolved) expect(validateEvent(e)).toMatchObject({ ok: true });
    expect(resolved.map((e) => [e.player_id, e.payload])).toEqual([
      [mt.player_id, { alert_id: mtAlert!.alert_id, brand: 'aurora', rule: 'large_win', decision: 'no_action', actor: 'operator:ops-1', resolved_at: (await ops.alert(mtAlert!.alert_id))!.resolved_at }],
      [gb.player_id, { alert_id: gbAlert!.alert_id, brand: 'aurora', rule: 'large_win', decision: null, actor: 'operator:ops-2', resolved_at: (await ops.alert(gbAlert!.alert_id))!.resolved_at }],
    ]);
  });
});
