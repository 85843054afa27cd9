/**
 * Make a zip's bytes depend only on its contents: set every entry's modification time to one given
 * instant.
 *
 * An .xlsx is a zip. exceljs packs it with JSZip and gives no way to pass a date, so JSZip stamps
 * each entry with the wall clock at the moment it was added: two renders of one document would
 * differ in those bytes, and a delivered workbook's SHA-256 (the manifest's proof that it is
 * unchanged) could not be reproduced from the same document. The DOS time and date fields sit
 * outside the CRC-32 (which covers the entry's data only), so rewriting them in place keeps the
 * archive valid. JSZip writes no extended-timestamp extra field, so these two fields are the only
 * clocks in the file; the function refuses an archive it cannot walk rather than half-patch it.
 */

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** DOS time and date (2-second resolution, years 1980..2107) of an instant, read in UTC. */
function dosStamp(at: Date): { time: number; date: number } {
  const year = at.getUTCFullYear();
  if (year < 1980 || year > 2107) throw new RangeError(`${at.toISOString()} is outside the zip format's years 1980..2107`);
  return {
    time: (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | Math.floor(at.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate(),
  };
}

/** Rewrites, in place, the time of every entry of `zip` (local and central headers) to `at`. */
export function stampZipEntries(zip: Uint8Array, at: Date): Uint8Array {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  // The end-of-central-directory record: 22 bytes plus a comment of up to 65535; search backwards.
  let eocd = -1;
  for (let i = zip.byteLength - 22; i >= Math.max(0, zip.byteLength - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('not a zip archive: no end-of-central-directory record');
  const entries = view.getUint16(eocd + 10, true);
  let entry = view.getUint32(eocd + 16, true);
  const { time, date } = dosStamp(at);
  for (let n = 0; n < entries; n++) {
    if (view.getUint32(entry, true) !== CENTRAL) throw new Error(`zip central directory entry ${n} is malformed`);
    view.setUint16(entry + 12, time, true);
    view.setUint16(entry + 14, date, true);
    const local = view.getUint32(entry + 42, true);
    if (view.getUint32(local, true) !== LOCAL) throw new Error(`zip local header of entry ${n} is malformed`);
    view.setUint16(local + 10, time, true);
    view.setUint16(local + 12, date, true);
    entry += 46 + view.getUint16(entry + 28, true) + view.getUint16(entry + 30, true) + view.getUint16(entry + 32, true);
  }
  return zip;
}
