/**
 * Bad input gets a clear 4xx in the one error shape and changes nothing. Every case snapshots the
 * player's state (balances, ledger, outbox, sessions) before and after. The last test fuzzes.
 */
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { call, deposit, expectError, idemKey, player, register, type Registered } from './helpers';

async function snapshot(p: Registered) {
  const i = (await player(p.playerId).inspect()) as any;
  const outbox = await player(p.playerId).outbox(0, 1000);
  return JSON.stringify({ balances: i.balances, limits: i.limits, player: i.player, outbox: outbox.length, sessions: i.sessions.map((s: any) => [s.session_id, s.ended_at]) });
}

function expectShape(res: { status: number; body: any; headers: Headers }) {
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(Object.keys(res.body)).toEqual(['error']);
  expect(typeof res.body.error.code).toBe('string');
  expect(typeof res.body.error.message).toBe('string');
  expect(res.headers.get('X-Request-Id')).toBeTruthy();
  expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/); // no stack traces
}

describe('bad input changes nothing', () => {
  it('money-moving requests with bad bodies', async () => {
    const p = await register();
    await deposit(p.token, 1000);
    const before = await snapshot(p);
    const post = (body: unknown, headers: Record<string, string> = { 'Idempotency-Key': idemKey() }) =>
      call('POST', '/v1/wallet/deposits', body, { token: p.token, headers });
    const cases: [unknown, number, string][] = [
      ['{"amount_minor": 10', 400, 'malformed_json'],
      [{}, 400, 'validation_failed'],
      [{ amount_minor: 100 }, 400, 'validation_failed'],
      [{ amount_minor: 100, currency: 'EUR', extra: 1 }, 400, 'validation_failed'],
      [{ amount_minor: '100', currency: 'EUR' }, 400, 'validation_failed'],
      [{ amount_minor: 0, currency: 'EUR' }, 400, 'validation_failed'],
      [{ amount_minor: -5, currency: 'EUR' }, 400, 'validation_failed'],
      [{ amount_minor: 1.5, currency: 'EUR' }, 400, 'validation_failed'],
      ['{"amount_minor": NaN, "currency": "EUR"}', 400, 'malformed_json'],
      ['{"amount_minor": 1e400, "currency": "EUR"}', 400, 'validation_failed'],
      [{ amount_minor: 2 ** 53, currency: 'EUR' }, 400, 'validation_failed'],
      [{ amount_minor: 100, currency: 'XXX' }, 400, 'validation_failed'],
      [{ amount_minor: 100, currency: 'eur' }, 400, 'validation_failed'],
      [{ amount_minor: 100, currency: 'EUR', provider: 'x'.repeat(5000) }, 400, 'validation_failed'],
      [[1, 2, 3], 400, 'validation_failed'],
      ['null', 400, 'validation_failed'],
    ];
    for (const [body, status, code] of cases) {
      const r = await post(body);
      expectError(r, status, code);
      expectShape(r);
    }
    expectError(await post({ amount_minor: 100, currency: 'EUR' }, {}), 400, 'idempotency_key_required');
    expectError(await post({ amount_minor: 100, currency: 'EUR' }, { 'Idempotency-Key': 'bad key with spaces' }), 400, 'idempotency_key_required');
    expectError(await post({ amount_minor: 100, currency: 'EUR' }, { 'Idempotency-Key': idemKey(), 'Content-Type': 'text/plain' }), 415, 'unsupported_media_type');
    expectError(await call('POST', '/v1/wallet/deposits', 'x'.repeat(20_000), { token: p.token, headers: { 'Idempotency-Key': idemKey() } }), 413, 'payload_too_large');
    // a balance that would leave the exact integer range
    expectError(await post({ amount_minor: Number.MAX_SAFE_INTEGER, currency: 'EUR' }), 422, 'amount_too_large');
    expect(await snapshot(p)).toBe(before);
  });

  it('registration with bad fields', async () => {
    const base = { email: 'ok@example.test', password: 'long enough pw', date_of_birth: '1990-01-01', country: 'MT' };
    const cases: Record<string, unknown>[] = [
      { ...base, email: 'not-an-email' },
      { ...base, email: `${'a'.repeat(250)}@x.io` },
      { ...base, password: 'short' },
      { ...base, password: 'p'.repeat(129) },
      { ...base, date_of_birth: '1990-02-30' },
      { ...base, date_of_birth: '3000-01-01' },
      { ...base, date_of_birth: '01/01/1990' },
      { ...base, country: 'Malta' },
      { ...base, currency: 'DOGE' },
      { ...base, is_admin: true },
    ];
    for (const body of cases) {
      const r = await call('POST', '/v1/players', body);
      expectError(r, 400, 'validation_failed');
    }
    // the email was never taken by any of them
    expect((await register({ email: `fresh.${crypto.randomUUID()}@example.test` })).playerId).toBeTruthy();
  });

  it('a JSON body sent as another media type is 415 unsupported_media_type, and nothing is created', async () => {
    const email = `media.${crypto.randomUUID()}@example.test`;
    const reg = JSON.stringify({ email, password: 'long enough pw', date_of_birth: '1990-01-01', country: 'MT' });
    for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded']) {
      const r = await call('POST', '/v1/players', reg, { headers: { 'Content-Type': type } });
      expectError(r, 415, 'unsupported_media_type');
      expectShape(r);
    }
    // the email was not taken by any of those
    expect((await call('POST', '/v1/players', reg)).status).toBe(201);
  });

  it('wrong, expired, forged or foreign tokens', async () => {
    const p = await register();
    const before = await snapshot(p);
    const now = Math.floor(Date.now() / 1000);
    const [h, body, sig] = p.token.split('.');
    const forged = await new SignJWT({ sid: crypto.randomUUID() }).setProtectedHeader({ alg: 'HS256' }).setSubject(p.playerId)
      .setIssuer('edge-casino').setAudience('player').setExpirationTime(now + 3600).sign(new TextEncoder().encode('an attacker key that is long enough!!'));
    const expired = await new SignJWT({ sid: crypto.randomUUID() }).setProtectedHeader({ alg: 'HS256' }).setSubject(p.playerId)
      .setIssuer('edge-casino').setAudience('player').setExpirationTime(now - 10).sign(new TextEncoder().encode('test-only-signing-key-0123456789abcdefghijklmnop'));
    const none = `${btoa(JSON.stringify({ alg: 'none' })).replace(/=/g, '')}.${body}.`;
    for (const token of ['garbage', `${h}.${body}.${sig}x`, forged, expired, none]) {
      const r = await call('POST', '/v1/wallet/deposits', { amount_minor: 100, currency: 'EUR' }, { token, headers: { 'Idempotency-Key': idemKey() } });
      expectError(r, 401, 'unauthenticated');
    }
    expectError(await call('GET', '/v1/wallet', undefined, { headers: { Authorization: 'Basic abc' } }), 401, 'unauthenticated');
    expect(await snapshot(p)).toBe(before);
  });

  it("a token never reaches another player's data", async () => {
    const alice = await register();
    const bob = await register();
    await deposit(bob.token, 777);
    const w = await call('GET', '/v1/wallet', undefined, { token: alice.token });
    expect(w.body.balances).toEqual([]);
    // Alice's valid session id does not open Bob's object
    const { decodeJwt } = await import('jose');
    const aliceSid = decodeJwt(alice.token).sid as string;
    expect(await player(bob.playerId).wallet(aliceSid)).toMatchObject({ ok: false, code: 'unauthenticated' });
  });

  it('unknown routes, ids and methods', async () => {
    const p = await register();
    expectError(await call('GET', '/v1/nope'), 404, 'not_found');
    expectError(await call('PUT', '/v1/limits/bogus', { minutes: 5 }, { token: p.token }), 400, 'validation_failed');
    expectError(await call('PUT', '/v1/limits/deposit', { minutes: 5 }, { token: p.token }), 400, 'validation_failed');
    expectError(await call('GET', '/v1/wallet/ledger?limit=100000', undefined, { token: p.token }), 400, 'validation_failed');
    expectError(await call('GET', '/v1/wallet/ledger?before=-1', undefined, { token: p.token }), 400, 'validation_failed');
    expectError(await call('GET', '/v1/wallet/ledger?foo=1', undefined, { token: p.token }), 400, 'validation_failed');
    expect(await player(p.playerId).confirmPayment({ deposit_id: crypto.randomUUID(), provider: 'sandbox', status: 'completed', amount_minor: 1, currency: 'EUR', provider_ref: 'x', reason: null }))
      .toMatchObject({ ok: false, code: 'deposit_not_found' });
  });

  it('fuzzed requests (R5): only 4xx in the error shape, never a 5xx, no state change', async () => {
    const p = await register();
    await deposit(p.token, 5000);
    const before = await snapshot(p);
    const routes = [
      ['POST', '/v1/wallet/deposits'], ['POST', '/v1/wallet/withdrawals'], ['PUT', '/v1/limits/deposit'], ['PUT', '/v1/limits/session_time'],
      ['POST', '/v1/players'], ['POST', '/v1/sessions'], ['POST', '/v1/dev/rounds'], ['POST', '/v1/players/me/kyc'],
      ['POST', '/v1/payments/webhook/sandbox'], ['POST', '/v1/cool-off'], ['POST', '/v1/self-exclusion'],
    ] as const;
    const hostileValue = fc.oneof(
      fc.integer(), fc.double(), fc.constantFrom(-1, 0, 0.5, 2 ** 53, -(2 ** 60), 1e308), fc.string({ maxLength: 40 }), fc.boolean(), fc.constant(null),
      fc.constant('EUR'), fc.constant('day'), fc.constant('sandbox'), fc.array(fc.integer(), { maxLength: 3 }),
    );
    const hostileBody = fc.oneof(
      fc.dictionary(fc.constantFrom('amount_minor', 'currency', 'period', 'minutes', 'hours', 'months', 'permanent', 'email', 'password', 'provider', 'round_id', '__proto__', 'constructor'), hostileValue, { maxKeys: 5 }),
      fc.string({ maxLength: 60 }),
      fc.json(),
    );
    let count = 0;
    let acceptedForPlayer = 0;
    await fc.assert(fc.asyncProperty(fc.constantFrom(...routes), hostileBody, fc.boolean(), async ([method, path], body, withToken) => {
      count++;
      const raw = typeof body === 'string' ? body : JSON.stringify(body);
      const r = await call(method, path, raw, { token: withToken ? p.token : undefined, headers: { 'Idempotency-Key': `fuzz-${count}`, 'Content-Type': 'application/json' } });
      expect(r.status, `${method} ${path} ${raw} -> ${JSON.stringify(r.body)}`).toBeLessThan(500);
      if (r.status >= 400) expectShape(r);
      else {
        if (withToken) acceptedForPlayer++;
        // a fuzzed body that happens to be valid (a real limit, {"permanent":true} for self-exclusion,
        // {"hours":48} for cool-off): only these legitimate successes are allowed; money-moving routes
        // that need state the fuzzer cannot forge (a verified KYC, a signed webhook) must never succeed
        expect(['/v1/limits/deposit', '/v1/limits/session_time', '/v1/players', '/v1/dev/rounds', '/v1/wallet/deposits', '/v1/cool-off', '/v1/self-exclusion', '/v1/players/me/kyc']).toContain(path);
      }
    }), { numRuns: 1500 });
    // refused requests changed nothing; the rare fuzzed body that is valid (say, a real limit) may
    // change state legitimately, and then the wallet must still be sound
    if (acceptedForPlayer === 0) expect(await snapshot(p)).toBe(before);
    expect(await player(p.playerId).audit()).toEqual([]);
    console.log(`fuzz: ${count} requests, ${acceptedForPlayer} valid by chance`);
  }, 240_000);
});
