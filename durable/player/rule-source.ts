/**
 * Where the player object's rule set comes from (docs/rewards.md "Publishing"): the brand's
 * published version (durable/brand-ops/rule-sets.ts), or the deployed default (config/rewards.json)
 * while the brand has none.
 *
 * The bet path never waits for it. The active set is held in memory and evaluated synchronously in
 * the bet's transaction (rewards.ts); this source refreshes it *after* a call's transaction, at most
 * once per interval (`REWARDS_REFRESH_MS`, 5 s by default), with one small RPC to the brand's
 * back-office object that answers "unchanged" unless the live version moved. Only then is a body
 * sent and compiled, once per isolate and version (player objects of a brand in one isolate share
 * it). At the object's start it is read once before the first call (waiting 2 s at most), so an
 * evicted object does not fall back to the default for its first bets.
 *
 * Propagation: a publication reaches an active player within the interval plus one call (the call
 * that finds the interval passed starts the refresh; the next call uses the new set). A failed
 * refresh keeps the set in use and is retried after the interval. The objects of a brand in one
 * isolate share their checks (after each object's first own one: `lastKnown` below): an answer
 * taken from another object is younger than the interval, so the bound is the same.
 */
import { loadRuleSet, type CompiledRuleSet } from '../../domain/rewards';
import type { ActiveRuleSet } from '../brand-ops/rule-sets';
import { liveRewardsConfig, type RewardsConfig } from './rewards-config';

export const DEFAULT_REFRESH_MS = 5_000;
/** How long an object's start waits for its brand's live rule set (rule-source.ts refreshWithin). */
export const START_WAIT_MS = 2_000;

/** Asks the brand's back-office object for its live version (`known`: the version already held). */
export type FetchActive = (brand: string, known: number | null) => Promise<ActiveRuleSet>;

/** Compiled sets by brand, version and hash, shared by the player objects of one isolate (bounded). */
const compiledCache = new Map<string, CompiledRuleSet>();
const COMPILED_CACHE_MAX = 16;

function compiledOf(key: string, body: string): CompiledRuleSet {
  const hit = compiledCache.get(key);
  if (hit) return hit;
  const loaded = loadRuleSet(JSON.parse(body));
  // the brand's store validated it before publishing, with this same schema
  if (!loaded.ok) throw new Error(`published rule set ${key} does not load: ${loaded.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  if (compiledCache.size >= COMPILED_CACHE_MAX) compiledCache.delete(compiledCache.keys().next().value!);
  compiledCache.set(key, loaded.compiled);
  return loaded.compiled;
}

type Seen = { published: { version: number; hash: string } | null; compiled: CompiledRuleSet | null; at: number };

/**
 * The live version each brand last answered in this isolate, and when it was asked (the asking
 * object's clock): an object starting here (a restart, or another player of the brand) begins with
 * it at once, and checks again right after its first call. After that first check of its own, an
 * object whose interval has passed takes a newer check of another object of its brand in this
 * isolate instead of asking again (made within the interval, or still in flight): a publication
 * reaches it just as soon, and a table settling a round of 1,000 players no longer sends 1,000
 * checks into the one brand object in the same second (~12 % of the runtime's CPU in E5's profile,
 * the brand object's answers included; issue 15).
 */
const lastKnown = new Map<string, Seen>();
const checking = new Map<string, { started: number; done: Promise<Seen | null> }>();

export class RuleSetSource {
  /** The published version in use; null: the deployed default. */
  version: number | null = null;
  private compiled: CompiledRuleSet | null = null;
  private published: { version: number; hash: string } | null = null;
  private checkedAt = -Infinity;
  private inFlight: Promise<void> | null = null;
  private brand: string | null = null;

  constructor(
    private readonly fetchActive: FetchActive,
    /** Installs a configuration in the object's rewards (PlayerRewards.use), with the published version it is (null: the default). */
    private readonly apply: (config: RewardsConfig, published: { version: number; hash: string } | null) => void,
    readonly intervalMs = DEFAULT_REFRESH_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * After a call's transaction: starts a refresh when the last check is older than the interval.
   * Returns at once (the refresh runs on its own); `brandOf` is read only until the brand is known.
   */
  maybeRefresh(brandOf: () => string | null): Promise<void> | null {
    const now = this.clock();
    if (this.inFlight || now - this.checkedAt < this.intervalMs) return null;
    this.brand ??= brandOf();
    if (this.brand === null) return null;
    if (this.checkedAt > -Infinity) {
      // another object's check, newer than this object's own last one (never before its first)
      const seen = lastKnown.get(this.brand);
      if (seen && seen.at > this.checkedAt && now - seen.at < this.intervalMs) {
        this.adopt(seen);
        return null;
      }
      const shared = checking.get(this.brand);
      if (shared && shared.started > this.checkedAt) {
        this.checkedAt = shared.started;
        this.inFlight = shared.done.then((s) => { if (s) this.adopt(s); }).finally(() => { this.inFlight = null; });
        return this.inFlight;
      }
    }
    return this.refresh(this.brand);
  }

  /** Takes what another object of the brand found (installed only if it is not the set in use). */
  private adopt(seen: Seen): void {
    this.checkedAt = Math.max(this.checkedAt, seen.at);
    if (seen.published?.version !== this.published?.version || seen.published?.hash !== this.published?.hash) this.install(seen.published, seen.compiled);
  }

  /**
   * At the object's start: waits for the check at most `ms`, so a slow or unreachable brand object
   * delays a player's first call by that much at worst and never blocks their money; a late answer
   * is still installed when it comes.
   */
  async refreshWithin(brand: string, ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.refresh(brand), new Promise<void>((resolve) => { timer = setTimeout(resolve, ms); })]);
    if (timer !== undefined) clearTimeout(timer);
  }

  /**
   * At the object's start: installs the version this isolate last saw for the brand and answers
   * true, or answers false when it saw none (the start then waits for a check: refreshWithin). The
   * first call's refresh checks it again either way.
   */
  startFromIsolate(brand: string): boolean {
    const known = lastKnown.get(brand);
    if (!known) return false;
    this.brand = brand;
    this.install(known.published, known.compiled);
    return true;
  }

  /** One check now (at the object's start, and from the test entry); concurrent callers share it. */
  refresh(brand: string): Promise<void> {
    this.brand = brand;
    if (!this.inFlight) {
      const started = this.clock();
      const done = this.check(brand, started);
      const entry = { started, done };
      checking.set(brand, entry); // the others of the brand in this isolate may join it (maybeRefresh)
      this.inFlight = done.then(() => undefined).finally(() => {
        this.inFlight = null;
        if (checking.get(brand) === entry) checking.delete(brand);
      });
    }
    return this.inFlight;
  }

  /** Asks the brand; what it found (null: the check failed), also recorded for the isolate. */
  private async check(brand: string, at: number): Promise<Seen | null> {
    this.checkedAt = at;
    let active: ActiveRuleSet;
    try {
      active = await this.fetchActive(brand, this.version);
    } catch (err) {
      console.warn(`rewards: could not read the live rule set of ${brand}; keeping version ${this.version ?? 'default'}`, err);
      return null;
    }
    if (active.changed) {
      if (active.version === null) this.install(null, null);
      else this.install({ version: active.version, hash: active.hash }, compiledOf(`${brand}:${active.version}:${active.hash}`, active.body));
    }
    const seen: Seen = { published: this.published, compiled: this.compiled, at };
    lastKnown.set(brand, seen);
    return seen;
  }

  private install(published: { version: number; hash: string } | null, compiled: CompiledRuleSet | null): void {
    const deployed = liveRewardsConfig();
    // the version and hash go with the set: the budget keeper lends against this version's budgets
    this.apply(compiled === null || published === null ? deployed : { compiled, risk: deployed.risk }, published);
    this.version = published?.version ?? null;
    this.published = published;
    this.compiled = compiled;
  }
}
