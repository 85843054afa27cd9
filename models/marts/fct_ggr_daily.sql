-- Gross and net gaming revenue per day, brand, jurisdiction, game, table, provider and currency:
-- the revenue mart. Built on intermediate.int_gaming_activity, where each stake and each win is
-- one row (a provider win is read from the provider's ledger only; voided table bets and
-- rolled-back provider bets are not there).
--   GGR        = stakes - wins (wins = what was paid back, stake included)
--   bonus cost = the bonus-funded part of the stakes (holds' / debits' bonus_minor): money the
--                operator gave away that the player staked; wins paid to the bonus balance are not
--                separately known per game, so they are not in it.
--   NGR        = GGR - bonus cost
-- EUR: macros.minor_to_eur (models/macros/money.sql: minor units x 10^-exponent x the same day's
-- seeds.fx_rates.rate_to_eur, exact DECIMAL), rounded half away from zero to 2 decimals per row
-- here (sum the minor units and convert again for exact totals).
MODEL (
  name marts.fct_ggr_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column activity_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [activity_date, brand, jurisdiction, game_id, table_id, provider_id, currency],
  owner data,
  tags [marts, finance, gaming, money],
  description 'Stakes, wins, GGR (stakes - wins), bonus cost (bonus-funded stakes), NGR (GGR - bonus cost), bets and players per UTC day, brand, jurisdiction, game, table ((none) for provider games), provider and currency; in minor units of currency and in EUR at that day''s seeds.fx_rates rate (DECIMAL(18,2), rounded half away from zero per row).',
  column_descriptions (
    activity_date = 'UTC day the stakes (settlement of a table bet, debit of a provider bet) and wins counted on',
    brand = 'Brand the player registered with, or (unknown) when the registration is not in the warehouse',
    jurisdiction = 'Licensing jurisdiction of the player, or (none)',
    game_id = 'Game of the catalog',
    table_id = 'Live table, or (none) for provider games',
    provider_id = 'Game provider (edge-studio for live tables)',
    currency = 'Currency of the amounts',
    currency_exponent = 'Minor-unit exponent of currency: amount = minor / 10^exponent',
    stakes_minor = 'Stakes counted, minor units',
    wins_minor = 'Paid back to players (stake included for winning or pushed table bets), minor units',
    ggr_minor = 'Gross gaming revenue = stakes_minor - wins_minor',
    bonus_cost_minor = 'Bonus-funded part of the stakes, minor units',
    ngr_minor = 'Net gaming revenue = ggr_minor - bonus_cost_minor',
    bets = 'Bets counted (settled table bets, provider debits not rolled back); blackjack counts one per stake (main, split, double, insurance, behind, each side bet)',
    players = 'Distinct players with a counted bet or win',
    rate_to_eur = 'EUR per 1 unit of currency that day (seeds.fx_rates); NULL if the seed has no rate',
    stakes_eur = 'stakes in EUR, DECIMAL(18,2)',
    wins_eur = 'wins in EUR, DECIMAL(18,2)',
    ggr_eur = 'GGR in EUR, DECIMAL(18,2) (converted from ggr_minor, not stakes_eur - wins_eur)',
    bonus_cost_eur = 'bonus cost in EUR, DECIMAL(18,2)',
    ngr_eur = 'NGR in EUR, DECIMAL(18,2) (converted from ngr_minor)'
  ),
  audits (
    not_null(columns := [activity_date, brand, jurisdiction, game_id, table_id, provider_id, currency, currency_exponent, stakes_minor, wins_minor, ggr_minor, bonus_cost_minor, ngr_minor, bets, players]),
    unique_combination_of_columns(columns := [activity_date, brand, jurisdiction, game_id, table_id, provider_id, currency]),
    accepted_range(column := stakes_minor, min_v := 0),
    accepted_range(column := wins_minor, min_v := 0),
    accepted_range(column := bets, min_v := 0),
    accepted_range(column := players, min_v := 1),
    ggr_is_stakes_minus_wins(ggr := ggr_minor, stakes := stakes_minor, wins := wins_minor),
    forall(criteria := [ngr_minor = ggr_minor - bonus_cost_minor, bonus_cost_minor BETWEEN 0 AND stakes_minor, ggr_eur IS NULL OR abs(ggr_eur - (stakes_eur - wins_eur)) <= 0.01])
  )
);

WITH activity AS (
  SELECT *
  FROM intermediate.int_gaming_activity
  WHERE activity_date BETWEEN @start_ds AND @end_ds
),
players AS (
  SELECT player_id, any_value(brand) AS brand
  FROM staging.stg_players
  WHERE change = 'registered'
  GROUP BY player_id
),
daily AS (
  SELECT
    a.activity_date,
    coalesce(p.brand, '(unknown)') AS brand,
    coalesce(a.jurisdiction, '(none)') AS jurisdiction,
    a.game_id,
    coalesce(a.table_id, '(none)') AS table_id,
    a.provider_id,
    a.currency,
    a.currency_exponent,
    CAST(sum(a.stake_minor) AS BIGINT) AS stakes_minor,
    CAST(sum(a.win_minor) AS BIGINT) AS wins_minor,
    CAST(sum(a.bonus_stake_minor) AS BIGINT) AS bonus_cost_minor,
    CAST(sum(a.is_bet) AS BIGINT) AS bets,
    count(DISTINCT a.player_id) AS players
  FROM activity AS a
  LEFT JOIN players AS p ON p.player_id = a.player_id
  GROUP BY ALL
),
converted AS (
  SELECT
    d.*,
    d.stakes_minor - d.wins_minor AS ggr_minor,
    d.stakes_minor - d.wins_minor - d.bonus_cost_minor AS ngr_minor,
    fx.rate_to_eur
  FROM daily AS d
  LEFT JOIN seeds.fx_rates AS fx ON fx.rate_date = d.activity_date AND fx.currency = d.currency
)
SELECT
  activity_date, brand, jurisdiction, game_id, table_id, provider_id, currency, currency_exponent,
  stakes_minor, wins_minor, ggr_minor, bonus_cost_minor, ngr_minor, bets, players,
  rate_to_eur,
  CAST(round(macros.minor_to_eur(stakes_minor, currency_exponent, rate_to_eur), 2) AS DECIMAL(18, 2)) AS stakes_eur,
  CAST(round(macros.minor_to_eur(wins_minor, currency_exponent, rate_to_eur), 2) AS DECIMAL(18, 2)) AS wins_eur,
  CAST(round(macros.minor_to_eur(ggr_minor, currency_exponent, rate_to_eur), 2) AS DECIMAL(18, 2)) AS ggr_eur,
  CAST(round(macros.minor_to_eur(bonus_cost_minor, currency_exponent, rate_to_eur), 2) AS DECIMAL(18, 2)) AS bonus_cost_eur,
  CAST(round(macros.minor_to_eur(ngr_minor, currency_exponent, rate_to_eur), 2) AS DECIMAL(18, 2)) AS ngr_eur
FROM converted
