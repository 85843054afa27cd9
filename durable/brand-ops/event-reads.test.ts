/**
 * The two lists of what the back office reads (the relay's left-out types and the ingest's
 * handlers) are one (event-reads.ts). This fails if they drift apart: if the relay leaves out a type
 * the ingest applies, if the ingest applies a type the list does not name, or if a type the relay
 * leaves out would have changed anything in the real BrandOpsDO had it been sent.
 */
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { largeWinThresholdMinor } from '../../domain/backoffice';
import { EVENT_TYPES, type CasinoEvent } from '../../domain/events';
import type { BrandOpsDO } from './brand-ops-do';
import { BACK_OFFICE_READS, backOfficeRead } from './event-reads';
import { INGESTED_TYPES } from './ingest';
import { batch, ev, event, MIN, opsStub, snapshot, T0 } from './test-fixtures';
import { forBackOffice, NOT_FOR_BACK_OFFICE, type PlayerSnapshot } from './types';

type Listed = keyof typeof BACK_OFFICE_READS;

/** One valid event of every listed type (a type added to the list needs one here: it does not compile otherwise). */
const FIXTURES: { [T in Listed]: (p: PlayerSnapshot, at: number) => CasinoEvent } = {
  'player.kyc.changed': (p, at) => ev.kycChanged(p, 'none', 'pending', at),
  'player.login.failed': (p, at) => ev.loginFailed(p, at),
  'wallet.deposit.completed': (p, at) => ev.depositCompleted(p, `d-${at}`, 5_000, at),
  'wallet.withdrawal.requested': (p, at) => ev.withdrawalRequested(p, `w-${at}`, 4_000, at),
  'wallet.withdrawal.approved': (p, at) => ev.withdrawalApproved(p, `w-${at}`, 4_000, at),
  'wallet.withdrawal.rejected': (p, at) => ev.withdrawalRejected(p, `w-${at}`, 4_000, at),
  'wallet.withdrawal.paid': (p, at) => ev.withdrawalPaid(p, `w-${at}`, 4_000, at),
  'wallet.withdrawal.cancelled': (p, at) => ev.withdrawalCancelled(p, `w-${at}`, 4_000, at),
  // above the large-win threshold: a win below it is read and found unremarkable (nothing to see)
  'wallet.win.credited': (p, at) => ev.winCredited(p, `win-${at}`, largeWinThresholdMinor('EUR') * 2, at),
  'backoffice.adjustment.requested': (p, at) => ev.adjustmentRequested(p, `a-${at}`, 90_000, true, at),
  'backoffice.adjustment.applied': (p, at) => ev.adjustmentApplied(p, `a-${at}`, 90_000, at),
  'backoffice.adjustment.rejected': (p, at) => ev.adjustmentRejected(p, `a-${at}`, 90_000, at),
  'provider.bet.debited': (p, at) => event(p, 'provider.bet.debited', {
    provider_id: 'sandbox-slots', game_id: 'g1', tx_id: `t-${at}`, round_id: `r-${at}`, amount_minor: 100, hold_id: `prov:sandbox-slots:t-${at}`,
    real_minor: 100, bonus_minor: 0, balance_after_minor: 0,
  }, { at }),
  'provider.win.credited': (p, at) => event(p, 'provider.win.credited', {
    provider_id: 'sandbox-slots', game_id: 'g1', tx_id: `tw-${at}`, round_id: `r-${at}`, amount_minor: 300, bet_tx_id: `t-${at}`, balance_after_minor: 0,
  }, { at }),
  'provider.bet.rolled_back': (p, at) => event(p, 'provider.bet.rolled_back', {
    provider_id: 'sandbox-slots', game_id: 'g1', tx_id: `t-${at}`, round_id: `r-${at}`, amount_minor: 100, rollback_tx_id: `rb-${at}`, balance_after_minor: 0,
  }, { at }),
  'wallet.hold.reserved': (p, at) => event(p, 'wallet.hold.reserved', {
    hold_id: `h-${at}`, kind: 'bet', amount_minor: 100, real_minor: 100, bonus_minor: 0, expires_at: at + 86_400_000, ref: 'round-1',
  }, { at }),
  'wallet.hold.posted': (p, at) => event(p, 'wallet.hold.posted', { hold_id: `h-${at}`, kind: 'bet', amount_minor: 100, released_minor: 0, balance_after_minor: 900 }, { at }),
  'wallet.hold.voided': (p, at) => event(p, 'wallet.hold.voided', { hold_id: `h-${at}`, kind: 'bet', amount_minor: 100 }, { at }),
  'wallet.hold.expired': (p, at) => event(p, 'wallet.hold.expired', { hold_id: `h-${at}`, kind: 'bet', amount_minor: 100 }, { at }),
  'wallet.deposit.requested': (p, at) => event(p, 'wallet.deposit.requested', { deposit_id: `d-${at}`, provider: 'sandbox', amount_minor: 5_000 }, { at }),
  'rewards.granted': (p, at) => event(p, 'rewards.granted', {
    grant_id: `bet-settled:h-${at}:r:0`, rule_id: 'r', rule_version: 1, variant: null, via: null, source_event_id: `bet-settled:h-${at}`, kind: 'points',
    amount: 5, badge_id: null, mission_id: null, step_index: null, progress: null, target: null, wheel_id: null, value_minor: null, expires_at: null, template: null,
    cost_minor: 0, cash_like: false, paid: false,
  }, { at }),
  'rewards.suppressed': (p, at) => event(p, 'rewards.suppressed', { rule_id: 'r', rule_version: 1, variant: null, source_event_id: `e-${at}`, reason: 'player_at_risk', action: null, detail: 'limit_hit' }, { at }),
  'rewards.assigned': (p, at) => event(p, 'rewards.assigned', { rule_id: 'r', rule_version: 1, variant: 'plain', source_event_id: `e-${at}` }, { at }),
  'rewards.level_up': (p, at) => event(p, 'rewards.level_up', { from_level: 1, to_level: 2, name: 'Silver', tier: 'silver', source_event_id: `e-${at}` }, { at }),
  'rewards.mission_expired': (p, at) => event(p, 'rewards.mission_expired', { mission_id: 'm', step_index: 0, progress: 1, source_event_id: `e-${at}` }, { at }),
  'rewards.break_suggested': (p, at) => event(p, 'rewards.break_suggested', { template: 'Take a break', reasons: 'limit_hit', source_event_id: `e-${at}` }, { at }),
};

const listed = Object.keys(BACK_OFFICE_READS);

describe('what the relay sends and what the ingest applies: one list', () => {
  it('the relay leaves out exactly the types the list reads nothing of, as before (a bet\'s hold steps, a deposit\'s request)', () => {
    expect([...NOT_FOR_BACK_OFFICE].sort()).toEqual(listed.filter((t) => BACK_OFFICE_READS[t as Listed] === 'nothing').sort());
    expect([...NOT_FOR_BACK_OFFICE].sort()).toEqual([
      'rewards.assigned', 'rewards.break_suggested', 'rewards.granted', 'rewards.level_up', 'rewards.mission_expired', 'rewards.suppressed',
      'wallet.deposit.requested', 'wallet.hold.expired', 'wallet.hold.posted', 'wallet.hold.reserved', 'wallet.hold.voided']);
  });

  it('the ingest has a handler for every type the list says it reads, and for no other', () => {
    expect([...INGESTED_TYPES].sort()).toEqual(listed.filter((t) => BACK_OFFICE_READS[t as Listed] !== 'nothing').sort());
    expect(INGESTED_TYPES.filter((t) => NOT_FOR_BACK_OFFICE.some((n) => n === t))).toEqual([]);
  });

  it('every event type is relayed unless the list leaves it out; every type the ingest applies is relayed', () => {
    for (const t of EVENT_TYPES) {
      expect(forBackOffice(t), t).toBe(backOfficeRead(t) !== 'nothing');
      expect(forBackOffice(t), t).toBe(!NOT_FOR_BACK_OFFICE.includes(t));
    }
    for (const t of INGESTED_TYPES) expect(forBackOffice(t), t).toBe(true);
    // the list names event types only
    expect(EVENT_TYPES).toEqual(expect.arrayContaining(listed));
  });
});

/** Every table of the BrandOpsDO but `seen` (which only deduplicates), read inside it. */
async function state(ops: DurableObjectStub<BrandOpsDO>): Promise<Record<string, unknown[]>> {
  return runInDurableObject(ops, (o: BrandOpsDO) => {
    const sql = (o as unknown as { ctx: DurableObjectState }).ctx.storage.sql;
    const tables = sql.exec<{ name: string }>(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%' and name <> 'seen' order by name`).toArray();
    return Object.fromEntries(tables.map(({ name }) => [name, sql.exec(`select * from "${name}"`).toArray()]));
  });
}

describe('applied by the real BrandOpsDO, one event at a time', () => {
  it('an event of a type the relay leaves out changes nothing but the deduplication (it would have been read for nothing)', async () => {
    for (const type of NOT_FOR_BACK_OFFICE) {
      const ops = opsStub();
      const p = snapshot();
      await ops.ingest(batch(p));
      const before = await state(ops);
      const e = FIXTURES[type as Listed](p, T0 + MIN);
      expect(await ops.ingest(batch(p, e))).toEqual({ ok: true, accepted: 1, duplicates: 0 });
      expect(await ops.seen(e.event_id), type).toBe(true);
      expect(await state(ops), type).toEqual(before);
    }
  });

  it('an event of a type the ingest applies changes what the list says it feeds', async () => {
    for (const type of INGESTED_TYPES) {
      const ops = opsStub();
      const p = snapshot({ kyc_status: 'pending' });
      await ops.ingest(batch(p));
      const before = await state(ops);
      expect(await ops.ingest(batch(p, FIXTURES[type as Listed](p, T0 + MIN)))).toMatchObject({ ok: true, accepted: 1 });
      expect(await state(ops), type).not.toEqual(before);
    }
  });
});
