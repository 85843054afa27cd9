/**
 * The first admin: `POST /v1/ops/bootstrap` with the bootstrap token, once. This file starts with
 * an empty staff directory (storage is per test file) and never uses the ops helpers' bootstrap.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { StaffDO } from '../../durable/operator/staff-do';
import { call, expectError, uniqueEmail } from './helpers';
import { BOOTSTRAP, OP_PASSWORD } from './ops-helpers';

const staff = () => (env.STAFF as DurableObjectNamespace<StaffDO>).getByName('staff');
const TOKEN = BOOTSTRAP.slice('Bootstrap '.length);
const bootstrap = (email: string, authorization: string) =>
  call('POST', '/v1/ops/bootstrap', { email, display_name: 'First Admin', password: OP_PASSWORD }, { headers: { Authorization: authorization } });

describe('bootstrap of the first admin', () => {
  it('refuses a wrong, truncated, extended or missing token, and creates nothing', async () => {
    const wrong = [
      `Bootstrap ${TOKEN.slice(0, -1)}x`, // same length, last character differs
      `Bootstrap ${TOKEN.slice(0, -1)}`, // a prefix
      `Bootstrap ${TOKEN}0`, // the token and more
      `Bootstrap ${TOKEN.toUpperCase()}`,
      `Bearer ${TOKEN}`,
      '',
    ];
    for (const authorization of wrong) expectError(await bootstrap(uniqueEmail('admin'), authorization), 401, 'unauthenticated');
    expect(await staff().count()).toBe(0);
  });

  it('concurrent bootstraps create exactly one admin: one 201, every other 409', async () => {
    const emails = Array.from({ length: 5 }, () => uniqueEmail('admin'));
    const answers = await Promise.all(emails.map((email) => bootstrap(email, BOOTSTRAP)));
    const created = answers.filter((a) => a.status === 201);
    expect(created).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 201)) expectError(a, 409, 'invalid_state');
    const list = await staff().list();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ operator_id: created[0]!.body.operator.operator_id, roles: ['admin'], status: 'active' });
    expect(list[0]!.email).toBe(created[0]!.body.operator.email);
    // and later ones are refused too
    expectError(await bootstrap(uniqueEmail('admin'), BOOTSTRAP), 409, 'invalid_state');
    expect(await staff().count()).toBe(1);
  });
});
