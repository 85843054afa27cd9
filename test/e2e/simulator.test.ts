/**
 * The simulator's API mode against the real worker under `wrangler dev`: a small simulation (5
 * players, 1 day, 1 automated table) through nothing but the public API, with a bootstrapped admin
 * approving withdrawals. The summary must show registrations, deposits, table bets and slot rounds,
 * and no error other than the refusals the API answers by design. Then the automated blackjack
 * tables alone (Seated and Infinite): players take a seat or a place with side bets, decide their
 * hands and insurance with the policy, and follow every round they bet in to its settlement.
 */
import { describe, expect, it } from 'vitest';
import { simulateApi, totp } from '../../simulator/api';
import { devEdge } from './dev-edge';

describe('simulator, API mode', () => {
  const edge = devEdge('sim');
  const { secrets } = edge;

  it('registers, deposits, bets at a table and plays slots with no unexpected errors', async () => {
    const { worker } = edge;
    // the first admin, to work the withdrawal queue
    const boot = await fetch(`${worker.baseUrl}/v1/ops/bootstrap`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bootstrap ${secrets.OPS_BOOTSTRAP_TOKEN}` },
      body: JSON.stringify({ email: 'sim.admin@casino.example', display_name: 'Sim Admin', password: 'simulator admin password 1' }),
    });
    expect(boot.status).toBe(201);
    const { challenge } = await boot.json() as { challenge: { challenge_token: string; enrolment: { secret: string } } };
    const mfa = await fetch(`${worker.baseUrl}/v1/ops/sessions/mfa`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ challenge_token: challenge.challenge_token, code: totp(challenge.enrolment.secret) }),
    });
    expect(mfa.status).toBe(201);
    const { token } = await mfa.json() as { token: string };

    const s = await simulateApi({
      baseUrl: worker.baseUrl, players: 5, days: 1, tables: 1, seed: 'e2e', concurrency: 5, maxSessions: 2, spins: 6, rounds: 1,
      providerSecret: secrets.PROVIDER_SECRET_SANDBOX_SLOTS, webhookSecret: secrets.PAYMENT_WEBHOOK_SECRET_SANDBOX, ops: { token },
    });
    console.log(`simulator summary: ${JSON.stringify(s)}`);
    expect(s.errors, `unexpected errors; worker log:\n${worker.logs().slice(-3000)}`).toEqual({});
    expect(s.registrations).toBe(5);
    expect(s.deposits).toBeGreaterThan(0);
    expect(s.table_bets).toBeGreaterThan(0);
    expect(s.slot_rounds).toBeGreaterThan(0);
    expect(s.players_done).toBe(5);
    // whatever was refused was refused by design (limits, exclusions, funds, closed betting...)
    for (const key of Object.keys(s.refusals)) expect(key).toMatch(/^(401|403|404|409|422|429|451) /);
  });

  it('plays the automated blackjack tables: seats and places, side bets, decisions, every round followed to its settlement', async () => {
    const { worker } = edge;
    const s = await simulateApi({
      baseUrl: worker.baseUrl, players: 8, days: 1, tables: 2, tableGames: ['blackjack'], seed: 'e2e-bj', concurrency: 8, maxSessions: 1, spins: 2, rounds: 2,
      providerSecret: secrets.PROVIDER_SECRET_SANDBOX_SLOTS, webhookSecret: secrets.PAYMENT_WEBHOOK_SECRET_SANDBOX, ops: null,
    });
    console.log(`simulator summary (blackjack): ${JSON.stringify(s)}`);
    expect(s.errors, `unexpected errors; worker log:\n${worker.logs().slice(-3000)}`).toEqual({});
    expect(s.blackjack.bets).toBeGreaterThan(0);
    expect(s.table_bets).toBe(s.blackjack.bets);
    // each round a player bet in was followed until it settled (none voided, none lost track of)
    expect(s.blackjack.rounds_settled).toBe(s.blackjack.bets);
    expect(s.blackjack.decisions + s.blackjack.insurance_answers).toBeGreaterThan(0);
    for (const key of Object.keys(s.refusals)) expect(key).toMatch(/^(401|403|404|409|422|429|451) /);
  }, 600_000);
});
