/**
 * W2's "one more day": the events of the UTC day after W1's history, written once as batch objects
 * (gzip NDJSON, 5,000 events each, the edge's object keys) into a cache directory, so each run can
 * load them with the real `sync`.
 *
 * The simulator has no "continue this history" mode (a player's registration time, and so their
 * id, depends on the history's window), so the day comes from a history with the same shape (same
 * players count, tables and seed family) over one day more, ending at `from + 1 day`, of which only
 * the events at or after `from` are kept: one simulated day at W1's rate and mix of event types.
 * Its players are that history's, so they are new to the dimension tables built from W1's events;
 * for the runner's work (the day's intervals) that changes nothing.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { batchObjectKey } from '../../domain/event-batch';
import { generateHistoryLines } from '../../simulator/fast';

const DAY_MS = 86_400_000;
const gz = promisify(gzip);

export interface NextDay {
  dir: string;
  events: number;
  objects: number;
  /** Start of the day (ms, UTC midnight). */
  from: number;
}

/**
 * Writes (once; reused while `manifest.json` says the same parameters) the events of [from, from + 1 day)
 * of a `days + 1`-day history of `players` players into `dir`.
 */
export async function nextDayDataset(opts: { dir: string; players: number; days: number; tables: number; seed: string; from: number; log?: (m: string) => void }): Promise<NextDay> {
  const manifest = join(opts.dir, 'manifest.json');
  const params = { players: opts.players, days: opts.days, tables: opts.tables, seed: opts.seed, from: opts.from };
  if (existsSync(manifest)) {
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as { params: typeof params; events: number; objects: number };
    if (JSON.stringify(m.params) === JSON.stringify(params)) return { dir: opts.dir, events: m.events, objects: m.objects, from: opts.from };
  }
  const t0 = performance.now();
  opts.log?.(`W2: generating the day after ${new Date(opts.from - 1).toISOString().slice(0, 10)} (${opts.players} players) into ${opts.dir} (once; cached)`);
  rmSync(opts.dir, { recursive: true, force: true });
  const until = opts.from + DAY_MS;
  let lines: string[] = [];
  let events = 0;
  let objects = 0;
  const write = async (batch: string[]) => {
    const lastAt = occurredAt(batch[batch.length - 1]!);
    const key = batchObjectKey(lastAt + 1_000, `sim-${opts.seed}-next-${String(objects).padStart(7, '0')}`);
    const path = join(opts.dir, key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, await gz(`${batch.join('\n')}\n`, { level: 5 }));
    objects++;
    events += batch.length;
  };
  for (const chunk of generateHistoryLines({ players: opts.players, days: opts.days + 1, tables: opts.tables, seed: opts.seed, now: until })) {
    for (const line of chunk) {
      const t = occurredAt(line);
      if (t < opts.from || t >= until) continue;
      lines.push(line);
      if (lines.length >= 5_000) {
        await write(lines);
        lines = [];
      }
    }
  }
  if (lines.length) await write(lines);
  mkdirSync(opts.dir, { recursive: true });
  writeFileSync(manifest, JSON.stringify({ params, events, objects }));
  opts.log?.(`W2: ${events} events of the next day in ${objects} objects, generated in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return { dir: opts.dir, events, objects, from: opts.from };
}

/** occurred_at of a serialised event (the simulator writes it right after event_type). */
function occurredAt(line: string): number {
  const i = line.indexOf('"occurred_at":') + 14;
  return Number(line.slice(i, line.indexOf(',', i)));
}
