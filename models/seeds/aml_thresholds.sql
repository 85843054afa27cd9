-- AML reporting / due-diligence thresholds per jurisdiction and wallet currency, read by
-- marts.aml_alerts' structuring rule. Hand-written: every row's source names the instrument; none
-- was confirmed against its primary text on this machine (verified = false). A NULL threshold
-- means none is established: the structuring rule does not run for that jurisdiction and currency.
MODEL (
  name seeds.aml_thresholds,
  kind SEED (path 'aml_thresholds.csv'),
  grain [jurisdiction, currency],
  owner compliance,
  tags [reference, aml],
  description 'Per jurisdiction and wallet currency: the single-transaction amount at which enhanced due diligence or a report applies (threshold_minor, minor units of currency) and the band under it that counts as "just under" (structuring_band: a deposit of at least band x threshold and below threshold). Sources per row; verified = false until confirmed from the primary text.',
  columns (
    jurisdiction VARCHAR,
    currency VARCHAR,
    threshold_minor BIGINT,
    structuring_band DECIMAL(4, 2),
    verified BOOLEAN,
    source VARCHAR
  ),
  column_descriptions (
    jurisdiction = 'Licensing jurisdiction (seeds.jurisdictions)',
    currency = 'Wallet currency the threshold is expressed in',
    threshold_minor = 'Threshold in minor units of currency; NULL = none established (the rule does not run)',
    structuring_band = 'Fraction of the threshold from which a deposit counts as just under it',
    verified = 'true once confirmed from the primary legal text',
    source = 'The instrument the threshold comes from, or ILLUSTRATIVE with why'
  ),
  audits (
    not_null(columns := [jurisdiction, currency, structuring_band, verified, source]),
    unique_combination_of_columns(columns := [jurisdiction, currency]),
    accepted_range(column := threshold_minor, min_v := 1),
    accepted_range(column := structuring_band, min_v := 0.5, max_v := 1)
  )
);
