/**
 * reconcile against a real local HTTP server that answers the back-office routes it calls, with
 * answers built and checked by the worker's own response schemas (ChallengeResponse,
 * SessionResponse, PlayerSearchPage, PlayerProfile's balances and open_holds, LedgerPage), so a
 * change of those shapes breaks this test. The server checks the TOTP code (RFC 6238, refusing a
 * replay as the edge does), the bearer token and the query parameters of each route.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify, compareBalances, reconcile, totpCode, type Balance, type WarehouseBalance } from './reconcile';
import { credentials, formatDifferences } from './command';

const SECRET = 'JBSWY3DPEHPK3PXP';
const EMAIL = 'compliance@ops.edge-casino.test';
const PASSWORD = 'demo-operator-password-123';
const T0 = Date.UTC(2026, 11, 2, 8, 0, 0);

const P = (n: number) => `0190a0b0-0000-7000-8000-${String(n).padStart(12, '0')}`;
const bal = (currency: string, real: number, bonus: number, held: number): Balance => ({ currency, real_minor: real, bonus_minor: bonus, held_minor: held, available_minor: real + bonus - held });

/** The edge: five players over two brands (pages of two), one with two currencies. */
const EDGE: Record<string, { brand: string; balances: Balance[]; ledgerAt: Record<string, number>; holds: { currency: string; created_at: number }[] }> = {
  [P(1)]: { brand: 'aurora', balances: [bal('EUR', 1000, 0, 0)], ledgerAt: { EUR: T0 - 60_000 }, holds: [] },
  [P(2)]: { brand: 'aurora', balances: [bal('EUR', 500, 200, 100), bal('GBP', 50, 0, 0)], ledgerAt: { EUR: T0 - 60_000, GBP: T0 - 50_000 }, holds: [{ currency: 'EUR', created_at: T0 - 40_000 }] },
  [P(3)]: { brand: 'aurora', balances: [bal('EUR', 800, 0, 0)], ledgerAt: { EUR: T0 - 1_000 }, holds: [] }, // moved after the sync
  [P(4)]: { brand: 'sakura', balances: [bal('JPY', 9000, 0, 0)], ledgerAt: { JPY: T0 - 90_000 }, holds: [] }, // the warehouse lost a movement
  [P(5)]: { brand: 'sakura', balances: [], ledgerAt: {}, holds: [] }, // registered, never deposited
};
const WAREHOUSE: WarehouseBalance[] = [
  { player_id: P(1), ...bal('EUR', 1000, 0, 0), last_wallet_event_at_ms: T0 - 60_000 },
  { player_id: P(2), ...bal('EUR', 500, 200, 100), last_wallet_event_at_ms: T0 - 40_000 },
  { player_id: P(2), ...bal('GBP', 50, 0, 0), last_wallet_event_at_ms: T0 - 50_000 },
  { player_id: P(3), ...bal('EUR', 700, 0, 0), last_wallet_event_at_ms: T0 - 30_000 },
  { player_id: P(4), ...bal('JPY', 8000, 0, 0), last_wallet_event_at_ms: T0 - 90_000 },
];

const operator = {
  operator_id: 'op-1', email: EMAIL, display_name: 'Chris Compliance', roles: ['compliance_officer' as const], brands: ['*'], jurisdictions: ['*'], vip_clearance: true,
  status: 'active' as const, mfa_enrolled: true, password_login: true, sso: false, created_by: 'bootstrap', created_at: T0 - 1e9, updated_at: T0 - 1e9,
};

/**
 * The worker's response schemas, loaded at run time: warehouse/tsconfig.json type-checks Node code
 * only, and a static import would pull the Workers-typed durable objects into it.
 */
type Schema = { parse(v: unknown): unknown };
let ChallengeResponse: Schema, SessionResponse: Schema, PlayerSearchPage: Schema, LedgerPage: Schema;
let PlayerProfile: { shape: { balances: Schema; open_holds: Schema } };
const WORKER_OPS = '../../worker/ops/';

let server: Server;
let baseUrl: string;
const seen: string[] = [];
let usedStep = -1;

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
}

function send(res: ServerResponse, status: number, payload: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(payload));
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url!, 'http://x');
  seen.push(`${req.method} ${url.pathname}${url.search}`);
  if (req.method === 'POST' && url.pathname === '/v1/ops/sessions') {
    const b = await body(req);
    if (b.email !== EMAIL || b.password !== PASSWORD) return send(res, 401, { error: { code: 'invalid_credentials', message: 'wrong email or password' } });
    return send(res, 200, ChallengeResponse.parse({ challenge_token: 'challenge-1', expires_at: Date.now() + 300_000, enrolment: null }));
  }
  if (req.method === 'POST' && url.pathname === '/v1/ops/sessions/mfa') {
    const b = await body(req);
    const step = Math.floor(Date.now() / 30_000);
    if (b.challenge_token !== 'challenge-1' || b.code !== totpCode(SECRET) || step === usedStep) return send(res, 401, { error: { code: 'invalid_mfa_code', message: 'invalid code' } });
    usedStep = step;
    return send(res, 201, SessionResponse.parse({ token: 'tok-1', csrf_token: null, expires_at: Date.now() + 3_600_000, operator }));
  }
  if (req.headers.authorization !== 'Bearer tok-1') return send(res, 401, { error: { code: 'unauthorized', message: 'no session' } });
  let m = url.pathname.match(/^\/v1\/ops\/brands\/([^/]+)\/players$/);
  if (req.method === 'GET' && m) {
    const all = Object.entries(EDGE).filter(([, p]) => p.brand === m![1]).map(([id]) => id).sort();
    const start = url.searchParams.get('after') ? all.indexOf(url.searchParams.get('after')!) + 1 : 0;
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 25), 2); // small pages: the client must follow `next`
    const page = all.slice(start, start + limit);
    return send(res, 200, PlayerSearchPage.parse({
      players: page.map((id) => ({ player_id: id, brand: m![1], email: 'p***@example.com', country: 'MT', jurisdiction: 'MT', currency: EDGE[id]!.balances[0]?.currency ?? 'EUR', status: 'active', kyc_status: 'verified', vip: false, created_at: T0 - 1e8, updated_at: T0 - 1e7 })),
      next: start + limit < all.length ? page.at(-1)! : null,
    }));
  }
  m = url.pathname.match(/^\/v1\/ops\/players\/([^/]+)(\/ledger)?$/);
  const p = m ? EDGE[m[1]!] : undefined;
  if (req.method === 'GET' && m && !p) return send(res, 404, { error: { code: 'player_not_found', message: 'no such player' } });
  if (req.method === 'GET' && m && !m[2]) {
    // the two parts of PlayerProfile that reconcile reads, checked by the profile's own schemas
    return send(res, 200, {
      balances: PlayerProfile.shape.balances.parse(p!.balances),
      open_holds: PlayerProfile.shape.open_holds.parse(p!.holds.map((h, i) => ({ hold_id: `table:t1:b${i}`, kind: 'bet', currency: h.currency, real_minor: 100, bonus_minor: 0, state: 'pending', expires_at: null, ref: 'r1', created_at: h.created_at, resolved_at: null, max_return_minor: null }))),
    });
  }
  if (req.method === 'GET' && m && m[2]) {
    const currency = url.searchParams.get('currency')!;
    const at = p!.ledgerAt[currency];
    return send(res, 200, LedgerPage.parse({ entries: at ? [{ entry_id: 7, at, currency, bucket: 'real', kind: 'win', amount_minor: 100, balance_after_minor: 800, ref: 'w1' }] : [], next_before: null }));
  }
  return send(res, 404, { error: { code: 'not_found', message: url.pathname } });
}

beforeAll(async () => {
  ({ ChallengeResponse, SessionResponse } = await import(/* @vite-ignore */ `${WORKER_OPS}schemas`));
  ({ PlayerSearchPage } = await import(/* @vite-ignore */ `${WORKER_OPS}brand-views`));
  ({ LedgerPage, PlayerProfile } = await import(/* @vite-ignore */ `${WORKER_OPS}player-views`));
  server = createServer((req, res) => void handle(req, res).catch((e: Error) => send(res, 500, { error: { code: 'internal', message: e.message } })));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('compareBalances', () => {
  it('every differing field, a currency on one side only as zeros, players the back office does not list', () => {
    const d = compareBalances(
      [{ player_id: 'a', brand: 'x', balances: [bal('EUR', 10, 0, 0), bal('GBP', 5, 0, 0)] }, { player_id: 'b', brand: 'x', balances: [] }],
      [{ player_id: 'a', ...bal('EUR', 10, 0, 3), last_wallet_event_at_ms: 1 }, { player_id: 'b', ...bal('USD', 1, 0, 0), last_wallet_event_at_ms: 1 }, { player_id: 'z', ...bal('EUR', 4, 0, 0), last_wallet_event_at_ms: 1 }],
    );
    expect(d.map((x) => [x.player_id, x.currency, x.field, x.edge, x.warehouse, x.delta])).toEqual([
      ['a', 'EUR', 'available_minor', 10, 7, -3],
      ['a', 'EUR', 'held_minor', 0, 3, 3],
      ['a', 'GBP', 'available_minor', 5, 0, -5],
      ['a', 'GBP', 'real_minor', 5, 0, -5],
      ['b', 'USD', 'available_minor', 0, 1, 1],
      ['b', 'USD', 'real_minor', 0, 1, 1],
      ['z', 'EUR', 'missing', null, 4, null],
    ]);
  });

  it('classify: in flight only when the edge moved after the warehouse\'s last event', () => {
    const d = compareBalances([{ player_id: 'a', brand: 'x', balances: [bal('EUR', 10, 0, 0)] }], [])[0]!;
    expect(classify(d, 2000, 1000).status).toBe('in_flight');
    expect(classify(d, 2000, null).status).toBe('in_flight');
    expect(classify(d, 1000, 1000).status).toBe('difference');
    expect(classify(d, null, 1000).status).toBe('difference');
  });
});

describe('reconcile over HTTP', () => {
  it('logs in with password + TOTP, pages through both brands, reads every player, and separates real differences from those in flight', async () => {
    const r = await reconcile({ baseUrl, credentials: { email: EMAIL, password: PASSWORD, totpSecret: SECRET }, brands: ['aurora', 'sakura'], warehouse: WAREHOUSE, concurrency: 2 });
    expect(r.players_edge).toBe(5);
    expect(r.differences.map((d) => [d.player_id, d.currency, d.field, d.edge, d.warehouse, d.delta])).toEqual([
      [P(4), 'JPY', 'available_minor', 9000, 8000, -1000],
      [P(4), 'JPY', 'real_minor', 9000, 8000, -1000],
    ]);
    expect(r.in_flight.map((d) => [d.player_id, d.field])).toEqual([[P(3), 'available_minor'], [P(3), 'real_minor']]);
    // pages were followed (two players a page), each profile read once, the ledger only where they differ
    expect(seen.filter((s) => s.startsWith('GET /v1/ops/brands/aurora/players'))).toHaveLength(2);
    expect(seen.filter((s) => /^GET \/v1\/ops\/players\/[^/]+$/.test(s))).toHaveLength(5);
    expect(seen.filter((s) => s.includes('/ledger')).sort()).toEqual([`GET /v1/ops/players/${P(3)}/ledger?limit=1&currency=EUR`, `GET /v1/ops/players/${P(4)}/ledger?limit=1&currency=JPY`]);
    expect(formatDifferences(r.differences)[0]).toMatch(/^player_id\s+currency\s+field\s+edge\s+warehouse\s+delta\s+note$/);
  });

  it('agrees when the warehouse has everything: no difference', async () => {
    const synced: WarehouseBalance[] = Object.entries(EDGE).flatMap(([id, p]) => p.balances.map((b) => ({ player_id: id, ...b, last_wallet_event_at_ms: T0 })));
    usedStep = -1;
    const r = await reconcile({ baseUrl, credentials: { email: EMAIL, password: PASSWORD, totpSecret: SECRET }, brands: ['aurora', 'sakura'], warehouse: synced });
    expect(r.differences).toEqual([]);
    expect(r.in_flight).toEqual([]);
  });

  it('a wrong password is an error naming the operator', async () => {
    await expect(reconcile({ baseUrl, credentials: { email: EMAIL, password: 'nope', totpSecret: SECRET }, brands: ['aurora'], warehouse: [] })).rejects.toThrow(/login of compliance@ops\.edge-casino\.test: 401 invalid_credentials/);
  });
});

describe('credentials', () => {
  it('from OPS_* (all three or none), else the demo file', () => {
    expect(credentials(undefined, { OPS_EMAIL: 'a@b', OPS_PASSWORD: 'pw', OPS_TOTP_SECRET: SECRET })).toEqual({ email: 'a@b', password: 'pw', totpSecret: SECRET });
    expect(() => credentials(undefined, { OPS_EMAIL: 'a@b' })).toThrow(/all of OPS_EMAIL/);
    expect(() => credentials(undefined, { OPS_DEMO_FILE: '/nonexistent/demo-operators.json' })).toThrow(/no credentials/);
  });
});
