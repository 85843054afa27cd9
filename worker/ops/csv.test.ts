import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from './csv';

describe('csvCell', () => {
  it('neutralises every cell a spreadsheet would take for a formula: leading apostrophe, then quoted', () => {
    expect(csvCell('=HYPERLINK("http://evil.test","click")')).toBe(`"'=HYPERLINK(""http://evil.test"",""click"")"`);
    expect(csvCell('+1@example.com')).toBe(`"'+1@example.com"`);
    expect(csvCell('-2+3@example.com')).toBe(`"'-2+3@example.com"`);
    expect(csvCell('@SUM(A1:A9)')).toBe(`"'@SUM(A1:A9)"`);
    expect(csvCell('\t=1+1')).toBe(`"'\t=1+1"`);
    expect(csvCell('\r=1+1')).toBe(`"'\r=1+1"`);
  });

  it('prefixes strings that only look like negative numbers, but leaves real numbers alone', () => {
    expect(csvCell('-500')).toBe(`"'-500"`);
    expect(csvCell(-500)).toBe('-500');
    expect(csvCell(0)).toBe('0');
    expect(csvCell(12.5)).toBe('12.5');
    expect(csvCell(Number.NaN)).toBe('NaN');
  });

  it('quotes commas, quotes and line breaks; leaves plain text, booleans and empty values plain', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('ana@example.com')).toBe('ana@example.com');
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });
});

describe('toCsv', () => {
  it('writes a header and CRLF-terminated rows in column order', () => {
    expect(toCsv(['id', 'email', 'amount_minor'], [{ id: 'p1', email: '-x@example.com', amount_minor: -500 }, { id: 'p2', email: 'y@example.com', amount_minor: 7 }]))
      .toBe(`id,email,amount_minor\r\np1,"'-x@example.com",-500\r\np2,y@example.com,7\r\n`);
  });
});
