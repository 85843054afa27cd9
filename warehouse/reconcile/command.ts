/**
 * `npm run wh -- reconcile`: the command around reconcile.ts. Reads marts.player_balances on a
 * read-only connection, logs in to the back office, compares, prints every difference and a
 * summary. Exit 0 when the two agree (differences in flight only warn, unless --strict), 1 when
 * they do not.
 *
 * Credentials: OPS_EMAIL, OPS_PASSWORD, OPS_TOTP_SECRET; else the demo operators file that
 * `npm start` writes (OPS_DEMO_FILE, or CASINO_STATE_DIR/demo-operators.json, or
 * .wrangler/demo-operators.json), the operator named by --operator-email (default
 * compliance@ops.edge-casino.test: read rights on every brand and jurisdiction, VIP clearance).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { warehousePaths } from '../config';
import { openWarehouse, rows } from '../db';
import { useEnv } from '../reader';
import { busyHolder, waitingLine } from '../writer';
import { ReconcileError, reconcile, type Credentials, type Difference, type WarehouseBalance } from './reconcile';

export const DEFAULT_OPERATOR = 'compliance@ops.edge-casino.test';
export const RECONCILE_USAGE = `reconcile [--base-url http://127.0.0.1:8787] [--operator-email <email>] [--brand <id>,<id>] [--concurrency 8] [--env prod] [--strict]`;

function demoFile(env = process.env): string {
  if (env.OPS_DEMO_FILE) return resolve(env.OPS_DEMO_FILE);
  return env.CASINO_STATE_DIR ? join(resolve(env.CASINO_STATE_DIR), 'demo-operators.json') : resolve('.wrangler', 'demo-operators.json');
}

export function credentials(email: string | undefined, env = process.env): Credentials {
  if (env.OPS_EMAIL || env.OPS_PASSWORD || env.OPS_TOTP_SECRET) {
    if (!env.OPS_EMAIL || !env.OPS_PASSWORD || !env.OPS_TOTP_SECRET) throw new ReconcileError('set all of OPS_EMAIL, OPS_PASSWORD and OPS_TOTP_SECRET, or none (then the demo operators file is read)');
    if (email && email !== env.OPS_EMAIL) throw new ReconcileError(`--operator-email ${email} is not OPS_EMAIL (${env.OPS_EMAIL})`);
    return { email: env.OPS_EMAIL, password: env.OPS_PASSWORD, totpSecret: env.OPS_TOTP_SECRET };
  }
  const file = demoFile(env);
  if (!existsSync(file)) throw new ReconcileError(`no credentials: set OPS_EMAIL, OPS_PASSWORD and OPS_TOTP_SECRET, or run \`npm start\` (it writes ${file})`);
  const state = JSON.parse(readFileSync(file, 'utf8')) as { operators?: { email: string; password: string; totp_secret: string | null }[] };
  const want = email ?? DEFAULT_OPERATOR;
  const op = state.operators?.find((o) => o.email === want);
  if (!op) throw new ReconcileError(`${want} is not in ${file} (${(state.operators ?? []).map((o) => o.email).join(', ')})`);
  if (!op.totp_secret) throw new ReconcileError(`${want} has no TOTP secret in ${file} (not enrolled yet)`);
  return { email: op.email, password: op.password, totpSecret: op.totp_secret };
}

export async function readWarehouseBalances(dbPath: string, env: string): Promise<{ balances: WarehouseBalance[]; brands: string[] }> {
  const wh = await openWarehouse(dbPath, { readOnly: true, lockWaitMs: Infinity, onWait: (err) => console.error(waitingLine(busyHolder(warehousePaths(), err))) });
  try {
    await useEnv(wh.con, env);
    const balances = await rows<WarehouseBalance & { last_ms: bigint | number | null }>(wh.con, `
      select player_id, currency, real_minor::DOUBLE as real_minor, bonus_minor::DOUBLE as bonus_minor, held_minor::DOUBLE as held_minor,
             available_minor::DOUBLE as available_minor, epoch_ms(last_wallet_event_at)::DOUBLE as last_wallet_event_at_ms
      from player_balances order by player_id, currency`);
    const brands = (await rows<{ brand_id: string }>(wh.con, 'select brand_id from seeds.brands order by brand_id')).map((b) => b.brand_id);
    return { balances: balances.map((b) => ({ ...b, real_minor: Number(b.real_minor), bonus_minor: Number(b.bonus_minor), held_minor: Number(b.held_minor), available_minor: Number(b.available_minor), last_wallet_event_at_ms: b.last_wallet_event_at_ms === null ? null : Number(b.last_wallet_event_at_ms) })), brands };
  } finally {
    wh.close();
  }
}

export function formatDifferences(list: Difference[]): string[] {
  const cols = ['player_id', 'currency', 'field', 'edge', 'warehouse', 'delta', 'note'] as const;
  const cell = (d: Difference, c: (typeof cols)[number]) => String(d[c] ?? '');
  const width = cols.map((c) => Math.max(c.length, ...list.map((d) => cell(d, c).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(width[i]!)).join('  ').trimEnd();
  return [line([...cols]), line(width.map((w) => '-'.repeat(w))), ...list.map((d) => line(cols.map((c) => cell(d, c))))];
}

export async function reconcileCommand(values: Record<string, string | boolean | undefined>): Promise<number> {
  const paths = warehousePaths();
  if (!existsSync(paths.db)) throw new ReconcileError(`no warehouse at ${paths.db}: run \`npm run wh -- sync\` and \`plan\` first`);
  const baseUrl = String(values['base-url'] ?? process.env.CASINO_BASE_URL ?? 'http://127.0.0.1:8787');
  const concurrency = Number(values.concurrency ?? 8);
  if (!(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 64)) throw new ReconcileError('--concurrency must be an integer from 1 to 64');
  const creds = credentials(values['operator-email'] === undefined ? undefined : String(values['operator-email']));
  const { balances, brands: allBrands } = await readWarehouseBalances(paths.db, String(values.env ?? 'prod'));
  const brands = typeof values.brand === 'string' && values.brand ? values.brand.split(',').map((b) => b.trim()).filter(Boolean) : allBrands;
  const r = await reconcile({ baseUrl, credentials: creds, brands, warehouse: balances, concurrency, log: (m) => console.error(`[wh] ${m}`) });
  if (r.differences.length) {
    console.log(`differences (${r.differences.length}):`);
    for (const l of formatDifferences(r.differences)) console.log(l);
  }
  if (r.in_flight.length) {
    console.log(`${r.differences.length ? '\n' : ''}in flight (${r.in_flight.length}; the edge moved money after the warehouse's last synced event, sync and run again):`);
    for (const l of formatDifferences(r.in_flight)) console.log(l);
  }
  const players = new Set(r.differences.map((d) => d.player_id)).size;
  console.log(`${r.differences.length ? '\n' : ''}reconcile: ${r.players_edge} players at the edge (${brands.join(', ')}), ${r.balances_warehouse} player-currency balances in the warehouse; ` +
    `${r.differences.length} differences (${players} players), ${r.in_flight.length} in flight (${new Set(r.in_flight.map((d) => d.player_id)).size} players)`);
  return r.differences.length > 0 || (values.strict && r.in_flight.length > 0) ? 1 : 0;
}
