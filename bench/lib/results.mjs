/**
 * Benchmark results: the machine description every result carries, the JSON file
 * (bench/results/<ISO 8601 basic timestamp>.json, a list of result objects as TARGETS.md asks),
 * and the compact table printed at the end.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './proc.mjs';

export async function machine() {
  const cpus = os.cpus();
  const wranglerPkg = JSON.parse(await readFile(path.join(REPO_ROOT, 'node_modules/wrangler/package.json'), 'utf8'));
  return {
    cores: os.availableParallelism?.() ?? cpus.length,
    node: process.version,
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    wrangler: wranglerPkg.version,
    loadavg_at_start: os.loadavg().map((x) => Math.round(x * 100) / 100),
    code: codeVersion(),
  };
}

/** The commit measured, and whether the work tree had local changes (read-only git calls). */
function codeVersion() {
  const git = (...args) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return { commit: git('rev-parse', '--short', 'HEAD'), dirty: git('status', '--porcelain', '--untracked-files=no').length > 0 };
  } catch {
    return { commit: null, dirty: null };
  }
}

/** 2026-11-21T10:30:00.123Z -> 20261121T103000Z (ISO 8601 basic format: no ':' in file names). */
export function isoBasic(d = new Date()) {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

export async function writeResults(results, when = new Date()) {
  const dir = path.join(REPO_ROOT, 'bench/results');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${isoBasic(when)}.json`);
  await writeFile(file, JSON.stringify(results, null, 2) + '\n');
  return file;
}

function pad(s, n) {
  s = String(s);
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** One line per result: id, metric, value, target, pass, and the result's own short note. */
export function formatTable(results) {
  const rows = [['id', 'metric', 'value', 'target', 'pass', 'detail']];
  for (const r of results) rows.push([r.id, r.metric, `${r.value} ${r.unit}`, r.target == null ? 'none' : `${r.target} ${r.unit}`, r.pass == null ? '-' : r.pass ? 'PASS' : 'FAIL', r.summary ?? '']);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  const line = (row) => row.map((c, i) => pad(c, i === row.length - 1 ? 0 : widths[i])).join(' | ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.slice(1).map(line)].join('\n');
}
