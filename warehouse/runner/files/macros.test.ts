/** SQLMesh's macro variables: values as SQLMesh renders them, placeholders for compiling, errors with lines. */
import { describe, expect, it } from 'vitest';
import { auditArgSql, findMacros, substituteMacros, substitutePlaceholders, timeMacros } from './macros';
import { byteToCharOffsets } from './sql-text';

const src = { file: 'marts/m.sql', queryLine: 10 };
const day = timeMacros({ start: new Date('2024-01-01T00:00:00Z'), end: new Date('2024-01-02T00:00:00Z') }, new Date('2024-01-03T04:05:06.789Z'));

describe('macros', () => {
  it('renders one day as SQLMesh does: the end macros are the inclusive end', () => {
    expect(day).toEqual({
      start_ds: "'2024-01-01'", start_date: "CAST('2024-01-01' AS DATE)", start_ts: "'2024-01-01 00:00:00'",
      start_dt: "CAST('2024-01-01 00:00:00' AS TIMESTAMP)", start_epoch: '1704067200',
      end_ds: "'2024-01-01'", end_date: "CAST('2024-01-01' AS DATE)", end_ts: "'2024-01-01 23:59:59.999999'",
      end_dt: "CAST('2024-01-01 23:59:59.999999' AS TIMESTAMP)", end_epoch: '1704153599.999999',
      execution_ds: "'2024-01-03'", execution_date: "CAST('2024-01-03' AS DATE)", execution_ts: "'2024-01-03 04:05:06'",
      execution_dt: "CAST('2024-01-03 04:05:06' AS TIMESTAMP)", execution_epoch: '1704254706',
    });
  });

  it('substitutes values, leaving @ in strings, quoted names and comments alone', () => {
    const sql = "select '@start_ds' as s, \"@end_ds\", @START_DS -- @end_ds\n/* @end_ds */ from t where d <= @end_ds and $$@x$$ = ''";
    expect(substituteMacros(sql, day, src)).toBe("select '@start_ds' as s, \"@end_ds\", '2024-01-01' -- @end_ds\n/* @end_ds */ from t where d <= '2024-01-01' and $$@x$$ = ''");
    expect(findMacros(sql, src).map((m) => m.name)).toEqual(['start_ds', 'end_ds']);
  });

  it('refuses unknown and function macros with their line', () => {
    expect(() => substituteMacros('select\n@nope', day, src)).toThrow(/^marts\/m\.sql:11: unknown macro @nope \(known here: @start_ds, /);
    expect(() => substituteMacros('select\n\n@EACH([a], x -> x)', day, src)).toThrow('marts/m.sql:12: @EACH(...) is a SQLMesh function macro, which the runner does not support: write the SQL it would generate');
    expect(() => findMacros('select @IF', src)).toThrow('@IF(...) is a SQLMesh function macro');
    expect(() => substitutePlaceholders('select @column', src)).toThrow('marts/m.sql:10: unknown macro @column');
  });

  it('substitutes placeholders and maps offsets back to the original', () => {
    const sql = 'select x from raw.events where d between @start_ds and @end_ds and y in (select 1 from @this_model)';
    const p = substitutePlaceholders(sql, src);
    expect(p.text).toBe("select x from raw.events where d between '@start_ds' and '@end_ds' and y in (select 1 from \"@this_model\")");
    // a position after the macros maps back exactly; one inside a placeholder maps to the macro's start
    expect(p.toOriginal(p.text.indexOf('select 1'))).toBe(sql.indexOf('select 1'));
    expect(p.toOriginal(p.text.indexOf("'@end_ds'") + 3)).toBe(sql.indexOf('@end_ds'));
    expect(p.toOriginal(p.text.indexOf('raw.events'))).toBe(sql.indexOf('raw.events'));
    expect(substitutePlaceholders('select @column', src, ['column']).text).toBe('select "@column"');
  });

  it('renders audit arguments as SQL', () => {
    expect(auditArgSql(['a', 'b'])).toBe('a, b');
    expect(auditArgSql([{ sql: "'won'" }, { sql: "'lost'" }])).toBe("'won', 'lost'");
    expect(auditArgSql(5)).toBe('5');
    expect(auditArgSql(false)).toBe('FALSE');
    expect(auditArgSql(null)).toBe('NULL');
  });

  it('maps DuckDB byte offsets to character offsets', () => {
    const text = "select 'é€😀' as a from t";
    const toChar = byteToCharOffsets(text);
    const bytes = Buffer.byteLength(text.slice(0, text.indexOf('from')));
    expect(toChar(bytes)).toBe(text.indexOf('from'));
  });
});
