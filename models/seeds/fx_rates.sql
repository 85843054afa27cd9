-- FX rates per day to EUR, the base currency: 1 unit of `currency` = rate_to_eur EUR, for every
-- currency config/jurisdictions.json uses (BRL BTC CAD EUR GBP JPY KWD USD) and every day of 2026.
-- Written by scripts/fx-seed.mjs (`npm run fx:seed -- eurofxref-hist.csv`) from the ECB's
-- historical reference rates; weekends and TARGET holidays carry the last ECB rate forward
-- (carried_forward = true). Each row's `source` says where its rate comes from.
--
-- AS COMMITTED THE RATES ARE ILLUSTRATIVE CONSTANTS (source starts with 'ILLUSTRATIVE'): this
-- machine has no network, so no ECB file was read. USD JPY GBP CAD BRL hold the ECB rate of
-- 2025-02-28 as republished by a third-party page; KWD is an approximation; BTC a placeholder.
-- Run the converter on the real file before any figure in EUR is reported. The ECB publishes no
-- KWD or BTC rate at all: those stay illustrative until another source is chosen.
MODEL (
  name seeds.fx_rates,
  kind SEED (path 'fx_rates.csv'),
  grain [rate_date, currency],
  owner data,
  tags [finance, reference],
  description 'Rate to EUR per day and currency (1 unit of currency = rate_to_eur EUR), ECB reference rates carried over non-fixing days; illustrative constants until refreshed.',
  columns (
    rate_date DATE,
    currency VARCHAR,
    rate_to_eur DECIMAL(18, 10),
    carried_forward BOOLEAN,
    source VARCHAR
  ),
  column_descriptions (
    rate_date = 'The UTC day the rate applies to',
    currency = 'ISO 4217 code (BTC by convention)',
    rate_to_eur = 'EUR per 1 unit of the currency (the inverse of the ECB quote, units per EUR), 10 decimals',
    carried_forward = 'true when the ECB published no rate that day and the last rate is used',
    source = 'Where the rate comes from: ECB reference rate of a day, or ILLUSTRATIVE constant and its origin'
  ),
  audits (
    not_null(columns := [rate_date, currency, rate_to_eur, carried_forward, source]),
    unique_combination_of_columns(columns := [rate_date, currency]),
    accepted_range(column := rate_to_eur, min_v := 0, inclusive := false),
    accepted_values(column := currency, is_in := ['BRL', 'BTC', 'CAD', 'EUR', 'GBP', 'JPY', 'KWD', 'USD']),
    forall(criteria := [currency <> 'EUR' OR rate_to_eur = 1]),
    no_missing_fx_days
  )
);
