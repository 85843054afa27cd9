/**
 * A small lexer for the text around DuckDB SQL: the MODEL header, macro positions, statement
 * boundaries and the exact span of a table name. It knows what hides other characters from the
 * parser (string literals, quoted identifiers, comments) so that an `@`, `;` or `)` inside them is
 * never taken for syntax; it does not parse SQL (DuckDB's own parser does, in compile.ts).
 */

export type TokenKind = 'ident' | 'quoted' | 'string' | 'number' | 'macro' | 'punct' | 'op';

export interface Token {
  kind: TokenKind;
  /** The token as written (a string or quoted identifier with its quotes). */
  text: string;
  /** Character offsets into the lexed text, end exclusive. */
  start: number;
  end: number;
  /** A string, quoted identifier or comment that reaches the end of the text. */
  unterminated?: boolean;
}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const OP_CHARS = /[+\-*/<>=~!#%^&|:?]/;
const PUNCT = '()[]{},;.';

/** Where the next token begins after whitespace and comments (`--`, nested `/* *\/`), and whether a comment was left open. */
export function skipTrivia(text: string, pos: number): { pos: number; open: boolean } {
  while (pos < text.length) {
    const c = text[pos]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') pos++;
    else if (c === '-' && text[pos + 1] === '-') {
      const nl = text.indexOf('\n', pos);
      pos = nl < 0 ? text.length : nl + 1;
    } else if (c === '/' && text[pos + 1] === '*') {
      // DuckDB (the Postgres grammar) nests block comments.
      let depth = 0;
      while (pos < text.length) {
        if (text.startsWith('/*', pos)) { depth++; pos += 2; }
        else if (text.startsWith('*/', pos)) { depth--; pos += 2; if (depth === 0) break; }
        else pos++;
      }
      if (depth > 0) return { pos, open: true };
    } else break;
  }
  return { pos, open: false };
}

/** End of a quoted run starting at `pos` (the quote), where a doubled quote is an escaped one. */
function quotedEnd(text: string, pos: number, quote: string): { end: number; closed: boolean } {
  let i = pos + 1;
  while (i < text.length) {
    if (text[i] === quote) {
      if (text[i + 1] === quote) { i += 2; continue; }
      return { end: i + 1, closed: true };
    }
    i++;
  }
  return { end: text.length, closed: false };
}

/** The token starting at or after `pos`, or null at the end of the text. */
export function nextToken(text: string, pos: number): Token | null {
  const trivia = skipTrivia(text, pos);
  const start = trivia.pos;
  if (start >= text.length) return null;
  const c = text[start]!;
  const tok = (kind: TokenKind, end: number, unterminated = false): Token =>
    ({ kind, text: text.slice(start, end), start, end, ...(unterminated ? { unterminated } : {}) });

  if (c === "'") { const q = quotedEnd(text, start, "'"); return tok('string', q.end, !q.closed); }
  if (c === '"') { const q = quotedEnd(text, start, '"'); return tok('quoted', q.end, !q.closed); }
  if (c === '$') {
    // Dollar-quoted string ($$...$$ or $tag$...$tag$); `$1` is a parameter.
    const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(start, start + 64));
    if (m) {
      const close = text.indexOf(m[0], start + m[0].length);
      return close < 0 ? tok('string', text.length, true) : tok('string', close + m[0].length);
    }
  }
  if (c === '@' && start + 1 < text.length && IDENT_START.test(text[start + 1]!)) {
    let i = start + 2;
    while (i < text.length && IDENT_PART.test(text[i]!)) i++;
    return tok('macro', i);
  }
  if (IDENT_START.test(c)) {
    let i = start + 1;
    while (i < text.length && IDENT_PART.test(text[i]!)) i++;
    return tok('ident', i);
  }
  if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[start + 1] ?? ''))) {
    const m = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(start, start + 400))!;
    return tok('number', start + m[0].length);
  }
  if (PUNCT.includes(c)) return tok('punct', start + 1);
  if (OP_CHARS.test(c) || c === '@') {
    let i = start + 1;
    // `-` or `/` starting a comment ends the operator.
    while (i < text.length && OP_CHARS.test(text[i]!) && !text.startsWith('--', i) && !text.startsWith('/*', i)) i++;
    return tok('op', i);
  }
  return tok('op', start + 1);
}

/** Every token of `text` (from `from`), comments and whitespace skipped. */
export function* tokens(text: string, from = 0): Generator<Token> {
  let pos = from;
  for (;;) {
    const t = nextToken(text, pos);
    if (!t) return;
    yield t;
    pos = t.end;
  }
}

/** 1-based line of a character offset, counting from `firstLine` at offset 0. */
export function lineAt(text: string, offset: number, firstLine = 1): number {
  let line = firstLine;
  const stop = Math.min(offset, text.length);
  for (let i = 0; i < stop; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * DuckDB reports positions (query_location, a parse error's position) in UTF-8 bytes; JavaScript
 * strings are indexed in UTF-16 code units. Returns a function from byte offsets to character offsets.
 */
export function byteToCharOffsets(text: string): (byteOffset: number) => number {
  const charAtByte: number[] = [];
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.codePointAt(i)!;
    const width = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    for (let b = 0; b < width; b++) charAtByte[bytes + b] = i;
    bytes += width;
    if (code >= 0x10000) i++; // a surrogate pair is one code point
  }
  return (byteOffset) => (byteOffset >= bytes ? text.length : charAtByte[byteOffset]!);
}

/** The value of an identifier token: quoted ones as written (minus quotes), bare ones lower-cased as DuckDB folds them. */
export function identValue(t: Token): string {
  return t.kind === 'quoted' ? t.text.slice(1, -1).replaceAll('""', '"') : t.text.toLowerCase();
}

/**
 * The span of a dotted name of `parts` identifiers starting at `start` (`raw . "Events"`), so a
 * reference can be rewritten exactly; null when the text there is not such a name.
 */
export function dottedNameSpan(text: string, start: number, parts: number): { end: number; names: string[] } | null {
  const names: string[] = [];
  let pos = start;
  for (let i = 0; i < parts; i++) {
    const t = nextToken(text, pos);
    if (!t || (t.kind !== 'ident' && t.kind !== 'quoted') || (i === 0 && t.start !== start)) return null;
    names.push(identValue(t));
    pos = t.end;
    if (i < parts - 1) {
      const dot = nextToken(text, pos);
      if (!dot || dot.text !== '.') return null;
      pos = dot.end;
    }
  }
  return { end: pos, names };
}

/**
 * The top-level statements of a SQL text, split at `;` outside strings, quoted identifiers and
 * comments: each as the offset of its first token and the first keyword (lower case). Empty
 * statements (a trailing `;`) are dropped.
 */
export function statements(text: string): { start: number; end: number; keyword: string }[] {
  const out: { start: number; end: number; keyword: string }[] = [];
  let current: { start: number; end: number; keyword: string } | null = null;
  for (const t of tokens(text)) {
    if (t.text === ';') { current = null; continue; }
    if (!current) {
      current = { start: t.start, end: t.end, keyword: t.kind === 'ident' ? t.text.toLowerCase() : t.text };
      out.push(current);
    }
    current.end = t.end;
  }
  return out;
}
