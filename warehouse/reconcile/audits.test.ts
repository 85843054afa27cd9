/**
 * The reconciliation's custom audits (models/audits/), run as the project declares them, on small
 * tables whose bad rows are known: GGR = stakes - wins per row, a running balance against the
 * reported one, the last reported balance against the sum of movements, and settled table bets in
 * settled rounds. The GGR audit is not used by a model of this branch yet: it is called here as
 * the GGR marts will call it.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudits } from '../runner/checks/audit';
import { audit, memoryDb, model, type Db } from '../runner/test-fixtures';
import { loadProject } from '../runner/files/project';
import type { AuditRef, Project } from '../runner/types';

const ROOT = fileURLToPath(new URL('../../models', import.meta.url));
let project: Project;
let db: Db;

beforeAll(async () => {
  project = await loadProject(ROOT);
  db = await memoryDb(
    'create schema t',
    `create table t.ggr as select * from (values
       ('2026-11-01', 'EUR', 1000, 400, 600),
       ('2026-11-01', 'GBP', 500, NULL, 500),
       ('2026-11-02', 'EUR', 1000, 1500, -500),
       ('2026-11-02', 'GBP', 800, 100, 800)
     ) v(day, currency, stakes_minor, wins_minor, ggr_minor)`,
    `create table t.movements as select * from (values
       ('e1', 1000::BIGINT, 1000::BIGINT, true),
       ('e2', NULL, 700, true),
       ('e3', 900, 900, true),
       ('e4', 650, 700, true),
       ('e5', 10, 700, false)
     ) v(event_id, balance_after_minor, running_balance_minor, order_is_certain)`,
    `create table t.balances as select * from (values
       ('p1', 'EUR', 700::BIGINT, 700::BIGINT, NULL::BIGINT, NULL::BIGINT),
       ('p2', 'EUR', 400, 250, 5, 5),
       ('p3', 'EUR', NULL, NULL, 10, 0)
     ) v(player_id, currency, real_last_reported_minor, real_sum_at_last_report_minor, bonus_last_reported_minor, bonus_sum_at_last_report_minor)`,
    `create table t.settled as select * from (values
       ('b1', 'r1', 'tA', 'win', TIMESTAMP '2026-11-02 09:00:00', TIMESTAMP '2026-11-02 09:00:00', NULL::TIMESTAMP),
       ('b2', 'r2', 'tA', 'lose', TIMESTAMP '2026-11-02 09:01:00', NULL, NULL),
       ('b3', 'r3', 'tA', 'void', TIMESTAMP '2026-11-02 09:02:00', NULL, TIMESTAMP '2026-11-02 09:02:00'),
       ('b4', 'r4', 'tA', 'void', TIMESTAMP '2026-11-02 09:03:00', NULL, NULL),
       ('b5', 'r5', 'tA', 'expired', TIMESTAMP '2026-11-02 09:04:00', NULL, NULL),
       ('b6', 'r6', 'tA', 'push', TIMESTAMP '2026-11-02 09:05:00', NULL, TIMESTAMP '2026-11-02 09:05:00'),
       -- the newest settlement: its round is still settling (within the 25 h grace), not judged yet
       ('b7', 'r7', 'tA', 'lose', TIMESTAMP '2026-11-04 12:00:00', NULL, NULL),
       ('b8', 'r8', 'tA', 'win', TIMESTAMP '2026-11-03 12:00:00', NULL, NULL)
     ) v(bet_id, round_id, table_id, result, bet_settled_at, round_settled_at, round_voided_at)`,
  );
});
afterAll(() => db.close());

/** Runs audits on a table; refs from the project's own model headers when `from` names a model. */
async function check(relation: string, refs: AuditRef[]) {
  return runAudits(db.con, { relation, model: model('t.x', { audits: refs }), customAudits: project.audits });
}
const refsOf = (name: string, audit: string) => project.models.get(name)!.audits.filter((a) => a.name === audit);

describe('reconciliation audits', () => {
  it('ggr_is_stakes_minus_wins: the rows whose GGR is not stakes - wins (a NULL part counts as 0)', async () => {
    const [r] = await check('t.ggr', [audit('ggr_is_stakes_minus_wins', { ggr: 'ggr_minor', stakes: 'stakes_minor', wins: 'wins_minor' })]);
    expect(r).toMatchObject({ audit: 'ggr_is_stakes_minus_wins', ok: false, badRows: 1 });
    expect(JSON.stringify(r!.sample)).toContain('-100'); // GBP on 2026-11-02: 800 - 100 - 800
  });

  it('running_balance_matches_reported, as int_wallet_movements declares it: reported rows whose order is certain', async () => {
    const refs = refsOf('intermediate.int_wallet_movements', 'running_balance_matches_reported');
    expect(refs).toHaveLength(1);
    const [r] = await check('t.movements', refs);
    expect(r).toMatchObject({ ok: false, badRows: 1 }); // e4; e2 reports nothing, e5's order is unknown
    // without `checked` every reported row counts (the default)
    const [all] = await check('t.movements', [audit('running_balance_matches_reported', { balance: 'balance_after_minor', running: 'running_balance_minor' })]);
    expect(all!.badRows).toBe(2);
  });

  it('last_balance_is_sum_of_movements, as player_balances declares it (real and bonus)', async () => {
    const refs = refsOf('marts.player_balances', 'last_balance_is_sum_of_movements');
    expect(refs).toHaveLength(2);
    const [real, bonus] = await check('t.balances', refs);
    expect(real).toMatchObject({ ok: false, badRows: 1 }); // p2: reported 400, movements 250
    expect(bonus).toMatchObject({ ok: false, badRows: 1 }); // p3: reported 10, movements 0
  });

  it('settled_bets_in_settled_rounds: a played bet needs a settled round, a void one a settled or voided round', async () => {
    const [r] = await check('t.settled', refsOf('intermediate.int_settled_table_bets', 'settled_bets_in_settled_rounds'));
    // b2 (lose, round open), b4 (void, round neither), b6 (push, round only voided); b7 and b8 are
    // within 25 h of the newest settlement (b7): their rounds may still be settling
    expect(r).toMatchObject({ ok: false, badRows: 3 });
    const [strict] = await check('t.settled', [{ ...refsOf('intermediate.int_settled_table_bets', 'settled_bets_in_settled_rounds')[0]!, args: { grace_hours: 0 } }]);
    expect(strict).toMatchObject({ ok: false, badRows: 5 }); // without grace b7 and b8 are judged too
  });
});
