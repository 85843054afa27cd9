-- Gaming-duty and gaming-tax rates per licensing jurisdiction (config/jurisdictions.json),
-- effective-dated, each row with its legal source (CSV column `source`) and a `verified` flag.
-- A rate that could not be confirmed from a primary source is verified = false with the reason in
-- `note`; an unknown rate is NULL (duty computes as NULL, never silently 0).
--
-- Sources, as read on 2026-12-02 (docs/models.md "Seeds"):
--   GB remote_gaming_duty 21% to 2026-03-31, 40% from 2026-04-01 (verified): HMRC policy paper
--      "Gambling duty changes", Budget 2025, 26 Nov 2025 (gov.uk/government/publications/
--      changes-to-gambling-duties); Finance Bill 2025-26. Base: remote gaming profits (GGR).
--   GB general_betting_duty_remote 15% to 2027-03-31, 25% from 2027-04-01; UK horse racing stays
--      15% (verified): the same HMRC paper. The platform offers no betting today.
--   MT gaming_tax 5% of gaming revenue from players in Malta (UNVERIFIED rate): Gaming Tax
--      Regulations S.L. 583.10; the MGA FAQ confirms the instrument and base, not the percentage.
--   ON igo_revenue_share 20% (UNVERIFIED): iGaming Ontario operating agreement, confidential;
--      a contractual share, not a statutory duty.
--   GR gaming_tax 35% of GGR (UNVERIFIED): Law 4002/2011 as amended by Law 4635/2019; only
--      secondary sources were read.
--   CW gaming_tax NULL (UNKNOWN): LOK (Dec 2024) levies fixed licence fees; no GGR duty found.
-- effective_from 2026-01-01 (the warehouse's first day) stands for "in force since before the
-- warehouse starts" where the date the rate started was not established.
MODEL (
  name seeds.gaming_duty_rates,
  kind SEED (path 'gaming_duty_rates.csv'),
  grain [jurisdiction, duty_name, game_type, effective_from],
  owner data,
  tags [finance, regulatory, reference],
  description 'Effective-dated gaming duty / gaming tax rates per licensing jurisdiction, duty and game type, with legal source and verification flag.',
  columns (
    jurisdiction VARCHAR,
    duty_name VARCHAR,
    game_type VARCHAR,
    base VARCHAR,
    rate DECIMAL(9, 6),
    effective_from DATE,
    effective_to DATE,
    verified BOOLEAN,
    source VARCHAR,
    note VARCHAR
  ),
  column_descriptions (
    jurisdiction = 'Licensing jurisdiction id of config/jurisdictions.json (MT, GB, ON, GR, CW)',
    duty_name = 'The duty or tax: remote_gaming_duty, general_betting_duty_remote, gaming_tax, igo_revenue_share',
    game_type = 'What the rate applies to: gaming (casino games: tables, slots, live), betting, betting_uk_horseracing',
    base = 'What the rate multiplies: ggr (stakes - wins), ngr (GGR - bonus cost) or stakes',
    rate = 'The rate as a fraction (0.40 = 40 %); NULL when unknown (verified = false)',
    effective_from = 'First day the rate applies (inclusive)',
    effective_to = 'Last day the rate applies (inclusive); NULL = still in force',
    verified = 'true when rate and dates were confirmed from the official source named; false = to be confirmed before filing',
    source = 'Legal instrument or official page the rate comes from',
    note = 'Why a row is unverified, what the base excludes, caveats'
  ),
  audits (
    not_null(columns := [jurisdiction, duty_name, game_type, base, effective_from, verified, source]),
    unique_combination_of_columns(columns := [jurisdiction, duty_name, game_type, effective_from]),
    accepted_range(column := rate, min_v := 0, max_v := 1),
    accepted_values(column := base, is_in := ['ggr', 'ngr', 'stakes']),
    accepted_values(column := jurisdiction, is_in := ['MT', 'GB', 'ON', 'GR', 'CW']),
    forall(criteria := [rate IS NOT NULL OR NOT verified, effective_to IS NULL OR effective_to >= effective_from]),
    no_overlapping_duty_rates
  )
);
