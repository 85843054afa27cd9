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
  });

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
