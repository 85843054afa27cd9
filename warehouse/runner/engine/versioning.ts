/**
 * Which physical table each model of a plan uses (SQLMesh's snapshot versioning). A model's
 * fingerprint is a hash of its data hash and its parents' fingerprints; comparing it with the
 * snapshot the environment holds says what changed:
 *
 * - added, or directly modified (its own data hash changed) as breaking / non-breaking: a new
 *   version derived from the fingerprint, so two environments making the same change share a table;
 * - forward-only (on request, or the kind says so): prod keeps the previous table and applies the
 *   change from the next interval on; a dev plan gets a preview table instead, because a dev plan
 *   must never write into a table prod reads, and everything downstream of a preview is a preview;
 * - indirectly modified (only ancestors changed): rebuilt when an ancestor's change is breaking (or
 *   adds columns it passes on through `*`), otherwise the previous table is kept, no backfill;
 * - metadata only (same fingerprint, other metadata hash): same version, new metadata recorded.
 *
 * VIEW models deviate on purpose: a kept view whose parents moved would have to be re-created in
 * place, re-pointing every environment that shares it (prod included) at once; a view costs nothing
 * to build, so it gets a new version whenever a parent's version changes.
 */
import { createHash } from 'node:crypto';
import { isNonBreaking, outputFollowsStar } from './categorize';
import { PROD } from '../names';
import type { ChangeCategory, Snapshot } from './state';
import type { CompiledModel } from '../types';

export type ModelChange = 'added' | 'directly_modified' | 'indirectly_modified' | 'metadata_only' | 'unchanged';

/** What a model's change means for its children. */
type Effect = 'none' | 'non_breaking' | 'breaking' | 'preview';

export interface VersionDecision {
  name: string;
  fingerprint: string;
  version: string;
  change: ModelChange;
  /** Null when unchanged. */
  category: ChangeCategory | null;
  /** The snapshot it replaces in the environment, if any. */
  previous: { fingerprint: string; version: string } | null;
  /** A dev-only table (forward-only change, or downstream of one, previewed outside prod). */
  preview: boolean;
  /** The version differs from the previous one: a table to build, unless another environment built it. */
  newVersion: boolean;
  effect: Effect;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

export function fingerprintOf(compiled: CompiledModel, parentFingerprints: ReadonlyMap<string, string>): string {
  return sha(JSON.stringify(['fp1', compiled.dataHash, compiled.parents.map((p) => [p, parentFingerprints.get(p) ?? null])]));
}

export const versionOf = (fingerprint: string) => fingerprint.slice(0, 12);
/** Never equal to a versionOf() (those are hex only), so a preview is never promoted by mistake. */
export const previewVersionOf = (fingerprint: string) => `${sha(`preview:${fingerprint}`).slice(0, 10)}_dev`;

export function decideVersions(opts: {
  order: readonly string[];
  models: ReadonlyMap<string, CompiledModel>;
  /** The environment's current snapshots (a new dev environment: prod's). */
  base: ReadonlyMap<string, Snapshot>;
  env: string;
  forwardOnly: boolean;
}): Map<string, VersionDecision> {
  const out = new Map<string, VersionDecision>();
  const fps = new Map<string, string>();
  const dev = opts.env !== PROD;
  for (const name of opts.order) {
    const c = opts.models.get(name)!;
    const fp = fingerprintOf(c, fps);
    fps.set(name, fp);
    const old = opts.base.get(name);
    const parents = c.parents.map((p) => ({ name: p, d: out.get(p) })).filter((x): x is { name: string; d: VersionDecision } => x.d !== undefined);
    const fromPreview = dev && parents.some((p) => p.d.effect === 'preview');
    const decide = (change: ModelChange, category: ChangeCategory | null, version: string, effect: Effect) => {
      const preview = version !== old?.version && version.endsWith('_dev');
      out.set(name, {
        name, fingerprint: fp, version, change, category, preview, effect,
        previous: old ? { fingerprint: old.fingerprint, version: old.version } : null,
        newVersion: version !== old?.version,
      });
    };
    if (!old) {
      decide('added', 'added', fromPreview ? previewVersionOf(fp) : versionOf(fp), fromPreview ? 'preview' : 'breaking');
      continue;
    }
    if (old.fingerprint === fp) {
      const metadataOnly = old.compiled.metadataHash !== c.metadataHash;
      decide(metadataOnly ? 'metadata_only' : 'unchanged', metadataOnly ? 'metadata' : null, old.version, 'none');
      continue;
    }
    const parentBreaks = parents.some((p) => p.d.effect === 'breaking');
    const starFromNonBreaking = parents.some((p) => p.d.effect === 'non_breaking' && outputFollowsStar(c.normalized, p.name));
    const keepsTable = old.compiled.def.kind.name === c.def.kind.name && c.def.kind.name !== 'VIEW' && c.def.kind.name !== 'EXTERNAL';
    const kindForwardOnly = 'forwardOnly' in c.def.kind && c.def.kind.forwardOnly;
    if (old.compiled.dataHash !== c.dataHash) {
      const forwardOnly = (opts.forwardOnly || kindForwardOnly) && keepsTable;
      if (forwardOnly) {
        if (dev) decide('directly_modified', 'forward_only', previewVersionOf(fp), 'preview');
        else decide('directly_modified', 'forward_only', old.version, 'none');
      } else {
        const category = isNonBreaking(old.compiled.normalized, c.normalized) ? 'non_breaking' : 'breaking';
        const effect: Effect = fromPreview ? 'preview' : category === 'breaking' || parentBreaks ? 'breaking' : 'non_breaking';
        decide('directly_modified', category, fromPreview ? previewVersionOf(fp) : versionOf(fp), effect);
      }
      continue;
    }
    // Indirectly modified: only ancestors changed.
    const mustRebuild = parentBreaks || starFromNonBreaking;
    if (fromPreview || (mustRebuild && kindForwardOnly && dev)) {
      decide('indirectly_modified', 'indirect_non_breaking', previewVersionOf(fp), 'preview');
    } else if (mustRebuild && !kindForwardOnly) {
      decide('indirectly_modified', 'indirect_breaking', versionOf(fp), parentBreaks ? 'breaking' : 'non_breaking');
    } else if (c.def.kind.name === 'VIEW' && parents.some((p) => p.d.newVersion)) {
      decide('indirectly_modified', 'indirect_non_breaking', versionOf(fp), 'none');
    } else {
      decide('indirectly_modified', mustRebuild ? 'forward_only' : 'indirect_non_breaking', old.version, 'none');
    }
  }
  return out;
}
