/**
 * Worksheet names Excel accepts, from free-text section titles.
 *
 * Excel refuses a workbook whose sheet name is longer than 31 characters, holds one of `[ ] : * ? / \`,
 * starts or ends with an apostrophe, is empty, is `History` (reserved for change tracking), or
 * equals another sheet's name ignoring case. Titles are written by analysts ("Players: GB / MT"),
 * so every name goes through here instead of making a report fail at export time.
 */

const MAX = 31;
const FORBIDDEN = /[[\]:*?/\\]/g;

/** Cut to at most `max` UTF-16 units without splitting a surrogate pair (an emoji, a rare kanji). */
function cut(text: string, max: number): string {
  let out = '';
  for (const ch of text) {
    if (out.length + ch.length > max) break;
    out += ch;
  }
  return out;
}

/** No apostrophe or space at either end (a cut can leave one there). */
const tidy = (name: string): string => name.replace(/^[\s']+|[\s']+$/g, '');

/** One valid name per title, in order, none equal to a name in `reserved` or to each other (case-insensitive). */
export function sheetNames(titles: string[], reserved: string[] = []): string[] {
  const taken = new Set(reserved.map((n) => n.toLowerCase()));
  return titles.map((title, i) => {
    let base = tidy(title.replace(FORBIDDEN, ' ').replace(/\s+/g, ' '));
    if (base === '' || base.toLowerCase() === 'history') base = `Section ${i + 1}`;
    base = tidy(cut(base, MAX));
    let name = base;
    for (let n = 2; taken.has(name.toLowerCase()); n++) {
      const suffix = ` (${n})`;
      name = `${tidy(cut(base, MAX - suffix.length))}${suffix}`;
    }
    taken.add(name.toLowerCase());
    return name;
  });
}
