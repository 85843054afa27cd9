/**
 * How far a model's rows are true, from the runner's own state (meta.*): the `fresh_through` of
 * document.ts's ModelVersion and what refuses a report whose marts do not yet cover its period.
 *
 * What the state can tell, per kind (docs/reports.md "Freshness"):
 * - INCREMENTAL_BY_TIME_RANGE / _BY_UNIQUE_KEY: the end of the first run of complete (not partial)
 *   intervals in meta.intervals: every unit before it is computed, a hole (a restatement) stops it.
 * - FULL: the runner records one interval [start, as-of) per rebuild, `as-of` being the cron bound
 *   when it was built, with `filled_at` = when. The table holds what its parents held THEN, so its
 *   freshness is min(as-of, each parent's freshness at filled_at). A parent refilled after that
 *   moment is read back from meta.model_runs (the ok runs of that version finished by then).
 * - VIEW: reads its parents live: the minimum of theirs.
 * - SEED and EXTERNAL (raw.events): not bounded here. Whether the feed itself has gaps is said by
 *   the document's events_through and missing_days, as the runner also closes a day by the clock.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { merge, type Interval } from '../runner/engine/intervals';

const DAY_MS = 86_400_000;

interface ModelState {
  model: string;
  version: string;
  kind: string;
  parents: string[];
  /** Complete intervals, merged. */
  done: Interval[];
  /** Every interval row (partial ones too) with when it was filled. */
  rows: { start: number; end: number; partial: boolean; filledAt: number }[];
}

export interface Freshness {
  /** The version `env` points at, or undefined when the environment has no such model. */
  version?: string;
  /** Data true through this instant (exclusive), epoch ms; -Infinity = never built; Infinity = not time-bound. */
  through: number;
}

/** Parses meta.model_runs.intervals (formatIntervals: `2026-01-01 .. 2026-01-03, 2026-01-05 10:00 .. 2026-01-05 12:00`) to its latest end. */
export function latestEnd(text: string | null): number | undefined {
  let latest: number | undefined;
  for (const part of (text ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const last = part.includes('..') ? part.split('..')[1]!.trim() : part;
    const end = last.length === 10 ? Date.parse(`${last}T00:00:00Z`) + DAY_MS : Date.parse(`${last.replace(' ', 'T')}:00Z`);
    if (!Number.isNaN(end)) latest = Math.max(latest ?? end, end);
  }
  return latest;
}

/** Reads the state of every model of `env` once, then answers for any of them. */
export async function freshnessReader(con: DuckDBConnection, env: string): Promise<(model: string) => Freshness> {
  const models = new Map<string, ModelState>();
  const snap = await con.runAndReadAll(`
    select e.model, e.version, json_extract_string(any_value(s.kind), '$.name') as kind, any_value(s.parents)::varchar as parents
    from meta.environment_models e join meta.snapshots s using (model, fingerprint, version)
    where e.env = $1 group by e.model, e.version`, [env]);
  for (const [model, version, kind, parents] of snap.getRows() as [string, string, string, string][]) {
    models.set(model, { model, version, kind, parents: JSON.parse(parents) as string[], done: [], rows: [] });
  }
  const iv = await con.runAndReadAll(`
    select i.model, epoch_ms(i.start_at), epoch_ms(i.end_at), i.partial, epoch_ms(i.filled_at)
    from meta.intervals i join meta.environment_models e on e.model = i.model and e.version = i.version and e.env = $1
    order by 2`, [env]);
  for (const [model, s, e, partial, filled] of iv.getRows() as [string, bigint | number, bigint | number, boolean, bigint | number][]) {
    const m = models.get(model)!;
    m.rows.push({ start: Number(s), end: Number(e), partial, filledAt: Number(filled) });
  }
  for (const m of models.values()) m.done = merge(m.rows.filter((r) => !r.partial).map((r): Interval => [r.start, r.end]));
  const runs = new Map<string, { finished: number; end: number | undefined }[]>();
  const rr = await con.runAndReadAll(`
    select r.model, epoch_ms(r.finished_at), r.intervals from meta.model_runs r
    join meta.environment_models e on e.model = r.model and e.version = r.version and e.env = $1
    where r.outcome = 'ok'`, [env]);
  for (const [model, finished, intervals] of rr.getRows() as [string, bigint | number, string | null][]) {
    const list = runs.get(model) ?? [];
    list.push({ finished: Number(finished), end: latestEnd(intervals) });
    runs.set(model, list);
  }

  /** The model's data-through as it was at `at` (Infinity = now). */
  const at = (name: string, when: number, seen: Set<string>): number => {
    const m = models.get(name);
    if (!m) return -Infinity;
    if (seen.has(name)) return Infinity; // no cycles in a DAG; belt and braces
    const next = new Set(seen).add(name);
    switch (m.kind) {
      case 'SEED':
      case 'EXTERNAL':
        return Infinity;
      case 'VIEW':
        return Math.min(Infinity, ...m.parents.map((p) => at(p, when, next)));
      case 'FULL': {
        // the latest rebuild no later than `when`: one interval (partial with allow_partials) per rebuild
        const built = m.rows.filter((r) => r.filledAt <= when).sort((a, b) => b.filledAt - a.filledAt)[0];
        if (!built) return -Infinity;
        return Math.min(built.end, ...m.parents.map((p) => at(p, built.filledAt, next)));
      }
      default: {
        const contiguous = m.done[0]?.[1] ?? -Infinity;
        const lastFill = Math.max(-Infinity, ...m.rows.map((r) => r.filledAt));
        if (lastFill <= when) return contiguous;
        // refilled since `when`: the most the ok runs finished by then had computed
        const ends = (runs.get(name) ?? []).filter((r) => r.finished <= when && r.end !== undefined).map((r) => r.end!);
        return ends.length === 0 ? -Infinity : Math.min(contiguous, Math.max(...ends));
      }
    }
  };
  return (model) => ({ version: models.get(model)?.version, through: at(model, Infinity, new Set()) });
}
