/**
 * Validation of batch objects on worker threads (one per CPU core, at most 4): JSON.parse + zod
 * run in JavaScript, so they are spread over cores while DuckDB does the set work afterwards.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const WORKER_ENTRY = new URL('./validate-worker.ts', import.meta.url);
const requireFromHere = createRequire(import.meta.url);
/** Workers load the TypeScript sources through tsx, whatever started this process (the CLI, vitest, a benchmark). */
const TSX_LOADER = pathToFileURL(requireFromHere.resolve('tsx')).href;

export type ValidateJob = { key: string; gzFile: string; validFile: string };
export type ObjectVerdict = { key: string; lines: number; valid: number; refused: { line: string; reason: string; event_id: string | null }[] };

type Reply = { ok: true; verdict: ObjectVerdict } | { ok: false; key: string; error: string };

let bundled: Promise<string | undefined> | undefined;

/**
 * The worker's code (validate-worker.ts and what it imports: the edge's schemas, zod) as one script,
 * bundled by esbuild (tsx's own transformer) from the sources as they are now, once per process.
 * A worker loads it in ~70 ms of CPU; loading its ~110 modules one by one through tsx's hooks cost
 * ~330 ms of CPU and ~0.5-1 s of wall time per worker, at the start of every sync, before the first
 * slice could be validated. Undefined when esbuild cannot be loaded: the workers then go through tsx.
 */
function workerBundle(): Promise<string | undefined> {
  bundled ??= (async () => {
    try {
      // esbuild is tsx's dependency: resolved from tsx, it is there whenever the tsx fallback is.
      const esbuild = createRequire(requireFromHere.resolve('tsx'))('esbuild') as typeof import('esbuild');
      const out = await esbuild.build({ entryPoints: [fileURLToPath(WORKER_ENTRY)], bundle: true, platform: 'node', format: 'cjs', write: false, logLevel: 'silent' });
      return out.outputFiles[0]?.text;
    } catch {
      return undefined;
    }
  })();
  return bundled;
}

export class ValidatorPool {
  private readonly workers: Promise<Worker[]>;

  constructor(size = Math.max(1, Math.min(4, availableParallelism()))) {
    this.workers = workerBundle().then((code) => Array.from({ length: size }, () => code !== undefined
      ? new Worker(code, { eval: true })
      : new Worker(WORKER_ENTRY, { execArgv: ['--import', TSX_LOADER] })));
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
    await Promise.all((await this.workers).map(drive));
    return out;
  }

  async close(): Promise<void> {
    await Promise.all((await this.workers).map((w) => w.terminate()));
  }
}
