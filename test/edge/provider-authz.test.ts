/**
 * R6 for the 'provider' caller: the seamless-wallet routes accept only a provider's signature (not
 * player tokens, launch tokens, operator tokens or nothing), and every player or back-office route
 * that needs a caller refuses a provider's signature and a launch token. Routes are taken from the
 * OpenAPI document, so a new route is covered without editing this file. A launch token only ever
 * reaches its own player's wallet, through its own provider.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueLaunchToken } from '../../worker/provider/launch-token';
import { signProviderRequest, type ProviderAction } from '../../worker/provider/signature';
import { call, deposit, expectError, register, type Json, type Registered } from './helpers';
import { bootstrapAdmin, type Operator } from './ops-helpers';

const SECRET = env.PROVIDER_SECRET_SANDBOX_SLOTS;
const GAME = 'sandbox-starfall-fortune';
let seq = 0;
const txId = () => `authz-${Date.now().toString(36)}-${++seq}`;

async function signed(action: ProviderAction, body: Json, extra: Record<string, string> = {}) {
  const raw = JSON.stringify(body);
  const headers = { ...await signProviderRequest(SECRET, action, raw), ...extra };
  return call('POST', `/v1/provider/sandbox-slots/${action}`, raw, { headers });
}

function unsigned(action: ProviderAction, body: Json, headers: Record<string, string>) {
  return call('POST', `/v1/provider/sandbox-slots/${action}`, body, { headers });
}

let p: Registered;
let launchToken: string;
let op: Operator;

beforeAll(async () => {
  p = await register();
  await deposit(p.token, 5_000);
  const l = await call('POST', `/v1/games/${GAME}/launch`, {}, { token: p.token });
  expect(l.status).toBe(200);
  launchToken = l.body.token;
  op = await bootstrapAdmin();
});

describe('provider routes: only the provider signature authenticates', () => {
  it('refuses anonymous, player, launch-token and operator callers on every provider route, with no change', async () => {
    const bodies: Record<ProviderAction, Json> = {
      balance: { token: launchToken },
      bet: { token: launchToken, tx_id: txId(), round_id: 'a-1', game_id: GAME, currency: 'EUR', amount_minor: 100 },
      win: { player_id: p.playerId, tx_id: txId(), round_id: 'a-1', game_id: GAME, currency: 'EUR', amount_minor: 100 },
      rollback: { player_id: p.playerId, tx_id: txId(), bet_tx_id: txId(), round_id: 'a-1', game_id: GAME, currency: 'EUR' },
    };
    const callers: Record<string, Record<string, string>> = {
      anonymous: {},
      player: { Authorization: `Bearer ${p.token}` },
      'launch token as bearer': { Authorization: `Bearer ${launchToken}` },
      operator: { Authorization: `Bearer ${op.token}` },
      'operator cookie': { Cookie: `ops_session=${op.token}` },
    };
    const before = (await call('GET', '/v1/wallet/ledger?limit=50', undefined, { token: p.token })).body.entries;
    for (const action of Object.keys(bodies) as ProviderAction[]) {
      for (const [who, headers] of Object.entries(callers)) {
        const r = await unsigned(action, bodies[action], headers);
        expect([r.status, r.body.error?.code], `${who} -> ${action}`).toEqual([401, 'invalid_signature']);
      }
    }
    expect((await call('GET', '/v1/wallet/ledger?limit=50', undefined, { token: p.token })).body.entries).toEqual(before);
    // the provider itself passes (a bet, its win, then the balance)
    expect((await signed('bet', bodies.bet)).status).toBe(200);
    expect((await signed('win', bodies.win)).status).toBe(200);
    expect((await signed('balance', bodies.balance)).body.balance_minor).toBe(5_000);
  });

  it('a launch token reaches only its own player, through its own provider, as a launch token', async () => {
    const other = await register();
    await deposit(other.token, 1_000);
    // naming another player with this player's token
    expectError(await signed('win', { player_id: other.playerId, token: launchToken, tx_id: txId(), round_id: 'a-2', game_id: GAME, currency: 'EUR', amount_minor: 1 }), 401, 'unauthenticated');
    expectError(await signed('rollback', { player_id: other.playerId, token: launchToken, tx_id: txId(), bet_tx_id: txId(), round_id: 'a-2', game_id: GAME, currency: 'EUR' }), 401, 'unauthenticated');
    // a player's session token is not a launch token
    expectError(await signed('bet', { token: other.token, tx_id: txId(), round_id: 'a-2', game_id: GAME, currency: 'EUR', amount_minor: 100 }), 401, 'unauthenticated');
    // a genuine launch token of another provider
    const foreign = await issueLaunchToken(env, {
      player_id: p.playerId, session_id: crypto.randomUUID(), game_id: GAME, provider_id: 'other-studio', currency: 'EUR', jurisdiction: 'MT',
    }, Date.now() + 3_600_000);
    expectError(await signed('balance', { token: foreign }), 401, 'unauthenticated');
    expect((await call('GET', '/v1/wallet', undefined, { token: other.token })).body.balances[0].available_minor).toBe(1_000);
  });
});

describe('player and back-office routes refuse providers', () => {
  it('every route that needs a caller answers 401 to a provider signature or a launch token', async () => {
    const doc = (await call('GET', '/v1/openapi.json')).body;
    const fill = (path: string) => path.replace(/\{([a-z_]+)\}/g, (_, name: string) => ({
      player_id: p.playerId, game_id: GAME, table_id: 'roulette-1', kind: 'deposit', provider: 'sandbox', brand: 'aurora', operator_id: crypto.randomUUID(),
    } as Record<string, string>)[name] ?? 'x');
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
      for (const [method, op] of Object.entries(ops)) {
        const schemes = ((op.security ?? []) as Json[]).flatMap((s) => Object.keys(s));
        if (schemes.length === 0 || schemes.includes('providerSignature')) continue;
        const url = fill(path);
        const raw = method === 'get' || method === 'delete' ? undefined : '{}';
        const sig = await signProviderRequest(SECRET, 'bet', raw ?? '');
        for (const [who, headers] of [['provider signature', sig], ['launch token', { Authorization: `Bearer ${launchToken}` }]] as const) {
          const r = await call(method.toUpperCase(), url, raw, { headers: { 'Content-Type': 'application/json', 'Idempotency-Key': txId(), ...headers } });
          expect(r.status, `${who} -> ${method.toUpperCase()} ${path}: ${JSON.stringify(r.body)}`).toBe(401);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
  });
});
