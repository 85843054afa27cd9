/**
 * Applying a plan: record its snapshots, clear restated intervals, build what is missing (parents
 * first; a failure skips its downstream, not the rest), and only when every model succeeded swap
 * the environment's views in one transaction. A failed apply leaves the environment as it was;
 * the tables it did build are reused by the next apply (their intervals are recorded).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { buildModel, describeFailure, physicalExists, relationResolver, type AfterBuild, type ModelOutcome } from './build';
import { createEmpty, type BuildTarget } from './execute';
import { addUnit, formatIntervals, toMs } from './intervals';
import { swapEnvironment } from './environments';
import type { Plan, PlannedModel } from './plan';
import { planSummary } from './plan-format';
import { ensureState, markPlanApplied, putSnapshots, recordModelRun, removeIntervals, savePlan, transaction } from './state';

export interface ApplyOptions {
  /** Replaces the audits that run after each build (default: the model's audits, runModelAudits). */
  afterBuild?: AfterBuild;
  /** Time stamps of what is recorded; defaults to the wall clock. */
  clock?: () => number;
}

export interface ApplyResult {
  planId: string;
  env: string;
  /** True when the environment now points at the plan's snapshots. */
  swapped: boolean;
  /** Every model the plan had work for, in build order. */
  outcomes: ModelOutcome[];
}

export async function applyPlan(con: DuckDBConnection, plan: Plan, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const clock = opts.clock ?? Date.now;
  await ensureState(con);
  await savePlan(con, { planId: plan.id, env: plan.env, createdAt: plan.createdAt, summary: planSummary(plan) });
  await putSnapshots(con, plan.models.map((m) => ({
    model: m.name, fingerprint: m.fingerprint, version: m.version, changeCategory: m.category ?? 'added', compiled: m.compiled, customAudits: m.customAudits, createdAt: clock(),
  })));
  await transaction(con, async () => {
    for (const m of plan.models) if (m.restated) await removeIntervals(con, m.name, m.version, m.restated, clock());
  });

  const byName = new Map(plan.models.map((m) => [m.name, m]));
  const relationOf = relationResolver(byName);
  const target = (m: PlannedModel): BuildTarget => ({ compiled: m.compiled, version: m.version, relationOf, root: plan.root });
  const broken = new Set<string>();
  const outcomes: ModelOutcome[] = [];
  for (const m of plan.models) {
    const upstreamBroken = m.compiled.parents.some((p) => broken.has(p));
    if (upstreamBroken) {
      broken.add(m.name);
      if (m.backfill.length > 0) outcomes.push(skipped(m, clock()));
      continue;
    }
    if (m.backfill.length > 0) {
      const outcome = await buildModel(con, target(m), { intervals: m.backfill, now: clock() }, { customAudits: m.customAudits, afterBuild: opts.afterBuild, clock });
      outcomes.push(outcome);
      if (outcome.outcome !== 'ok') broken.add(m.name);
    }
    if (!broken.has(m.name) && m.writable && m.compiled.def.kind.name !== 'EXTERNAL' && !(await physicalExists(con, m.name, m.version))) {
      const start = toMs(m.compiled.def.start!);
      try {
        await createEmpty(con, target(m), [start, addUnit(start, m.unit)], clock());
      } catch (err) {
        broken.add(m.name);
        outcomes.push({ ...skipped(m, clock()), outcome: 'failed', error: describeFailure(m.compiled.def, err) });
      }
    }
  }
  for (const o of outcomes) {
    await recordModelRun(con, { runId: plan.id, env: plan.env, ...o, intervals: formatIntervals(o.computed) });
  }
  if (broken.size > 0) return { planId: plan.id, env: plan.env, swapped: false, outcomes };

  await transaction(con, async () => {
    await swapEnvironment(con, plan.env, plan.models.map((m) => ({ model: m.name, fingerprint: m.fingerprint, version: m.version, metadataHash: m.compiled.metadataHash, kind: m.compiled.def.kind.name })), {
      removed: plan.removed.map((r) => r.name), planId: plan.id, now: clock(), expiresAt: plan.expiresAt,
    });
    await markPlanApplied(con, plan.id, clock());
  });
  return { planId: plan.id, env: plan.env, swapped: true, outcomes };
}

const skipped = (m: PlannedModel, now: number): ModelOutcome => ({
  model: m.name, version: m.version, outcome: 'skipped_upstream_failed', error: null, rows: 0, computed: [], audits: [], startedAt: now, finishedAt: now,
});
