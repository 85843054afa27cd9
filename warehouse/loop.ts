/**
 * The models' half of the warehouse loop (`wh loop`, what `npm start` runs): after each sync, in the
 * same process and under the same writer lock, run prod's due models so the marts are fresh within
 * a minute of an event at the edge.
 *
 * The loop never decides for an analyst: it runs what prod was planned with (the snapshots in
 * meta, audits included), and when the files on disk differ from prod it says so, once per change,
 * instead of applying them. The one exception is a warehouse with no prod yet (a fresh machine,
 * the demo casino): the first plan of prod is applied by the loop, because there is nothing to
 * review it against and nothing to break.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { applyPlan } from './runner/engine/apply';
import { compiledProject } from './runner/commands';
import { PROD } from './runner/names';
import { plan, type Plan } from './runner/engine/plan';
import { formatRun, run } from './runner/engine/run';
import { environmentExists, stateExists } from './runner/engine/state';

/** What one cycle's models did: the steps after the models (publishers, the dashboards' snapshot) read it. */
export interface ModelCycle {
  /** Models whose data this cycle computed successfully (`marts.fct_ggr_daily`, ...): run, or applied by prod's first plan. */
  changed: string[];
}

export interface ModelLoop {
  /** One cycle's models: bootstrap prod if it does not exist, else run its due models. */
  cycle(con: DuckDBConnection, now: number): Promise<ModelCycle>;
}

const changedModels = (p: Plan) => p.models.filter((m) => m.change !== 'unchanged').map((m) => m.name).concat(p.removed.map((r) => r.name));

export function modelLoop(root: string, log: (line: string) => void): ModelLoop {
  let lastNotice = '';
  const notice = (text: string) => {
    if (text && text !== lastNotice) log(text);
    lastNotice = text;
  };
  return {
    async cycle(con, now) {
      // A fresh warehouse (only `sync` ever wrote it) has no runner state yet: no prod either.
      const hasProd = (await stateExists(con)) && (await environmentExists(con, PROD));
      const ran: string[] = [];
      if (hasProd) {
        const summary = await run(con, PROD, { now });
        if (summary.outcomes.length > 0) log(formatRun(summary));
        ran.push(...summary.outcomes.filter((o) => o.outcome === 'ok').map((o) => o.model));
      }
      // Compiled each cycle, so a model file edited while the loop runs is noticed at once (a
      // project of a few hundred models compiles in well under a second). A file broken mid-edit
      // does not stop prod: its error is said once and prod runs on as planned.
      let local;
      try {
        local = await compiledProject(root);
      } catch (err) {
        notice(`models on disk do not compile (prod runs on as planned): ${(err as Error).message}`);
        return { changed: ran };
      }
      const against = await plan(con, local.project, local.compiled, PROD, { now });
      if (!hasProd) {
        log(`no prod environment yet: applying the first plan of ${against.models.length} model(s)`);
        const applied = await applyPlan(con, against);
        for (const o of applied.outcomes) log(`  ${o.outcome.padEnd(23)} ${o.model}${o.error ? `: ${o.error}` : ` (${o.rows} rows)`}`);
        return { changed: applied.outcomes.filter((o) => o.outcome === 'ok').map((o) => o.model) };
      }
      const changed = changedModels(against);
      notice(changed.length ? `models on disk differ from prod (${changed.join(', ')}): review and apply with \`npm run wh -- plan\`; the loop keeps running prod as planned` : '');
      return { changed: ran };
    },
  };
}
