/**
 * PlayerDO storage, one SQLite database per player. Enumerations are CHECK constraints and money
 * columns are integers that can never go negative: a bug that tries is stopped by the database.
 */
import { DEFAULT_BRAND } from '../../domain/brands';
import { OUTBOX_DDL } from '../lib/outbox';
import { rebuildTable, type Migration } from '../lib/sql';
import { SCHEDULES_DDL } from '../lib/schedules';

/**
 * Refuses any change to a written ledger row (migration 10): without AUTOINCREMENT a rowid could be
 * reused only after the newest rows were deleted. Tests that empty a player's tables between
 * sequences drop these triggers for it and recreate them (test/edge/helpers.ts emptyTables).
 */
export const LEDGER_APPEND_ONLY_TRIGGERS = ['ledger_no_delete', 'ledger_no_update', 'ledger_no_replace'] as const;
/** ledger_no_replace: INSERT OR REPLACE deletes the row it conflicts with without firing DELETE triggers; an explicit id at or below the newest is refused before that (ordinary inserts, with no id given, pass). */
export const LEDGER_APPEND_ONLY_DDL = `
  create trigger ledger_no_delete before delete on ledger begin select raise(abort, 'the ledger is append-only'); end;
  create trigger ledger_no_update before update on ledger begin select raise(abort, 'the ledger is append-only'); end;
  create trigger ledger_no_replace before insert on ledger when new.entry_id > 0 and new.entry_id <= (select max(entry_id) from ledger)
    begin select raise(abort, 'the ledger is append-only'); end;`;

export const PLAYER_MIGRATIONS: readonly Migration[] = [
  /* 1: initial schema */ `
  create table profile (
    id integer primary key check (id = 1),
    player_id text not null,
    email text not null,
    password_hash text not null,
    date_of_birth text not null,
    country text not null,
    jurisdiction text not null,
    currency text not null,
    status text not null check (status in ('active', 'locked', 'self_excluded', 'closed')),
    kyc_status text not null check (kyc_status in ('none', 'pending', 'verified', 'rejected')),
    acquisition_source text,
    cool_off_until integer,
    self_excluded_until integer,
    self_exclusion_permanent integer not null default 0 check (self_exclusion_permanent in (0, 1)),
    created_at integer not null,
    updated_at integer not null
  );

  create table kyc_history (
    seq integer primary key autoincrement,
    at integer not null,
    from_status text not null,
    to_status text not null,
    reason text,
    actor text not null
  );

  create table sessions (
    session_id text primary key,
    created_at integer not null,
    last_seen_at integer not null,
    idle_timeout_ms integer not null,
    expires_at integer not null,
    time_limit_at integer,
    reality_check_ms integer,
    next_reality_check_at integer,
    country text not null,
    ip text,
    user_agent text,
    ended_at integer,
    end_reason text
  );
  create index sessions_open on sessions (ended_at);

  create table login_failures (at integer not null);

  create table balances (
    currency text not null,
    bucket text not null check (bucket in ('real', 'bonus')),
    balance_minor integer not null default 0 check (balance_minor >= 0),
    held_minor integer not null default 0 check (held_minor >= 0 and held_minor <= balance_minor),
    primary key (currency, bucket)
  );

  create table ledger (
    entry_id integer primary key autoincrement,
    at integer not null,
    currency text not null,
    bucket text not null check (bucket in ('real', 'bonus')),
    kind text not null check (kind in ('deposit', 'withdrawal', 'bet', 'win', 'adjustment')),
    amount_minor integer not null check (amount_minor != 0),
    balance_after_minor integer not null check (balance_after_minor >= 0),
    ref text not null
  );

  create table holds (
    hold_id text primary key,
    kind text not null check (kind in ('bet', 'withdrawal')),
    currency text not null,
    real_minor integer not null check (real_minor >= 0),
    bonus_minor integer not null check (bonus_minor >= 0),
    state text not null check (state in ('pending', 'posted', 'voided', 'expired')),
    expires_at integer,
    ref text,
    created_at integer not null,
    resolved_at integer
  );
  create index holds_pending on holds (state, expires_at);

  create table deposits (
    deposit_id text primary key,
    provider text not null,
    provider_ref text,
    currency text not null,
    amount_minor integer not null check (amount_minor > 0),
    state text not null check (state in ('pending', 'completed', 'failed')),
    failure_reason text,
    created_at integer not null,
    updated_at integer not null
  );

  create table withdrawals (
    withdrawal_id text primary key,
    currency text not null,
    amount_minor integer not null check (amount_minor > 0),
    hold_id text not null,
    state text not null check (state in ('requested', 'approved', 'rejected', 'paid')),
    decided_by text,
    reason text,
    created_at integer not null,
    updated_at integer not null
  );

  create table idempotency (
    key text primary key,
    fingerprint text not null,
    response text not null,
    created_at integer not null
  );
  create index idempotency_age on idempotency (created_at);

  create table limits (
    kind text not null check (kind in ('deposit', 'loss', 'wager', 'session_time', 'reality_check')),
    period text not null check (period in ('day', 'week', 'month', 'session')),
    currency text not null,
    value integer,
    pending_value integer,
    pending_set integer not null default 0 check (pending_set in (0, 1)),
    pending_effective_at integer,
    updated_at integer not null,
    primary key (kind, period, currency)
  );

  create table rg_usage (
    metric text not null check (metric in ('deposit', 'wager', 'loss')),
    currency text not null,
    hour integer not null,
    amount_minor integer not null,
    primary key (metric, currency, hour)
  );
  ${OUTBOX_DDL}
  ${SCHEDULES_DDL}
  `,

  /* 2: brands, VIP, back-office adjustments and disputes, wins by hold, relay cursor */ `
  alter table profile add column brand text not null default '${DEFAULT_BRAND}';
  alter table profile add column vip integer not null default 0 check (vip in (0, 1));

  -- Manual adjustments: applied at once up to the four-eyes threshold, else pending a second operator.
  create table adjustments (
    adjustment_id text primary key,
    currency text not null,
    bucket text not null check (bucket in ('real', 'bonus')),
    amount_minor integer not null check (amount_minor != 0),
    reason text not null,
    state text not null check (state in ('pending', 'applied', 'rejected')),
    requested_by text not null,
    decided_by text check (decided_by is null or decided_by != requested_by),
    decision_reason text,
    balance_after_minor integer,
    created_at integer not null,
    decided_at integer
  );
  create index adjustments_state on adjustments (state, created_at);

  -- Dispute resolutions: compensating entries against a settled bet, never edits.
  create table disputes (
    dispute_id text primary key,
    hold_id text not null,
    currency text not null,
    resolution text not null check (resolution in ('void', 'correct')),
    amount_minor integer not null,
    reason text not null,
    actor text not null,
    created_at integer not null
  );
  create index disputes_hold on disputes (hold_id);
  create unique index disputes_one_void on disputes (hold_id) where resolution = 'void';

  -- Wins with the bet they settle (ledger rows of wins carry the win id only). Backfilled from
  -- the outbox, which holds every win ever credited.
  create table wins (
    win_id text primary key,
    hold_id text,
    currency text not null,
    bucket text not null check (bucket in ('real', 'bonus')),
    amount_minor integer not null check (amount_minor > 0),
    created_at integer not null
  );
  create index wins_hold on wins (hold_id);
  insert into wins (win_id, hold_id, currency, bucket, amount_minor, created_at)
    select json_extract(body, '$.payload.win_id'), json_extract(body, '$.payload.hold_id'), json_extract(body, '$.currency'),
      json_extract(body, '$.payload.bucket'), json_extract(body, '$.payload.amount_minor'), occurred_at
    from outbox where event_type = 'wallet.win.credited';

  -- How far the brand's back office has acknowledged this object's outbox.
  create table relay_state (
    id integer primary key check (id = 1),
    after_seq integer not null check (after_seq >= 0),
    failures integer not null default 0 check (failures >= 0),
    last_error text,
    last_attempt_at integer
  );
  insert into relay_state (id, after_seq) values (1, 0);
  `,

  /* 3: provider seamless wallet (provider-wallet.ts) */ `
  -- One row per provider transaction, keyed by the provider's own id: applied once, whatever its
  -- kind. A bet's money is a hold (hold_id); a rollback names the bet (bet_tx_id) and, when that bet
  -- was never seen, stays as a tombstone (state 'unmatched') so the bet is refused if it arrives.
  -- result: the first answer, returned again to every replay.
  create table provider_txs (
    provider_id text not null,
    tx_id text not null,
    kind text not null check (kind in ('bet', 'win', 'rollback')),
    round_id text not null,
    game_id text not null,
    currency text not null,
    amount_minor integer not null check (amount_minor >= 0),
    bet_tx_id text,
    hold_id text unique,
    state text not null check (state in ('applied', 'rolled_back', 'unmatched')),
    fingerprint text not null,
    result text not null,
    created_at integer not null,
    primary key (provider_id, tx_id),
    check ((kind = 'bet') = (hold_id is not null)),
    check (kind = 'bet' or state != 'rolled_back'),
    check (kind = 'rollback' or state != 'unmatched'),
    check (kind = 'bet' or bet_tx_id is not null)
  );
  -- A bet is rolled back at most once (a second rollback of it is refused, not recorded).
  create unique index provider_txs_one_rollback on provider_txs (provider_id, bet_tx_id) where kind = 'rollback';
  create index provider_txs_round on provider_txs (provider_id, round_id);
  `,

  /* 4: money controls: what a bet can return (bounds its corrections); corrections of bets are adjustments (four eyes) */ `
  -- What the bet can return at most, stake included (a table knows it from its payout table);
  -- null where the game does not say (provider bets): corrections then use a configured multiple.
  alter table holds add column max_return_minor integer check (max_return_minor is null or max_return_minor >= 0);
  -- A dispute resolution that credits the player (a correction of a settled bet, an operator's
  -- void) is an adjustment of that bet: the same four-eyes queue, thresholds and rules.
  alter table adjustments add column hold_id text;
  alter table adjustments add column resolution text check (resolution is null or resolution in ('correct', 'void'));
  create index adjustments_hold on adjustments (hold_id, state) where hold_id is not null;
  create index adjustments_requester_day on adjustments (requested_by, currency, created_at);
  -- Bets a table gave up before their hold was reserved here (a reservation still in flight when
  -- the table restarted): a reservation that arrives afterwards is refused. Kept two days.
  create table abandoned_holds (
    hold_id text primary key,
    at integer not null
  );
  `,

  /* 5: the device of a session (domain/device.ts), for analytics; sessions opened before are 'unknown' */ `
  alter table sessions add column device text not null default 'unknown' check (device in ('mobile', 'desktop', 'tablet', 'app', 'unknown'));
  `,

  /* 6: segments and VIP tier published by the warehouse (segments.ts, domain/segments.ts) */ `
  -- The player's current membership, as of the newest snapshot applied. segments: a JSON array of
  -- names, sorted. published_at: when that snapshot arrived; changed_at: when membership last changed.
  create table segments (
    id integer primary key check (id = 1),
    snapshot_id text not null,
    segments text not null,
    vip_tier text,
    published_at integer not null,
    changed_at integer not null
  );
  `,

  /* 7: payment references, keyed hashes of the instrument of a deposit or withdrawal (domain/payment-reference.ts) */ `
  -- Never the provider's token itself: the worker hashes it before it reaches this object. NULL
  -- where the player or provider named no instrument, and for every row written before.
  alter table deposits add column payment_reference text check (payment_reference is null or length(payment_reference) = 16);
  alter table withdrawals add column payment_reference text check (payment_reference is null or length(payment_reference) = 16);
  `,

  /* 8: a player can cancel a requested withdrawal (wallet.ts cancelWithdrawal): state 'cancelled' */
  (db) => rebuildTable(db, 'withdrawals', (ddl) => ddl.replace(
    "check (state in ('requested', 'approved', 'rejected', 'paid'))",
    "check (state in ('requested', 'approved', 'rejected', 'paid', 'cancelled'))")),

  /* 9: a deposit is its own idempotency record (wallet.ts requestDeposit): one insert per request instead of two */ `
  -- The client's key of the request that created the deposit, and the instrument that request
  -- named (payment_reference may later take the provider's): the request's fingerprint and first
  -- answer are rebuilt from them. Deposits made before keep their keys in idempotency (purged after
  -- the retention), so both columns are null there.
  alter table deposits add column idempotency_key text;
  alter table deposits add column requested_reference text check (requested_reference is null or length(requested_reference) = 16);
  create unique index deposits_idempotency_key on deposits (idempotency_key);
  `,

  /* 10: the ledger's entry_id without AUTOINCREMENT (one B-tree fewer written per movement: sqlite_sequence), and append-only enforced */
  (db) => {
    // Without AUTOINCREMENT a new rowid is max(rowid) + 1: it could only reuse an id if the newest
    // rows were deleted, which the triggers below refuse, so ids stay unique and increasing (the
    // ledger's pagination and audit read them so). The outbox keeps AUTOINCREMENT: it is pruned.
    rebuildTable(db, 'ledger', (ddl) => ddl.replace('entry_id integer primary key autoincrement', 'entry_id integer primary key'));
    db.script(LEDGER_APPEND_ONLY_DDL);
  },

  /* 11: no index over every hold's state: the pending holds are in memory (wallet.ts), loaded once per object start */ `
  -- It was written at every reservation and twice at every posting, and grew with every hold ever
  -- made. The alarm's expiry scan and the back office's open holds read the pending set in memory.
  drop index holds_pending;
  `,

  /* 12: the pending holds indexed alone, so loading them costs what is pending, not every hold ever made */ `
  -- Migration 11 left the load (each object start, and each reload after a rolled-back call: a
  -- refused bet rolls back) to scan every hold ever made: 34-74 ms at 200k holds. A partial index
  -- holds only the pending ones: a reservation adds an entry and its posting removes it, and the
  -- index stays as small as the pending set.
  create index holds_open on holds (expires_at) where state = 'pending';
  `,

  /* 13: rewards (rewards.ts, docs/rewards.md "Wiring"): the engine's state and the append-only grants */ `
  -- One row: the engine's state (domain/rewards/state.ts, JSON) and the object's risk marks.
  create table rewards_state (
    id integer primary key check (id = 1),
    state text not null,
    marks text not null,
    updated_at integer not null
  );
  -- Every grant under its grant id (deterministic: <event>:<rule>:<action>), so a replayed event
  -- never grants twice. Points balance = sum(amount) of kind 'points'. Cash-like grants are offers
  -- with a value, paid = 0: this slice never credits them to the wallet.
  create table rewards_grants (
    seq integer primary key,
    grant_id text not null unique,
    kind text not null,
    amount integer check (amount is null or amount >= 0),
    value_minor integer check (value_minor is null or value_minor >= 0),
    currency text,
    paid integer check (paid is null or paid in (0, 1)),
    rule_id text not null,
    rule_version integer not null,
    variant text,
    detail text,
    event_id text not null,
    at integer not null
  );
  create trigger rewards_grants_no_delete before delete on rewards_grants begin select raise(abort, 'rewards grants are append-only'); end;
  create trigger rewards_grants_no_update before update on rewards_grants begin select raise(abort, 'rewards grants are append-only'); end;
  `,

  /* 14: cash-like rewards paid (reward-offers.ts) and budget leases (reward-budgets.ts), docs/rewards.md */
  (db) => {
    // A cashback is credited to the wallet under its grant id, ledger kind 'reward': once, whatever
    // calls it (the unique index is the database's own guard behind the grants table's).
    rebuildTable(db, 'ledger', (ddl) => ddl.replace(
      "check (kind in ('deposit', 'withdrawal', 'bet', 'win', 'adjustment'))",
      "check (kind in ('deposit', 'withdrawal', 'bet', 'win', 'adjustment', 'reward'))"));
    db.script(`
    create unique index ledger_reward_once on ledger (ref) where kind = 'reward';
    -- A free bet is a token the player holds (one per free_bet grant): value, currency, expiry, the
    -- table it is for (null: any). Append-only; a use is a row of reward_free_bet_uses, at most one
    -- per token (its primary key), so a token is usable once.
    create table reward_free_bets (
      grant_id text primary key,
      currency text not null,
      value_minor integer not null check (value_minor > 0),
      table_id text,
      expires_at integer not null,
      created_at integer not null
    );
    create trigger reward_free_bets_no_delete before delete on reward_free_bets begin select raise(abort, 'free bets are append-only'); end;
    create trigger reward_free_bets_no_update before update on reward_free_bets begin select raise(abort, 'free bets are append-only'); end;
    create table reward_free_bet_uses (
      grant_id text primary key references reward_free_bets (grant_id),
      hold_id text not null unique,
      at integer not null
    );
    create trigger reward_free_bet_uses_no_delete before delete on reward_free_bet_uses begin select raise(abort, 'free bet uses are append-only'); end;
    create trigger reward_free_bet_uses_no_update before update on reward_free_bet_uses begin select raise(abort, 'free bet uses are append-only'); end;
    -- The budget leases this player holds from the keeper (RewardBudgetDO): requested (asked, no
    -- answer yet: never spent), open (spendable until expires_at), closing (spending stopped, the
    -- report not yet acknowledged), closed. used_minor only grows, and never past amount_minor. A
    -- lease of another rule set's keeper (a new set) is closed here and left to that keeper's reclaim.
    create table reward_budget_leases (
      lease_id text primary key,
      keeper text not null, -- the rule set whose keeper lent it (budgets:<id>)
      budget_key text not null,
      currency text not null,
      state text not null check (state in ('requested', 'open', 'closing', 'closed')),
      want_minor integer not null check (want_minor >= 0),
      min_minor integer not null check (min_minor >= 0),
      amount_minor integer not null default 0 check (amount_minor >= 0),
      used_minor integer not null default 0 check (used_minor >= 0 and used_minor <= amount_minor),
      expires_at integer,
      created_at integer not null
    );
    create index reward_budget_leases_live on reward_budget_leases (state) where state != 'closed';
    `);
  },

  /* 15: tournaments (tournaments.ts, docs/tournaments.md): the ones the player joined, and the settled bets on their way to them */ `
  -- The terms the player's object needs to choose which settled bets to send (the tournament checks them again).
  create table tournament_entries (
    tournament_id text primary key,
    currency text not null,
    starts_at integer not null,
    ends_at integer not null,
    tables text not null,
    joined_at integer not null
  );
  -- Written in the settling transaction, removed once the tournament acknowledged it (it counts each
  -- event id once): a bet settled is delivered to each tournament exactly once in effect.
  create table tournament_feed (
    tournament_id text not null,
    event_id text not null,
    body text not null,
    created_at integer not null,
    attempts integer not null default 0,
    primary key (tournament_id, event_id)
  );
  `,
  /* 16: free bets staked at live tables (reward-offers.ts, docs/rewards.md "Cash-like rewards"). A use
     is now numbered per token (use_no): a bet whose hold was voided or expired gives its token back
     (reward_free_bet_returns, a row of its own: uses stay append-only; so does a settled bet voided
     by a dispute, reason 'disputed'), and only a token given back
     as many times as it was used may be used again (the trigger), so a token is in play at most once. */ `
  create table reward_free_bet_uses_numbered (
    grant_id text not null references reward_free_bets (grant_id),
    use_no integer not null check (use_no >= 0),
    hold_id text not null unique,
    at integer not null,
    primary key (grant_id, use_no)
  );
  insert into reward_free_bet_uses_numbered (grant_id, use_no, hold_id, at) select grant_id, 0, hold_id, at from reward_free_bet_uses;
  drop table reward_free_bet_uses;
  alter table reward_free_bet_uses_numbered rename to reward_free_bet_uses;
  create trigger reward_free_bet_uses_no_delete before delete on reward_free_bet_uses begin select raise(abort, 'free bet uses are append-only'); end;
  create trigger reward_free_bet_uses_no_update before update on reward_free_bet_uses begin select raise(abort, 'free bet uses are append-only'); end;
  create table reward_free_bet_returns (
    hold_id text primary key references reward_free_bet_uses (hold_id),
    grant_id text not null references reward_free_bets (grant_id),
    reason text not null check (reason in ('voided', 'expired', 'disputed')),
    at integer not null
  );
  create trigger reward_free_bet_returns_no_delete before delete on reward_free_bet_returns begin select raise(abort, 'free bet returns are append-only'); end;
  create trigger reward_free_bet_returns_no_update before update on reward_free_bet_returns begin select raise(abort, 'free bet returns are append-only'); end;
  create trigger reward_free_bet_uses_in_turn before insert on reward_free_bet_uses
    when new.use_no != (select count(*) from reward_free_bet_returns where grant_id = new.grant_id)
      or exists (select 1 from reward_free_bet_uses u where u.grant_id = new.grant_id and not exists (select 1 from reward_free_bet_returns r where r.hold_id = u.hold_id))
  begin select raise(abort, 'a free bet is used again only once given back'); end;
  `,

  /* 17: the rewards engine's idempotency memory: its full chunks in rows of their own (rewards.ts, docs/rewards.md "Cost") */ `
  -- A full chunk (64 event ids) never changes: written once when it fills, deleted when it is
  -- forgotten (past 16), read when the object loads the state. The state row then holds only the
  -- mutable part, rewritten by each evaluated event (it was ~58 KB with the memory full), and lists
  -- the chunks' seqs, oldest first (rewards-pure.ts toStored): a row it does not list is not memory.
  create table rewards_seen_chunks (
    seq integer primary key,
    ids text not null,
    max_at integer not null
  );
  -- The state written the old way (chunks inline) moves here, in its order.
  insert into rewards_seen_chunks (seq, ids, max_at)
    select c.key + 1, c.value ->> '$.ids', c.value ->> '$.max_at'
    from rewards_state s, json_each(s.state, '$.seen.chunks') c
    order by c.key;
  update rewards_state set state = json_set(json_remove(state, '$.seen.chunks'), '$.seen.chunk_rows',
    json((select json_group_array(c.key + 1) from json_each(rewards_state.state, '$.seen.chunks') c)));
  `,

  /* 18: wheel spins (reward-wheel.ts, docs/rewards.md "Wheel (provably fair)") */ `
  -- A granted spin, written once in the grant's transaction: the prize table as the rule set version
  -- granted it (a later publish cannot change an unspun spin's odds), the server seed and its
  -- commitment (the player sees only the commitment until the spin). Never updated or deleted.
  create table reward_wheel_spins (
    spin_id text primary key,
    grant_id text not null unique references rewards_grants (grant_id),
    wheel_id text not null,
    wheel text not null,
    rule_id text not null,
    rule_version integer not null,
    rule_set_id text not null,
    rule_set_version integer not null,
    server_seed text not null check (length(server_seed) = 64),
    commitment text not null check (length(commitment) = 64),
    expires_at integer,
    created_at integer not null
  );
  create trigger reward_wheel_spins_no_delete before delete on reward_wheel_spins begin select raise(abort, 'wheel spins are append-only'); end;
  create trigger reward_wheel_spins_no_update before update on reward_wheel_spins begin select raise(abort, 'wheel spins are append-only'); end;
  -- The spin's result: one row per spin (the primary key is the guard that delivers a prize once,
  -- whatever the status check above it says); the prize's own grant id is the delivery's key in the
  -- points ledger, the free bets or the wallet ledger. delivered = 0: a prize with nothing to deliver.
  create table reward_wheel_results (
    spin_id text primary key references reward_wheel_spins (spin_id),
    prize_id text not null,
    reward text,
    prize_grant_id text not null unique,
    delivered integer not null check (delivered in (0, 1)),
    at integer not null
  );
  create trigger reward_wheel_results_no_delete before delete on reward_wheel_results begin select raise(abort, 'wheel results are append-only'); end;
  create trigger reward_wheel_results_no_update before update on reward_wheel_results begin select raise(abort, 'wheel results are append-only'); end;
  `,

  /* 19: distinct counters' values in rows of their own (rewards.ts, docs/rewards.md "Cost") */ `
  -- A distinct counter (rounds played today, say) remembers up to 256 values per period. They were
  -- in the state row, rewritten whole by every evaluated event (12.5 KB for 256 round ids); here,
  -- adding one is one insert that answers whether it was new, and the state row keeps the count
  -- ('n'). A period that ends, or a counter the rule set no longer declares, has its rows deleted
  -- in the transaction that moves the state on (counters.ts rolledOver).
  create table reward_counter_values (
    counter text not null,
    period text not null,
    value text not null,
    primary key (counter, period, value)
  ) without rowid;
  -- A state written the old way (values inline as 'seen') moves here, the count staying in the row.
  insert or ignore into reward_counter_values (counter, period, value)
    select c.key, c.value ->> '$.period', v.value
    from rewards_state s, json_each(s.state, '$.counters') c, json_each(c.value, '$.seen') v
    where json_type(c.value, '$.seen') = 'array';
  update rewards_state set state = json_set(state, '$.counters', json((
    select json_group_object(c.key, case when json_type(c.value, '$.seen') = 'array'
      then json_set(json_remove(c.value, '$.seen'), '$.n', json_array_length(c.value, '$.seen'))
      else json(c.value) end)
    from json_each(rewards_state.state, '$.counters') c)))
  where json_type(state, '$.counters') = 'object';
  `,
];
