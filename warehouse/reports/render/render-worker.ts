/**
 * A render worker (pool.ts): takes a built document and its formats, answers with the files' bytes.
 * Fonts and shaping caches live per worker (fonts.ts), filled by the documents it renders: the bytes
 * do not depend on what the caches already hold.
 */
import { parentPort } from 'node:worker_threads';
import { renderFormats } from './formats';
import type { RenderJob, RenderReply } from './pool';

parentPort!.on('message', (job: RenderJob) => {
  renderFormats(job.doc, job.formats).then(
    (files) => {
      const reply: RenderReply = { id: job.id, ok: true, files };
      // The bytes are moved, not copied, when they own their whole buffer (pdfkit's and JSZip's
      // outputs do); a view into a shared buffer (Node's small-Buffer pool) is copied by the clone.
      const transfer = files.map((f) => f.bytes.buffer).filter((b, i, all): b is ArrayBuffer => b instanceof ArrayBuffer && b.byteLength === files[i]!.bytes.byteLength && all.indexOf(b) === i);
      parentPort!.postMessage(reply, transfer);
    },
    (err: Error) => parentPort!.postMessage({ id: job.id, ok: false, error: String(err?.stack ?? err) } satisfies RenderReply),
  );
});
