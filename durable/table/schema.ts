/**
 * TableDO storage, one SQLite database per live table. Rounds and bets are the table's own state;
 * the money of each bet lives in the player's object as a hold (hold_id is the link). States are
 * CHECK constraints so an impossible transition is stopped by the database.
 */
import { OUTBOX_DDL } from '../lib/outbox';
import { SCHEDULES_DDL } from '../lib/schedules';

export const TABLE_MIGRATIONS: readonly string[] = [
  /* 1: initial schema */ `
  create table rounds (
    round_id text primary key,
    round_no integer not null unique,
    state text not null check (state in ('betting_open', 'betting_closed', 'result', 'settled', 'voided')),
    opened_at integer not null,
    closes_at integer not null,
    closed_at integer,
    result_at integer,
    settled_at integer,
    voided_at integer,
    opened_by text not null,
    -- jurisdictions where the game was offered when betting opened (a catalog change applies from the next round)
    offered_in text not null,
    -- automated tables: SHA-256 of the seed, published at opening; the seed is revealed with the result
    commitment text,
    server_seed text,
    outcome text,
    summary text,
    result_source text check (result_source in ('rng', 'dealer')),
    result_by text,
    void_reason text,
    voided_by text,
    settle_ms integer
  );
  create index rounds_state on rounds (state);

  create table bets (
    bet_id text primary key,
    round_id text not null references rounds (round_id),
    player_id text not null,
    session_id text not null,
    jurisdiction text,
    currency text not null,
    spot text not null,
    bet_type text not null,
    amount_minor integer not null check (amount_minor > 0),
    max_return_minor integer not null check (max_return_minor >= 0),
    hold_id text not null unique,
    -- reserving: asked the player's object for the hold; accepted: the hold exists; refused: it does not
    state text not null check (state in ('reserving', 'accepted', 'refused', 'settled', 'voided', 'expired')),
    refusal text,
    result text check (result in ('win', 'lose', 'push', 'void', 'expired')),
    returned_minor integer check (returned_minor >= 0),
    created_at integer not null,
    settled_at integer
  );
  create index bets_round on bets (round_id, state);
  create index bets_player on bets (round_id, player_id);

  -- observed RTP: settled stakes and returns per UTC hour, bet type and currency
  create table rtp_hours (
    hour_start integer not null,
    bet_type text not null,
    currency text not null,
    wagered_minor integer not null,
    returned_minor integer not null,
    bets integer not null,
    primary key (hour_start, bet_type, currency)
  );

  create table chat (
    chat_id integer primary key autoincrement,
    player_id text not null,
    text text not null,
    at integer not null
  );
  create table chat_rate (
    player_id text primary key,
    window_start integer not null,
    count integer not null
  );
  ${OUTBOX_DDL}
  ${SCHEDULES_DDL}
  `,
  /* 2: settlement retries back off (attempts counted), and a round whose bets cannot all be settled yet is parked: the next round may open */ `
  alter table rounds add column settle_attempts integer not null default 0;
  alter table rounds add column parked_at integer;
  `,
  /* 3: blackjack. A round's engine state (domain/games/blackjack/state.ts) in two parts: the round-wide
     part (phase, dealer, shared cards, shoe position) in bj_rounds, and one row per box (its hands, its
     stakes and the bets behind it) in bj_boxes, so a decision at an Infinite table of thousands rewrites
     one box, not the table. Every stake's money is a bet row with its hold, linked by stake_id. */ `
  create table bj_rounds (
    round_id text primary key references rounds (round_id),
    core text not null,
    -- automated tables: the shoe's client seed, derived from the players' seeds when betting closes
    client_seed text,
    -- the open decision (what the timer stands or declines when it runs out) and when it runs out
    timer_key text,
    timer_due integer
  );
  create table bj_boxes (
    round_id text not null references rounds (round_id),
    box_id text not null,
    player_id text not null,
    seat integer,
    -- the player's seed for the shoe (automated tables), if they sent one
    client_seed text,
    data text not null,
    primary key (round_id, box_id)
  );
  alter table bets add column stake_id text;
  create unique index bets_stake on bets (round_id, stake_id) where stake_id is not null;
  `,
  /* 4: blackjack decisions by their id, with or without a stake: a retried hit is a replay, not a
     second card, and an id already used for another hand or action is a conflict. */ `
  create table bj_decisions (
    decision_id text primary key,
    round_id text not null references rounds (round_id),
    player_id text not null,
    box_id text not null,
    hand_index integer not null,
    action text not null
  );
  `,
  /* 5: the table's leaderboard (leaderboard.ts) reads today's settled bets: by settlement time, settled bets only */ `
  create index bets_settled on bets (settled_at) where state = 'settled';
  `,
  /* 6: a bet staked with a free bet names it (docs/rewards.md "Cash-like rewards"); null: the player's money */ `
  alter table bets add column free_bet_id text;
  `,
];
