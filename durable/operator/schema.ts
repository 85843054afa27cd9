/** OperatorDO storage: one operator's account, second factor, login challenges and sessions. */

export const OPERATOR_MIGRATIONS: readonly string[] = [
  /* 1: initial schema */ `
  create table operator (
    id integer primary key check (id = 1),
    operator_id text not null,
    email text not null,
    display_name text not null,
    roles text not null,
    brands text not null,
    jurisdictions text not null,
    vip_clearance integer not null check (vip_clearance in (0, 1)),
    status text not null check (status in ('active', 'disabled')),
    password_hash text,
    sso_issuer text,
    sso_subject text,
    totp_secret text,
    totp_pending_secret text,
    totp_last_step integer not null default 0,
    created_by text not null,
    created_at integer not null,
    updated_at integer not null
  );

  create table recovery_codes (
    code_hash text primary key,
    state text not null check (state in ('pending', 'active', 'used')),
    used_at integer
  );

  create table challenges (
    challenge_id text primary key,
    method text not null check (method in ('password', 'sso')),
    created_at integer not null,
    expires_at integer not null,
    used_at integer
  );

  create table sessions (
    session_id text primary key,
    method text not null,
    created_at integer not null,
    last_seen_at integer not null,
    expires_at integer not null,
    ip text,
    user_agent text,
    ended_at integer,
    end_reason text
  );

  create table failures (at integer not null, kind text not null);
  `,
];
