/**
 * A worker thread of the loader: unzips batch objects, validates every line with the shared zod
 * schemas (validateEvent of domain/events.ts, the same code the edge emits with), writes the valid
 * lines as they are to one NDJSON file per object for DuckDB's reader, and returns the refused ones.
 */
import { isUtf8 } from 'node:buffer';
import { readFile, writeFile } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { gunzipSync } from 'node:zlib';
import { validateEvent } from '../domain/events';
import type { ObjectVerdict, ValidateJob } from './validate';

function readLines(bytes: Buffer): string[] {
  let text: Buffer;
  try {
    text = gunzipSync(bytes);
  } catch {
    text = bytes; // not gzip: every line is then quarantined with its reason, nothing is skipped
  }
  // Invalid UTF-8 is replaced (U+FFFD) so the damaged line is quarantined and the rest still loads.
  const s = isUtf8(text) ? text.toString('utf8') : new TextDecoder().decode(text);
  return s.split('\n').filter((l) => l.length > 0 && l !== '\r');
}

async function check(job: ValidateJob): Promise<ObjectVerdict> {
  const lines = readLines(await readFile(job.gzFile));
  const valid: string[] = [];
  const refused: ObjectVerdict['refused'] = [];
  for (const line of lines) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      refused.push({ line, reason: 'not valid JSON', event_id: null });
      continue;
    }
    const v = validateEvent(parsed);
    if (v.ok) valid.push(line);
    else {
      const id = parsed && typeof parsed === 'object' && typeof (parsed as { event_id?: unknown }).event_id === 'string' ? (parsed as { event_id: string }).event_id : null;
      refused.push({ line, reason: v.reason.replace(/\s+/g, ' ').trim(), event_id: id });
    }
  }
  if (valid.length) await writeFile(job.validFile, `${valid.join('\n')}\n`);
  return { key: job.key, lines: lines.length, valid: valid.length, refused };
}

parentPort!.on('message', (job: ValidateJob) => {
  check(job).then(
    (verdict) => parentPort!.postMessage({ ok: true, verdict }),
    (err: Error) => parentPort!.postMessage({ ok: false, key: job.key, error: String(err?.stack ?? err) }),
  );
});
