import { describe, expect, it } from 'vitest';
import { call, deposit, register } from './helpers';

describe('smoke', () => {
  it('health, register, deposit, wallet', async () => {
    const h = await call('GET', '/v1/health');
    expect(h.status).toBe(200);
    expect(h.headers.get('X-Request-Id')).toBeTruthy();
    const p = await register();
    const d = await deposit(p.token, 5000);
    expect(d.status).toBe(201);
    expect(d.body.deposit.state).toBe('completed');
    const w = await call('GET', '/v1/wallet', undefined, { token: p.token });
    expect(w.body.balances[0]).toMatchObject({ currency: 'EUR', real_minor: 5000, available_minor: 5000 });
  });
});
