/**
 * BrandOpsDO storage, one SQLite database per brand. Everything here is derived from relayed
 * snapshots and events, so it can be rebuilt by replaying them; enumerations are CHECK constraints
 * so a bug in the derivation is stopped by the database, not shown to an operator.
 *
 * Queue rows keep a `rank` (how far along their life they are) so an event that arrives late never
 * moves an item backwards; terminal rows stay as tombstones until retention removes them.
 */
import { OUTBOX_DDL } from '../lib/outbox';
import { AML_ALERT_RULES, ALERT_DECISIONS } from '../../domain/aml';
import { SCHEDULES_DDL } from '../lib/schedules';
import { rebuildTable, type Migration } from '../lib/sql';

export const BRAND_OPS_MIGRATIONS: readonly Migration[] = [
  /* 1: initial schema */ `
  create table meta (key text primary key, value text not null);

  -- event_ids already applied (at-least-once relay); seen_at is our clock, for retention
  create table seen (event_id text primary key, seen_at integer not null);
  create index seen_by_time on seen (seen_at);

  create table players (
    player_id text primary key,
    email text not null,
    email_lc text not null,
    country text not null,
    jurisdiction text not null,
    currency text not null,
    status text not null check (status in ('active', 'locked', 'self_excluded', 'closed')),
    kyc_status text not null check (kyc_status in ('none', 'pending', 'verified', 'rejected')),
    vip integer not null check (vip in (0, 1)),
    created_at integer not null,
    updated_at integer not null,
    -- the latest player.kyc.changed seen (event time, target status), for the KYC queue's since-time
    kyc_event_at integer,
    kyc_event_to text,
    -- updated_at of the first snapshot seen pending in the current pending spell (fallback)
    kyc_seen_pending_at integer,
    kyc_since integer
  );
  create index players_by_created on players (created_at, player_id);
  create index players_kyc on players (kyc_status, kyc_since, player_id);

  create table withdrawals (
    withdrawal_id text primary key,
    player_id text not null,
    jurisdiction text not null,
    currency text not null,
    amount_minor integer not null,
    state text not null check (state in ('pending', 'approved', 'rejected', 'paid')),
    rank integer not null check (rank between 1 and 3),
    requested_at integer,
    approved_at integer,
    approved_by text,
    queued_at integer not null,
    updated_at integer not null
  );
  create index withdrawals_queue on withdrawals (state, queued_at, withdrawal_id);

  create table adjustments (
    adjustment_id text primary key,
    player_id text not null,
    jurisdiction text not null,
    currency text not null,
    bucket text check (bucket in ('real', 'bonus')),
    amount_minor integer not null,
    reason text,
    requested_by text,
    requested_at integer,
    state text not null check (state in ('pending', 'applied', 'rejected')),
    rank integer not null check (rank between 1 and 2),
    updated_at integer not null
  );
  create index adjustments_queue on adjustments (state, requested_at, adjustment_id);

  -- rule state: recent deposits/withdrawal requests and failed logins, on event time
  create table money_moves (
    event_id text primary key,
    player_id text not null,
    currency text not null,
    kind text not null check (kind in ('deposit', 'withdrawal')),
    ref text not null,
    amount_minor integer not null,
    occurred_at integer not null
  );
  create index money_moves_by_player on money_moves (player_id, currency, kind, occurred_at);
  create index money_moves_by_time on money_moves (occurred_at);

  create table login_failures (
    event_id text primary key,
    player_id text not null,
    occurred_at integer not null
  );
  create index login_failures_by_player on login_failures (player_id, occurred_at);
  create index login_failures_by_time on login_failures (occurred_at);

  create table alerts (
    -- raising order (alert ids are UUIDv7, but two raised in the same millisecond sort at random)
    seq integer primary key autoincrement,
    alert_id text not null unique,
    -- one alert per rule instance (win, withdrawal, player x window): replays raise nothing new
    dedupe_key text not null unique,
    rule text not null check (rule in ('large_win', 'rapid_deposit_withdraw', 'failed_logins')),
    severity text not null check (severity in ('low', 'medium', 'high')),
    player_id text not null,
    jurisdiction text not null,
    currency text,
    summary text not null,
    evidence text not null,
    state text not null check (state in ('open', 'resolved')),
    occurred_at integer not null,
    raised_at integer not null,
    resolved_at integer,
    resolved_by text,
    note text,
    check ((state = 'open') = (resolved_at is null))
  );
  create index alerts_by_state on alerts (state, seq);
  ${OUTBOX_DDL}
  ${SCHEDULES_DDL}
  `,
  /* 2: observed RTP of provider games, hour buckets (game-stats.ts) */ `
  create table game_stats (
    game_id text not null,
    currency text not null,
    hour_start_ms integer not null,
    provider_id text not null,
    wagered_minor integer not null,
    returned_minor integer not null,
    bets integer not null,
    primary key (game_id, currency, hour_start_ms)
  );
  create index game_stats_by_hour on game_stats (hour_start_ms);
  `,
  /* 3: withdrawals cancelled by their player (wallet.withdrawal.cancelled): a terminal state, out of the queue */
  (db) => rebuildTable(db, 'withdrawals', (ddl) => ddl.replace(
    "check (state in ('pending', 'approved', 'rejected', 'paid'))",
    "check (state in ('pending', 'approved', 'rejected', 'paid', 'cancelled'))")),
  /*
   * 4: AML alerts published by the warehouse (rule aml.<rule>, domain/aml.ts) and the operator's
   * decision on resolving. The column is added, then the table rebuilt with the widened rule CHECK
   * and the decision's own (one migration: migrate() runs it in one transaction, so a failure leaves
   * version 3 intact). A decision only on a resolved alert.
   */
  (db) => {
    db.script('alter table alerts add column decision text');
    rebuildTable(db, 'alerts', (ddl) => ddl
      .replace(
        "check (rule in ('large_win', 'rapid_deposit_withdraw', 'failed_logins'))",
        `check (rule in ('large_win', 'rapid_deposit_withdraw', 'failed_logins', ${AML_ALERT_RULES.map((r) => `'${r}'`).join(', ')}))`)
      .replace(
        "check ((state = 'open') = (resolved_at is null))",
        `check ((state = 'open') = (resolved_at is null)),
    check (decision is null or (state = 'resolved' and decision in (${ALERT_DECISIONS.map((d) => `'${d}'`).join(', ')})))`));
  },
  /*
   * 5: the brand's rewards rule set versions (rule-sets.ts, docs/rewards.md "Publishing"). Unlike the
   * rest of this object, not derived from events: this is where the versions live. A version's body
   * and hash never change (trigger); only its state moves, and at most one version is published.
   */ `
  create table rule_set_versions (
    version integer primary key,
    rule_set_id text not null,
    state text not null check (state in ('draft', 'published', 'superseded', 'retired')),
    body text not null,
    hash text not null,
    cash_like integer not null check (cash_like in (0, 1)),
    based_on integer,
    created_by text not null,
    created_at integer not null,
    reason text,
    published_by text,
    published_at integer,
    retired_by text,
    retired_at integer,
    check (state <> 'draft' or published_at is null),
    check (state not in ('published', 'superseded') or published_at is not null)
  );
  create unique index rule_set_versions_one_published on rule_set_versions (state) where state = 'published';
  create trigger rule_set_versions_immutable before update of version, rule_set_id, body, hash, cash_like, created_by, created_at on rule_set_versions
    begin select raise(abort, 'a rule set version is immutable'); end;
  create trigger rule_set_versions_no_delete before delete on rule_set_versions
    begin select raise(abort, 'rule set versions are kept'); end;
  `,
];
