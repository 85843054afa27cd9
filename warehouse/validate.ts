/**
 * Validation of batch objects on worker threads (one per CPU core, at most 4): JSON.parse + zod
 * run in JavaScript, so they are spread over cores while DuckDB does the set work afterwards.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** Workers load the TypeScript sources through tsx, whatever started this process (the CLI, vitest, a benchmark). */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export type ValidateJob = { key: string; gzFile: string; validFile: string };
export type ObjectVerdict = { key: string; lines: number; valid: number; refused: { line: string; reason: string; event_id: string | null }[] };

type Reply = { ok: true; verdict: ObjectVerdict } | { ok: false; key: string; error: string };

export class ValidatorPool {
  private readonly workers: Worker[];

  constructor(size = Math.max(1, Math.min(4, availableParallelism()))) {
    this.workers = Array.from({ length: size }, () => new Worker(new URL('./validate-worker.ts', import.meta.url), { execArgv: ['--import', TSX_LOADER] }));
  }

  /** Validates every job; resolves with the verdicts in job order, rejects on the first failure. */
  async run(jobs: ValidateJob[]): Promise<ObjectVerdict[]> {
    const out: ObjectVerdict[] = new Array(jobs.length);
    let next = 0;
    const drive = (w: Worker) => new Promise<void>((resolve, reject) => {
      const step = () => {
        if (next >= jobs.length) {
          w.off('message', onMessage);
          w.off('error', reject);
          resolve();
          return;
        }
        const i = next++;
        current = i;
        w.postMessage(jobs[i]);
      };
      let current = -1;
      const onMessage = (r: Reply) => {
        if (!r.ok) {
          w.off('message', onMessage);
          reject(new Error(`validating ${r.key}: ${r.error}`));
          return;
        }
        out[current] = r.verdict;
        step();
      };
      w.on('message', onMessage);
      w.once('error', reject);
      step();
    });
    await Promise.all(this.workers.map(drive));
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
