/**
 * The audit equals_earlier_period (models/audits/), run exactly as marts.rpt_operations_daily and
 * marts.rpt_management_monthly declare it, on small tables whose bad rows are known: a previous-day
 * or week-ago figure that is not the earlier row's, a missing earlier row that must read 0 (or
 * NULL for a ratio), and the first period, whose previous values must be NULL (unknown).
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudits } from './runner/checks/audit';
import { memoryDb, model, type Db } from './runner/test-fixtures';
import { loadProject } from './runner/files/project';
import type { AuditRef, Project } from './runner/types';

const ROOT = fileURLToPath(new URL('../models', import.meta.url));
let project: Project;
let db: Db;

beforeAll(async () => {
  project = await loadProject(ROOT);
  db = await memoryDb(
    'create schema t',
    // aurora EUR: 11-01 is the first day (previous NULL); 11-02 reads 11-01 (ok); 11-03's previous
    // day is 11-02's 200 (ok); 11-05 has no 11-04 row, so 0 (ok); 11-08's week ago is 11-01 (ok).
    // sakura JPY 11-02: previous day says 50 but sakura had no row on 11-01 (bad: must be 0).
    // aurora EUR 11-09: previous day says 999, 11-08 says 300 (bad); its week ago is 11-02's 200.
    // 11-10's week ago is 11-03's 0.
    `create table t.daily as select * from (values
       (DATE '2026-11-01', 'aurora', 'EUR', 100, NULL, NULL),
       (DATE '2026-11-02', 'aurora', 'EUR', 200, 100, NULL),
       (DATE '2026-11-03', 'aurora', 'EUR', 0, 200, NULL),
       (DATE '2026-11-05', 'aurora', 'EUR', 40, 0, NULL),
       (DATE '2026-11-08', 'aurora', 'EUR', 300, 0, 100),
       (DATE '2026-11-09', 'aurora', 'EUR', 10, 999, 200),
       (DATE '2026-11-10', 'aurora', 'EUR', 10, 10, 0),
       (DATE '2026-11-02', 'sakura', 'JPY', 7, 50, NULL)
     ) v(report_date, brand, currency, ggr_minor, ggr_minor_prev_day, ggr_minor_week_ago)`,
    // retention: a month without an earlier row must carry NULL (missing := NULL), not 0; the
    // first month NULL. (all) GB 2026-11 says 0.5 but October has no (all) GB row: bad.
    `create table t.monthly as select * from (values
       (DATE '2026-09-01', '(all)', '(all)', NULL::DECIMAL(5,4), NULL::DECIMAL(5,4)),
       (DATE '2026-10-01', '(all)', '(all)', 0.5, NULL),
       (DATE '2026-11-01', '(all)', '(all)', 0.25, 0.5),
       (DATE '2026-11-01', '(all)', 'GB', 1, 0.5),
       (DATE '2026-11-01', 'aurora', 'MT', NULL, NULL)
     ) v(report_month, brand, jurisdiction, retention_rate, retention_rate_prev)`,
  );
});
afterAll(() => db.close());

async function check(relation: string, refs: AuditRef[]) {
  return runAudits(db.con, { relation, model: model('t.x', { audits: refs }), customAudits: project.audits });
}
/** The model's own equals_earlier_period call for `previous`, as its header writes it. */
function declared(modelName: string, previous: string): AuditRef[] {
  const refs = project.models.get(modelName)!.audits.filter((a) => a.name === 'equals_earlier_period' && a.args.previous === previous);
  expect(refs).toHaveLength(1);
  return refs;
}

describe('equals_earlier_period', () => {
  it('finds a previous-day figure that is not the earlier row, and a non-zero one where there was no row', async () => {
    const [r] = await check('t.daily', declared('marts.rpt_operations_daily', 'ggr_minor_prev_day'));
    expect(r).toMatchObject({ ok: false, badRows: 2 });
    const bad = JSON.stringify(r!.sample);
    expect(bad).toContain('999'); // aurora 11-09: 11-08 said 300
    expect(bad).toContain('sakura'); // no sakura row on 11-01: must be 0, says 50
  });

  it('week ago: NULL before the first day, the row of 7 days earlier, 0 without one', async () => {
    const [r] = await check('t.daily', declared('marts.rpt_operations_daily', 'ggr_minor_week_ago'));
    expect(r).toMatchObject({ ok: true, badRows: 0 });
    // a value where the week ago falls before the table's first day is refused
    await db.con.run("update t.daily set ggr_minor_week_ago = 0 where report_date = DATE '2026-11-03'");
    const [after] = await check('t.daily', declared('marts.rpt_operations_daily', 'ggr_minor_week_ago'));
    expect(after).toMatchObject({ ok: false, badRows: 1 });
    await db.con.run("update t.daily set ggr_minor_week_ago = NULL where report_date = DATE '2026-11-03'");
  });

  it('a ratio (missing := NULL): no earlier row means NULL, not 0; month lag', async () => {
    const [r] = await check('t.monthly', declared('marts.rpt_management_monthly', 'retention_rate_prev'));
    expect(r).toMatchObject({ ok: false, badRows: 1 });
    expect(JSON.stringify(r!.sample)).toContain('2026-11-01');
  });
});
