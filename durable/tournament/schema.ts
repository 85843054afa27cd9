/**
 * TournamentDO storage (docs/tournaments.md). A tournament object (named by its tournament id) holds
 * its definition, its entrants with their running scores, every score event it counted (by event id:
 * a retried delivery counts once), and, once it ends, the frozen awards with their payment state. A
 * brand's index object (named `index:<brand>`) holds only `listed`: the ids of the brand's tournaments.
 */
import { OUTBOX_DDL } from '../lib/outbox';
import { SCHEDULES_DDL } from '../lib/schedules';

export const TOURNAMENT_MIGRATIONS: readonly string[] = [
  /* 1: initial schema */ `
  create table tournament (
    id integer primary key check (id = 1),
    tournament_id text not null,
    -- the parsed definition (domain/tournaments/schema.ts), JSON, never changed after creation
    definition text not null,
    -- open: taking entries and scores until it freezes; ended: ranking frozen, awards fixed; cancelled: nothing paid
    status text not null check (status in ('open', 'ended', 'cancelled')),
    created_at integer not null,
    created_by text not null,
    ended_at integer,
    cancelled_at integer,
    cancelled_by text,
    cancel_reason text
  );
  create table entries (
    player_id text primary key,
    joined_at integer not null,
    score integer not null default 0 check (score >= 0),
    -- when the current score was reached: the latest occurred_at of an event that added points (the tie rule)
    reached_at integer not null default 0,
    scored_events integer not null default 0
  );
  create index entries_rank on entries (score desc, reached_at, joined_at, player_id);
  -- every event counted, once (a player object retries its delivery until acknowledged)
  create table score_events (
    player_id text not null,
    event_id text not null,
    points integer not null,
    occurred_at integer not null,
    received_at integer not null,
    primary key (player_id, event_id)
  );
  -- fixed when the ranking freezes; paid_at set once the player's object acknowledged the credit
  create table awards (
    rank integer primary key,
    prize_id text not null unique,
    player_id text not null unique,
    amount_minor integer not null check (amount_minor > 0),
    score integer not null,
    paid_at integer,
    attempts integer not null default 0,
    last_error text
  );
  create trigger awards_no_delete before delete on awards begin select raise(abort, 'awards are never deleted'); end;
  -- brand index objects only
  create table listed (
    tournament_id text primary key,
    created_at integer not null
  );
  ${OUTBOX_DDL}
  ${SCHEDULES_DDL}
  `,
  /* 2: four eyes on large prize pools (docs/tournaments.md "Four eyes"): a pool above the currency's
     four-eyes threshold takes no entries (so no scores, so no prizes) until another operator approved it */ `
  alter table tournament add column approval_required integer not null default 0;
  alter table tournament add column approved_by text;
  alter table tournament add column approved_at integer;
  `,
  /* 3: the brand index keeps who created each tournament alone, its currency and pool: pools split
     under the single threshold add up to the daily cumulative one (docs/tournaments.md "Four eyes") */ `
  alter table listed add column created_by text;
  alter table listed add column currency text;
  alter table listed add column prize_pool_minor integer not null default 0;
  alter table listed add column approval_required integer not null default 0;
  create index listed_by_creator on listed (created_by, currency, created_at);
  `,
];
