-- The brands (casino sites) of config/brands.json, one row each. Generated: edit config/, then
-- `npm run config:seeds`; scripts/config-seeds.test.ts fails while the CSV and config/ differ.
MODEL (
  name seeds.brands,
  kind SEED (path 'brands.csv'),
  grain [brand_id],
  owner data,
  tags [reference],
  description 'Brands run on the platform (from config/brands.json), the default brand flagged.',
  columns (
    brand_id VARCHAR,
    name VARCHAR,
    is_default BOOLEAN,
    config_version VARCHAR
  ),
  column_descriptions (
    brand_id = 'Brand id, as on players and events',
    name = 'Display name',
    is_default = 'true for the brand that takes registrations naming none (exactly one)',
    config_version = 'version of config/brands.json the row was generated from'
  ),
  audits (
    not_null(columns := [brand_id, name, is_default, config_version]),
    unique_values(columns := [brand_id]),
    exactly_one_true(column := is_default)
  )
);
