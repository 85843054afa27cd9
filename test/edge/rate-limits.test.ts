/**
 * Per-client rate limits on registration and on the bootstrap of the first admin: an exact
 * sliding window per IPv4 address, and per /64 for IPv6 (one subscriber usually holds a whole /64,
 * so limiting single IPv6 addresses would limit nothing). 429 rate_limited with Retry-After.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { StaffDO } from '../../durable/operator/staff-do';
import { REGISTRATION_PER_CLIENT_MAX } from '../../worker/routes/players';
import { BOOTSTRAP_PER_CLIENT_MAX } from '../../worker/routes/ops/sessions';
import { call, expectError, uniqueEmail } from './helpers';
import { OP_PASSWORD } from './ops-helpers';

const registration = (email = uniqueEmail('rl')) => ({ email, password: 'correct horse battery', date_of_birth: '1990-01-15', country: 'MT' });
const registerFrom = (ip: string, email?: string) => call('POST', '/v1/players', registration(email), { ip });

function expectRateLimited(res: Awaited<ReturnType<typeof call>>) {
  expectError(res, 429, 'rate_limited');
  const retryAfter = Number(res.headers.get('Retry-After'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(3600);
}

describe('registration rate limit', () => {
  it(`allows ${REGISTRATION_PER_CLIENT_MAX} registrations per IPv4 address, then 429 with Retry-After and no player created`, async () => {
    for (let i = 0; i < REGISTRATION_PER_CLIENT_MAX; i++) expect((await registerFrom('203.0.113.7')).status).toBe(201);
    const email = uniqueEmail('refused');
    expectRateLimited(await registerFrom('203.0.113.7', email));
    // the refused registration took nothing: the same email registers from elsewhere
    expect((await registerFrom('203.0.113.99', email)).status).toBe(201);
    // IPv4 is limited per address: the neighbour in the same /24 is not affected
    expect((await registerFrom('203.0.113.8')).status).toBe(201);
  });

  it('limits IPv6 clients per /64: addresses of one /64 share a bucket, another /64 has its own', async () => {
    const half = REGISTRATION_PER_CLIENT_MAX / 2;
    for (let i = 0; i < half; i++) expect((await registerFrom('2001:db8:aa:bb::1')).status).toBe(201);
    for (let i = 0; i < REGISTRATION_PER_CLIENT_MAX - half; i++) expect((await registerFrom(`2001:db8:aa:bb:${(i + 1).toString(16)}:1:2:3`)).status).toBe(201);
    expectRateLimited(await registerFrom('2001:0db8:00aa:00bb:ffff:ffff:ffff:fffe'));
    expectRateLimited(await registerFrom('2001:db8:aa:bb::1'));
    expect((await registerFrom('2001:db8:aa:bc::1')).status).toBe(201);
  });


  it('in development, the machine itself (loopback: seed, simulator, benchmarks) is not limited (test/edge-production: it is there)', async () => {
    for (let i = 0; i <= REGISTRATION_PER_CLIENT_MAX; i++) expect((await registerFrom(i % 2 ? '127.0.0.1' : '::1')).status).toBe(201);
    expect((await registerFrom('127.0.0.1')).status).toBe(201);
  });
});

describe('bootstrap rate limit', () => {
  it(`allows ${BOOTSTRAP_PER_CLIENT_MAX} attempts per client, whatever the token, then 429 (even with the right token)`, async () => {
    const ip = '2001:db8:ff:1::1';
    const attempt = (authorization: string, from = ip) =>
      call('POST', '/v1/ops/bootstrap', { email: uniqueEmail('admin'), display_name: 'First Admin', password: OP_PASSWORD }, { ip: from, headers: { Authorization: authorization } });
    for (let i = 0; i < BOOTSTRAP_PER_CLIENT_MAX; i++) expectError(await attempt(`Bootstrap guess-${i}-0123456789abcdef`), 401, 'unauthenticated');
    expectRateLimited(await attempt('Bootstrap test-only-bootstrap-token-0123456789'));
    expectRateLimited(await attempt('Bootstrap test-only-bootstrap-token-0123456789', '2001:db8:ff:1:abcd::2')); // same /64
    expect(await (env.STAFF as DurableObjectNamespace<StaffDO>).getByName('staff').count()).toBe(0);
  });
});
