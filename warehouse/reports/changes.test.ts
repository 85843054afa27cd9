import { describe, expect, it } from 'vitest';
import { canonicalJson, documentFromJson } from './canonical';
import { diffDocuments, ROW_DETAILS_MAX } from './changes';
import type { ReportDocument } from './document';
import { SAMPLE_DOCUMENT } from './sample-document';

const clone = (doc: ReportDocument): ReportDocument => documentFromJson(canonicalJson(doc));
/** As deliver compares them: both read back from document.json, bigints as strings. */
const diff = (a: ReportDocument, b: ReportDocument) => diffDocuments(JSON.parse(canonicalJson(a)), JSON.parse(canonicalJson(b)));

describe('diffDocuments', () => {
  it('lists removed rows, a new totals row (a currency appearing) and counts what it does not list', () => {
    const after = clone(SAMPLE_DOCUMENT);
    const revenue = after.sections[0]!;
    revenue.rows.splice(1, 1); // live_baccarat | EUR gone
    revenue.totals.push({ label: 'Total GBP', currency: 'GBP', cells: [null, 'GBP', 5n, { minor: 1000n, currency: 'GBP', exponent: 2 }, null, null, 11.5] });
    after.sections[1]!.rows = after.sections[1]!.rows.slice(ROW_DETAILS_MAX + 5); // 25 players removed
    const c = diff(SAMPLE_DOCUMENT, after);
    const r = c.sections.find((s) => s.id === 'revenue')!;
    expect(r).toMatchObject({ rows_removed: 1, rows_added: 0, rows_changed: 0, rows: [{ key: 'live_baccarat | EUR', change: 'removed' }] });
    expect(r.totals).toEqual([
      { row: 'Total GBP', column: 'Currency', before: null, after: 'GBP' },
      { row: 'Total GBP', column: 'Bets', before: null, after: '5' },
      { row: 'Total GBP', column: 'Stakes', before: null, after: '10.00 GBP' },
      { row: 'Total GBP', column: 'GGR (EUR)', before: null, after: '11.5' },
    ]);
    const p = c.sections.find((s) => s.id === 'players')!;
    expect(p).toMatchObject({ rows_removed: ROW_DETAILS_MAX + 5, rows_omitted: 5 });
    expect(p.rows).toHaveLength(ROW_DETAILS_MAX);
    expect(c.summary).toContain(`players: ${ROW_DETAILS_MAX + 5} rows removed`);
    expect(c.summary).toContain('revenue: 1 row removed, totals: Total GBP Currency — -> GBP, Total GBP Bets — -> 5, Total GBP Stakes — -> 10.00 GBP, 1 more');
  });

  it('a section added or removed, or whose columns changed, is said as such', () => {
    const after = clone(SAMPLE_DOCUMENT);
    after.sections[0]!.columns[6] = { name: 'ngr_eur', label: 'NGR (EUR)', type: 'decimal', scale: 2 };
    const suspicious = after.sections.pop()!;
    after.sections.push({ ...suspicious, id: 'sar', rows: [['a-1', '2026-10-02T10:00:00Z']] });
    const c = diff(SAMPLE_DOCUMENT, after);
    expect(c.sections.map((s) => [s.id, s.status, s.columns_changed ?? false])).toEqual([['revenue', 'changed', true], ['sar', 'added', false], ['suspicious', 'removed', false]]);
    expect(c.summary).toBe('revenue: columns changed, 4 rows added, 4 rows removed; section sar added (1 row); section suspicious removed (0 rows)');
  });

  it('rows sharing a key are paired in order, so a duplicate row is one added row', () => {
    const after = clone(SAMPLE_DOCUMENT);
    after.sections[0]!.rows.push([...after.sections[0]!.rows[3]!]);
    const c = diff(SAMPLE_DOCUMENT, after);
    expect(c.sections[0]).toMatchObject({ rows_added: 1, rows_changed: 0, rows: [{ key: 'slots | JPY', change: 'added' }] });
  });

  it('says footnotes or a new missing day changed when no figure did', () => {
    const after = clone(SAMPLE_DOCUMENT);
    after.footnotes = [...after.footnotes, 'Restated after a late feed.'];
    after.missing_days = ['2026-10-14', '2026-10-15'];
    expect(diff(SAMPLE_DOCUMENT, after).summary).toBe('figures unchanged; days now missing: 2026-10-15; footnotes changed');
  });

  it('a one-row section of figures only (no descriptive column) names its moved cells before -> after', () => {
    const headline: ReportDocument['sections'][number] = {
      id: 'headline_payments',
      title: 'Deposits and withdrawals against the previous month (EUR)',
      columns: [
        { name: 'deposits', label: 'Deposits', type: 'integer' },
        { name: 'deposited', label: 'Deposited', type: 'decimal', scale: 2 },
        { name: 'change', label: 'Deposited change %', type: 'percent', scale: 1 },
      ],
      rows: [[820n, 309616.34, -0.274]],
      totals: [],
    };
    const before = { ...clone(SAMPLE_DOCUMENT), sections: [headline] };
    const after = clone(before);
    after.sections[0]!.rows = [[821n, 309616.34, -0.273]];
    const c = diff(before, after);
    expect(c.sections).toHaveLength(1);
    expect(c.sections[0]).toMatchObject({
      id: 'headline_payments',
      rows_added: 0,
      rows_removed: 0,
      rows_changed: 1,
      rows_by_position: true,
      rows: [{ key: 'row 1', change: 'changed', cells: [{ column: 'Deposits', before: '820', after: '821' }, { column: 'Deposited change %', before: '-0.274', after: '-0.273' }] }],
    });
    expect(c.summary).toBe('headline_payments: 1 row changed (Deposits 820 -> 821, Deposited change % -0.274 -> -0.273)');
    // Rows of such a section are paired by position: a second row is an added one, named by place.
    after.sections[0]!.rows.push([1n, 2, 0]);
    expect(diff(before, after).summary).toBe('headline_payments: 1 row added, 1 row changed (row 1 Deposits 820 -> 821, row 1 Deposited change % -0.274 -> -0.273)');
  });
});
