/**
 * `wh <args>` in a child process, as `npm run wh` runs it, for the tests that drive the warehouse
 * end to end (library coverage, AML decisions, report exports). `sync` runs under tsx's CLI because
 * its validation workers load TypeScript; every other verb under `node --import tsx`.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { REPO_ROOT } from '../source/local-r2';

const TSX = resolve(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const CLI = resolve(REPO_ROOT, 'warehouse', 'cli.ts');

export type WhResult = { code: number; out: string; err: string };

/** Runs `wh <args>` with WAREHOUSE_DIR=`warehouseDir` (plus `env`) to its exit, stdin closed at once (not a terminal). */
export function runWh(warehouseDir: string, args: string[], env: Record<string, string> = {}): Promise<WhResult> {
  const loader = args[0] === 'sync' ? [TSX] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...loader, CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, WAREHOUSE_DIR: warehouseDir },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end();
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  return new Promise((ok) => child.on('exit', (code) => ok({ code: code ?? 1, out, err })));
}
