/**
 * A plan for people (formatPlan: what the CLI prints before asking to apply) and for the record
 * (planSummary: the JSON kept in meta.plans, without the compiled models).
 */
import { createHash } from 'node:crypto';
import { formatInterval, formatIntervals } from './intervals';
import type { Plan, PlannedModel } from './plan';

const CATEGORY_TEXT: Record<string, string> = {
  breaking: 'breaking: downstream rebuilt',
  non_breaking: 'non-breaking: only adds columns, downstream kept',
  forward_only: 'forward-only: the existing table is kept, the change applies to new intervals',
  indirect_breaking: 'rebuilt',
  indirect_non_breaking: 'table kept, no backfill',
  metadata: 'metadata only, table kept',
};

export function planSummary(plan: Plan) {
  const pick = (change: PlannedModel['change']) => plan.models.filter((m) => m.change === change);
  return {
    planId: plan.id,
    env: plan.env,
    basedOn: plan.basedOn,
    added: pick('added').map((m) => m.name),
    removed: plan.removed.map((m) => m.name),
    directlyModified: pick('directly_modified').map((m) => ({ model: m.name, category: m.category, preview: m.preview })),
    indirectlyModified: pick('indirectly_modified').map((m) => ({ model: m.name, category: m.category, rebuilt: m.newVersion, preview: m.preview })),
    metadataOnly: pick('metadata_only').map((m) => m.name),
    backfill: plan.models.filter((m) => m.backfill.length > 0).map((m) => ({ model: m.name, version: m.version, intervals: formatIntervals(m.backfill) })),
    restate: plan.restate ? { models: plan.restate.models, skipped: plan.restate.skipped, range: formatInterval(plan.restate.range) } : null,
    forwardOnly: plan.forwardOnly,
  };
}

/**
 * What a plan does, without its id: the CLI plans on a read-only connection, asks, then plans again
 * once it holds the writer (with the same `now`) and applies only if the digests are equal.
 */
export function planDigest(plan: Plan): string {
  const what = {
    env: plan.env, basedOn: plan.basedOn, forwardOnly: plan.forwardOnly, removed: plan.removed, restate: plan.restate,
    models: plan.models.map((m) => [m.name, m.fingerprint, m.version, m.change, m.category, m.writable, m.backfill, m.restated, m.compiled.metadataHash]),
  };
  return createHash('sha256').update(JSON.stringify(what)).digest('hex');
}

/** True when applying changes something: a view to swap or an interval to compute. */
export function planHasWork(plan: Plan): boolean {
  return plan.removed.length > 0 || plan.models.some((m) => m.change !== 'unchanged' || m.backfill.length > 0);
}

const indent = (text: string, by: string) => text.split('\n').map((l) => by + l).join('\n');

export function formatPlan(plan: Plan): string {
  const s = planSummary(plan);
  const out: string[] = [];
  const from = plan.basedOn === null ? 'new environment' : plan.basedOn === plan.env ? `changes to \`${plan.env}\`` : `new environment, from \`${plan.basedOn}\``;
  out.push(`Plan ${plan.id.slice(0, 8)} for \`${plan.env}\` (${from})${plan.forwardOnly ? ', forward-only' : ''}`);
  const section = (title: string, lines: string[]) => {
    if (lines.length > 0) out.push(`  ${title}:`, ...lines);
  };
  out.push('Models:');
  section('Added', s.added.map((m) => `    + ${m}`));
  section('Removed', s.removed.map((m) => `    - ${m}`));
  const direct = plan.models.filter((m) => m.change === 'directly_modified');
  section('Directly modified', direct.flatMap((m) => [
    `    ~ ${m.name} (${CATEGORY_TEXT[m.category ?? ''] ?? m.category}${m.preview ? '; dev preview table' : ''})`,
    ...(m.diff ? [indent(m.diff, '        ')] : []),
  ]));
  section('Indirectly modified', plan.models.filter((m) => m.change === 'indirectly_modified').map((m) =>
    `    ~ ${m.name} (${m.newVersion ? (m.preview ? 'dev preview table' : 'rebuilt') : CATEGORY_TEXT[m.category ?? ''] ?? m.category})`));
  section('Metadata only', s.metadataOnly.map((m) => `    ~ ${m}`));
  if (out[out.length - 1] === 'Models:') out.push('  no changes');
  if (plan.restate) {
    out.push(`Restating ${formatInterval(plan.restate.range)}: ${plan.restate.models.join(', ') || 'nothing'}`);
    if (plan.restate.skipped.length > 0) out.push(`  not restated (views, or tables prod reads): ${plan.restate.skipped.join(', ')}`);
  }
  const work = plan.models.filter((m) => m.backfill.length > 0);
  if (work.length > 0) {
    out.push('Backfill (missing intervals):');
    for (const m of work) {
      const kind = m.compiled.def.kind.name;
      const what = kind === 'VIEW' ? 'create view' : kind === 'SEED' ? 'load seed' : kind === 'FULL' ? `full rebuild as of ${formatInterval(m.backfill[0]!)}` : formatIntervals(m.backfill);
      out.push(`  ${m.name}: ${what}${m.preview ? ' (preview)' : ''}`);
    }
  } else if (planHasWork(plan)) {
    out.push('Nothing to compute: applying only swaps the environment\'s views (virtual update).');
  }
  const shared = plan.models.filter((m) => !m.writable && m.compiled.def.kind.name !== 'EXTERNAL');
  if (shared.length > 0 && plan.env !== 'prod') out.push(`Shared with prod, read as they are: ${shared.length} model(s)`);
  if (!planHasWork(plan)) out.push(`\`${plan.env}\` is up to date.`);
  return out.join('\n');
}
