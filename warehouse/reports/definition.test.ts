/**
 * The report YAML parser: the shipped definitions load, and each kind of mistake is refused with
 * the file, the line of the offending node and what is wrong.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadReports, parseReport, ReportDefinitionError, wherePredicateProblem } from './definition';
import { REPO_ROOT } from '../source/local-r2';

const GOOD = `title: T
audience: regulator
period: month
parameters:
  jurisdiction: { required: true, per: true }
formats: [pdf, csv]
schedule:
  cron: '0 6 * * *'
  timezone: Europe/Malta
  due_day: 15
sections:
  - id: revenue
    title: Revenue
    from: marts.rpt_gaming_revenue_monthly
    period_column: report_month
    filters: { jurisdiction: jurisdiction }
    where: "game_type <> 'drop'"
    order_by: [game_type, currency desc]
    columns:
      - { name: game_type, label: Game type, type: text }
      - { name: currency, label: Currency, type: text }
      - { name: stakes_minor, label: Stakes, type: money, currency: currency, exponent: currency_exponent, total: true }
      - { name: ggr_eur, label: GGR (EUR), type: decimal, scale: 2, total: true }
    chart: { kind: bar, title: GGR, x: game_type, y: [ggr_eur], unit: EUR }
footnotes: [A note.]
`;

/** GOOD with `from` replaced by `to` (must occur exactly once). */
function variant(from: string, to: string): string {
  expect(GOOD.split(from).length, `'${from}' once in GOOD`).toBe(2);
  return GOOD.replace(from, to);
}

function refusal(text: string): ReportDefinitionError {
  try {
    parseReport(text, 'models/reports/bad.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ReportDefinitionError);
    return err as ReportDefinitionError;
  }
  throw new Error('accepted');
}

describe('report definitions', () => {
  it('loads every definition in models/reports', async () => {
    const defs = await loadReports(join(REPO_ROOT, 'models', 'reports'));
    expect(defs.map((d) => d.id)).toEqual(expect.arrayContaining(['gaming_return', 'player_protection', 'suspicious_activity']));
    for (const d of defs) expect(d.sections.length).toBeGreaterThan(0);
  });

  it('types a good definition: id from the file name, money with its currency and exponent columns', () => {
    const d = parseReport(GOOD, 'models/reports/good.yaml');
    expect(d.id).toBe('good');
    expect(d.parameters).toEqual({ jurisdiction: { required: true, per: true } });
    expect(d.schedule).toEqual({ cron: '0 6 * * *', timezone: 'Europe/Malta', due_day: 15 });
    const s = d.sections[0]!;
    expect(s.columns[2]).toEqual({ name: 'stakes_minor', label: 'Stakes', type: 'money', currency: 'currency', exponent: 'currency_exponent', total: true });
    expect(s.order_by).toEqual(['game_type', 'currency desc']);
    expect(s.line).toBe(12);
  });


  it.each([
    ['an unknown top-level key', variant('footnotes: [A note.]', 'footnote: [A note.]'), 25, /report: unknown key 'footnote'/],
    ['an unknown section key', variant('    period_column: report_month', '    period_column: report_month\n    group_by: [x]'), 16, /section: unknown key 'group_by'/],
    ['an unknown column key', variant('type: text }\n      - { name: currency', 'type: text, width: 3 }\n      - { name: currency'), 20, /unknown key 'width'/],
    ['an unknown column type', variant('label: Currency, type: text', 'label: Currency, type: string'), 21, /column currency: unknown type 'string'/],
    ['a money column without currency', variant('type: money, currency: currency, exponent', 'type: money, exponent'), 22, /money column must name .* currency and exponent/],
    ['a money column without exponent', variant(', exponent: currency_exponent', ''), 22, /money column must name .* currency and exponent/],
    ['a decimal column without scale', variant('type: decimal, scale: 2,', 'type: decimal,'), 23, /decimal column needs a scale/],
    ['a total on a text column', variant('label: Game type, type: text }', 'label: Game type, type: text, total: true }'), 20, /total is for integer, money and decimal/],
    ['a parameter outside jurisdiction, brand, currency', variant('  jurisdiction: { required: true, per: true }', '  jurisdiction: { required: true, per: true }\n  country: { required: false }'), 6, /unknown parameter 'country'/],
    ['a filter on an undeclared parameter', variant('filters: { jurisdiction: jurisdiction }', 'filters: { jurisdiction: jurisdiction, brand: brand }'), 16, /parameter 'brand', which the report does not declare/],
    ['a bad cron', variant("cron: '0 6 * * *'", "cron: '0 25 * * *'"), 8, /schedule.cron '0 25 \* \* \*'/],
    ['a bad time zone', variant('timezone: Europe/Malta', 'timezone: Europe/Atlantis'), 9, /not an IANA time zone/],
    ['a due day past the 28th', variant('due_day: 15', 'due_day: 31'), 10, /due_day must be a whole day 1..28/],
    ['a month report without a due day', variant('  due_day: 15\n', ''), 8, /due_day is required for a month report/],
    ['a due day on a day report', variant('period: month', 'period: day'), 10, /due_day is for month reports/],
    ['duplicate section ids', GOOD.replace('footnotes:', GOOD.slice(GOOD.indexOf('  - id: revenue'), GOOD.indexOf('footnotes:')) + 'footnotes:'), 25, /duplicate section id 'revenue' \(also on line 12\)/],
    ['a chart over a column the section does not have', variant('x: game_type', 'x: jurisdiction'), 24, /chart.x 'jurisdiction' is not one of the section's columns/],
    ['a chart of a text column', variant('y: [ggr_eur]', 'y: [currency]'), 24, /chart.y 'currency' is a text column/],
    ['a where with a statement', variant(`where: "game_type <> 'drop'"`, `where: "1=1; drop table x"`), 17, /must not contain ';'/],
    ['a where with a comment', variant(`where: "game_type <> 'drop'"`, `where: "1=1 -- x"`), 17, /must not contain comments/],
    ['a where with a subquery', variant(`where: "game_type <> 'drop'"`, `where: "game_type in (select 1)"`), 17, /'select' is not allowed/],
    ['an unknown format', variant('formats: [pdf, csv]', 'formats: [pdf, docx]'), 6, /unknown format 'docx'/],
    ['a from that is not schema.table', variant('from: marts.rpt_gaming_revenue_monthly', 'from: rpt_gaming_revenue_monthly'), 14, /must be schema.table/],
    ['invalid YAML', variant('title: T', 'title: [T'), 2, /invalid YAML/],
  ])('refuses %s, naming the file and line', (_what, text, line, message) => {
    const err = refusal(text);
    expect(err.message).toMatch(message);
    expect(err.file).toBe('models/reports/bad.yaml');
    expect(err.line).toBe(line);
    expect(err.message.startsWith(`models/reports/bad.yaml:${line}: `)).toBe(true);
  });

  it('checks where predicates after blanking string literals', () => {
    expect(wherePredicateProblem("status <> 'drop; -- select'")).toBeUndefined();
    expect(wherePredicateProblem('a > 1) or (1 = 1')).toMatch(/unbalanced/);
    expect(wherePredicateProblem("a = 'x")).toMatch(/unterminated/);
    expect(wherePredicateProblem('a = 1 /* x */')).toMatch(/comments/);
    expect(wherePredicateProblem('pragma_version() is not null')).toBeUndefined(); // a word, not the keyword
    expect(wherePredicateProblem('1 = 1 or delete')).toMatch(/'delete'/);
  });
});
