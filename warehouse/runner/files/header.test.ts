/** The MODEL and AUDIT headers, in SQLMesh's own syntax: SQLMesh files parse unchanged, mistakes name their line. */
import { describe, expect, it } from 'vitest';
import { parseAudits, parseModel } from './header';

// The header of SQLMesh's examples/sushi customer_revenue_by_day.sql, plus the audits and metadata sushi's other models use.
const SUSHI = `/* Table of revenue from customers by day. */
MODEL (
  name sushi.customer_revenue_by_day,
  kind incremental_by_time_range (
    time_column (ds, 'YYYY-MM-dd'),
    batch_size 10,
  ),
  owner jen,
  cron '@daily',
  dialect hive,
  tags expensive,
  grain [order_id, ds],
  audits (
    NUMBER_OF_ROWS(threshold=0),
    not_null(columns := [customer_id, ds]),
    accepted_range(column := revenue, min_v := -5, max_v := 1e9),
    accepted_values(column := status, is_in := ('paid', 'void'), blocking := false),
    forall(criteria := [revenue >= 0, ds is not null]),
    unique_values_non_blocking(columns := (customer_id)),
    my_custom_audit,
  ),
);

WITH order_total AS (
  SELECT oi.order_id AS order_id FROM sushi.order_items AS oi
)
SELECT * FROM order_total
`;

describe('parseModel', () => {
  it('parses a SQLMesh sushi header unchanged', () => {
    const m = parseModel(SUSHI, 'sushi/customer_revenue_by_day.sql');
    expect(m).toMatchObject({
      name: 'sushi.customer_revenue_by_day',
      kind: { name: 'INCREMENTAL_BY_TIME_RANGE', timeColumn: 'ds', batchSize: 10, lookback: 0, forwardOnly: false },
      owner: 'jen', cron: '@daily', tags: ['expensive'], grain: ['order_id', 'ds'],
      where: { file: 'sushi/customer_revenue_by_day.sql', line: 2 },
      queryLine: 22,
      extra: { dialect: 'hive', 'kind.time_column_format': 'YYYY-MM-dd' },
    });
    expect(m.audits).toEqual([
      { name: 'number_of_rows', args: { threshold: 0 }, blocking: true },
      { name: 'not_null', args: { columns: ['customer_id', 'ds'] }, blocking: true },
      { name: 'accepted_range', args: { column: 'revenue', min_v: -5, max_v: 1e9 }, blocking: true },
      { name: 'accepted_values', args: { column: 'status', is_in: [{ sql: "'paid'" }, { sql: "'void'" }] }, blocking: false },
      { name: 'forall', args: { criteria: [{ sql: 'revenue >= 0' }, { sql: 'ds is not null' }] }, blocking: true },
      { name: 'unique_values', args: { columns: ['customer_id'] }, blocking: false },
      { name: 'my_custom_audit', args: {}, blocking: true },
    ]);
    // The query is the rest of the file exactly as written, starting on the header's `);` line.
    expect(m.query).toBe(SUSHI.slice(SUSHI.indexOf(');\n') + 2));
    expect(m.query.split('\n')[2]).toBe('WITH order_total AS (');
  });

  it('parses every property form', () => {
    const m = parseModel(`-- leading comment
model ( -- comments inside too
  NAME Marts.Fct_X, /* block */
  KIND INCREMENTAL_BY_UNIQUE_KEY (unique_key (id, day), forward_only true, when_matched 'x'),
  start '2026-02-01',
  grain id,
  tags [a, b],
  description 'it''s here',
  column_descriptions (id = 'the id', day = 'the day',),
  columns (id INT, amount DECIMAL(10,2), at TIMESTAMP WITH TIME ZONE, tags VARCHAR[]),
  allow_partials TRUE,
  interval_unit 'hour',
  partitioned_by [day],
  physical_properties (x = 1),
  stamp @some_macro,
  enabled true,
);
select 1`, 'marts/fct_x.sql');
    expect(m).toMatchObject({
      name: 'marts.fct_x', kind: { name: 'INCREMENTAL_BY_UNIQUE_KEY', uniqueKey: ['id', 'day'], forwardOnly: true },
      start: '2026-02-01', grain: ['id'], tags: ['a', 'b'], description: "it's here",
      columnDescriptions: { id: 'the id', day: 'the day' },
      columns: { id: 'INT', amount: 'DECIMAL(10,2)', at: 'TIMESTAMP WITH TIME ZONE', tags: 'VARCHAR[]' },
      allowPartials: true, intervalUnit: 'hour', cron: '@daily', where: { line: 2 }, queryLine: 17, query: '\nselect 1',
      extra: { partitioned_by: ['day'], physical_properties: '(x = 1)', stamp: '@some_macro', enabled: true, 'kind.when_matched': 'x' },
    });
    expect(parseModel('MODEL (name a.b, kind FULL); select 1', 'a/b.sql').kind).toEqual({ name: 'FULL' });
    expect(parseModel('MODEL (name a.b); select 1', 'a/b.sql', { cron: '@hourly' })).toMatchObject({ kind: { name: 'VIEW' }, cron: '@hourly' });
    expect(parseModel("MODEL (name a.b, kind SEED (path 'x.csv'));", 'a/b.sql').kind).toEqual({ name: 'SEED', path: 'x.csv' });
    expect(parseModel('MODEL (name a.b, kind EXTERNAL, columns (x INT));', 'a/b.sql').kind).toEqual({ name: 'EXTERNAL' });
    expect(parseModel('MODEL (name a.b, kind INCREMENTAL_BY_UNIQUE_KEY (unique_key id));select 1', 'a/b.sql').kind)
      .toEqual({ name: 'INCREMENTAL_BY_UNIQUE_KEY', uniqueKey: ['id'], forwardOnly: false });
    expect(parseModel('MODEL (name a.b, kind INCREMENTAL_BY_TIME_RANGE (time_column d, lookback 2), forward_only true);select 1', 'a/b.sql').kind)
      .toEqual({ name: 'INCREMENTAL_BY_TIME_RANGE', timeColumn: 'd', lookback: 2, forwardOnly: true });
  });

  it('names the file and line of every mistake', () => {
    const err = (text: string) => { try { parseModel(text, 'm/x.sql'); } catch (e) { return (e as Error).message; } return 'no error'; };
    expect(err('select 1')).toBe('m/x.sql:1: no MODEL (...) header: a model file starts with MODEL (name schema.table, kind ...);');
    expect(err('MODEL (\n  name m.x,\n  ownr jen\n);\nselect 1')).toBe("m/x.sql:3: unknown MODEL property 'ownr'");
    expect(err('MODEL (\n  name m.x,\n  kind SCD_TYPE_2 (unique_key id)\n);')).toBe('m/x.sql:3: kind SCD_TYPE_2 is not supported (VIEW, FULL, INCREMENTAL_BY_TIME_RANGE, INCREMENTAL_BY_UNIQUE_KEY, SEED, EXTERNAL)');
    expect(err('MODEL (\n  name m.x,\n  kind INCREMENTAL_BY_TIME_RANGE (batch_size 2)\n);')).toBe('m/x.sql:3: kind INCREMENTAL_BY_TIME_RANGE needs time_column');
    expect(err('MODEL (\n  name m.x,\n  kind INCREMENTAL_BY_TIME_RANGE (time_column d,\n batch_size two)\n);')).toBe("m/x.sql:4: batch_size: expected an integer >= 1, got 'two'");
    expect(err('MODEL (\n  name m.x,\n  kind FULL (\n  path 1)\n);')).toBe("m/x.sql:4: kind FULL has no property 'path'");
    expect(err('MODEL (\n  name m.x,\n  grain [a, b\n);')).toBe("m/x.sql:4: unexpected ')' (the '[' opened on line 3 is not closed)");
    expect(err('MODEL (\n  name m.x,\n  cron \'@daily\'\n)\nselect 1')).toBe("m/x.sql:5: the MODEL (...) header must end with ');'");
    expect(err('MODEL (\n  name m.x,\n  description \'oops\n);')).toBe('m/x.sql:3: unterminated string in the header');
    expect(err('MODEL (\n  kind FULL\n);')).toBe('m/x.sql:1: the MODEL header needs a name (schema.table)');
    expect(err('MODEL (\n  name m.x,\n  allow_partials maybe\n);')).toBe("m/x.sql:3: allow_partials: expected true or false, got 'maybe'");
    expect(err("MODEL (\n  name m.x,\n  start 'yesterday'\n);")).toBe("m/x.sql:3: start: expected a day 'YYYY-MM-DD', got 'yesterday'");
    expect(err('MODEL (\n  name m.x,\n  kind FULL,\n  forward_only true\n);')).toBe('m/x.sql:4: forward_only applies to incremental kinds, not FULL');
    expect(err('MODEL (\n  name m.x,\n  name m.y\n);')).toBe('m/x.sql:3: name is given twice');
  });
});

describe('parseAudits', () => {
  it('reads several AUDIT/query pairs from one file', () => {
    const text = `-- custom audits
AUDIT (
  name assert_positive,
  blocking false,
);
SELECT * FROM @this_model WHERE @column <= 0; -- a ';' in a comment, and in a string: ';'

AUDIT (name row_count_at_least, defaults (threshold = 10, label = 'rows'));
SELECT 1 FROM @this_model HAVING count(*) < @threshold
`;
    const audits = parseAudits(text, 'audits/checks.sql');
    expect(audits).toEqual([
      { name: 'assert_positive', blocking: false, defaults: {}, where: { file: 'audits/checks.sql', line: 2 }, queryLine: 5,
        // up to the `;` after which the next AUDIT starts
        query: '\nSELECT * FROM @this_model WHERE @column <= 0' },
      { name: 'row_count_at_least', blocking: true, defaults: { threshold: 10, label: { sql: "'rows'" } }, where: { file: 'audits/checks.sql', line: 8 }, queryLine: 8,
        query: '\nSELECT 1 FROM @this_model HAVING count(*) < @threshold\n' },
    ]);
    expect(parseAudits('AUDIT (name ok_non_blocking); select 1', 'a.sql')[0]!.blocking).toBe(false);
    expect(() => parseAudits('select 1', 'audits/x.sql')).toThrow('audits/x.sql:1: no AUDIT (...) header');
  });
});
