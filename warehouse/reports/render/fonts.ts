/**
 * The report fonts and which of them draws each character.
 *
 * Two Noto families from npm, embedded (and subset by pdfkit) into every PDF: Noto Sans covers
 * Latin, Cyrillic (with Ukrainian Ґ Є І Ї), Greek and the currency signs (€ £ ¥ ₴ ₺ ₿); Noto Sans JP
 * covers kana and kanji but lacks Ґ Є І Ї ₴. No single file has both, so a string is cut into runs,
 * each drawn with the first font that has its glyphs (Noto Sans first: its Latin is the one the
 * rest of the page uses).
 *
 * The fontkit font objects are parsed once per process and handed to pdfkit as objects: parsing
 * the 5 MB Japanese file costs ~60 ms, more than laying out a small report. pdfkit creates its own
 * subset per document from them, so sharing them across documents is safe. So is sharing their
 * shaped text (sharedLayoutCache): a layout depends on the font and the string only.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The part of a fontkit font this module uses (fontkit ships no types). */
export interface FontkitFont {
  postscriptName: string;
  hasGlyphForCodePoint(codePoint: number): boolean;
}

export type Weight = 'regular' | 'bold';
/** Which family draws a run: `latin` = Noto Sans, `cjk` = Noto Sans JP. */
export type Script = 'latin' | 'cjk';

export interface ReportFonts {
  regular: Record<Script, FontkitFont>;
  bold: Record<Script, FontkitFont>;
}

/** The name under which a face is registered in a PDFDocument. */
export const fontName = (weight: Weight, script: Script): string => `${script === 'latin' ? 'NotoSans' : 'NotoSansJP'}-${weight}`;

const FILES: Record<Weight, Record<Script, string>> = {
  regular: {
    latin: '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf',
    cjk: '@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf',
  },
  bold: {
    latin: '@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf',
    cjk: '@expo-google-fonts/noto-sans-jp/700Bold/NotoSansJP_700Bold.ttf',
  },
};

let cached: ReportFonts | undefined;

/**
 * The four faces. fontkit is resolved from pdfkit's own dependency tree. Noto Sans is parsed on
 * first use; Noto Sans JP (two 5 MB files, most of the first render's cost in a fresh process) only
 * when a string has a character Noto Sans lacks or a CJK run is being continued, so a pack with no
 * Japanese text never reads it. `cjk` is a getter: callers see the same record either way.
 */
export function reportFonts(): ReportFonts {
  if (cached) return cached;
  const fontkit = createRequire(require.resolve('pdfkit'))('fontkit') as { openSync(path: string): FontkitFont };
  const open = (weight: Weight, script: Script) => fontkit.openSync(require.resolve(FILES[weight][script]));
  const faces = (weight: Weight): Record<Script, FontkitFont> => {
    let cjk: FontkitFont | undefined;
    const record = { latin: open(weight, 'latin') } as Record<Script, FontkitFont>;
    Object.defineProperty(record, 'cjk', { enumerable: true, get: () => (cjk ??= open(weight, 'cjk')) });
    return record;
  };
  cached = { regular: faces('regular'), bold: faces('bold') };
  return cached;
}

/**
 * Per pair of faces: code point -> bit 1 Noto Sans has it, bit 2 Noto Sans JP has it, bit 4 the JP
 * bit is known (cmap lookups are slow, and the JP face is asked only when the answer matters).
 */
const coverageCache = new WeakMap<Record<Script, FontkitFont>, Map<number, number>>();
function coverageOf(faces: Record<Script, FontkitFont>): Map<number, number> {
  let m = coverageCache.get(faces);
  if (!m) coverageCache.set(faces, (m = new Map()));
  return m;
}

export interface Run {
  text: string;
  script: Script;
}

/**
 * Cuts `text` into runs of one font each. Characters both fonts have, and spaces, stay in the
 * current run, so "山田 太郎" is one run and "Zoë — 月次" changes font only where it must. A character
 * neither font has goes to Noto Sans (it shows as its .notdef box, visibly, not silently dropped).
 */
export function splitRuns(text: string, faces: Record<Script, FontkitFont>): Run[] {
  // Most report text is ASCII (ids, figures, codes): one Noto Sans run, no cmap lookups.
  if (/^[\x20-\x7e]*$/.test(text)) return [{ text, script: 'latin' }];
  const coverage = coverageOf(faces);
  const runs: Run[] = [];
  let current: Run | undefined;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    let has = coverage.get(cp);
    if (has === undefined) coverage.set(cp, (has = faces.latin.hasGlyphForCodePoint(cp) ? 1 : 0));
    const inLatin = (has & 1) !== 0;
    let script: Script;
    if (current && ch === ' ') script = current.script;
    else if (inLatin && current?.script !== 'cjk') script = 'latin';
    else {
      // Noto Sans lacks it, or a CJK run might continue: only now does Noto Sans JP's answer matter
      if ((has & 4) === 0) coverage.set(cp, (has = has | 4 | (faces.cjk.hasGlyphForCodePoint(cp) ? 2 : 0)));
      const inCjk = (has & 2) !== 0;
      if (current && inLatin && inCjk && current.script === 'cjk') script = current.script;
      else script = inLatin || !inCjk ? 'latin' : 'cjk';
    }
    if (current && current.script === script) current.text += ch;
    else runs.push((current = { text: ch, script }));
  }
  return runs;
}

/**
 * Text shaped by fontkit, per face, for every document of the process. pdfkit keeps such a cache
 * per document and font (EmbeddedFont.layoutCache: string -> glyph run, positions already scaled to
 * 1000 units/em), so a pack of 47 documents shaped the same dates, codes and labels 47 times: about
 * half of each small PDF's render time. A run holds glyph ids of the face, not of the document's
 * subset (pdfkit maps those in encode), and pdfkit never mutates a cached run, so the output is
 * byte for byte the same. Emptied past MAX_SHARED_LAYOUTS strings so a long-running loop stays bounded.
 */
const sharedLayouts = new Map<FontkitFont, Record<string, unknown>>();
const MAX_SHARED_LAYOUTS = 200_000;
export function sharedLayoutCache(face: FontkitFont): Record<string, unknown> {
  let c = sharedLayouts.get(face);
  if (!c) sharedLayouts.set(face, (c = Object.create(null) as Record<string, unknown>));
  return c;
}
/** Called once per document: drops a face's shared cache when it has grown past the bound. */
export function trimSharedLayouts(): void {
  for (const [face, c] of [...sharedLayouts]) if (Object.keys(c).length > MAX_SHARED_LAYOUTS) sharedLayouts.delete(face);
}

/** pdfkit's EmbeddedFont, the part primeLayouts uses. */
export interface PdfkitFont {
  font: FontkitFont;
  layoutCache?: Record<string, unknown>;
  layoutCached(text: string): ShapedRun;
  layoutRun(text: string): ShapedRun;
}
interface ShapedRun {
  glyphs: { id: number }[];
  positions: { xAdvance: number; yAdvance: number; xOffset: number; yOffset: number; advanceWidth: number }[];
  advanceWidth: number;
}

/**
 * Characters of figures, dates, times and hex ids. A word made only of them is, in Noto Sans, the
 * glyphs of its characters side by side (no ligature, no kerning, no mark) whenever each adjacent
 * pair is: checked per face by shaping each pair once, when first met (plainPair). Such words are most of a
 * table's distinct strings (times, amounts, ids), and each would otherwise be shaped by fontkit.
 */
const PLAIN_CHARS = '0123456789abcdefABCDEF.,:-/ ';
/** Per face: pair of PLAIN_CHARS -> whether fontkit shapes it as its two characters side by side. */
const plainPairs = new Map<FontkitFont, Map<string, boolean>>();

/**
 * Whether the pair `ab` is plain in this face, shaped once per face when first asked (a pack's
 * figures and dates use a few dozen of the 841 pairs; shaping all of them up front cost ~0.5 s per
 * face, in every render worker).
 */
function plainPair(f: PdfkitFont, pair: string): boolean {
  let known = plainPairs.get(f.font);
  if (!known) plainPairs.set(f.font, (known = new Map()));
  let ok = known.get(pair);
  if (ok !== undefined) return ok;
  const same = (a: ShapedRun['positions'][number], b: ShapedRun['positions'][number]) =>
    a.xAdvance === b.xAdvance && a.yAdvance === b.yAdvance && a.xOffset === b.xOffset && a.yOffset === b.yOffset && a.advanceWidth === b.advanceWidth;
  const [a, b] = [pair[0]!, pair[1]!];
  const both = f.layoutRun(a + b);
  const [ra, rb] = [f.layoutRun(a), f.layoutRun(b)];
  ok = both.glyphs.length === 2 && ra.glyphs.length === 1 && rb.glyphs.length === 1 && both.glyphs[0]!.id === ra.glyphs[0]!.id && both.glyphs[1]!.id === rb.glyphs[0]!.id
    && same(both.positions[0]!, ra.positions[0]!) && same(both.positions[1]!, rb.positions[0]!);
  known.set(pair, ok);
  return ok;
}

/**
 * Puts into pdfkit's layout cache of `f` (the shared one, sharedLayoutCache) the runs of the words of
 * `text` that are plain (PLAIN_CHARS, every adjacent pair plain in this face), built from the
 * characters' own runs instead of shaping each word: the same glyphs and positions fontkit gives
 * (a test compares them), so the same bytes. Words are cut as pdfkit cuts them (after each space).
 */
export function primeLayouts(f: PdfkitFont, text: string): void {
  const cache = f.layoutCache;
  if (!cache) return;
  let last = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && text[i] !== ' ' && text[i] !== '\t') continue;
    const word = text.slice(last, i + 1);
    last = i + 1;
    if (word.length < 2 || cache[word] !== undefined) continue;
    primeWord(f, cache, word);
  }
}

function primeWord(f: PdfkitFont, cache: Record<string, unknown>, word: string): void {
  for (let i = 0; i < word.length; i++) if (!PLAIN_CHARS.includes(word[i]!)) return;
  for (let i = 1; i < word.length; i++) if (!plainPair(f, word[i - 1]! + word[i]!)) return;
  const glyphs: ShapedRun['glyphs'] = [];
  const positions: ShapedRun['positions'] = [];
  let advanceWidth = 0;
  for (const ch of word) {
    const one = f.layoutCached(ch);
    glyphs.push(one.glyphs[0]!);
    positions.push({ ...one.positions[0]! });
    advanceWidth += one.advanceWidth;
  }
  // fontkit's GlyphRun.advanceWidth sums the positions' xAdvance (already scaled by pdfkit's
  // layoutRun), in order from 0: the same additions as here
  cache[word] = { glyphs, positions, advanceWidth };
}
