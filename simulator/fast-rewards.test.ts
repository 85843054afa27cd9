/**
 * Fast mode's rewards (simulator/fast-rewards.ts) against what the player's object does
 * (durable/player/rewards.ts, docs/rewards.md "Wiring"): each rewards event valid under its schema,
 * named after an object call that happened (engine event ids), stamped at that call's time, with
 * the safety rules and caps of the live rule set holding, and the rest of the history untouched.
 */
import { describe, expect, it } from 'vitest';
import { validateEvent, type CasinoEvent } from '../domain/events';
import { liveRewardsConfig } from '../durable/player/rewards-config';
import { emptyCounts, generateHistoryLines, type HistoryOptions } from './fast';

const OPTS: HistoryOptions = { players: 80, days: 12, tables: 4, seed: 'rewards-parity', now: Date.UTC(2026, 10, 20, 18, 30) };

function lines(opts: HistoryOptions): string[] {
  const out: string[] = [];
  for (const chunk of generateHistoryLines(opts, emptyCounts())) out.push(...chunk);
  return out;
}

const withRewards = lines(OPTS);
const events = withRewards.map((l) => JSON.parse(l) as CasinoEvent);
const rewards = events.filter((e) => e.event_type.startsWith('rewards.'));
const set = liveRewardsConfig().compiled.set;

/** The object calls of the history, by engine event id, with the time the object made them. */
function calls(): Map<string, { at: number; player: string; table_id: string | null; round_id: string | null }> {
  const out = new Map<string, { at: number; player: string; table_id: string | null; round_id: string | null }>();
  const reserved = new Map<string, number>();
  const posted = new Map<string, number>();
  const registered = new Set<string>();
  const firstLoginSkipped = new Set<string>();
  for (const e of events) {
    const p = e.payload;
    const player = e.player_id!;
    switch (e.event_type) {
      case 'player.registered': registered.add(player); break;
      case 'player.login.succeeded':
        if (registered.has(player) && !firstLoginSkipped.has(player)) firstLoginSkipped.add(player);
        else out.set(`login:${String(p.session_id)}`, { at: e.occurred_at, player, table_id: null, round_id: null });
        break;
      case 'wallet.hold.reserved': reserved.set(String(p.hold_id), e.occurred_at); break;
      case 'wallet.hold.posted': posted.set(String(p.hold_id), e.occurred_at); break;
      case 'table.bet.placed': out.set(`bet-placed:${String(p.hold_id)}`, { at: reserved.get(String(p.hold_id))!, player, table_id: e.table_id, round_id: e.round_id }); break;
      case 'table.bet.settled': {
        const hold = `table:${e.table_id}:${String(p.bet_id)}`;
        if (p.result !== 'void' && p.result !== 'expired') out.set(`bet-settled:${hold}`, { at: posted.get(hold)!, player, table_id: e.table_id, round_id: e.round_id });
        break;
      }
      case 'provider.bet.debited': out.set(`provider-bet:${String(p.provider_id)}:${String(p.tx_id)}`, { at: e.occurred_at, player, table_id: null, round_id: String(p.round_id) }); break;
      case 'provider.win.credited': if (Number(p.amount_minor) > 0) out.set(`provider-win:${String(p.provider_id)}:${String(p.tx_id)}`, { at: e.occurred_at, player, table_id: null, round_id: String(p.round_id) }); break;
      case 'wallet.deposit.completed': out.set(`deposit:${String(p.deposit_id)}`, { at: e.occurred_at, player, table_id: null, round_id: null }); break;
    }
  }
  return out;
}

describe('fast mode runs the rewards engine as the player object does', () => {
  it('emits every kind of rewards outcome, each valid under its schema', () => {
    const types = new Set(rewards.map((e) => e.event_type));
    expect([...types].sort()).toEqual(['rewards.assigned', 'rewards.break_suggested', 'rewards.granted', 'rewards.level_up', 'rewards.mission_expired', 'rewards.suppressed']);
    for (const e of rewards) expect(validateEvent(e), e.event_type).toMatchObject({ ok: true });
    // missions progress past their first step (the last one, a blackjack hand, waits for blackjack in fast mode
    // and for table.hand.settled in the object's wiring), and the A/B rule both grants and holds out
    const granted = rewards.filter((e) => e.event_type === 'rewards.granted');
    expect(granted.some((e) => e.payload.kind === 'mission_progress' && e.payload.step_index === 1)).toBe(true);
    const assigned = new Set(rewards.filter((e) => e.event_type === 'rewards.assigned').map((e) => e.payload.variant));
    expect(assigned.has('holdout') && assigned.size >= 2).toBe(true);
  });

  it('names an object call that happened, at its time, for its player, table and round', () => {
    const byId = calls();
    for (const e of rewards) {
      const c = byId.get(String(e.payload.source_event_id));
      expect(c, `${e.event_type} ${String(e.payload.source_event_id)}`).toBeDefined();
      expect({ at: e.occurred_at, player: e.player_id, table_id: e.table_id, round_id: e.round_id }).toEqual(c);
    }
  });

  it('grants once per grant id, in the player currency, with rule ids and versions of the live set', () => {
    const granted = rewards.filter((e) => e.event_type === 'rewards.granted');
    const ids = granted.map((e) => String(e.payload.grant_id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const e of granted) expect(String(e.payload.grant_id).startsWith(`${String(e.payload.source_event_id)}:`)).toBe(true);
    const rules = new Map(set.rules.map((r) => [r.id, r.version]));
    for (const e of granted) {
      const rule = String(e.payload.rule_id);
      if (rule.startsWith('level:')) expect(e.payload.rule_version).toBe(set.version);
      else expect(e.payload.rule_version).toBe(rules.get(rule));
    }
    const currency = new Map(events.filter((e) => e.event_type === 'player.registered').map((e) => [e.player_id, e.currency]));
    for (const e of rewards) expect(e.currency).toBe(currency.get(e.player_id));
  });

  it('holds the daily caps on points and XP per player', () => {
    const per = new Map<string, number>();
    for (const e of rewards) {
      if (e.event_type !== 'rewards.granted' || (e.payload.kind !== 'points' && e.payload.kind !== 'xp')) continue;
      const key = `${e.player_id}|${new Date(e.occurred_at).toISOString().slice(0, 10)}|${String(e.payload.kind)}`;
      per.set(key, (per.get(key) ?? 0) + Number(e.payload.amount));
    }
    expect(per.size).toBeGreaterThan(0);
    for (const [k, v] of per) expect(v, k).toBeLessThanOrEqual(k.endsWith('|points') ? set.caps.points_per_day! : set.caps.xp_per_day!);
  });

  it('gives excluded and cooling-off players nothing, and players at risk no promotion', () => {
    const excludedUntil = new Map<string, number>();
    const coolOff = new Map<string, number>();
    const atRiskSources = new Set(rewards.filter((e) => e.event_type === 'rewards.suppressed' && e.payload.reason === 'player_at_risk').map((e) => String(e.payload.source_event_id)));
    expect(atRiskSources.size).toBeGreaterThan(0);
    for (const e of events) {
      const p = e.payload;
      if (e.event_type === 'player.status.changed') excludedUntil.set(e.player_id!, p.to === 'self_excluded' ? Infinity : 0);
      if (e.event_type === 'rg.cool_off.started') coolOff.set(e.player_id!, Number(p.until));
      if (!e.event_type.startsWith('rewards.')) continue;
      expect((excludedUntil.get(e.player_id!) ?? 0) > e.occurred_at, 'a self-excluded player got a rewards event').toBe(false);
      expect((coolOff.get(e.player_id!) ?? 0) > e.occurred_at, 'a cooling-off player got a rewards event').toBe(false);
      if (e.event_type === 'rewards.granted' && atRiskSources.has(String(e.payload.source_event_id))) {
        expect(e.payload.kind, 'a player at risk got a promotion').toBe('message');
      }
    }
  });

  it('leaves every other event of the history byte for byte, and is deterministic', () => {
    const without = lines({ ...OPTS, rewards: false });
    expect(withRewards.filter((l) => !l.includes('"event_type":"rewards.'))).toEqual(without);
    expect(lines(OPTS)).toEqual(withRewards);
    // in occurred_at order, like every history
    for (let i = 1; i < events.length; i++) expect(events[i]!.occurred_at >= events[i - 1]!.occurred_at).toBe(true);
  });
});
