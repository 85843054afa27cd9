/**
 * The brand's rewards rule set versions (docs/rewards.md "Publishing"), kept in the brand's
 * back-office object: one place per brand, next to the brand's other back-office state, reached by
 * every player object of the brand by its name. (The catalog object versions game configuration,
 * but it is one object for the whole platform; rule sets are per brand.)
 *
 * A version is created as a draft with its full body; its body and hash never change afterwards
 * (a trigger refuses). Publishing moves a draft to `published` and the previous published version to
 * `superseded`, in one transaction, so at most one version is live. Pausing or retiring a rule of the
 * live version is a new version (copied, the rule's status changed) published at once: it only
 * switches something off, so it needs no second pair of eyes. Retiring the live version leaves the
 * brand on the deployed default (config/rewards.json).
 *
 * A draft is checked again at its publication against what was published since it was made
 * (`stale_draft`, 409): see publishedSince.
 *
 * Four eyes: a version with cash-like rewards (free bets, cashback, wheel prizes of that kind) is
 * published only by someone other than its author.
 */
import { fail, type Result } from '../../domain/errors';
import { bodyOf, DEPLOYED_DEFAULT, prepareVersion, reusedRuleVersions, rolledBack, ruleContent, switchedBackOn, withRuleStatus } from '../../domain/rewards/publishing';
import { parseRuleSet, type RuleSet, type RuleSetIssue } from '../../domain/rewards/rule-schema';
import { liveRewardsConfig } from '../player/rewards-config';
import type { OpsContext } from './context';

export type RuleSetState = 'draft' | 'published' | 'superseded' | 'retired';

export type RuleSetVersion = {
  version: number; rule_set_id: string; state: RuleSetState; hash: string; cash_like: boolean; based_on: number | null;
  rules: number; active_rules: number;
  created_by: string; created_at: number; reason: string | null;
  published_by: string | null; published_at: number | null; retired_by: string | null; retired_at: number | null;
};

/** What a player object asks for: the live version, or only "unchanged" when it already has it. */
export type ActiveRuleSet =
  | { changed: false; version: number | null }
  | { changed: true; version: number; hash: string; body: string }
  | { changed: true; version: null };

type Row = Omit<RuleSetVersion, 'cash_like' | 'rules' | 'active_rules'> & { cash_like: number; body: string };

const VERSIONS_PAGE_MAX = 200;

export class RuleSetStore {
  /** The live version's number, read once; undefined: not read yet. */
  private live: number | null | undefined = undefined;

  constructor(private readonly c: OpsContext) {
    c.onForget(() => { this.live = undefined; });
  }

  private row(version: number): Row | null {
    return this.c.db.first<Row>`select * from rule_set_versions where version = ${version}`;
  }

  private view(r: Row): RuleSetVersion {
    const set = JSON.parse(r.body) as RuleSet;
    const { body: _body, ...rest } = r;
    return { ...rest, cash_like: r.cash_like === 1, rules: set.rules.length, active_rules: set.rules.filter((x) => x.status === 'active').length };
  }

  private nextVersion(): number {
    return (this.c.db.first<{ v: number | null }>`select max(version) as v from rule_set_versions`?.v ?? 0) + 1;
  }

  /**
   * Every rule (id, version) published so far, with its content: a draft may not reuse one with other
   * content. The deployed default's rules count as published (set version 0): a brand on the default
   * grants under them, so the same pair in a published version must name the same content.
   */
  private publishedRules(): Map<string, { content: string; set_version: number }> {
    const out = new Map<string, { content: string; set_version: number }>();
    for (const rule of liveRewardsConfig().compiled.set.rules) out.set(`${rule.id}@${rule.version}`, { content: ruleContent(rule), set_version: DEPLOYED_DEFAULT });
    const rows = this.c.db.all<{ version: number; body: string }>`select version, body from rule_set_versions where published_at is not null order by version`;
    for (const r of rows) {
      for (const rule of (JSON.parse(r.body) as RuleSet).rules) {
        const key = `${rule.id}@${rule.version}`;
        if (!out.has(key)) out.set(key, { content: ruleContent(rule), set_version: r.version });
      }
    }
    return out;
  }

  list(limit = VERSIONS_PAGE_MAX): { versions: RuleSetVersion[]; active_version: number | null } {
    const rows = this.c.db.all<Row>`select * from rule_set_versions order by version desc limit ${Math.min(Math.max(limit, 1), VERSIONS_PAGE_MAX)}`;
    return { versions: rows.map((r) => this.view(r)), active_version: this.activeVersion() };
  }

  get(version: number): Result<{ version: RuleSetVersion; rule_set: RuleSet }> {
    const r = this.row(version);
    if (!r) return fail('rule_set_version_not_found', `no rule set version ${version}`);
    return { ok: true, version: this.view(r), rule_set: JSON.parse(r.body) as RuleSet };
  }

  /** A new draft from a full rule set: validated by the engine's schema, each issue with its path (422). */
  createDraft(input: unknown, actor: string, reason: string | null, basedOn: number | null): Result<{ version: RuleSetVersion; rule_set: RuleSet }> {
    const version = this.nextVersion();
    const prepared = prepareVersion(input, version);
    if (!prepared.ok) return invalid(prepared.issues);
    const reused = reusedRuleVersions(prepared.value.ruleSet, this.publishedRules());
    if (reused.length > 0) return invalid(reused);
    if (basedOn !== null && !this.row(basedOn)) return fail('rule_set_version_not_found', `no rule set version ${basedOn} to base a draft on`);
    this.insert(version, prepared.value, 'draft', actor, reason, basedOn);
    return this.get(version);
  }

  /** Publishes a draft; with cash-like rewards, only someone other than its author may (four eyes). */
  publish(version: number, actor: string): Result<{ version: RuleSetVersion; previous: number | null }> {
    const r = this.row(version);
    if (!r) return fail('rule_set_version_not_found', `no rule set version ${version}`);
    if (r.state !== 'draft') return fail('invalid_state', `rule set version ${version} is ${r.state}: only a draft is published`, { state: r.state });
    if (r.cash_like === 1 && r.created_by === actor) {
      return fail('four_eyes_violation', 'this version has cash-like rewards: someone other than its author publishes it', { created_by: r.created_by });
    }
    const previous = this.activeVersion();
    const stale = this.publishedSince(r, previous);
    if (stale.length > 0) {
      return fail('stale_draft', `rule set version ${version} conflicts with what was published since it was made: ${stale[0]!.path}: ${stale[0]!.message}`, { issues: stale.slice(0, 50) });
    }
    this.goLive(version, actor);
    return { ok: true, version: this.view(this.row(version)!), previous };
  }

  /**
   * What a draft checked when it was made conflicts with now (publishing.ts): a rule (id, version)
   * published since with other content (a grant would name two contents), and rules it has active
   * that the live version, published since, paused or retired, or has at a newer version (the pause
   * or the new version, a lowered budget say, would be undone unseen).
   */
  private publishedSince(draft: Row, live: number | null): RuleSetIssue[] {
    const set = JSON.parse(draft.body) as RuleSet;
    const issues = reusedRuleVersions(set, this.publishedRules());
    const liveRow = live === null ? null : this.row(live);
    if (liveRow && (liveRow.version > draft.version || (liveRow.published_at ?? 0) > draft.created_at)) {
      const liveSet = JSON.parse(liveRow.body) as RuleSet;
      issues.push(...switchedBackOn(set, liveSet, liveRow.version), ...rolledBack(set, liveSet, liveRow.version));
    }
    return issues;
  }

  /** Pauses or retires one rule of the live version: a new version, published at once. */
  changeRule(ruleId: string, status: 'paused' | 'retired', actor: string, reason: string): Result<{ version: RuleSetVersion; previous: number }> {
    const previous = this.activeVersion();
    if (previous === null) return fail('invalid_state', 'no rule set version is published: the deployed default cannot be changed here; publish a version first');
    const live = JSON.parse(this.row(previous)!.body) as RuleSet;
    const rule = live.rules.find((x) => x.id === ruleId);
    if (!rule) return fail('not_found', `the live version ${previous} has no rule '${ruleId}'`);
    if (rule.status === status) return fail('invalid_state', `rule '${ruleId}' is already ${status}`, { status });
    const version = this.nextVersion();
    const changed = withRuleStatus(live, ruleId, status, version)!;
    const checked = parseRuleSet(changed); // the copy of a valid set stays valid; checked all the same, before it goes live
    if (!checked.ok) return invalid(checked.issues);
    this.insert(version, bodyOf(checked.ruleSet), 'draft', actor, reason, previous);
    this.goLive(version, actor);
    return { ok: true, version: this.view(this.row(version)!), previous };
  }

  /** A draft is discarded; the live version stops (the brand goes back to the deployed default). */
  retire(version: number, actor: string): Result<{ version: RuleSetVersion }> {
    const r = this.row(version);
    if (!r) return fail('rule_set_version_not_found', `no rule set version ${version}`);
    if (r.state !== 'draft' && r.state !== 'published') return fail('invalid_state', `rule set version ${version} is ${r.state}`, { state: r.state });
    this.c.db.run`update rule_set_versions set state = 'retired', retired_by = ${actor}, retired_at = ${this.c.now()} where version = ${version}`;
    this.live = undefined;
    return { ok: true, version: this.view(this.row(version)!) };
  }

  activeVersion(): number | null {
    this.live ??= this.c.db.first<{ version: number }>`select version from rule_set_versions where state = 'published'`?.version ?? null;
    return this.live;
  }

  /** For the player objects: the live version's body, unless the caller already has that version. */
  active(known: number | null): ActiveRuleSet {
    const version = this.activeVersion();
    if (version === known) return { changed: false, version };
    if (version === null) return { changed: true, version: null };
    const r = this.row(version)!;
    return { changed: true, version, hash: r.hash, body: r.body };
  }

  private insert(version: number, v: { ruleSet: RuleSet; body: string; hash: string; cashLike: boolean }, state: 'draft', actor: string, reason: string | null, basedOn: number | null): void {
    this.c.db.run`insert into rule_set_versions (version, rule_set_id, state, body, hash, cash_like, based_on, created_by, created_at, reason)
      values (${version}, ${v.ruleSet.id}, ${state}, ${v.body}, ${v.hash}, ${v.cashLike ? 1 : 0}, ${basedOn}, ${actor}, ${this.c.now()}, ${reason})`;
  }

  private goLive(version: number, actor: string): void {
    const now = this.c.now();
    this.c.db.run`update rule_set_versions set state = 'superseded' where state = 'published'`;
    this.c.db.run`update rule_set_versions set state = 'published', published_by = ${actor}, published_at = ${now} where version = ${version}`;
    this.live = version;
  }
}

function invalid(issues: RuleSetIssue[]) {
  return fail('invalid_rule_set', `the rule set is not valid: ${issues.length} issue(s), first ${issues[0]?.path || '(set)'}: ${issues[0]?.message ?? ''}`, { issues: issues.slice(0, 50) });
}
