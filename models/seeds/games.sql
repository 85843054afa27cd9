-- The default game catalog of config/games.json, one row per game with its declared RTP. Generated:
-- edit config/, then `npm run config:seeds`; scripts/config-seeds.test.ts fails while they differ.
-- This is the catalog CatalogDO seeds itself with; a later change through the operator API
-- (catalog events) is not in it.
MODEL (
  name seeds.games,
  kind SEED (path 'games.csv'),
  grain [game_id],
  owner data,
  tags [reference, gaming],
  description 'Catalog games (from config/games.json) with their declared RTP in basis points; for our live tables the payout table''s best-bet theoretical RTP.',
  columns (
    game_id VARCHAR,
    provider_id VARCHAR,
    title VARCHAR,
    category_id VARCHAR,
    table_id VARCHAR,
    rtp_bp INTEGER,
    config_version VARCHAR
  ),
  column_descriptions (
    game_id = 'Game id, as on bets and wins',
    provider_id = 'Game provider (edge-studio for our live tables)',
    title = 'Display title',
    category_id = 'Lobby category',
    table_id = 'The live table that runs the game (NULL for provider games)',
    rtp_bp = 'Declared RTP in basis points (9730 = 97.30%)',
    config_version = 'version of config/games.json the row was generated from'
  ),
  audits (
    not_null(columns := [game_id, provider_id, rtp_bp]),
    unique_values(columns := [game_id]),
    accepted_range(column := rtp_bp, min_v := 8000, max_v := 9999)
  )
);
