/**
 * Brand-ops migration 3 on an object that lived under migrations 1-2: the withdrawal queue's rows and
 * its index survive the rebuild that admits the `cancelled` state; other states are still refused.
 */
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { migrate } from '../lib/sql';
import type { BrandOpsDO } from './brand-ops-do';
import { BRAND_OPS_MIGRATIONS } from './schema';
import { opsStub } from './test-fixtures';

describe('brand-ops schema, migration 3', () => {
  it('admits cancelled withdrawals, keeping rows and the queue index', async () => {
    const ops = opsStub();
    await ops.counts(); // instantiate
    await runInDurableObject(ops, (o: BrandOpsDO, state) => {
      const db = (o as unknown as { c: import('./context').OpsContext }).c.db;
      const tables = db.all<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%'`;
      for (const t of tables) db.script(`drop table "${t.name}"`);
      migrate(db, BRAND_OPS_MIGRATIONS.slice(0, 2), state.storage);
      db.run`insert into withdrawals (withdrawal_id, player_id, jurisdiction, currency, amount_minor, state, rank, requested_at, queued_at, updated_at)
        values ('w1', 'p1', 'MT', 'EUR', 100, 'pending', 1, 5, 5, 6)`;
      expect(() => db.run`update withdrawals set state = 'cancelled', rank = 3`).toThrow(/CHECK/);
      migrate(db, BRAND_OPS_MIGRATIONS, state.storage);
      expect(db.first`select withdrawal_id, state, rank, requested_at, queued_at from withdrawals`).toEqual({ withdrawal_id: 'w1', state: 'pending', rank: 1, requested_at: 5, queued_at: 5 });
      db.run`update withdrawals set state = 'cancelled', rank = 3`;
      expect(() => db.run`update withdrawals set state = 'void'`).toThrow(/CHECK/);
      expect(() => db.run`update withdrawals set rank = 4`).toThrow(/CHECK/);
      expect(db.all`select name from sqlite_master where type = 'index' and tbl_name = 'withdrawals' and sql is not null`).toEqual([{ name: 'withdrawals_queue' }]);
    });
  });
});

describe('brand-ops schema, migration 4', () => {
  it('keeps the alerts of version 3 (decision null), admits aml.* rules and the decisions of the set, on resolved alerts only', async () => {
    const ops = opsStub();
    await ops.counts(); // instantiate
    await runInDurableObject(ops, (o: BrandOpsDO, state) => {
      const db = (o as unknown as { c: import('./context').OpsContext }).c.db;
      const tables = db.all<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%'`;
      for (const t of tables) db.script(`drop table "${t.name}"`);
      migrate(db, BRAND_OPS_MIGRATIONS.slice(0, 3), state.storage);
      db.run`insert into alerts (alert_id, dedupe_key, rule, severity, player_id, jurisdiction, currency, summary, evidence, state, occurred_at, raised_at, resolved_at, resolved_by, note)
        values ('a1', 'k1', 'large_win', 'high', 'p1', 'MT', 'EUR', 'win', '["e1"]', 'resolved', 5, 6, 7, 'operator:x', 'ok')`;
      expect(() => db.run`insert into alerts (alert_id, dedupe_key, rule, severity, player_id, jurisdiction, summary, evidence, state, occurred_at, raised_at)
        values ('a2', 'k2', 'aml.structuring', 'high', 'p1', 'MT', 's', '[]', 'open', 5, 6)`).toThrow(/CHECK/);
      migrate(db, BRAND_OPS_MIGRATIONS, state.storage);
      expect(db.first`select alert_id, rule, state, resolved_by, note, decision from alerts`).toEqual({ alert_id: 'a1', rule: 'large_win', state: 'resolved', resolved_by: 'operator:x', note: 'ok', decision: null });
      db.run`insert into alerts (alert_id, dedupe_key, rule, severity, player_id, jurisdiction, summary, evidence, state, occurred_at, raised_at)
        values ('a2', 'k2', 'aml.structuring', 'high', 'p1', 'MT', 's', '[]', 'open', 5, 6)`;
      expect(() => db.run`update alerts set decision = 'no_action' where alert_id = 'a2'`).toThrow(/CHECK/); // open: no decision yet
      expect(() => db.run`update alerts set decision = 'ignored' where alert_id = 'a1'`).toThrow(/CHECK/);
      expect(() => db.run`update alerts set rule = 'aml.smurfing' where alert_id = 'a2'`).toThrow(/CHECK/);
      db.run`update alerts set state = 'resolved', resolved_at = 8, decision = 'reported' where alert_id = 'a2'`;
      expect(db.all`select name from sqlite_master where type = 'index' and tbl_name = 'alerts' and sql is not null`).toEqual([{ name: 'alerts_by_state' }]);
      // the autoincrement order survives the rebuild: the next alert comes after both
      db.run`insert into alerts (alert_id, dedupe_key, rule, severity, player_id, jurisdiction, summary, evidence, state, occurred_at, raised_at)
        values ('a3', 'k3', 'failed_logins', 'low', 'p1', 'MT', 's', '["e"]', 'open', 5, 6)`;
      expect(db.all`select alert_id from alerts order by seq`).toEqual([{ alert_id: 'a1' }, { alert_id: 'a2' }, { alert_id: 'a3' }]);
    });
  });
});
