/**
 * Lifecycle and risk behaviours and operator activity of fast mode (docs/simulator.md): reactivation
 * after weeks, churn for good, loss chasing, structuring just under the AML threshold,
 * deposit-then-withdraw with little play, and the operator events (alerts, adjustments, VIP, round
 * voids, hold expiries). Two histories: a 10-day one of all 7 tables (blackjack too) and a 60-day one (only its
 * lines of interest are parsed).
 */
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, validateEvent, type CasinoEvent } from '../domain/events';
import { emptyCounts, generateHistoryLines, type HistoryOptions } from './fast';
import { DAY_MS, MINOR_PER_EUR, REACTIVATION_LAPSE_DAYS, STRUCTURING_DEPOSIT_SHARE, STRUCTURING_THRESHOLD_EUR } from './model';
import { collectHistory } from './sink';

const NOW = Date.UTC(2026, 10, 20, 18, 30);
const SHORT: HistoryOptions = { players: 120, days: 10, tables: 7, seed: 'test-seed', now: NOW };
const LONG: HistoryOptions = { players: 300, days: 60, tables: 2, seed: 'test-seed', now: NOW };

/**
 * Event types the edge can emit that fast mode does not, and why:
 * - player.segments.changed: emitted when the warehouse publishes segments back (`npm run wh -- publish segments`), not by casino traffic;
 * - audit.entry.appended: AuditDO's hash-chained log of operator requests; fast mode does not reproduce the chain (the warehouse reads no audit staging model);
 * - catalog.*: CatalogDO's configuration changes (games, providers, categories), made when the catalog is edited, not by a casino day;
 * - provider.rollback.unmatched: a provider rolling back a transaction the platform never saw, an integration fault;
 * - rg.self_exclusion.ended: exclusions last 6 months or more, beyond a simulated history;
 * - tournament.*: tournaments are configured by marketing (TournamentDO), not played by a simulated day.
 */
export const NOT_EMITTED = ['player.segments.changed', 'audit.entry.appended', 'catalog.provider.changed', 'catalog.category.changed', 'catalog.game.changed',
  'provider.rollback.unmatched', 'rg.self_exclusion.ended', 'table.round.settle_stuck',
  // a cashback paid into the wallet (durable/player/reward-offers.ts): the live rule set has no cashback rule
  'wallet.reward.credited',
  // a wheel spin spun by the player (durable/player/rewards.ts spin): the simulated players do not spin their wheels
  'rewards.wheel_spun',
  // tournaments (TournamentDO, docs/tournaments.md): marketing configuration with its own objects; fast mode does not simulate them
  'tournament.created', 'tournament.joined', 'tournament.cancelled', 'tournament.ended', 'tournament.prize.paid'];

const INTERESTING = new Set(['player.login.succeeded', 'player.registered', 'wallet.deposit.completed', 'wallet.withdrawal.requested', 'ops.alert.raised', 'ops.alert.resolved',
  'backoffice.adjustment.requested', 'backoffice.adjustment.applied', 'backoffice.adjustment.rejected', 'player.vip.changed', 'table.round.voided',
  'wallet.hold.expired', 'provider.bet.debited', 'provider.win.credited']);

const short = collectHistory(SHORT);
const longCounts = emptyCounts();
const long: CasinoEvent[] = [];
/** Reversed withdrawals of the 60-day history: each cancellation and what its player staked in the 24 h after it. */
const reversals: { e: CasinoEvent; staked: number }[] = [];
/** Withdrawal steps of the 60-day history (decisions included), by withdrawal id, in time order. */
const withdrawalSteps = new Map<string, string[]>();
for (const chunk of generateHistoryLines(LONG, longCounts)) {
  for (const line of chunk) {
    const type = line.slice(line.indexOf('"event_type":"') + 14, line.indexOf('","schema_version"'));
    if (INTERESTING.has(type) && (type !== 'provider.bet.debited' && type !== 'provider.win.credited')) long.push(JSON.parse(line) as CasinoEvent);
    if (type.startsWith('wallet.withdrawal.')) {
      const e = JSON.parse(line) as CasinoEvent;
      const id = e.payload.withdrawal_id as string;
      withdrawalSteps.set(id, [...(withdrawalSteps.get(id) ?? []), type.slice(18)]);
      if (type === 'wallet.withdrawal.cancelled') reversals.push({ e, staked: 0 });
    } else if (reversals.length > 0 && (type === 'provider.bet.debited' || type === 'table.bet.placed')) {
      // lines come in time order: a stake can only follow the cancellations already seen
      const at = Number(/"occurred_at":(\d+)/.exec(line)![1]);
      const player = /"player_id":"([^"]+)"/.exec(line)![1];
      for (const r of reversals) {
        if (r.e.player_id === player && at > r.e.occurred_at && at <= r.e.occurred_at + DAY_MS) r.staked += Number(/"amount_minor":(\d+)/.exec(line)![1]);
      }
    }
  }
}

function byPlayer(events: CasinoEvent[], type: string): Map<string, CasinoEvent[]> {
  const m = new Map<string, CasinoEvent[]>();
  for (const e of events) {
    if (e.event_type !== type || !e.player_id) continue;
    let l = m.get(e.player_id);
    if (!l) m.set(e.player_id, (l = []));
    l.push(e);
  }
  return m;
}

describe('fast mode: lifecycle, risk behaviours, operators', () => {
  it('emits every event type of a casino day but the listed ones (union of a 10-day and a 60-day history)', () => {
    const missing = EVENT_TYPES.filter((t) => !short.counts.by_type[t] && !longCounts.by_type[t]);
    expect(missing.sort()).toEqual([...NOT_EMITTED].sort());
    // the staging models stg_alerts and stg_adjustments have rows in the 10-day history already
    for (const t of ['ops.alert.raised', 'backoffice.adjustment.requested', 'backoffice.adjustment.applied', 'player.vip.changed', 'table.round.voided', 'wallet.hold.expired']) {
      expect(short.counts.by_type[t] ?? 0, t).toBeGreaterThan(0);
    }
  });

  it('the new events validate (all of them in the 60-day history)', () => {
    let n = 0;
    for (const e of long) {
      if (e.event_type === 'player.login.succeeded' || e.event_type === 'player.registered' || e.event_type.startsWith('wallet.deposit') || e.event_type.startsWith('wallet.withdrawal')) continue;
      const v = validateEvent(e);
      expect(v.ok ? 'ok' : `${e.event_type}: ${v.reason}`).toBe('ok');
      n++;
    }
    expect(n).toBeGreaterThan(300);
  });

  it('churn and reactivation: some players lapse for weeks and come back; churned players never return', () => {
    const logins = byPlayer(long, 'player.login.succeeded');
    let reactivated = 0;
    let churned = 0;
    for (const [, l] of logins) {
      let maxGap = 0;
      for (let i = 1; i < l.length; i++) maxGap = Math.max(maxGap, l[i]!.occurred_at - l[i - 1]!.occurred_at);
      if (maxGap >= REACTIVATION_LAPSE_DAYS[0] * DAY_MS) reactivated++;
      if (l.length >= 2 && NOW - l[l.length - 1]!.occurred_at > 21 * DAY_MS) churned++;
    }
    // Lapses are 3-10 weeks, so in 60 days only early churners are back; the 120-day default history
    // has reactivations in the warehouse's sense (library-coverage.test.ts).
    expect(longCounts.reactivated).toBeGreaterThanOrEqual(2);
    // a long gap is a reactivation (an ordinary player's gaps are days): the count matches the generator's within a few
    expect(Math.abs(reactivated - longCounts.reactivated)).toBeLessThanOrEqual(Math.max(3, longCounts.reactivated * 0.3));
    expect(churned).toBeGreaterThan(30);
    expect(reactivated).toBeLessThan(churned);
  });

  it('loss chasing: a minority raise the slot stake after a loss (up to the cap) and deposit again within minutes of going bust', () => {
    const rounds = new Map<string, { player: string; game: string; stake: number; at: number; win?: number }>();
    const seq = new Map<string, { game: string; stake: number; win?: number }[]>();
    for (const e of short.events) {
      if (e.event_type === 'provider.bet.debited') {
        const r = { player: e.player_id!, game: e.payload.game_id as string, stake: e.payload.amount_minor as number, at: e.occurred_at };
        rounds.set(e.payload.round_id as string, r);
        let l = seq.get(e.player_id!);
        if (!l) seq.set(e.player_id!, (l = []));
        l.push(r);
      } else if (e.event_type === 'provider.win.credited') {
        const r = rounds.get(e.payload.round_id as string);
        if (r) r.win = e.payload.amount_minor as number;
      }
    }
    const chasers = new Set<string>();
    for (const [player, l] of seq) {
      for (let i = 1; i < l.length; i++) {
        const a = l[i - 1]!;
        const b = l[i]!;
        if (a.game === b.game && a.win === 0 && b.stake > a.stake) chasers.add(player);
      }
    }
    expect(chasers.size).toBeGreaterThanOrEqual(4);
    expect(chasers.size).toBeLessThan(SHORT.players * 0.3);
    expect(short.counts.chase_redeposits).toBeGreaterThan(0);
  });

  it('reversed withdrawals: loss chasers cancel a withdrawal no operator decided yet and stake the money again', () => {
    expect(reversals.length).toBe(longCounts.withdrawals_cancelled);
    expect(reversals.length).toBeGreaterThanOrEqual(3);
    for (const { e, staked } of reversals) {
      expect(e.payload.actor).toBe('player');
      // requested, then cancelled, and nothing after: no operator decides a cancelled withdrawal
      expect(withdrawalSteps.get(e.payload.withdrawal_id as string)).toEqual(['requested', 'cancelled']);
      if (e.occurred_at < NOW - DAY_MS) expect(staked, `stakes after cancelling ${e.payload.withdrawal_id}`).toBeGreaterThan(0);
    }
    // rg_risk's reversed_withdrawal signal: at least half of the amount staked within 24 hours
    expect(reversals.filter((r) => r.staked >= 0.5 * (r.e.payload.amount_minor as number)).length).toBeGreaterThanOrEqual(2);
  });

  it('structuring: a few players make 3+ deposits in a day, each just under the threshold (EUR-equivalent), together above it', () => {
    const structurers = new Set<string>();
    for (const [player, l] of byPlayer(long, 'wallet.deposit.completed')) {
      const near = l.filter((e) => {
        const eur = (e.payload.amount_minor as number) / (MINOR_PER_EUR[e.currency!] ?? 100);
        return eur >= STRUCTURING_THRESHOLD_EUR * (STRUCTURING_DEPOSIT_SHARE[0] - 0.01) && eur < STRUCTURING_THRESHOLD_EUR;
      });
      for (let i = 0; i + 2 < near.length; i++) if (near[i + 2]!.occurred_at - near[i]!.occurred_at <= DAY_MS) structurers.add(player);
    }
    expect(structurers.size).toBeGreaterThanOrEqual(2);
    expect(structurers.size).toBeLessThan(LONG.players * 0.06);
  });

  it('deposit then withdraw with little play: withdrawals of >= 80 % of a deposit within the hour, each with its rapid_deposit_withdraw alert', () => {
    const deposits = byPlayer(long, 'wallet.deposit.completed');
    const alerts = byPlayer(long, 'ops.alert.raised');
    let quick = 0;
    for (const [player, ws] of byPlayer(long, 'wallet.withdrawal.requested')) {
      for (const w of ws) {
        const amount = w.payload.amount_minor as number;
        const d = (deposits.get(player) ?? []).find((x) => x.occurred_at <= w.occurred_at && w.occurred_at - x.occurred_at <= 3_600_000 && amount * 100 >= (x.payload.amount_minor as number) * 80);
        if (!d) continue;
        quick++;
        const a = (alerts.get(player) ?? []).find((x) => x.payload.rule === 'rapid_deposit_withdraw' && x.occurred_at >= w.occurred_at && x.occurred_at - w.occurred_at < 10_000);
        expect(a, 'alert for a rapid cash-out').toBeTruthy();
      }
    }
    expect(quick).toBeGreaterThanOrEqual(5);
    expect(longCounts.quick_cashouts).toBeGreaterThanOrEqual(5);
  });

  it('operators: alerts of each rule, adjustments applied at once or after approval (or rejected), VIP flags, voided rounds', () => {
    const rules = new Set(long.filter((e) => e.event_type === 'ops.alert.raised').map((e) => e.payload.rule));
    for (const r of rules) expect(['failed_logins', 'large_win', 'rapid_deposit_withdraw']).toContain(r);
    expect(rules.has('rapid_deposit_withdraw') && rules.has('failed_logins')).toBe(true);
    const requested = new Map(long.filter((e) => e.event_type === 'backoffice.adjustment.requested').map((e) => [e.payload.adjustment_id as string, e]));
    const decided = long.filter((e) => e.event_type === 'backoffice.adjustment.applied' || e.event_type === 'backoffice.adjustment.rejected');
    for (const e of decided) {
      const r = requested.get(e.payload.adjustment_id as string);
      expect(r, 'decided adjustment was requested').toBeTruthy();
      expect(e.payload.amount_minor).toBe(r!.payload.amount_minor);
      if (e.event_type === 'backoffice.adjustment.applied') expect(e.payload.approved_by === null).toBe(r!.payload.needs_approval === false);
    }
    expect(decided.some((e) => e.event_type === 'backoffice.adjustment.rejected')).toBe(true);
    expect(decided.some((e) => e.event_type === 'backoffice.adjustment.applied' && e.payload.approved_by !== null)).toBe(true);
    expect(long.filter((e) => e.event_type === 'player.vip.changed').every((e) => e.payload.to === true)).toBe(true);
    expect(longCounts.rounds_voided).toBeGreaterThan(0);
  });

  it('operators decide most alerts once, after they were raised, by an operator, with a mix of decisions; some stay open', () => {
    const raised = new Map(long.filter((e) => e.event_type === 'ops.alert.raised').map((e) => [e.payload.alert_id as string, e]));
    const resolved = long.filter((e) => e.event_type === 'ops.alert.resolved');
    expect(new Set(resolved.map((e) => e.payload.alert_id)).size).toBe(resolved.length);
    for (const e of resolved) {
      const a = raised.get(e.payload.alert_id as string);
      expect(a, 'resolved alert was raised').toBeTruthy();
      expect(e.occurred_at).toBeGreaterThan(a!.occurred_at);
      expect(e.payload).toMatchObject({ rule: a!.payload.rule, brand: a!.payload.brand, resolved_at: e.occurred_at });
      expect(e.player_id).toBe(a!.player_id);
      expect(e.payload.actor).toMatch(/^operator:[0-9a-f-]{36}$/);
    }
    expect(longCounts.alerts_resolved).toBe(resolved.length);
    // most, not all: ~80-90 % resolved (the last days' alerts and a share of the others still open)
    expect(resolved.length).toBeGreaterThan(raised.size * 0.6);
    expect(resolved.length).toBeLessThan(raised.size);
    const decisions = new Set(resolved.map((e) => e.payload.decision));
    expect(decisions.has('no_action') && decisions.has('false_positive') && decisions.has('escalated')).toBe(true);
  });
});
