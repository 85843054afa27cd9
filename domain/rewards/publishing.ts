/**
 * Publishing rule sets (docs/rewards.md "Publishing"): what the back office checks before a version
 * is stored, and what makes a version need four eyes. Pure and synchronous, like the engine.
 *
 * - A version's body is the parsed set (defaults filled in) as JSON, with the set's `version` being
 *   the version number the brand's store gave it; its hash is SHA-256 of that body, hex. The audit
 *   entry of a publication carries both, so the log names exactly what went live.
 * - A rule's (id, version) names one content for ever: a grant names them, so two different rules
 *   under one pair would make the grant log ambiguous. A draft that reuses a published pair with other
 *   content is refused with the path of the rule's version. `status` is not content (pausing a rule
 *   is a new set version, not a new rule version).
 * - A draft is checked again when it is published, against what was published since it was made
 *   (`stale_draft`): a rule (id, version) taken since with other content, or a rule paused or retired
 *   since that the draft has active, or a rule at a newer version since (a pause, a lowered budget
 *   is never undone by publishing an older draft).
 * - Cash-like: any free bet or cashback, in a rule, a variant, a mission's reward, a level's reward
 *   or a wheel's prize. Such a version is published only by someone other than its author.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { CASH_LIKE, parseRuleSet, type Action, type Rule, type RuleSet, type RuleSetIssue } from './rule-schema';

export type VersionBody = { ruleSet: RuleSet; body: string; hash: string; cashLike: boolean };

/** Validates a submitted set and stamps it with the version number it will be stored under. */
export function prepareVersion(input: unknown, version: number): { ok: true; value: VersionBody } | { ok: false; issues: RuleSetIssue[] } {
  const parsed = parseRuleSet(input);
  if (!parsed.ok) return parsed;
  const ruleSet: RuleSet = { ...parsed.ruleSet, version };
  return { ok: true, value: bodyOf(ruleSet) };
}

export function bodyOf(ruleSet: RuleSet): VersionBody {
  const body = JSON.stringify(ruleSet);
  return { ruleSet, body, hash: hashOf(body), cashLike: isCashLike(ruleSet) };
}

export function hashOf(body: string): string {
  return bytesToHex(sha256(utf8ToBytes(body)));
}

const cash = (actions: readonly Action[] | undefined | null) => (actions ?? []).some((a) => CASH_LIKE.has(a.type));

export function isCashLike(set: RuleSet): boolean {
  return set.rules.some((r) => cash(r.actions) || (r.variants ?? []).some((v) => cash(v.actions)))
    || set.missions.some((m) => cash(m.reward))
    || set.levels.some((l) => cash(l.reward))
    || set.wheels.some((w) => w.prizes.some((p) => p.reward !== null && CASH_LIKE.has(p.reward.type)));
}

/** A rule's content without its status: what its (id, version) must always name. */
export function ruleContent(rule: Rule): string {
  const { status: _status, ...rest } = rule;
  return JSON.stringify(rest);
}

/** The set version under which the deployed default's rules (config/rewards.json) count as published. */
export const DEPLOYED_DEFAULT = 0;

/**
 * Issues for the rules of `set` whose (id, version) was published before with other content.
 * `published`: `<id>@<version>` -> the content and the set version that first published it
 * (DEPLOYED_DEFAULT: the deployed default's).
 */
export function reusedRuleVersions(set: RuleSet, published: ReadonlyMap<string, { content: string; set_version: number }>): RuleSetIssue[] {
  const issues: RuleSetIssue[] = [];
  set.rules.forEach((rule, i) => {
    const before = published.get(`${rule.id}@${rule.version}`);
    if (before && before.content !== ruleContent(rule)) {
      const where = before.set_version === DEPLOYED_DEFAULT ? 'is in the deployed default (config/rewards.json)' : `was published in set version ${before.set_version}`;
      issues.push({ path: `rules.${i}.version`, message: `rule '${rule.id}' version ${rule.version} ${where} with other content: give it a new version` });
    }
  });
  return issues;
}

/**
 * Issues for the rules a draft would switch back on behind a pause: active in the draft, paused or
 * retired in the live version, which went live after the draft was made (its author could not have
 * seen the pause, and its publisher may not notice). Switching a rule back on is a decision of its
 * own: a draft made after the pause (four eyes when cash-like).
 */
export function switchedBackOn(draft: RuleSet, live: RuleSet, liveVersion: number): RuleSetIssue[] {
  const off = new Map(live.rules.filter((r) => r.status === 'paused' || r.status === 'retired').map((r) => [r.id, r.status]));
  const issues: RuleSetIssue[] = [];
  draft.rules.forEach((rule, i) => {
    const status = off.get(rule.id);
    if (rule.status === 'active' && status !== undefined) {
      issues.push({ path: `rules.${i}.status`, message: `rule '${rule.id}' was ${status} by set version ${liveVersion}, live since this draft was made: make a new draft from the live version to switch it back on` });
    }
  });
  return issues;
}

/**
 * Issues for the rules a draft would roll back: at a lower version in the draft than in the live
 * version, which went live after the draft was made (a budget lowered, a reward cut, as a new version
 * of the rule, undone by an older draft). The rule's current version is carried forward by a new
 * draft made from the live version.
 */
export function rolledBack(draft: RuleSet, live: RuleSet, liveVersion: number): RuleSetIssue[] {
  const current = new Map(live.rules.map((r) => [r.id, r.version]));
  const issues: RuleSetIssue[] = [];
  draft.rules.forEach((rule, i) => {
    const v = current.get(rule.id);
    if (v !== undefined && rule.version < v) {
      issues.push({ path: `rules.${i}.version`, message: `rule '${rule.id}' is at version ${v} in set version ${liveVersion}, live since this draft was made: this draft would bring back version ${rule.version}; make a new draft from the live version` });
    }
  });
  return issues;
}

/** The set with one rule's status changed (pausing or retiring a rule of the live version). */
export function withRuleStatus(set: RuleSet, ruleId: string, status: 'paused' | 'retired', version: number): RuleSet | null {
  if (!set.rules.some((r) => r.id === ruleId)) return null;
  return { ...set, version, rules: set.rules.map((r) => (r.id === ruleId ? { ...r, status } : r)) };
}
