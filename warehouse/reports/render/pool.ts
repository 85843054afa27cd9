/**
 * Rendering documents on worker threads: a pool sized to the cores (os.availableParallelism()).
 *
 * A pack is dozens of documents whose PDFs and workbooks are built in JavaScript (pdfkit, fontkit,
 * exceljs): CPU-bound and one document independent of the next, so on N cores the pack renders in
 * about 1/N of its single-thread time. The pool only renders: each job is an already-built
 * ReportDocument (a structured clone: bigint and plain objects) and its formats, and the answer is
 * the files' bytes. Hashing, the manifest, the signature and the delivery stay in the calling
 * thread, so a pooled export writes exactly the bytes the sequential one does (export.test.ts).
 *
 * Size: `WH_RENDER_WORKERS` (0 = render in the calling thread, for tests and debugging), else one
 * worker per core, never more than the documents to render, and none for a single document (a
 * worker's start, ~0.5 s of loading pdfkit and exceljs, buys nothing then).
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ReportFormat } from '../definition';
import type { RenderedFile } from '../delivery';
import type { ReportDocument } from '../document';

/** Workers load the TypeScript sources through tsx, whatever started this process (the CLI, vitest, a benchmark): as validate.ts does. */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export type RenderJob = { id: number; doc: ReportDocument; formats: ReportFormat[] };
export type RenderReply = { id: number; ok: true; files: RenderedFile[] } | { id: number; ok: false; error: string };

/**
 * A rough cost of rendering `doc`: its table cells (the PDF's time grows with them). The pool hands
 * out the costliest documents first, so a long alert list does not start last and run alone.
 */
export function renderCost(doc: ReportDocument): number {
  return doc.sections.reduce((n, s) => n + (s.rows.length + 1) * Math.max(1, s.columns.length), 1);
}

/** Workers for `documents` documents: `requested` (or WH_RENDER_WORKERS) when given, else one per core; 0 = in the calling thread. */
export function renderWorkers(documents: number, requested?: number, env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = env.WH_RENDER_WORKERS;
  let size: number;
  if (requested !== undefined) size = requested;
  else if (fromEnv !== undefined && fromEnv !== '') {
    size = Number(fromEnv);
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`WH_RENDER_WORKERS must be a whole number >= 0 (0 = render in this thread), not ${JSON.stringify(fromEnv)}`);
  } else size = documents > 1 ? availableParallelism() : 0;
  return Math.max(0, Math.min(size, documents));
}

/** Renders documents: on `size` worker threads, or in this thread when size is 0. */
export interface Renderer {
  /** False when rendering happens in the calling thread (start each render when it is needed). */
  readonly pooled: boolean;
  render(doc: ReportDocument, formats: readonly ReportFormat[]): Promise<RenderedFile[]>;
  close(): Promise<void>;
}

/** The renderer for `size` workers (0: this thread). */
export function createRenderer(size: number): Renderer {
  // The renderers (pdfkit, exceljs, fonts: ~1.5 s of CPU to load) are imported where they run: a
  // process whose documents all go to workers never loads them in its own thread.
  if (size <= 0) return { pooled: false, render: async (doc, formats) => (await import('./formats')).renderFormats(doc, formats), close: async () => {} };
  return new RenderPool(size);
}

type Pending = { job: RenderJob; resolve: (files: RenderedFile[]) => void; reject: (err: Error) => void };

export class RenderPool implements Renderer {
  readonly pooled = true;
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly queue: Pending[] = [];
  private nextId = 0;
  private failed: Error | undefined;
  private closed = false;

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(new URL('./render-worker.ts', import.meta.url), { execArgv: ['--import', TSX_LOADER] });
      w.on('message', (reply: RenderReply) => this.settle(w, reply));
      // A worker that dies (out of memory, a crash in a native module) fails its job and every later one:
      // a half-rendered pack is never delivered as if whole.
      w.on('error', (err) => this.fail(w, err));
      w.on('exit', (code) => { if (!this.closed) this.fail(w, new Error(`render worker exited with code ${code}`)); });
      this.idle.push(w);
    }
  }

  /** Queues `doc`; resolves with its files once a worker has rendered them. Jobs start in the order given. */
  render(doc: ReportDocument, formats: readonly ReportFormat[]): Promise<RenderedFile[]> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new Error('render pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { id: this.nextId++, doc, formats: [...formats] }, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop()!;
      const p = this.queue.shift()!;
      this.busy.set(w, p);
      w.postMessage(p.job);
    }
  }

  private settle(w: Worker, reply: RenderReply): void {
    const p = this.busy.get(w);
    if (!p || p.job.id !== reply.id) return;
    this.busy.delete(w);
    this.idle.push(w);
    if (reply.ok) p.resolve(reply.files);
    else p.reject(new Error(`rendering ${p.job.doc.report_id} ${p.job.doc.params.period.label}: ${reply.error}`));
    this.dispatch();
  }

  private fail(w: Worker, err: Error): void {
    this.failed ??= err;
    const p = this.busy.get(w);
    this.busy.delete(w);
    p?.reject(err);
    for (const q of this.queue.splice(0)) q.reject(err);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.reject(new Error('render pool is closed'));
    await Promise.all([...this.idle, ...this.busy.keys()].map((w) => w.terminate()));
  }
}
