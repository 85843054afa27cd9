/**
 * The macro values of a unit test, rendered by macros.ts as for a real run: the test's `vars`
 * give the interval (`start`, `end`: days, the end inclusive as in SQLMesh's tests) and
 * `execution_time`; without them the test runs for TEST_DAY. Any other var is a string macro.
 */
import { substituteMacros, THIS_MODEL, timeMacros, type MacroValues } from '../files/macros';
import { quoteIdent, splitName } from '../names';
import { sqlLiteral } from './sql-values';
import { ModelError, type ModelDef, type UnitTestDef } from '../types';

/** The day a unit test runs for when its vars give no start/end. */
export const TEST_DAY = '2026-01-01';
const DAY_MS = 86_400_000;

export function testMacroValues(test: Pick<UnitTestDef, 'vars' | 'where'>, model: ModelDef): MacroValues {
  const { vars } = test;
  const start = instant(vars.start ?? TEST_DAY, 'start', test);
  const endVar = vars.end ?? vars.start ?? TEST_DAY;
  // A day is inclusive (the interval runs to the next midnight); a timestamp is the exclusive end.
  const end = isDay(endVar) ? new Date(instant(endVar, 'end', test).getTime() + DAY_MS) : instant(endVar, 'end', test);
  const execution = vars.execution_time ? instant(vars.execution_time, 'execution_time', test) : end;
  let time: MacroValues;
  try {
    time = timeMacros({ start, end }, execution);
  } catch (err) {
    throw new ModelError(`vars: ${(err as Error).message}`, test.where);
  }
  const { schema, table } = splitName(model.name);
  const values: MacroValues = { ...time, [THIS_MODEL]: `${quoteIdent(schema)}.${quoteIdent(table)}` };
  for (const [name, value] of Object.entries(vars)) {
    if (!['start', 'end', 'execution_time'].includes(name)) values[name.toLowerCase()] = sqlLiteral(value)!;
  }
  return values;
}

/** The model's query with the test's macro values; an unknown macro is a ModelError at its line. */
export function renderTestQuery(test: Pick<UnitTestDef, 'vars' | 'where'>, model: ModelDef): string {
  return substituteMacros(model.query, testMacroValues(test, model), { file: model.where.file, queryLine: model.queryLine });
}

const isDay = (text: string) => /^\d{4}-\d{2}-\d{2}$/.test(text.trim());

function instant(text: string, name: string, test: Pick<UnitTestDef, 'where'>): Date {
  const t = text.trim();
  const d = new Date(isDay(t) ? `${t}T00:00:00Z` : /[zZ]|[+-]\d{2}:?\d{2}$/.test(t) ? t.replace(' ', 'T') : `${t.replace(' ', 'T')}Z`);
  if (Number.isNaN(d.getTime())) throw new ModelError(`vars: ${name} '${text}' is not a day (YYYY-MM-DD) or a timestamp`, test.where);
  return d;
}
