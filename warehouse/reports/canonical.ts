/**
 * A ReportDocument as canonical JSON: object keys sorted, bigints (integer counts, money minor units)
 * as decimal strings, numbers and strings as ECMAScript's JSON.stringify writes them. For the values
 * a document holds this is RFC 8785 (JCS), so the data digest can be recomputed outside this code.
 *
 * Canonical text parses back to a value whose canonical text is the same (a bigint's string stays
 * that string), so digests can be taken from a delivered document.json without knowing its types.
 */
import type { Cell, Column, ReportDocument, Section } from './document';

/** Canonical JSON of `value`; `indent` > 0 pretty-prints (still deterministic, for people). */
export function canonicalJson(value: unknown, indent = 0): string {
  return write(value, indent, '');
}

function write(value: unknown, indent: number, pad: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'bigint':
      return `"${value.toString()}"`;
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      // NaN or Infinity would be written as null by JSON.stringify: a wrong figure, silently.
      if (!Number.isFinite(value)) throw new Error(`canonical JSON: non-finite number ${value}`);
      return JSON.stringify(value);
    case 'object': {
      const inner = indent ? pad + ' '.repeat(indent) : '';
      const open = (items: string[], l: string, r: string) =>
        items.length === 0 ? l + r : indent ? `${l}\n${items.map((s) => inner + s).join(',\n')}\n${pad}${r}` : `${l}${items.join(',')}${r}`;
      if (Array.isArray(value)) return open(value.map((v) => write(v === undefined ? null : v, indent, inner)), '[', ']');
      const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort(compareKeys);
      return open(keys.map((k) => `${JSON.stringify(k)}:${indent ? ' ' : ''}${write((value as Record<string, unknown>)[k], indent, inner)}`), '{', '}');
    }
    default:
      throw new Error(`canonical JSON: cannot write a ${typeof value}`);
  }
}

/** JCS sorts keys by UTF-16 code units, which is what `<` on strings compares. */
const compareKeys = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A document read back from its canonical JSON, bigints restored by column type (integer cells and
 * money minor units), so renderers and diffs see the same values the engine produced.
 */
export function documentFromJson(text: string): ReportDocument {
  const doc = JSON.parse(text) as ReportDocument;
  for (const section of doc.sections as Section[]) {
    section.rows = section.rows.map((row) => reviveRow(section.columns, row));
    section.totals = section.totals.map((t) => ({ ...t, cells: reviveRow(section.columns, t.cells) }));
  }
  return doc;
}

function reviveRow(columns: Column[], row: Cell[]): Cell[] {
  return row.map((cell, i) => {
    const type = columns[i]?.type;
    if (cell === null) return null;
    if (type === 'integer' && typeof cell === 'string') return BigInt(cell);
    if (type === 'money' && typeof cell === 'object' && typeof (cell as { minor: unknown }).minor === 'string') {
      const m = cell as unknown as { minor: string; currency: string; exponent: number };
      return { minor: BigInt(m.minor), currency: m.currency, exponent: m.exponent };
    }
    // Totals rows repeat the currency in its text column; other text stays as it is.
    return cell;
  });
}
