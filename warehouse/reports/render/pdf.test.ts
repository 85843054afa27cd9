/**
 * The PDF checked with real clients: poppler's pdftotext (the figures and names are text a reader
 * can copy, so the fonts are embedded with ToUnicode maps), pdffonts (embedded subsets) and
 * pdftoppm (every page rasterises without errors).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Column, ReportDocument } from '../document';
import { SAMPLE_DOCUMENT, SAMPLE_NAMES } from '../sample-document';
import PDFDocument from 'pdfkit';
import { primeLayouts, reportFonts, sharedLayoutCache, splitRuns, type FontkitFont, type PdfkitFont, type Run } from './fonts';
import { columnGroups, formatCell, niceTicks, renderPdf } from './pdf';

const dir = mkdtempSync(join(tmpdir(), 'pdf-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function renderToFile(doc: ReportDocument, name: string): Promise<string> {
  const path = join(dir, name);
  writeFileSync(path, await renderPdf(doc));
  return path;
}

const pdftotext = (path: string) => execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
/** Page texts: pdftotext ends every page with a form feed. */
const pagesOf = (text: string) => text.split('\f').slice(0, -1);
const pageCount = (path: string) => Number(/^Pages:\s+(\d+)/m.exec(execFileSync('pdfinfo', [path], { encoding: 'utf8' }))![1]);

describe('renderPdf on the sample document', () => {
  let path: string;
  let text: string;
  let pages: string[];
  beforeAll(async () => {
    path = await renderToFile(SAMPLE_DOCUMENT, 'sample.pdf');
    text = pdftotext(path);
    pages = pagesOf(text);
    // the first render of a process loads the fonts: more than the 10 s hook default on a loaded machine
  }, 120_000);

  it('prints the totals exactly as the document holds them, one row per currency', () => {
    expect(text).toMatch(/Total EUR\s+EUR\s+2,000\s+22,222\.21 EUR\s+493\.83 EUR\s+493\.83/);
    expect(text).toMatch(/Total BTC\s+BTC\s+40\s+1\.50000000 BTC\s+0\.02500000 BTC\s+2,075\.50/);
    expect(text).toMatch(/Total JPY\s+JPY\s+10\s+500,000 JPY\s+25,000 JPY\s+153\.40/);
    // A negative amount and a percent with its scale.
    expect(text).toMatch(/live_baccarat\s+EUR\s+800\s+9,876\.54 EUR\s+-123\.45 EUR\s+5\.00 %\s+-123\.45/);
  });

  it('draws every name (Japanese, Ukrainian, Greek, Latin) as real text', () => {
    for (const name of SAMPLE_NAMES) expect(text).toContain(name);
    expect(text).toContain('Sample return — 月次報告 — Щомісячний звіт');
    expect(text).toContain('Amounts in € £ ¥ ₴ and ₿ are shown in their own currency.');
  });

  it('has a cover with period, parameters, freshness and model versions', () => {
    const cover = pages[0]!;
    expect(cover).toContain('Malta Gaming Authority');
    expect(cover).toMatch(/Period\s+2026-10 \(month\): 2026-10-01 to 2026-10-31/);
    expect(cover).toMatch(/Jurisdiction\s+MT/);
    expect(cover).toMatch(/Generated\s+2026-11-02 06:00:00 UTC/);
    expect(cover).toMatch(/Data through\s+2026-11-02 05:59:12 UTC/);
    expect(cover).toMatch(/marts\.rpt_gaming_revenue_monthly\s+3f2a9c1b\s+2026-11-02 05:00:00 UTC/);
    expect(cover).toMatch(/marts\.rpt_player_funds_monthly\s+9b81d0e4\s+2026-11-02 05:00:00 UTC/);
  });

  it('warns on the cover about the days without events', () => {
    const cover = pages[0]!;
    expect(cover).toContain('Missing data: 1 day of the period without events');
    expect(cover).toContain('figures for them are missing, not zero');
    expect(cover).toContain('2026-10-14');
  });

  it('repeats the players table header on every page the table spans', () => {
    const header = /Player\s+Name\s+Currency\s+Balance\s+Limits set\s+First seen/;
    const withPlayers = pages.filter((p) => /p-\d{4}/.test(p));
    expect(withPlayers.length).toBeGreaterThan(1);
    for (const page of withPlayers) expect(page).toMatch(header);
    // Every row made it, none twice.
    const ids = [...text.matchAll(/\bp-(\d{4})\b/g)].map((m) => Number(m[1]));
    expect(ids).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  });

  it('numbers every page "Page n of N" and names the report and period in the footer', () => {
    const n = pageCount(path);
    expect(pages).toHaveLength(n);
    pages.forEach((page, i) => {
      expect(page).toContain(`Page ${i + 1} of ${n}`);
      expect(page).toContain('sample · 2026-10 (2026-10-01 to 2026-10-31)');
    });
  });

  it('says the empty section is empty and draws the chart axes and categories', () => {
    expect(text).toContain('No suspicious activity was detected in the period.');
    expect(text).toContain('GGR by game type (EUR)');
    expect(text).toMatch(/Unit: EUR/);
    // Ticks below zero: the negative bar (live_baccarat) has an axis to hang on.
    expect(text).toMatch(/-500/);
    expect(text).toMatch(/live_roulette\s+live_baccarat\s+slots/);
  });

  it('embeds the Noto fonts as subsets with ToUnicode maps', () => {
    const fonts = execFileSync('pdffonts', [path], { encoding: 'utf8' }).split('\n').slice(2).filter(Boolean);
    const byName = new Map(fonts.map((l) => [l.split(/\s+/)[0]!.replace(/^[A-Z]{6}\+/, ''), l]));
    for (const name of ['NotoSans-Regular', 'NotoSans-Bold', 'NotoSansJP-Regular']) {
      const line = byName.get(name);
      expect(line, name).toBeDefined();
      expect(line).toMatch(/^[A-Z]{6}\+/); // subset tag
      expect(line).toMatch(/\byes\s+yes\s+yes\s+\d+\s+\d+\s*$/); // emb sub uni
    }
    // Nothing falls back to a non-embedded standard font.
    for (const l of fonts) expect(l).toMatch(/\byes\s+yes\s+yes\b/);
  });

  it('rasterises every page with pdftoppm without errors', () => {
    const out = mkdtempSync(join(dir, 'png-'));
    const run = spawnSync('pdftoppm', ['-r', '60', '-png', path, join(out, 'page')], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(readdirSync(out).filter((f) => f.endsWith('.png'))).toHaveLength(pageCount(path));
  });
});

describe('bookmarks', () => {
  it('has an outline entry for the cover, each section and the notes, opened with the outline shown', async () => {
    const raw = Buffer.from(await renderPdf(SAMPLE_DOCUMENT)).toString('latin1');
    expect(raw).toContain('/PageMode /UseOutlines');
    for (const title of ['Cover', 'Gaming revenue by game type', 'Suspicious activity', 'Notes']) expect(raw).toContain(`/Title (${title})`);
    // Non-ASCII titles are UTF-16BE strings in the outline (pdfkit writes them as escaped bytes).
    expect(raw.match(/\/Parent \d+ 0 R\n\/Title /g)).toHaveLength(5);
  });
});

describe('renderPdf is deterministic', () => {
  it('renders the same document to the same bytes, dated by generated_at', async () => {
    const a = await renderPdf(SAMPLE_DOCUMENT);
    const b = await renderPdf(structuredClone(SAMPLE_DOCUMENT));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const path = join(dir, 'dated.pdf');
    writeFileSync(path, a);
    const info = execFileSync('pdfinfo', ['-isodates', path], { encoding: 'utf8' });
    expect(info).toMatch(/CreationDate:\s+2026-11-02T06:00:00Z/);
    expect(info).toMatch(/ModDate:\s+2026-11-02T06:00:00Z/);
  });

  it('shares shaped text across documents (fonts.ts sharedLayoutCache) without changing a byte', async () => {
    const alone = await renderPdf(SAMPLE_DOCUMENT);
    // another document in between shapes other strings into the same shared cache
    const other = structuredClone(SAMPLE_DOCUMENT);
    other.title = 'Другий звіт — 別の報告書';
    other.sections[1]!.rows[0]![0] = 'p-restated-42';
    await renderPdf(other);
    expect(sharedLayoutCache(reportFonts().regular.latin)['p-restated-42']).toBeDefined();
    const again = await renderPdf(SAMPLE_DOCUMENT);
    expect(Buffer.from(again).equals(Buffer.from(alone))).toBe(true);
  });

  it('changes the bytes when the document changes', async () => {
    const a = await renderPdf(SAMPLE_DOCUMENT);
    const b = await renderPdf({ ...SAMPLE_DOCUMENT, generated_at: '2026-11-02T06:00:01.000Z' });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });
});

describe('page orientation', () => {
  it('turns a section landscape when its columns do not fit portrait, and keeps a narrow one portrait', async () => {
    const wide: Column[] = Array.from({ length: 9 }, (_, i) => ({ name: `m${i}`, label: `Amount ${i + 1}`, type: 'money' }));
    const doc: ReportDocument = {
      ...SAMPLE_DOCUMENT,
      missing_days: [],
      sections: [
        {
          id: 'wide',
          title: 'Wide',
          columns: wide,
          rows: [wide.map(() => ({ minor: 123_456_789_012n, currency: 'BTC', exponent: 8 }))],
          totals: [],
        },
        { id: 'narrow', title: 'Narrow', columns: [{ name: 'a', label: 'A', type: 'text' }], rows: [['x']], totals: [] },
      ],
    };
    const path = await renderToFile(doc, 'wide.pdf');
    const info = execFileSync('pdfinfo', ['-f', '1', '-l', '3', path], { encoding: 'utf8' });
    expect(info).toMatch(/Page\s+1 size:\s+595\.28 x 841\.89/);
    expect(info).toMatch(/Page\s+2 size:\s+841\.89 x 595\.28/);
    expect(info).toMatch(/Page\s+3 size:\s+595\.28 x 841\.89/);
    const text = pdftotext(path);
    expect(text.match(/1,234\.56789012 BTC/g)).toHaveLength(9); // no figure cut to fit
    expect(text).not.toContain('Missing data');
  });

  it('sets a table too wide even for landscape in smaller type instead of cutting its figures', async () => {
    const many: Column[] = Array.from({ length: 12 }, (_, i) => ({ name: `m${i}`, label: `Amount ${i + 1}`, type: 'money' }));
    const doc: ReportDocument = {
      ...SAMPLE_DOCUMENT,
      sections: [{ id: 'wider', title: 'Wider', columns: many, rows: [many.map(() => ({ minor: 123_456_789_012n, currency: 'BTC', exponent: 8 }))], totals: [] }],
    };
    const path = await renderToFile(doc, 'wider.pdf');
    // pdftotext without -layout: one cell per line, none cut, none off the page (text off the
    // page's crop box would not be extracted).
    const text = execFileSync('pdftotext', [path, '-'], { encoding: 'utf8' });
    expect(text.match(/1,234\.56789012 BTC/g)).toHaveLength(12);
  });
});

it('splits a table whose figures are wider than a landscape page even in the smallest type into column groups, each repeating the row key', async () => {
  const many: Column[] = [{ name: 'who', label: 'Player', type: 'text' }, ...Array.from({ length: 30 }, (_, i): Column => ({ name: `m${i}`, label: `Amount ${i + 1}`, type: 'money' }))];
  const doc: ReportDocument = {
    ...SAMPLE_DOCUMENT,
    sections: [{ id: 'widest', title: 'Widest', columns: many, rows: [['Ґанна', ...many.slice(1).map((_, i) => ({ minor: 123_456_789_000n + BigInt(i), currency: 'BTC', exponent: 8 }))]], totals: [] }],
  };
  const text = execFileSync('pdftotext', [await renderToFile(doc, 'widest.pdf'), '-'], { encoding: 'utf8' });
  // Every figure once, none cut or off the page; the key column in every group.
  for (let i = 0; i < 30; i++) expect(text.match(new RegExp(`1,234\\.567890${String(i).padStart(2, '0')} BTC`, 'g')), `amount ${i + 1}`).toHaveLength(1);
  const groups = Number(/Widest \(columns 1 of (\d+)\)/.exec(text)?.[1]);
  expect(groups).toBeGreaterThan(1);
  expect(text.match(/Ґанна/g)).toHaveLength(groups);
});

describe('columnGroups', () => {
  it('keeps a fitting table whole, and otherwise repeats the leading text columns (at most two) before each group', () => {
    expect(columnGroups([100, 100], [true, false], 300)).toEqual([[0, 1]]);
    expect(columnGroups([50, 40, 100, 100, 100], [true, true, false, false, false], 300)).toEqual([[0, 1, 2, 3], [0, 1, 4]]);
    expect(columnGroups([50, 40, 30, 100, 100, 100], [true, true, true, false, false, false], 250)).toEqual([[0, 1, 2, 3], [0, 1, 4], [0, 1, 5]]);
  });
});

describe('totals rows', () => {
  it('puts the label over a text first column when no cell is empty, never over a figure', async () => {
    const doc: ReportDocument = {
      ...SAMPLE_DOCUMENT,
      sections: [
        {
          id: 'deposits',
          title: 'Deposits',
          columns: [
            { name: 'currency', label: 'Currency', type: 'text' },
            { name: 'count', label: 'Deposits', type: 'integer', total: true },
          ],
          rows: [['EUR', 3n], ['EUR', 4n]],
          totals: [{ label: 'Total EUR', currency: 'EUR', cells: ['EUR', 7n] }],
        },
      ],
    };
    const text = pdftotext(await renderToFile(doc, 'totals.pdf'));
    expect(text).toMatch(/Total EUR\s+7\n/);
  });
});

describe('formatCell', () => {
  it('formats money from minor units with the exponent and code, never through a float', () => {
    const money: Column = { name: 'm', label: 'M', type: 'money' };
    expect(formatCell({ minor: 2_222_221n, currency: 'EUR', exponent: 2 }, money)).toBe('22,222.21 EUR');
    expect(formatCell({ minor: 150_000_000n, currency: 'BTC', exponent: 8 }, money)).toBe('1.50000000 BTC');
    expect(formatCell({ minor: 500_000n, currency: 'JPY', exponent: 0 }, money)).toBe('500,000 JPY');
    // 2^53 + 1 minor units: a float would print ...992.
    expect(formatCell({ minor: 9_007_199_254_740_993n, currency: 'EUR', exponent: 2 }, money)).toBe('90,071,992,547,409.93 EUR');
  });
  it('formats percent, decimal, integer, timestamp, boolean and null', () => {
    expect(formatCell(0.05, { name: 'p', label: 'P', type: 'percent', scale: 2 })).toBe('5.00 %');
    expect(formatCell(-0.001, { name: 'd', label: 'D', type: 'decimal', scale: 2 })).toBe('0.00');
    expect(formatCell(2075.5, { name: 'd', label: 'D', type: 'decimal', scale: 2 })).toBe('2,075.50');
    expect(formatCell(1234567n, { name: 'i', label: 'I', type: 'integer' })).toBe('1,234,567');
    expect(formatCell('2026-11-02T06:00:00.000Z', { name: 't', label: 'T', type: 'timestamp' })).toBe('2026-11-02 06:00:00 UTC');
    expect(formatCell(true, { name: 'b', label: 'B', type: 'boolean' })).toBe('yes');
    expect(formatCell(null, { name: 'b', label: 'B', type: 'text' })).toBe('');
  });
});

describe('splitRuns', () => {
  it('draws Ukrainian letters and ₴ with Noto Sans and kana/kanji with Noto Sans JP', () => {
    const faces = reportFonts().regular;
    expect(splitRuns('Ґанна 山田 太郎 ₴5', faces)).toEqual([
      { text: 'Ґанна ', script: 'latin' },
      { text: '山田 太郎 ', script: 'cjk' },
      { text: '₴5', script: 'latin' },
    ]);
    expect(splitRuns('Zoë Brontë-Øster', faces)).toEqual([{ text: 'Zoë Brontë-Øster', script: 'latin' }]);
  });

  it('asks Noto Sans JP only when it matters, with the runs of asking it for every character', () => {
    const faces = reportFonts().regular;
    // the rule as first written: both fonts' coverage looked up for every character
    const reference = (text: string, f: Record<'latin' | 'cjk', FontkitFont>): Run[] => {
      const runs: Run[] = [];
      let current: Run | undefined;
      for (const ch of text) {
        const cp = ch.codePointAt(0)!;
        const inLatin = f.latin.hasGlyphForCodePoint(cp);
        const inCjk = f.cjk.hasGlyphForCodePoint(cp);
        const script = current && (ch === ' ' || (inLatin && inCjk && current.script === 'cjk')) ? current.script : inLatin || !inCjk ? 'latin' : 'cjk';
        if (current && current.script === script) current.text += ch;
        else runs.push((current = { text: ch, script }));
      }
      return runs;
    };
    for (const text of ['Ґанна 山田 太郎 ₴5', '山田1,234.50 EUR', ' 山 a', 'Σ — 東京 (月次) · Київ', 'ゆう子-Øster', '¥500 円', '2026年10月 · 合計', '\u{1F600} x']) {
      expect(splitRuns(text, faces), text).toEqual(reference(text, faces));
    }
  });
});

describe('primeLayouts', () => {
  it('builds the runs of plain words (figures, dates, times, hex ids) exactly as fontkit shapes them, and leaves the others to it', () => {
    for (const weight of ['regular', 'bold'] as const) {
      const face = reportFonts()[weight].latin;
      const doc = new PDFDocument({ font: null as unknown as string });
      doc.registerFont('f', face as unknown as Uint8Array);
      doc.font('f');
      const f = (doc as unknown as { _font: PdfkitFont })._font;
      f.layoutCache = Object.create(null) as Record<string, unknown>; // not the shared one: this test's words only
      const shape = (run: { glyphs: { id: number }[]; positions: object[]; advanceWidth: number }) => ({ ids: run.glyphs.map((g) => g.id), positions: run.positions.map((p) => ({ ...p })), advanceWidth: run.advanceWidth });
      const chars = '0123456789abcdefABCDEF.,:-/';
      let seed = 7;
      const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
      const words = ['2026-09-24 ', '21:55:37 ', '2,900.00 ', '04c855849373cda9020cdec46870facc', '01a0f4f0-b451-7a64-909e-25c3b7670ce0', 'ffee', 'AVA'];
      for (let i = 0; i < 300; i++) words.push(Array.from({ length: 2 + Math.floor(rnd() * 12) }, () => chars[Math.floor(rnd() * chars.length)]).join('') + (rnd() < 0.5 ? ' ' : ''));
      let primed = 0;
      for (const w of words) {
        primeLayouts(f, w);
        const mine = f.layoutCache![w] as Parameters<typeof shape>[0] | undefined;
        if (!mine) continue;
        primed++;
        expect(shape(mine), `${weight} '${w}'`).toEqual(shape(f.layoutRun(w) as unknown as Parameters<typeof shape>[0]));
      }
      expect(primed).toBeGreaterThan(200);
      expect(f.layoutCache!['AVA']).toBeUndefined(); // not plain characters: shaped by fontkit as before
    }
  });
});

describe('niceTicks', () => {
  it('covers the range with round steps, zero included', () => {
    expect(niceTicks(-123.45, 2228.9)).toEqual({ ticks: [-500, 0, 500, 1000, 1500, 2000, 2500], step: 500 });
    expect(niceTicks(0, 0.3).ticks).toEqual([0, 0.1, 0.2, 0.3]);
  });
});

describe('keeping a heading with what it introduces', () => {
  /** A first section of `filler` one-line rows, so the second starts low on page 2 by a different amount each time. */
  const withFiller = (filler: number, second: ReportDocument['sections'][number]): ReportDocument => ({
    ...SAMPLE_DOCUMENT,
    missing_days: [],
    footnotes: [],
    sections: [
      {
        id: 'filler',
        title: 'Filler',
        columns: [{ name: 'k', label: 'Key', type: 'text' }, { name: 'v', label: 'Value', type: 'integer' }],
        rows: Array.from({ length: filler }, (_, i) => [`row ${i + 1}`, BigInt(i)]),
        totals: [],
      },
      second,
    ],
  });
  const pageWith = (pages: string[], text: string) => pages.find((p) => p.includes(text));
  // Each filler count leaves a different room at the foot of the page; across them the second
  // section's heading lands at every height of the last ~220 pt, where the old 120 pt rule
  // left it alone above a chart or a table that went on to the next page.
  const fillers = Array.from({ length: 14 }, (_, i) => 30 + i);

  it('never leaves a section heading at the foot of a page without its chart', async () => {
    for (const n of fillers) {
      const doc = withFiller(n, {
        id: 'charted',
        title: 'Charted section',
        columns: [{ name: 'k', label: 'Game type', type: 'text' }, { name: 'v', label: 'GGR', type: 'decimal', scale: 2 }],
        rows: [['slots', 1.5], ['live', -2]],
        totals: [],
        chart: { kind: 'bar', title: 'GGR by game type chart', unit: 'EUR', categories: ['slots', 'live'], series: [{ label: 'GGR', values: [1.5, -2] }] },
      });
      const pages = pagesOf(pdftotext(await renderToFile(doc, `keep-chart-${n}.pdf`)));
      const page = pageWith(pages, 'Charted section');
      expect(page, `filler ${n}`).toBeDefined();
      expect(page, `filler ${n}: heading and chart on one page`).toContain('GGR by game type chart');
    }
  }, 120_000);

  it('never leaves a heading and its description at the foot of a page without the table header and first rows', async () => {
    const description = Array.from({ length: 8 }, (_, i) => `Line ${i + 1} of a long description that says what the table holds and where its figures come from, in more words than fit one line.`).join(' ');
    for (const n of fillers) {
      const doc = withFiller(n, {
        id: 'described',
        title: 'Described section',
        description,
        columns: [{ name: 'k', label: 'Brand', type: 'text' }, { name: 'v', label: 'Deposits', type: 'integer' }],
        rows: Array.from({ length: 10 }, (_, i) => [`brand-${i + 1}`, BigInt(100 + i)]),
        totals: [],
      });
      const pages = pagesOf(pdftotext(await renderToFile(doc, `keep-table-${n}.pdf`)));
      const page = pageWith(pages, 'Described section');
      expect(page, `filler ${n}`).toBeDefined();
      expect(page, `filler ${n}: heading with the table header`).toMatch(/Brand\s+Deposits/);
      for (const row of ['brand-1 ', 'brand-2 ', 'brand-3 ']) expect(page, `filler ${n}: ${row}with its heading`).toContain(row);
    }
  }, 120_000);
});

describe('totals labels', () => {
  it('labels the totals row of a section of figures only in a leading column', async () => {
    const doc: ReportDocument = {
      ...SAMPLE_DOCUMENT,
      sections: [
        {
          id: 'limits',
          title: 'Limits',
          columns: [
            { name: 'set', label: 'Limits set', type: 'integer', total: true },
            { name: 'refusals', label: 'Refusals', type: 'integer', total: true },
          ],
          rows: [[12n, 13n]],
          totals: [{ label: 'Total', cells: [12n, 13n] }],
        },
      ],
    };
    const text = pdftotext(await renderToFile(doc, 'total-figures.pdf'));
    expect(text).toMatch(/Limits set\s+Refusals\n\s+12\s+13\n\s*Total\s+12\s+13\n/);
  });

  it('puts the label in the first text column when the first column is a figure, never over a figure', async () => {
    const doc: ReportDocument = {
      ...SAMPLE_DOCUMENT,
      sections: [
        {
          id: 'payments',
          title: 'Payments',
          columns: [
            { name: 'count', label: 'Deposits', type: 'integer', total: true },
            { name: 'currency', label: 'Currency', type: 'text' },
            { name: 'amount', label: 'Deposited', type: 'money', total: true },
          ],
          rows: [[3n, 'EUR', { minor: 1234n, currency: 'EUR', exponent: 2 }]],
          totals: [{ label: 'Total EUR', currency: 'EUR', cells: [3n, 'EUR', { minor: 1234n, currency: 'EUR', exponent: 2 }] }],
        },
      ],
    };
    const text = pdftotext(await renderToFile(doc, 'total-second.pdf'));
    expect(text).toMatch(/\n\s+3\s+Total EUR\s+12\.34 EUR\n/);
  });
});

describe('text columns of a table wider than the page', () => {
  const summary = (i: number) =>
    `withdrawal ${i} of 398.76 EUR to an instrument never used for a deposit (2 used for deposits; 430.00 EUR deposited in 7 days) after a fortnight of play; paid`;
  const columns: Column[] = [
    { name: 'date', label: 'Date', type: 'date' },
    { name: 'alert', label: 'Alert', type: 'text' },
    { name: 'rule', label: 'Rule', type: 'text' },
    { name: 'player', label: 'Player', type: 'text' },
    { name: 'amount', label: 'Amount', type: 'money', total: true },
    { name: 'status', label: 'Withdrawal outcome', type: 'text' },
    { name: 'summary', label: 'Summary', type: 'text' },
  ];
  const row = (i: number, text: string) => [
    '2026-11-25',
    `73f99b32bd4121baa407b66868452b${String(i).padStart(2, '0')}`,
    'new_payout_instrument',
    `01a187c1-1f01-724d-953e-3902cbf53a${String(i).padStart(2, '0')}`,
    { minor: 39876n, currency: 'EUR', exponent: 2 },
    'approved',
    text,
  ];

  it('wraps long text onto more lines instead of cutting it, giving short text columns their width', async () => {
    const doc: ReportDocument = {
      ...SAMPLE_DOCUMENT,
      sections: [{ id: 'alerts', title: 'Alerts', columns, rows: Array.from({ length: 6 }, (_, i) => row(i, summary(i))), totals: [] }],
    };
    const text = pdftotext(await renderToFile(doc, 'wrapped.pdf'));
    expect(text).not.toContain('…');
    // Every word of every summary is on the page (on whichever line its cell wrapped it to).
    const words = text.split(/\s+/);
    for (let i = 0; i < 6; i++) for (const w of summary(i).split(' ')) expect(words, `summary ${i}: ${w}`).toContain(w);
    // Short text whole, on the row's first line with the figure.
    expect(text.match(/2026-11-25\s+\S+\s+\S+\s+\S+\s+398\.76 EUR\s+approved\s+withdrawal \d/g)).toHaveLength(6);
    // An id that must break breaks after a '-' (or '_', '/'), not mid-token.
    expect(text).toMatch(/01a187c1-1f01-724d-953e-\s/);
  });

  it('keeps a timestamp\'s time and zone on one line: a narrow timestamp column takes two lines, never three', async () => {
    const stamped: Column[] = [
      ...columns.slice(0, 4),
      { name: 'from', label: 'Window from', type: 'timestamp' },
      { name: 'to', label: 'Window to', type: 'timestamp' },
      ...columns.slice(4),
      { name: 'decided', label: 'Decided at', type: 'timestamp' },
    ];
    const rows = Array.from({ length: 8 }, (_, i) => {
      const r = row(i, summary(i));
      return [...r.slice(0, 4), `2026-11-25T0${i}:10:20.000Z`, `2026-11-25T1${i}:40:00.000Z`, ...r.slice(4), `2026-11-26T12:00:0${i}.000Z`];
    });
    const doc: ReportDocument = { ...SAMPLE_DOCUMENT, sections: [{ id: 'alerts', title: 'Alerts', columns: stamped, rows, totals: [] }] };
    const text = pdftotext(await renderToFile(doc, 'timestamps.pdf'));
    // every time of the table is followed by its zone on the same line (the table is wrapped: the
    // dates stand on the line above)
    const times = text.match(/\d\d:\d\d:\d\d(?: UTC)?/g) ?? [];
    expect(times.filter((t) => t.startsWith('1') || t.startsWith('0')).length).toBeGreaterThanOrEqual(24);
    expect(times.filter((t) => !t.endsWith('UTC'))).toEqual([]);
  });

  it('cuts text with "…" only beyond three lines', async () => {
    const long = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
    const doc: ReportDocument = {
      ...SAMPLE_DOCUMENT,
      sections: [{ id: 'alerts', title: 'Alerts', columns, rows: [row(1, summary(1)), row(2, `${long} ${long} ${long} ${long} ${long}`)], totals: [] }],
    };
    const text = pdftotext(await renderToFile(doc, 'cut.pdf'));
    expect(text.match(/…/g)).toHaveLength(1);
    for (const w of summary(1).split(' ')) expect(text.split(/\s+/)).toContain(w);
    // The cut cell shows three lines: its first words, then the "…" on the third line.
    const lines = text.split('\n');
    const first = lines.findIndex((l) => l.includes('word0 '));
    expect(lines[first + 2]).toContain('…');
  });
});
