-- Gross and net gaming revenue per day, brand, jurisdiction, game, table, provider and currency:
-- the revenue mart. Built on intermediate.int_gaming_activity, where each stake and each win is
-- one row (a provider win is read from the provider's ledger only; voided table bets and
-- rolled-back provider bets are not there).
--   GGR        = stakes - wins (wins = what was paid back, stake included), of the players' money:
--                as regulators define it, player stakes minus player wins. A free bet
--                (docs/rewards.md "Cash-like rewards") is in neither: its stake was the operator's.
--   bonus cost = the bonus-funded part of the stakes (holds' / debits' bonus_minor): money the
--                operator gave away that the player staked; wins paid to the bonus balance are not
--                separately known per game, so they are not in it. Plus what free bets paid
--                (free_bet_wins: the return without the stake, real money): the free bets' cost,
--                a bonus cost as operators and regulators report it, not a player win.
--   NGR        = GGR - bonus cost (a lost free bet: 0; a won one: minus its payout)
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
  description 'Stakes, wins, GGR (stakes - wins) of the players'' money, bonus cost (bonus-funded stakes and what free bets paid), NGR (GGR - bonus cost), bets, free bets and players per UTC day, brand, jurisdiction, game, table ((none) for provider games), provider and currency; in minor units of currency and in EUR at that day''s seeds.fx_rates rate (DECIMAL(18,2), rounded half away from zero per row).',
  column_descriptions (
    activity_date = 'UTC day the stakes (settlement of a table bet, debit of a provider bet) and wins counted on',
    brand = 'Brand the player registered with, or (unknown) when the registration is not in the warehouse',
    jurisdiction = 'Licensing jurisdiction of the player, or (none)',
    game_id = 'Game of the catalog',
    table_id = 'Live table, or (none) for provider games',
    provider_id = 'Game provider (edge-studio for live tables)',
    currency = 'Currency of the amounts',
    currency_exponent = 'Minor-unit exponent of currency: amount = minor / 10^exponent',
    stakes_minor = 'Stakes of the players'' money counted (free bets not: the operator''s stake), minor units',
    wins_minor = 'Paid back to players on their stakes (stake included for winning or pushed table bets; not what free bets paid), minor units',
    ggr_minor = 'Gross gaming revenue = stakes_minor - wins_minor',
    bonus_cost_minor = 'Bonus-funded part of the stakes plus free_bet_wins_minor (what free bets paid), minor units',
    ngr_minor = 'Net gaming revenue = ggr_minor - bonus_cost_minor',
    bets = 'Bets of the players'' money counted (settled table bets, provider debits not rolled back; free bets are free_bets); blackjack counts one per stake (main, split, double, insurance, behind, each side bet)',
    free_bets = 'Free bets settled (win, lose or push; a voided or expired one was not played)',
    free_bet_stakes_minor = 'Value of the free bets settled (the operator''s stakes, in no GGR), minor units',
    free_bet_wins_minor = 'What the free bets paid, the return without the stake (real money; in bonus_cost_minor), minor units',
    players = 'Distinct players with a counted bet, free bet or win',
    rate_to_eur = 'EUR per 1 unit of currency that day (seeds.fx_rates); NULL if the seed has no rate',
    stakes_eur = 'stakes in EUR, DECIMAL(18,2)',
    wins_eur = 'wins in EUR, DECIMAL(18,2)',
    ggr_eur = 'GGR in EUR, DECIMAL(18,2) (converted from ggr_minor, not stakes_eur - wins_eur)',
    bonus_cost_eur = 'bonus cost in EUR, DECIMAL(18,2)',
    ngr_eur = 'NGR in EUR, DECIMAL(18,2) (converted from ngr_minor)',
    free_bet_wins_eur = 'free_bet_wins in EUR, DECIMAL(18,2)'
  ),
  audits (
    not_null(columns := [activity_date, brand, jurisdiction, game_id, table_id, provider_id, currency, currency_exponent, stakes_minor, wins_minor, ggr_minor, bonus_cost_minor, ngr_minor, bets, free_bets, free_bet_stakes_minor, free_bet_wins_minor, players]),
    unique_combination_of_columns(columns := [activity_date, brand, jurisdiction, game_id, table_id, provider_id, currency]),
    accepted_range(column := stakes_minor, min_v := 0),
    accepted_range(column := wins_minor, min_v := 0),
    accepted_range(column := bets, min_v := 0),
    accepted_range(column := players, min_v := 1),
    ggr_is_stakes_minus_wins(ggr := ggr_minor, stakes := stakes_minor, wins := wins_minor),
    forall(criteria := [ngr_minor = ggr_minor - bonus_cost_minor, bonus_cost_minor - free_bet_wins_minor BETWEEN 0 AND stakes_minor, free_bet_wins_minor >= 0, free_bet_stakes_minor >= 0, ggr_eur IS NULL OR abs(ggr_eur - (stakes_eur - wins_eur)) <= 0.01])
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
    -- a free bet's payout is its cost to the operator: bonus cost, beside the bonus-funded stakes
    CAST(sum(a.bonus_stake_minor) + sum(a.free_bet_win_minor) AS BIGINT) AS bonus_cost_minor,
    CAST(sum(a.is_bet) AS BIGINT) AS bets,
    count(*) FILTER (WHERE a.activity_kind = 'free_bet') AS free_bets,
    CAST(sum(a.free_bet_stake_minor) AS BIGINT) AS free_bet_stakes_minor,
    CAST(sum(a.free_bet_win_minor) AS BIGINT) AS free_bet_wins_minor,
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
  free_bets, free_bet_stakes_minor, free_bet_wins_minor,
  rate_to_eur,
  CAST(round(macros.minor_to_eur(stakes_minor, currency_exponent, rate_to_eur), 2) AS DECIMAL(18, 2)) AS stakes_eur,
  CAST(round(macros.minor_to_eur(wins_minor, currency_exponent, rate_to_eur), 2) AS DECIMAL(18, 2)) AS wins_eur,
  CAST(round(macros.minor_to_eur(ggr_minor, currency_exponent, rate_to_eur), 2) AS DECIMAL(18, 2)) AS ggr_eur,
  CAST(round(macros.minor_to_eur(bonus_cost_minor, currency_exponent, rate_to_eur), 2) AS DECIMAL(18, 2)) AS bonus_cost_eur,
  CAST(round(macros.minor_to_eur(ngr_minor, currency_exponent, rate_to_eur), 2) AS DECIMAL(18, 2)) AS ngr_eur,
  CAST(round(macros.minor_to_eur(free_bet_wins_minor, currency_exponent, rate_to_eur), 2) AS DECIMAL(18, 2)) AS free_bet_wins_eur
FROM converted
