/**
 * Test helper (writer.test.ts, serve.test.ts): a separate process that takes the warehouse writer
 * as `label`, inserts `rows` rows in one transaction, says "holding" on stdout, keeps the writer
 * for `holdMs` (so others must wait; `stdin`: until its stdin ends, so a test decides when), and
 * says "done". Usage: tsx writer-child.ts <label> <holdMs|stdin> <rows> [--no-wait]
 */
import { warehousePaths } from '../config';
import { WriterBusyError, withWriter } from '../writer';

const [label = 'child', holdMs = '0', count = '1000'] = process.argv.slice(2);
const t0 = Date.now();
try {
  await withWriter(warehousePaths(), label, async (wh) => {
  await wh.con.run('create table if not exists main.writes (writer varchar not null, seq bigint not null, written_at timestamp not null)');
  await wh.con.run('begin');
  await wh.con.run(`insert into main.writes select '${label}', i, now() from range(${Number(count)}) r(i)`);
  await wh.con.run('commit');
  console.log(`holding ${Date.now() - t0}`);
  if (holdMs === 'stdin') {
    process.stdin.resume();
    await new Promise((r) => process.stdin.on('end', r));
  } else await new Promise((r) => setTimeout(r, Number(holdMs)));
  }, { wait: !process.argv.includes('--no-wait') });
} catch (err) {
  if (!(err instanceof WriterBusyError)) throw err;
  console.error(err.message);
  process.exit(3);
}
console.log(`done ${Date.now()}`);
