/**
 * Test helper (runner/cli.test.ts): a second writer that changes the runner's state while a CLI
 * `plan` waits for the writer. It takes only the writer LOCK FILE (the database stays closed, so the
 * CLI can still compute and show its plan on a read-only connection), says "holding" on stdout, and
 * when its stdin ends it does what `plan <env> --auto-apply --project <project>` would do under the
 * lock (plan on the writer's connection, apply), says "applied", releases the lock and exits.
 * Usage: tsx state-changer.ts <project> <env>
 */
import { unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { warehousePaths } from '../config';
import { openWarehouse } from '../db';
import { applyPlan } from '../runner/engine/apply';
import { compiledProject } from '../runner/commands';
import { plan } from '../runner/engine/plan';
import { writerLockPath } from '../writer';

const [project = 'models', env = 'dev'] = process.argv.slice(2);
const paths = warehousePaths();
const lock = writerLockPath(paths);
// The lock file's format is writer.ts's; 'wx' fails if someone holds it (the test starts us first).
writeFileSync(lock, `${JSON.stringify({ pid: process.pid, label: `state-changer ${env}`, started: new Date().toISOString(), host: hostname() })}\n`, { flag: 'wx' });
console.log('holding');
process.stdin.resume();
await new Promise((r) => process.stdin.on('end', r));
try {
  const { project: p, compiled } = await compiledProject(project);
  const wh = await openWarehouse(paths.db);
  try {
    const applied = await applyPlan(wh.con, await plan(wh.con, p, compiled, env, { now: Date.now() }));
    console.log(applied.swapped ? 'applied' : 'not applied');
  } finally {
    wh.close();
  }
} finally {
  unlinkSync(lock);
}
