/**
 * A worker thread of the loader: unzips batch objects, judges every line (validate-line.ts: the
 * validator compiled from the edge's zod schemas, zod itself for any line it does not accept), and
 * writes the object's valid lines to one NDJSON file for DuckDB's reader; returns the refused ones.
 *
 * When every line is valid (nearly always) the unzipped bytes are written as they are: the same
 * lines, without re-encoding a million strings.
 */
import { isUtf8 } from 'node:buffer';
import { readFile, writeFile } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { gunzipSync } from 'node:zlib';
import type { ObjectVerdict, ValidateJob } from './validate';
import { judgeLine } from './validate-line';

function unzip(bytes: Buffer): Buffer {
  try {
    return gunzipSync(bytes);
  } catch {
    return bytes; // not gzip: every line is then quarantined with its reason, nothing is skipped
  }
}

async function check(job: ValidateJob): Promise<ObjectVerdict> {
  const bytes = unzip(await readFile(job.gzFile));
  // Invalid UTF-8 is replaced (U+FFFD) so the damaged line is quarantined and the rest still loads.
  const utf8 = isUtf8(bytes);
  const pieces = (utf8 ? bytes.toString('utf8') : new TextDecoder().decode(bytes)).split('\n');
  const lines = pieces.filter((l) => l.length > 0 && l !== '\r');
  // The bytes can go to DuckDB as they are when they hold exactly these lines (no blank ones).
  const asIs = utf8 && lines.length === pieces.length - (pieces.at(-1) === '' ? 1 : 0);
  const valid: string[] = [];
  const refused: ObjectVerdict['refused'] = [];
  for (const line of lines) {
    const v = judgeLine(line);
    if (v.ok) valid.push(line);
    else refused.push({ line, reason: v.reason, event_id: v.event_id });
  }
  if (refused.length === 0 && asIs) {
    if (valid.length) await writeFile(job.validFile, bytes);
  } else if (valid.length) {
    await writeFile(job.validFile, `${valid.join('\n')}\n`);
  }
  return { key: job.key, lines: lines.length, valid: valid.length, refused };
}

parentPort!.on('message', (job: ValidateJob) => {
  check(job).then(
    (verdict) => parentPort!.postMessage({ ok: true, verdict }),
    (err: Error) => parentPort!.postMessage({ ok: false, key: job.key, error: String(err?.stack ?? err) }),
  );
});
