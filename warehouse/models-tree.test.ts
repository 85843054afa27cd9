/**
 * Checks on the real model tree (models/) that the runner's own tests and audits cannot make:
 * seed CSVs that copy a table of the project's code must not drift from it, and the staging
 * models' output types follow the money and time rules (unit tests compare values, not types).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CURRENCY_EXPONENTS } from '../domain/money';
import { memoryDb } from './runner/test-fixtures';
import { renderTestQuery } from './runner/checks/test-macros';
import { createWrittenMacros } from './runner/compile/sql-macros';
import { loadProject } from './runner/files/project';

const MODELS = fileURLToPath(new URL('../models', import.meta.url));
const seed = (file: string) => readFileSync(`${MODELS}/seeds/${file}`, 'utf8');

describe('models/seeds', () => {
  it('currencies.csv holds exactly domain/money.ts CURRENCY_EXPONENTS', () => {
    const [header, ...lines] = seed('currencies.csv').trim().split('\n');
    expect(header).toBe('code,exponent');
    const rows = lines.map((l) => l.split(','));
    expect(rows.every((r) => r.length === 2 && /^\d+$/.test(r[1]!))).toBe(true);
    expect(Object.fromEntries(rows.map(([code, exp]) => [code, Number(exp)]))).toEqual(CURRENCY_EXPONENTS);
    expect(rows.length).toBe(Object.keys(CURRENCY_EXPONENTS).length);
  });
});

describe('models/staging', () => {
  it('every event family\'s staging model: money as BIGINT minor units with an INTEGER exponent, times as TIMESTAMP, no floats, every column described', async () => {
    const project = await loadProject(MODELS);
    const events = project.models.get('raw.events')!;
    const columns = Object.entries(events.columns).map(([name, type]) => `${name} ${type}`).join(', ');
    // The event families read raw.events through the shared envelope view, staging.stg_events.
    const envelope = project.models.get('staging.stg_events')!;
    const db = await memoryDb('CREATE SCHEMA raw', `CREATE TABLE raw.events (${columns})`, 'CREATE SCHEMA seeds', 'CREATE TABLE seeds.currencies (code VARCHAR, exponent INTEGER)',
      'CREATE SCHEMA staging', `CREATE VIEW staging.stg_events AS ${envelope.query}`);
    try {
      // The staging models call the project's SQL macros (models/macros/events.sql), created as unit tests create them.
      await createWrittenMacros(db.con, project.macros.values());
      // The envelope and the event families' staging models (stg_duty_rate_daily reads a seed: its rates are DECIMAL fractions, not money).
      const staging = [...project.models.values()].filter((m) => m.name.startsWith('staging.') && /\b(raw\.events|staging\.stg_events)\b/i.test(m.query));
      expect(staging.length).toBeGreaterThanOrEqual(13);
      const problems: string[] = [];
      for (const m of staging) {
        const sql = renderTestQuery({ vars: { start: '2026-11-02', end: '2026-11-02' }, where: m.where }, m);
        const described = (await (await db.con.runAndReadAll(`DESCRIBE ${sql}`)).getRowObjectsJson()) as { column_name: string; column_type: string }[];
        for (const { column_name: col, column_type: type } of described) {
          const want =
            col.endsWith('_minor') ? 'BIGINT'
            : col === 'currency_exponent' ? 'INTEGER'
            : col === 'event_date' ? 'DATE'
            : col === 'occurred_at' || col.endsWith('_at') ? 'TIMESTAMP'
            : col.endsWith('_ms') ? 'BIGINT'
            : undefined;
          if (want && type !== want) problems.push(`${m.name}.${col} is ${type}, not ${want}`);
          if (/FLOAT|DOUBLE|DECIMAL|REAL/.test(type)) problems.push(`${m.name}.${col} is ${type}`);
          if (!m.columnDescriptions[col]) problems.push(`${m.name}.${col} has no column description`);
        }
        if (described.some((c) => c.column_name.endsWith('_minor')) && !described.some((c) => c.column_name === 'currency_exponent')) {
          problems.push(`${m.name} has money without currency_exponent`);
        }
        if (m.audits.length === 0) problems.push(`${m.name} has no audits`);
        if (!project.tests.some((t) => t.model === m.name)) problems.push(`${m.name} has no unit test`);
      }
      expect(problems).toEqual([]);
    } finally {
      db.close();
    }
  });
});
