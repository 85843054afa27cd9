/**
 * The player object's rule set source (rule-source.ts): at most one check per interval, never two at
 * once, the deployed default while nothing is published, a failed check keeps the set in use.
 */
import { describe, expect, it } from 'vitest';
import raw from '../../config/rewards.json';
import { bodyOf } from '../../domain/rewards/publishing';
import { parseRuleSet, type RuleSet } from '../../domain/rewards/rule-schema';
import type { ActiveRuleSet } from '../brand-ops/rule-sets';
import type { RewardsConfig } from './rewards-config';
import { RuleSetSource } from './rule-source';

function published(version: number): ActiveRuleSet {
  const parsed = parseRuleSet(raw.rule_set);
  if (!parsed.ok) throw new Error('config/rewards.json does not parse');
  const set: RuleSet = { ...parsed.ruleSet, version };
  const b = bodyOf(set);
  return { changed: true, version, hash: b.hash, body: b.body };
}

function harness(answers: (ActiveRuleSet | Error)[]) {
  let now = 0;
  const asked: (number | null)[] = [];
  const applied: RewardsConfig[] = [];
  const source = new RuleSetSource(async (_brand, known) => {
    asked.push(known);
    const a = answers.shift() ?? { changed: false, version: known };
    if (a instanceof Error) throw a;
    return a;
  }, (c) => applied.push(c), 5_000, () => now);
  return { source, asked, applied, tick: (ms: number) => { now += ms; } };
}

describe('RuleSetSource', () => {
  it('checks at most once per interval, after calls, and installs a newly published version', async () => {
    const h = harness([published(4)]);
    await h.source.maybeRefresh(() => 'aurora');
    expect(h.asked).toEqual([null]);
    expect(h.source.version).toBe(4);
    expect(h.applied.map((c) => c.compiled.set.version)).toEqual([4]);
    // within the interval: no check at all, whatever the number of calls
    for (let i = 0; i < 10; i++) { h.tick(400); expect(h.source.maybeRefresh(() => 'aurora')).toBeNull(); }
    h.tick(1_000);
    await h.source.maybeRefresh(() => 'aurora');
    expect(h.asked).toEqual([null, 4]); // "unchanged" answers install nothing
    expect(h.applied).toHaveLength(1);
  });

  it('shares one check between concurrent callers', async () => {
    const h = harness([published(2)]);
    const first = h.source.refresh('aurora');
    const second = h.source.refresh('aurora');
    expect(second).toBe(first);
    await first;
    expect(h.asked).toHaveLength(1);
  });

  it('goes back to the deployed default when the live version is retired, and keeps its set when a check fails', async () => {
    const h = harness([published(3), new Error('brand-ops unreachable'), { changed: true, version: null }]);
    await h.source.refresh('aurora');
    h.tick(5_000);
    await h.source.maybeRefresh(() => 'aurora');
    expect(h.source.version).toBe(3); // the failure changed nothing
    h.tick(5_000);
    await h.source.maybeRefresh(() => 'aurora');
    expect(h.source.version).toBeNull();
    expect(h.applied.at(-1)!.compiled.set).toMatchObject({ id: 'live-tables', version: raw.rule_set.version });
  });

  it('an object\'s start waits for a slow brand object only so long, and installs its late answer', async () => {
    let answer: (a: ActiveRuleSet) => void = () => {};
    const applied: RewardsConfig[] = [];
    const source = new RuleSetSource(() => new Promise((resolve) => { answer = resolve; }), (c) => applied.push(c), 5_000);
    const t0 = Date.now();
    await source.refreshWithin('aurora', 50);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(source.version).toBeNull(); // the deployed default meanwhile
    answer(published(6));
    await source.refresh('aurora'); // the same check, still in flight
    expect(source.version).toBe(6);
    expect(applied).toHaveLength(1);
  });

  it('does nothing for an object without a profile yet', () => {
    const h = harness([]);
    expect(h.source.maybeRefresh(() => null)).toBeNull();
    expect(h.asked).toEqual([]);
  });

  it('starts a new object of the brand from what this isolate last saw, without asking; a brand it never saw waits for a check', async () => {
    const first = harness([published(7)]);
    await first.source.refresh('isolate-brand');
    const next = harness([]);
    expect(next.source.startFromIsolate('isolate-brand')).toBe(true);
    expect(next.asked).toEqual([]);
    expect(next.source.version).toBe(7);
    expect(next.applied.map((c) => c.compiled.set.version)).toEqual([7]);
    // the first call's refresh still checks (the start did not count as one)
    await next.source.maybeRefresh(() => 'isolate-brand');
    expect(next.asked).toEqual([7]);
    expect(harness([]).source.startFromIsolate('never-seen-brand')).toBe(false);
  });

  it('objects of a brand in one isolate share their checks after their own first one (one check per interval, not one per object)', async () => {
    let now = 1_000_000;
    const asked: string[] = [];
    let live = published(8); // the brand's live version, as its object answers
    const source = (name: string) => new RuleSetSource(async (_brand, known) => {
      asked.push(name);
      return known === live.version ? { changed: false, version: known } : live;
    }, () => {}, 5_000, () => now);
    const objects = ['a', 'b', 'c'].map((n) => ({ name: n, source: source(n) }));
    // each object's first check is its own (an object never starts from another's answer alone)
    for (const o of objects) await o.source.maybeRefresh(() => 'shared-brand');
    expect(asked).toEqual(['a', 'b', 'c']);
    expect(objects.map((o) => o.source.version)).toEqual([8, 8, 8]);
    // the interval passes: the first object to be called asks, and the others take its answer or join its check
    now += 6_000;
    live = published(9);
    const first = objects[0]!.source.maybeRefresh(() => 'shared-brand');
    const joined = objects[1]!.source.maybeRefresh(() => 'shared-brand'); // while the first is in flight
    await Promise.all([first, joined]);
    expect(objects[2]!.source.maybeRefresh(() => 'shared-brand')).toBeNull(); // an answer younger than the interval
    expect(asked).toEqual(['a', 'b', 'c', 'a']);
    expect(objects.map((o) => o.source.version)).toEqual([9, 9, 9]);
    // an answer older than the interval is not taken: the object asks again
    now += 5_000;
    await objects[2]!.source.maybeRefresh(() => 'shared-brand');
    expect(asked).toEqual(['a', 'b', 'c', 'a', 'c']);
  });
});
