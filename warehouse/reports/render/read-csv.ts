/**
 * An RFC 4180 reader, small on purpose: the renderer tests read back both our own CSV and the CSV
 * LibreOffice writes from our workbooks, and a reader shared with csv.ts could hide a bug both share.
 * Quoted fields may hold commas, doubled quotes and line breaks; records end with CRLF or LF; a
 * final line end does not start an empty record.
 */
export function readCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let fieldStarted = false;
  const endField = () => { record.push(field); field = ''; fieldStarted = false; };
  const endRecord = () => { endField(); records.push(record); record = []; };
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; i++; continue; }
      field += ch; i++; continue;
    }
    if (ch === '"' && !fieldStarted && field === '') { quoted = true; fieldStarted = true; i++; continue; }
    if (ch === ',') { endField(); i++; continue; }
    if (ch === '\r' && text[i + 1] === '\n') { endRecord(); i += 2; continue; }
    if (ch === '\n') { endRecord(); i++; continue; }
    if (ch === '"') throw new Error(`a quote inside an unquoted field at offset ${i}`);
    field += ch; fieldStarted = true; i++;
  }
  if (fieldStarted || field !== '' || record.length > 0) endRecord();
  return records;
}
