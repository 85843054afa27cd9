/**
 * `wh reconcile`: each player's balances in the warehouse (marts.player_balances) against the
 * edge's own, read through the back-office API as an operator with read rights (TARGETS.md R4).
 *
 *   1. log in: POST /v1/ops/sessions {email, password}, then POST /v1/ops/sessions/mfa with a TOTP
 *      code computed from the operator's secret (RFC 6238, as scripts/ops-code.mjs);
 *   2. list every player of every brand: GET /v1/ops/brands/{brand}/players?limit=100&after=...;
 *   3. read each player's balances, at most `concurrency` at once: GET /v1/ops/players/{id}
 *      (`balances`: currency, real_minor, bonus_minor, held_minor, available_minor);
 *   4. compare field by field with the warehouse; for each player and currency that differs, read
 *      the edge's newest ledger entry (GET /v1/ops/players/{id}/ledger?limit=1&currency=) and the
 *      newest open hold: when the edge moved money after the warehouse's last wallet event of that
 *      player and currency, the difference is "in flight" (events not synced yet), else it is real.
 *
 * The operator needs player.search, player.read and player.ledger.read on every brand and
 * jurisdiction, and VIP clearance to see VIPs: the demo's compliance@ operator (seed-ops.mjs).
 * Nothing here writes, at the edge or in the warehouse (a read-only connection).
 */
import { createHmac } from 'node:crypto';

export const BALANCE_FIELDS = ['real_minor', 'bonus_minor', 'held_minor', 'available_minor'] as const;
export type BalanceField = (typeof BALANCE_FIELDS)[number];

/** A player's balance in one currency, as the edge's `Balance` schema (worker/schemas.ts) has it. */
export type Balance = { currency: string } & Record<BalanceField, number>;

/** marts.player_balances' row, as reconcile reads it. */
export type WarehouseBalance = Balance & { player_id: string; last_wallet_event_at_ms: number | null };

export type EdgePlayer = { player_id: string; brand: string; balances: Balance[] };

export type Difference = {
  player_id: string;
  currency: string;
  field: BalanceField | 'missing';
  edge: number | null;
  warehouse: number | null;
  delta: number | null;
  /** difference: the two disagree although the warehouse has seen the edge's last movement; in_flight: the edge moved since. */
  status: 'difference' | 'in_flight';
  note: string;
};

export type Credentials = { email: string; password: string; totpSecret: string };

export class ReconcileError extends Error {}

// ---- comparison (pure) -------------------------------------------------------------------------

/**
 * Every field of every player and currency that differs between the edge and the warehouse. A
 * currency on one side only counts as all zeros on the other (a player who never moved money has
 * no warehouse row and an edge balance of 0). `status` is decided later (watermarks); here all are
 * 'difference'.
 */
export function compareBalances(edge: EdgePlayer[], warehouse: WarehouseBalance[]): Difference[] {
  const key = (p: string, c: string) => `${p}\u0000${c}`;
  const wh = new Map(warehouse.map((w) => [key(w.player_id, w.currency), w]));
  const seenPlayers = new Set(edge.map((p) => p.player_id));
  const out: Difference[] = [];
  const zero = (currency: string): Balance => ({ currency, real_minor: 0, bonus_minor: 0, held_minor: 0, available_minor: 0 });
  const diff = (player_id: string, e: Balance, w: Balance) => {
    for (const field of BALANCE_FIELDS) {
      if (e[field] !== w[field]) {
        out.push({ player_id, currency: e.currency, field, edge: e[field], warehouse: w[field], delta: w[field] - e[field], status: 'difference', note: '' });
      }
    }
  };
  for (const p of edge) {
    const currencies = new Set(p.balances.map((b) => b.currency));
    for (const b of p.balances) diff(p.player_id, b, wh.get(key(p.player_id, b.currency)) ?? zero(b.currency));
    for (const w of warehouse) if (w.player_id === p.player_id && !currencies.has(w.currency)) diff(p.player_id, zero(w.currency), w);
  }
  for (const w of warehouse) {
    if (!seenPlayers.has(w.player_id)) {
      out.push({ player_id: w.player_id, currency: w.currency, field: 'missing', edge: null, warehouse: w.available_minor, delta: null, status: 'difference', note: 'in the warehouse, not among the players the back office lists' });
    }
  }
  return out.sort((a, b) => a.player_id.localeCompare(b.player_id) || a.currency.localeCompare(b.currency) || a.field.localeCompare(b.field));
}

/**
 * In flight or not: the edge's last money movement of the player and currency (newest ledger
 * entry or open hold, ms) against the warehouse's last wallet event of them. Newer at the edge =
 * events the warehouse has not synced yet. An edge watermark unknown (null) leaves a difference.
 */
export function classify(d: Difference, edgeLastMs: number | null, warehouseLastMs: number | null): Difference {
  if (d.field === 'missing' || edgeLastMs === null) return d;
  if (warehouseLastMs === null || edgeLastMs > warehouseLastMs) {
    return { ...d, status: 'in_flight', note: `edge moved at ${new Date(edgeLastMs).toISOString()}, warehouse's last event ${warehouseLastMs === null ? 'none' : new Date(warehouseLastMs).toISOString()}` };
  }
  return { ...d, note: `warehouse has the edge's last movement (${new Date(edgeLastMs).toISOString()})` };
}

// ---- TOTP (RFC 6238, as durable/operator/mfa.ts and scripts/ops-code.mjs) ----------------------

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function totpCode(secretBase32: string, nowMs = Date.now()): string {
  let bits = 0;
  let value = 0;
  const key: number[] = [];
  for (const ch of secretBase32.toUpperCase().replace(/[\s=]/g, '')) {
    const v = BASE32.indexOf(ch);
    if (v < 0) throw new ReconcileError(`not a base32 TOTP secret (character '${ch}')`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      key.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(nowMs / 30_000)));
  const mac = createHmac('sha1', Buffer.from(key)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const n = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(n % 1_000_000).padStart(6, '0');
}

// ---- the back-office client ---------------------------------------------------------------------

type Fetch = typeof fetch;

export class BackOffice {
  private token: string | null = null;

  constructor(private readonly baseUrl: string, private readonly fetchImpl: Fetch = fetch, private readonly now: () => number = Date.now) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const res = await this.fetchImpl(new URL(path, this.baseUrl), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }).catch((err: Error) => {
      const cause = (err.cause as Error | undefined)?.message ?? err.message;
      throw new ReconcileError(`cannot reach the back office at ${this.baseUrl} (${method} ${path}): ${cause}; is the worker running (npm start), or give --base-url`);
    });
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed as T };
  }

  private async get<T>(path: string): Promise<T> {
    const r = await this.call<T>('GET', path);
    if (r.status !== 200) throw new ReconcileError(`GET ${path}: ${r.status} ${errorText(r.body)}`);
    return r.body;
  }

  /** Password, then a TOTP code; a code refused as used (the same 30 s step) is retried once with the next step's. */
  async login(c: Credentials): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const s1 = await this.call<{ challenge_token: string; enrolment: unknown }>('POST', '/v1/ops/sessions', { email: c.email, password: c.password });
      if (s1.status !== 200) throw new ReconcileError(`login of ${c.email}: ${s1.status} ${errorText(s1.body)}`);
      if (s1.body.enrolment) throw new ReconcileError(`${c.email} has not enrolled a second factor yet: log in once in the panel (/ops) first`);
      const s2 = await this.call<{ token: string | null }>('POST', '/v1/ops/sessions/mfa', { challenge_token: s1.body.challenge_token, code: totpCode(c.totpSecret, this.now()) });
      if (s2.status === 201 && s2.body.token) {
        this.token = s2.body.token;
        return;
      }
      if (s2.status === 401 && attempt === 0) {
        // each code works once: wait for the next 30-second step
        await new Promise((r) => setTimeout(r, 30_000 - (this.now() % 30_000) + 200));
        continue;
      }
      throw new ReconcileError(`second factor of ${c.email}: ${s2.status} ${errorText(s2.body)}`);
    }
  }

  async *players(brand: string): AsyncGenerator<{ player_id: string; brand: string; currency: string }> {
    let after: string | null = null;
    do {
      const q = new URLSearchParams({ limit: '100' });
      if (after) q.set('after', after);
      const page: { players: { player_id: string; brand: string; currency: string }[]; next: string | null } =
        await this.get(`/v1/ops/brands/${encodeURIComponent(brand)}/players?${q}`);
      yield* page.players;
      after = page.next;
    } while (after);
  }

  async profile(playerId: string): Promise<{ balances: Balance[]; open_holds: { currency: string; created_at: number }[] }> {
    return this.get(`/v1/ops/players/${encodeURIComponent(playerId)}`);
  }

  /** The edge's newest money movement of a player and currency (ms), or null when there is none. */
  async lastMovementAt(playerId: string, currency: string, openHolds: { currency: string; created_at: number }[]): Promise<number | null> {
    const ledger = await this.get<{ entries: { at: number }[] }>(`/v1/ops/players/${encodeURIComponent(playerId)}/ledger?limit=1&currency=${encodeURIComponent(currency)}`);
    const times = [...ledger.entries.map((e) => e.at), ...openHolds.filter((h) => h.currency === currency).map((h) => h.created_at)];
    return times.length ? Math.max(...times) : null;
  }
}

function errorText(body: unknown): string {
  if (body && typeof body === 'object' && 'error' in body) {
    const e = (body as { error: unknown }).error;
    if (e && typeof e === 'object') return `${(e as { code?: string }).code ?? ''} ${(e as { message?: string }).message ?? ''}`.trim();
    return String(e);
  }
  return typeof body === 'string' ? body.slice(0, 200) : JSON.stringify(body)?.slice(0, 200) ?? '';
}

/** Runs `fn` over `items`, at most `limit` at once, keeping the order of the results. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

// ---- the whole reconciliation -------------------------------------------------------------------

export type ReconcileResult = {
  players_edge: number;
  balances_warehouse: number;
  differences: Difference[];
  in_flight: Difference[];
};

export async function reconcile(opts: {
  baseUrl: string;
  credentials: Credentials;
  brands: string[];
  warehouse: WarehouseBalance[];
  concurrency?: number;
  fetchImpl?: Fetch;
  log?: (m: string) => void;
}): Promise<ReconcileResult> {
  const bo = new BackOffice(opts.baseUrl, opts.fetchImpl);
  const log = opts.log ?? (() => {});
  await bo.login(opts.credentials);
  const listed: { player_id: string; brand: string }[] = [];
  for (const brand of opts.brands) for await (const p of bo.players(brand)) listed.push(p);
  log(`${listed.length} players listed by the back office (${opts.brands.join(', ')}); reading their balances`);
  const concurrency = opts.concurrency ?? 8;
  const holds = new Map<string, { currency: string; created_at: number }[]>();
  const edge = await mapLimit(listed, concurrency, async (p) => {
    const profile = await bo.profile(p.player_id);
    holds.set(p.player_id, profile.open_holds);
    return { player_id: p.player_id, brand: p.brand, balances: profile.balances };
  });
  const raw = compareBalances(edge, opts.warehouse);
  const lastWh = new Map(opts.warehouse.map((w) => [`${w.player_id}\u0000${w.currency}`, w.last_wallet_event_at_ms]));
  // one watermark read per differing player and currency, not per field
  const pairs = [...new Set(raw.filter((d) => d.field !== 'missing').map((d) => `${d.player_id}\u0000${d.currency}`))];
  const marks = new Map(await mapLimit(pairs, concurrency, async (k) => {
    const [player, currency] = k.split('\u0000') as [string, string];
    return [k, await bo.lastMovementAt(player, currency, holds.get(player) ?? [])] as const;
  }));
  const classified = raw.map((d) => {
    const k = `${d.player_id}\u0000${d.currency}`;
    return classify(d, marks.get(k) ?? null, lastWh.get(k) ?? null);
  });
  return {
    players_edge: edge.length,
    balances_warehouse: opts.warehouse.length,
    differences: classified.filter((d) => d.status === 'difference'),
    in_flight: classified.filter((d) => d.status === 'in_flight'),
  };
}
