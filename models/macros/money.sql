-- Money conversions, written once for every model (call them as macros.<name>(...)).
--
-- Amounts are integer minor units of a currency (domain/money.ts); seeds.currencies gives each
-- currency's exponent (minor units per major unit = 10^exponent, 0..8) and seeds.fx_rates the
-- day's rate_to_eur, DECIMAL(18, 10): EUR per 1 major unit.
--
-- Precision: everything here is exact DECIMAL arithmetic, never a DOUBLE. A division of DECIMALs
-- is a DOUBLE in DuckDB, so 10^-exponent is a DECIMAL(18, 8) constant that is multiplied, and a
-- product of DECIMALs keeps every digit (widths add, scales add):
--   minor_to_major: DECIMAL(20, 0) x DECIMAL(18, 8)  = DECIMAL(38, 8)   exact major units
--   minor_to_eur:   DECIMAL(38, 8) x DECIMAL(18, 10) = DECIMAL(38, 18)  exact EUR, 20 integer digits
-- Nothing is rounded here. Each mart states and applies its own rounding rule on the result
-- (e.g. round(..., 2) per row, or round(sum(...), 2) once per group), so where rounding happens
-- stays visible in the model that reports the figure.
--
-- An exponent outside 0..8 gives NULL (never a wrong scale); a missing rate gives NULL.
-- Editing a macro gives a new version of every model that calls it, directly or through another
-- macro (docs/models.md, "SQL macros").

-- 10^-exponent: the value of one minor unit in major units, as an exact DECIMAL(18, 8).
CREATE MACRO minor_unit(exponent) AS
  CAST(CASE exponent
    WHEN 0 THEN 1 WHEN 1 THEN 0.1 WHEN 2 THEN 0.01 WHEN 3 THEN 0.001 WHEN 4 THEN 0.0001
    WHEN 5 THEN 0.00001 WHEN 6 THEN 0.000001 WHEN 7 THEN 0.0000001 WHEN 8 THEN 0.00000001
  END AS DECIMAL(18, 8));

-- Integer minor units (any integer type, up to 20 digits) -> major units, DECIMAL(38, 8), exact.
CREATE MACRO minor_to_major(amount_minor, exponent) AS
  CAST(amount_minor AS DECIMAL(20, 0)) * macros.minor_unit(exponent);

-- Integer minor units -> EUR at rate_to_eur (seeds.fx_rates), DECIMAL(38, 18), exact, unrounded.
CREATE MACRO minor_to_eur(amount_minor, exponent, rate_to_eur) AS
  macros.minor_to_major(amount_minor, exponent) * rate_to_eur;
