/**
 * STAND-IN until the compile layer's macros.ts lands on main: the time macros a unit test needs,
 * from the test's vars (start/end days, default TEST_DAY). To be replaced by macros.ts.
 */
import { quoteIdent, splitName } from './names';
import { replaceAtNames, sqlLiteral } from './sql-values';
import type { ModelDef } from './types';

/** The day a unit test runs for when its vars give no start/end. */
export const TEST_DAY = '2026-01-01';

export function renderTestQuery(model: ModelDef, vars: Record<string, string>): string {
  const start = vars.start ?? TEST_DAY;
  const end = vars.end ?? vars.start ?? TEST_DAY;
  const day = (v: string) => v.slice(0, 10);
  const values: Record<string, string> = {
    start_ds: sqlLiteral(day(start))!,
    end_ds: sqlLiteral(day(end))!,
    start_date: `CAST(${sqlLiteral(day(start))} AS DATE)`,
    end_date: `CAST(${sqlLiteral(day(end))} AS DATE)`,
    start_ts: sqlLiteral(`${day(start)} 00:00:00`)!,
    end_ts: sqlLiteral(`${day(end)} 23:59:59.999999`)!,
    start_dt: `CAST(${sqlLiteral(`${day(start)} 00:00:00`)} AS TIMESTAMP)`,
    end_dt: `CAST(${sqlLiteral(`${day(end)} 23:59:59.999999`)} AS TIMESTAMP)`,
    execution_ds: sqlLiteral(day(vars.execution_time ?? end))!,
    this_model: `${quoteIdent(splitName(model.name).schema)}.${quoteIdent(splitName(model.name).table)}`,
  };
  for (const [k, v] of Object.entries(vars)) if (!(k in values)) values[k] = sqlLiteral(v)!;
  return replaceAtNames(model.query, (name) => values[name.toLowerCase()]);
}
