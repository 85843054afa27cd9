/** In production no client is exempt from the registration limit, loopback included (development exempts it for local tools). */
import { describe, expect, it } from 'vitest';
import { REGISTRATION_PER_CLIENT_MAX } from '../../worker/routes/players';
import { call, expectError, uniqueEmail } from '../edge/helpers';

describe('production registration rate limit', () => {
  it('limits a loopback client like any other', async () => {
    const from = (ip: string) => call('POST', '/v1/players', { email: uniqueEmail('rl'), password: 'correct horse battery', date_of_birth: '1990-01-15', country: 'MT' }, { ip });
    for (let i = 0; i < REGISTRATION_PER_CLIENT_MAX; i++) expect((await from('127.0.0.1')).status).toBe(201);
    expectError(await from('127.0.0.1'), 429, 'rate_limited');
  });
});
