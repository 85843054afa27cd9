/** The population's habits (simulator/model.ts): device mix, the edge reads each client as its device, night owls' hours. */
import { describe, expect, it } from 'vitest';
import { deviceOf } from '../domain/device';
import {
  DEVICE_WEIGHTS, HOUR_MS, MULTI_DEVICE_SHARE, NIGHT_OWL_SHARE, NIGHT_SHAPE, DAY_SHAPE, loginClient, pickHabits, shapedTime, type SimDevice,
  LOSS_CHASER_SHARE, MINOR_PER_EUR, QUICK_CASHOUT_SHARE, REACTIVATION_LAPSE_DAYS, REACTIVATION_SHARE, STRUCTURER_SHARE, STRUCTURING_DEPOSIT_SHARE, STRUCTURING_THRESHOLD_EUR,
  pickArchetype, pickBehaviour, structuringAmounts,
} from './model';
import { Rng } from './rng';

const PLAYERS = 600;
const habits = Array.from({ length: PLAYERS }, (_, i) => pickHabits(Rng.derive('model-test', `habits:${i}`)));

describe('player habits', () => {
  it('main devices follow the mix (60/30/7/3 %) within 5 points on 600 players; about a fifth use two devices', () => {
    const total = DEVICE_WEIGHTS.reduce((s, d) => s + d[1], 0);
    for (const [device, weight] of DEVICE_WEIGHTS) {
      const share = habits.filter((h) => h.primary.device === device).length / PLAYERS;
      expect(Math.abs(share - weight / total), device).toBeLessThan(0.05);
    }
    const two = habits.filter((h) => h.second).length / PLAYERS;
    expect(Math.abs(two - MULTI_DEVICE_SHARE)).toBeLessThan(0.05);
    for (const h of habits) if (h.second) expect(h.second.device).not.toBe(h.primary.device);
    const owls = habits.filter((h) => h.nightOwl).length / PLAYERS;
    expect(Math.abs(owls - NIGHT_OWL_SHARE)).toBeLessThan(0.04);
  });

  it('the edge reads every simulated client as the device it stands for (domain/device.ts)', () => {
    const seen = new Map<SimDevice, Set<string>>();
    for (const h of habits) {
      for (const c of [h.primary, h.second]) {
        if (!c) continue;
        expect(deviceOf(c.headers['User-Agent'], c.headers['X-Client'])).toBe(c.device);
        seen.set(c.device, (seen.get(c.device) ?? new Set()).add(c.headers['User-Agent']!));
      }
    }
    expect([...seen.keys()].sort()).toEqual(['app', 'desktop', 'mobile', 'tablet']);
  });

  it('a player keeps one client per device: registration on the main one, later logins on one of theirs, deterministically', () => {
    const rng = Rng.derive('model-test', 'logins');
    const h = habits.find((x) => x.second)!;
    expect(loginClient(rng, h, true)).toBe(h.primary);
    const used = Array.from({ length: 400 }, () => loginClient(rng, h, false));
    expect(new Set(used)).toEqual(new Set([h.primary, h.second]));
    const onSecond = used.filter((c) => c === h.second).length / used.length;
    expect(onSecond).toBeGreaterThan(0.2);
    expect(onSecond).toBeLessThan(0.4);
    const again = pickHabits(Rng.derive('model-test', 'habits:0'));
    expect(again).toEqual(habits[0]);
  });

  it('night owls start most sessions between 00:00 and 05:00 local; others rarely', () => {
    const nightShare = (shape: typeof DAY_SHAPE, utc: number) => {
      const rng = Rng.derive('model-test', `hours:${utc}`);
      const from = Date.UTC(2026, 10, 1);
      let night = 0;
      for (let i = 0; i < 4000; i++) {
        const hour = Math.floor((shapedTime(rng, from, from + 28 * 24 * HOUR_MS, utc, shape) + utc * HOUR_MS) / HOUR_MS) % 24;
        if (hour < 5) night++;
      }
      return night / 4000;
    };
    for (const utc of [0, 9, -5]) {
      expect(nightShare(NIGHT_SHAPE, utc)).toBeGreaterThan(0.6);
      expect(nightShare(DAY_SHAPE, utc)).toBeLessThan(0.15);
    }
  });
});

describe('lifecycle and risk behaviours (pickBehaviour)', () => {
  it('shares on 800 players within tolerance: reactivation, loss chasers (mostly at-risk), structurers, quick cash-outs, VIP high rollers', () => {
    const n = 800;
    let react = 0, chase = 0, chaseAtRisk = 0, atRisk = 0, struct = 0, quick = 0, vip = 0, high = 0, dormantFlags = 0;
    let expectedChase = 0;
    for (let i = 0; i < n; i++) {
      const a = pickArchetype(Rng.derive('shares', `a:${i}`));
      const b = pickBehaviour(Rng.derive('shares', `b:${i}`), a);
      expectedChase += LOSS_CHASER_SHARE[a];
      if (b.reactivates) react++;
      if (b.chaser) chase++;
      if (a === 'at_risk') { atRisk++; if (b.chaser) chaseAtRisk++; }
      if (b.structurer) struct++;
      if (b.quickCashout) quick++;
      if (a === 'highroller') { high++; if (b.vip) vip++; }
      if (a === 'dormant' && (b.reactivates || b.chaser || b.structurer || b.quickCashout || b.vip)) dormantFlags++;
      expect(b.lapseDays).toBeGreaterThanOrEqual(REACTIVATION_LAPSE_DAYS[0]);
      expect(b.lapseDays).toBeLessThanOrEqual(REACTIVATION_LAPSE_DAYS[1]);
    }
    const nonDormant = n * (1 - 0.18);
    expect(react / nonDormant).toBeGreaterThan(REACTIVATION_SHARE - 0.06);
    expect(react / nonDormant).toBeLessThan(REACTIVATION_SHARE + 0.06);
    expect(Math.abs(chase - expectedChase)).toBeLessThan(4 * Math.sqrt(expectedChase));
    expect(chaseAtRisk / atRisk).toBeGreaterThan(0.4);
    expect(struct).toBeGreaterThan(n * STRUCTURER_SHARE * 0.3);
    expect(struct).toBeLessThan(n * STRUCTURER_SHARE * 1.8);
    expect(quick).toBeGreaterThan(n * QUICK_CASHOUT_SHARE * 0.4);
    expect(quick).toBeLessThan(n * QUICK_CASHOUT_SHARE * 1.6);
    expect(vip).toBeLessThanOrEqual(high);
    expect(dormantFlags).toBe(0);
  });

  it('structuring amounts are each just under the threshold (EUR-equivalent), 3 to 5 a day, together above it', () => {
    for (const currency of ['EUR', 'GBP', 'CAD', 'BRL', 'JPY', 'KWD', 'BTC', 'USD']) {
      const r = new Rng(`s:${currency}`);
      for (let k = 0; k < 50; k++) {
        const xs = structuringAmounts(r, currency);
        expect(xs.length).toBeGreaterThanOrEqual(3);
        expect(xs.length).toBeLessThanOrEqual(5);
        const eur = xs.map((x) => x / MINOR_PER_EUR[currency]!);
        for (const e of eur) {
          expect(e).toBeLessThan(STRUCTURING_THRESHOLD_EUR);
          expect(e).toBeGreaterThan(STRUCTURING_THRESHOLD_EUR * (STRUCTURING_DEPOSIT_SHARE[0] - 0.01));
        }
        expect(eur.reduce((s, e) => s + e, 0)).toBeGreaterThan(STRUCTURING_THRESHOLD_EUR);
      }
    }
  });
});
