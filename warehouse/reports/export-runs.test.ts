/**
 * Which documents a request means (expandRuns), over the real definitions in models/reports: a
 * `per` parameter fans out to every configured value, `--all` with a month runs each day report
 * for every day of it, and a parameter a report does not take is refused for one report but simply
 * not passed on under `--all`.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { jurisdictionConfig } from '../../domain/jurisdictions';
import { REPO_ROOT } from '../source/local-r2';
import { loadReports, type ReportDefinition } from './definition';
import { ReportInputError } from './errors';
import { expandRuns } from './export';

const NOW = new Date('2026-12-02T12:00:00Z');
const JURISDICTIONS = jurisdictionConfig.jurisdictions.map((j) => j.id);
let defs: ReportDefinition[];
const def = (id: string) => defs.find((d) => d.id === id)!;
const label = (r: ReturnType<typeof expandRuns>[number]) => [r.def.id, r.params.period.label, r.params.jurisdiction, r.params.brand].filter(Boolean).join(' ');

beforeAll(async () => {
  defs = await loadReports(join(REPO_ROOT, 'models', 'reports'));
});

describe('expandRuns', () => {
  it('runs one report for the jurisdiction asked', () => {
    expect(expandRuns({ reports: [def('gaming_return')], period: '2026-10', jurisdiction: 'mt' }, NOW).map(label)).toEqual(['gaming_return 2026-10 MT']);
  });

  it('fans a per-jurisdiction report out to every configured jurisdiction when none is given', () => {
    expect(expandRuns({ reports: [def('gaming_return')], period: '2026-10' }, NOW).map((r) => r.params.jurisdiction)).toEqual(JURISDICTIONS);
  });

  it('--all with a month: every month report per jurisdiction, and each day report for every day of the month', () => {
    const runs = expandRuns({ reports: defs, period: '2026-11' }, NOW);
    const daily = runs.filter((r) => r.def.id === 'operations_daily');
    expect(daily.map((r) => r.params.period.label)).toEqual(Array.from({ length: 30 }, (_, i) => `2026-11-${String(i + 1).padStart(2, '0')}`));
    expect(runs.filter((r) => r.def.id === 'gaming_return').map((r) => r.params.jurisdiction)).toEqual(JURISDICTIONS);
    expect(runs.filter((r) => r.def.id === 'management_monthly').map(label)).toEqual(['management_monthly 2026-11']);
  });

  it('--all --jurisdiction: passes it to the reports that take one, not to the others', () => {
    const runs = expandRuns({ reports: defs, period: '2026-11', jurisdiction: 'GB' }, NOW);
    expect(runs.filter((r) => r.def.id === 'gaming_return').map(label)).toEqual(['gaming_return 2026-11 GB']);
    expect(runs.filter((r) => r.def.id === 'management_monthly').map(label)).toEqual(['management_monthly 2026-11']);
  });

  it('refuses, before anything is built, a parameter one report does not take, a bad or unfinished period, an unknown jurisdiction', () => {
    const code = (f: () => unknown) => {
      try { f(); } catch (err) { return err instanceof ReportInputError ? err.code : String(err); }
      return 'no error';
    };
    expect(code(() => expandRuns({ reports: [def('management_monthly')], period: '2026-10', jurisdiction: 'MT' }, NOW))).toBe('unknown_parameter');
    expect(code(() => expandRuns({ reports: [def('gaming_return')], period: '2026-13', jurisdiction: 'MT' }, NOW))).toBe('bad_period');
    expect(code(() => expandRuns({ reports: [def('gaming_return')], period: '2026-12', jurisdiction: 'MT' }, NOW))).toBe('future_period');
    expect(code(() => expandRuns({ reports: [def('gaming_return')], period: '2026-10', jurisdiction: 'XX' }, NOW))).toBe('unknown_jurisdiction');
    expect(code(() => expandRuns({ reports: [def('operations_daily')], period: '2026-10' }, NOW))).toBe('bad_period');
  });
});
