/**
 * CatalogDO storage: the platform's one game catalog. Lists (jurisdictions, bet limits) are JSON
 * columns, written only by CatalogStore after validation; enumerations and ranges are CHECK
 * constraints, so a bug is stopped by the database rather than shown in a lobby.
 */
import { OUTBOX_DDL } from '../lib/outbox';
import { SCHEDULES_DDL } from '../lib/schedules';

export const CATALOG_MIGRATIONS: readonly string[] = [
  /* 1: initial schema */ `
  -- seed_version (config/games.json version seeded from), catalog_version (bumped by every change)
  create table meta (key text primary key, value text not null);

  create table providers (
    provider_id text primary key,
    name text not null,
    enabled integer not null check (enabled in (0, 1)),
    version integer not null check (version >= 1),
    updated_at integer not null
  );

  create table categories (
    category_id text primary key,
    name text not null,
    sort integer not null,
    version integer not null check (version >= 1),
    updated_at integer not null
  );

  create table games (
    game_id text primary key,
    provider_id text not null references providers (provider_id),
    title text not null,
    category_id text not null references categories (category_id),
    jurisdictions text not null check (json_valid(jurisdictions) and json_type(jurisdictions) = 'array'),
    rtp_bp integer not null check (rtp_bp between 1 and 10000),
    volatility text not null check (volatility in ('low', 'medium', 'high')),
    bet_limits text not null check (json_valid(bet_limits) and json_type(bet_limits) = 'object'),
    enabled integer not null check (enabled in (0, 1)),
    table_id text unique,
    version integer not null check (version >= 1),
    updated_at integer not null
  );
  create index games_by_provider on games (provider_id);
  create index games_by_category on games (category_id);
  ${OUTBOX_DDL}
  ${SCHEDULES_DDL}
  `,
];
