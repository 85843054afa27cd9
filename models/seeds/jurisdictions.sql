-- The licensing jurisdictions of config/jurisdictions.json, one row each. Generated: edit config/,
-- then `npm run config:seeds`; scripts/config-seeds.test.ts fails while the CSV and config/ differ.
-- (The config's global blocked_countries list is not a jurisdiction's and is not here.)
MODEL (
  name seeds.jurisdictions,
  kind SEED (path 'jurisdictions.csv'),
  grain [jurisdiction],
  owner data,
  tags [reference],
  description 'Licensing jurisdictions of the platform (from config/jurisdictions.json): regulator, minimum age, countries served, currencies.',
  columns (
    jurisdiction VARCHAR,
    name VARCHAR,
    regulator VARCHAR,
    min_age INTEGER,
    countries VARCHAR[],
    currencies VARCHAR[],
    config_version VARCHAR
  ),
  column_descriptions (
    jurisdiction = 'Jurisdiction id, as stamped on events (MT, GB, ON, GR, CW)',
    name = 'Display name',
    regulator = 'The licensing authority',
    min_age = 'Minimum player age in years',
    countries = 'ISO 3166 countries whose players register under this jurisdiction',
    currencies = 'Currencies players of this jurisdiction may hold',
    config_version = 'version of config/jurisdictions.json the row was generated from'
  ),
  audits (
    not_null(columns := [jurisdiction, name, regulator, min_age, countries, currencies, config_version]),
    unique_values(columns := [jurisdiction]),
    accepted_range(column := min_age, min_v := 18, max_v := 25)
  )
);
