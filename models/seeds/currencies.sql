-- The currencies the casino handles and their minor-unit exponents.
-- Source: domain/money.ts CURRENCY_EXPONENTS (ISO 4217 exponents; BTC carried with its conventional
-- 8 decimals, satoshi). models/seeds/currencies.test.ts fails when this CSV and that table differ.
MODEL (
  name seeds.currencies,
  kind SEED (path 'currencies.csv'),
  grain [code],
  owner data,
  tags [reference, money],
  description 'Currency codes and their minor-unit exponents (amount = amount_minor / 10^exponent).',
  columns (code VARCHAR, exponent INTEGER),
  column_descriptions (
    code = 'Currency code (ISO 4217, plus BTC)',
    exponent = 'Digits after the decimal point: minor units per major unit = 10^exponent'
  ),
  audits (
    not_null(columns := [code, exponent]),
    unique_values(columns := [code]),
    accepted_range(column := exponent, min_v := 0, max_v := 8)
  )
);
