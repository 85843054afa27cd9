-- The monthly gaming-revenue and duty return per licensing jurisdiction, game type and currency:
-- what a regulator's return (and issue 13's PDF/XLSX pack) reads. Built from marts.fct_ggr_daily
-- only, the single source of stakes and wins: nothing is recounted from staging.
--
-- GGR is the players' stakes minus the players' wins, as regulators define it. A free bet
-- (docs/rewards.md "Cash-like rewards") is staked with the operator's money: its stake is no
-- player stake and what it paid (the return without the stake, real money) is no player win;
-- that payout is a bonus cost (bonus_cost_minor, and free_bet_wins_minor alone), so NGR carries
-- it. A duty on GGR therefore neither taxes the operator's free stakes nor deducts the free bets'
-- payouts; a duty on NGR deducts them. A jurisdiction that treats free-bet payouts otherwise
-- (as prizes deductible from GGR) reads free_bet_wins_minor beside the return.
--
-- Game type = seeds.games.category_id (live_roulette, live_baccarat, table_games, slots; a game
-- the seed does not know is '(uncategorised)'). Every catalog game is casino gaming, so the duty
-- is the jurisdiction's rate for game_type 'gaming' in staging.stg_duty_rate_daily (the platform
-- offers no betting, the seed's betting rows are not used).
--
-- Duty at the rate of EACH DAY (rates are effective-dated; GB remote gaming duty goes from 21 % to
-- 40 % on 2026-04-01): per UTC day, duty = that day's base (GGR or NGR, as the seed's `base` says)
-- x that day's rate, kept exact in fractional minor units; the month's duty is the sum of its days,
-- rounded ONCE to the currency's minor unit, half away from zero (duty_owed_minor). A losing day
-- lowers the month's duty (the duties are on the period's profits, not day by day). A row's
-- duty_owed_minor is its game type's SIGNED share: a game type the players won on lowers the
-- month's duty of the others. The duty payable (all game types together, never below zero, a
-- losing month's credit shown apart) is marts.rpt_gaming_duty_monthly. If any day with activity has no known rate (CW: NULL in
-- the seed; a '(none)' jurisdiction), the month's duty is NULL, never a partial sum or 0.
-- The seed's unverified rates (MT, ON, GR) give rate_verified = false: confirm before filing.
--
-- EUR: each day's minor units x 10^-exponent x that day's rate_to_eur (macros.minor_to_eur, at
-- fct_ggr_daily's rate, from the ILLUSTRATIVE seeds.fx_rates), summed exactly over the month and rounded once to cents: so it may
-- differ by cents from the sum of fct_ggr_daily's per-row rounded *_eur columns.
--
-- Control totals: control_*_minor are fct_ggr_daily's own totals per month, jurisdiction and
-- currency, read directly (no game or duty join). The audit sums_to_control_total checks that the
-- game-type rows add up to them, so a duplicated game in seeds.games or a second gaming duty for a
-- jurisdiction (which would fan the join out) blocks the build instead of inflating the return.
-- (A custom audit cannot read another model: the runner resolves model names only in queries.)
--
-- Kind FULL, hourly: the table is small (months x jurisdictions x game types x currencies), a
-- month's rows change while it is open and whenever fct_ggr_daily's lookback or a --restate
-- rewrites days of it, and the seed's rates change history when corrected. A full rebuild reads
-- fct_ggr_daily whole (one row per day and game dimension: thousands of rows a month) in well under
-- a second and is exactly reproducible from raw events. The runner does support
-- INCREMENTAL_BY_TIME_RANGE with interval_unit 'month' (docs/models.md "Kinds"); switch to it with
-- lookback 1 when years of history make the rebuild matter. Months are UTC calendar months.
MODEL (
  name marts.rpt_gaming_revenue_monthly,
  kind FULL,
  cron '@hourly',
  grain [report_month, jurisdiction, game_type, currency],
  owner compliance,
  tags [marts, regulatory, finance, money, rpt],
  description 'Regulator return: per UTC calendar month, licensing jurisdiction, game type (seeds.games category) and currency, the stakes, wins, GGR, bonus cost and NGR of marts.fct_ggr_daily in minor units and EUR, and the gaming duty at the rate effective on each day (staging.stg_duty_rate_daily): duty base, rate(s) applied, whether verified, and the duty owed = sum of the daily duties rounded once, half away from zero, to the minor unit. Control totals from fct_ggr_daily per month, jurisdiction and currency.',
  column_descriptions (
    report_month = 'First day of the UTC calendar month',
    jurisdiction = 'Licensing jurisdiction of the players (fct_ggr_daily), or (none)',
    game_type = 'seeds.games category_id of the game (live_roulette, live_baccarat, table_games, slots), or (uncategorised) for a game the seed does not know',
    currency = 'Currency of the amounts',
    currency_exponent = 'Minor-unit exponent of currency: amount = minor / 10^exponent',
    first_activity_date = 'First UTC day of the month with a row in fct_ggr_daily for this jurisdiction, game type and currency',
    last_activity_date = 'Last such day',
    activity_days = 'Days of the month with such rows (not a completeness check: a day without play has none)',
    stakes_minor = 'Stakes of the players'' money, minor units (sum of fct_ggr_daily.stakes_minor; a free bet''s stake is the operator''s, not in it)',
    wins_minor = 'Wins paid back on the players'' stakes, stake included, minor units (not what free bets paid)',
    ggr_minor = 'GGR = stakes_minor - wins_minor',
    bonus_cost_minor = 'Bonus-funded part of the stakes plus what free bets paid (free_bet_wins_minor), minor units',
    free_bet_wins_minor = 'What free bets paid, the return without the stake (real money; the operator''s stake is in no stake or GGR): part of bonus_cost_minor, minor units',
    ngr_minor = 'NGR = ggr_minor - bonus_cost_minor',
    bets = 'Bets of the players'' money counted (not free bets)',
    stakes_eur = 'Stakes in EUR at each day''s rate, DECIMAL(18,2), rounded once per month',
    wins_eur = 'Wins in EUR at each day''s rate',
    ggr_eur = 'GGR in EUR at each day''s rate',
    bonus_cost_eur = 'Bonus cost in EUR at each day''s rate',
    ngr_eur = 'NGR in EUR at each day''s rate',
    duty_name = 'The duty applied (seeds.gaming_duty_rates.duty_name, game type gaming), NULL when the jurisdiction has no rate row',
    duty_base = 'What the rate multiplies: ggr or ngr (or stakes), per the seed',
    duty_base_minor = 'Sum over the month of each day''s base amount, minor units (GGR or NGR; can be negative)',
    duty_rate_min = 'Lowest daily rate applied in the month (fraction: 0.4 = 40 %)',
    duty_rate_max = 'Highest daily rate applied; differs from duty_rate_min when the rate changed within the month',
    rates_applied = 'Each rate with the activity days it applied to, e.g. 0.210000 on 2026-03-02..2026-03-31 (15 days); unknown where the rate is NULL or missing',
    days_without_rate = 'Activity days with no known rate (NULL rate or no seed row): > 0 makes the duty NULL',
    rate_verified = 'true when every rate applied was confirmed from its official source (seed verified); false = to be confirmed before filing; NULL without a rate',
    duty_exact_minor = 'Sum of the daily duties (base x rate) in fractional minor units, DECIMAL(38,6), before rounding; NULL when a day has no rate',
    duty_owed_minor = 'This game type''s signed share of the month''s duty: duty_exact_minor rounded half away from zero to the minor unit (BIGINT); negative when players won on the base; the payable duty is marts.rpt_gaming_duty_monthly; NULL when a day has no rate',
    duty_owed_eur = 'Sum of each day''s duty x that day''s rate_to_eur, rounded once to cents; NULL as duty_owed_minor',
    control_stakes_minor = 'fct_ggr_daily''s stakes for the whole month, jurisdiction and currency (all game types): the return''s control total',
    control_wins_minor = 'fct_ggr_daily''s wins for the month, jurisdiction and currency',
    control_ggr_minor = 'fct_ggr_daily''s GGR for the month, jurisdiction and currency'
  ),
  audits (
    not_null(columns := [report_month, jurisdiction, game_type, currency, currency_exponent, stakes_minor, wins_minor, ggr_minor, bonus_cost_minor, ngr_minor, bets, activity_days, days_without_rate, control_ggr_minor]),
    unique_combination_of_columns(columns := [report_month, jurisdiction, game_type, currency]),
    accepted_range(column := stakes_minor, min_v := 0),
    accepted_range(column := wins_minor, min_v := 0),
    accepted_range(column := bonus_cost_minor, min_v := 0),
    accepted_range(column := activity_days, min_v := 1, max_v := 31),
    accepted_range(column := duty_rate_min, min_v := 0, max_v := 1),
    accepted_range(column := duty_rate_max, min_v := 0, max_v := 1),
    ggr_is_stakes_minus_wins(ggr := ggr_minor, stakes := stakes_minor, wins := wins_minor),
    forall(criteria := [
      ngr_minor = ggr_minor - bonus_cost_minor,
      duty_rate_min <= duty_rate_max,
      date_trunc('month', first_activity_date) = report_month AND date_trunc('month', last_activity_date) = report_month,
      (duty_owed_minor IS NULL) = (days_without_rate > 0),
      duty_owed_minor IS NULL OR abs(duty_exact_minor - duty_owed_minor) <= 0.5
    ]),
    sums_to_control_total(part := stakes_minor, control := control_stakes_minor, by := [report_month, jurisdiction, currency]),
    sums_to_control_total(part := wins_minor, control := control_wins_minor, by := [report_month, jurisdiction, currency]),
    sums_to_control_total(part := ggr_minor, control := control_ggr_minor, by := [report_month, jurisdiction, currency])
  )
);

WITH ggr AS (
  SELECT
    g.*,
    CAST(date_trunc('month', g.activity_date) AS DATE) AS report_month,
    coalesce(gm.category_id, '(uncategorised)') AS game_type
  FROM marts.fct_ggr_daily AS g
  LEFT JOIN seeds.games AS gm ON gm.game_id = g.game_id
),
daily AS (
  -- one row per day, jurisdiction, game type and currency: the level the daily rate applies at
  SELECT
    report_month, activity_date, jurisdiction, game_type, currency,
    any_value(currency_exponent) AS currency_exponent,
    CAST(sum(stakes_minor) AS BIGINT) AS stakes_minor,
    CAST(sum(wins_minor) AS BIGINT) AS wins_minor,
    CAST(sum(ggr_minor) AS BIGINT) AS ggr_minor,
    CAST(sum(bonus_cost_minor) AS BIGINT) AS bonus_cost_minor,
    CAST(sum(free_bet_wins_minor) AS BIGINT) AS free_bet_wins_minor,
    CAST(sum(ngr_minor) AS BIGINT) AS ngr_minor,
    CAST(sum(bets) AS BIGINT) AS bets,
    CAST(any_value(rate_to_eur) AS DECIMAL(18, 10)) AS rate_to_eur
  FROM ggr
  GROUP BY report_month, activity_date, jurisdiction, game_type, currency
),
with_duty AS (
  SELECT
    d.*,
    r.duty_name,
    r.base AS duty_base,
    CAST(r.rate AS DECIMAL(9, 6)) AS duty_rate,
    r.verified AS rate_verified,
    CASE r.base WHEN 'ggr' THEN d.ggr_minor WHEN 'ngr' THEN d.ngr_minor WHEN 'stakes' THEN d.stakes_minor END AS duty_base_minor
  FROM daily AS d
  LEFT JOIN staging.stg_duty_rate_daily AS r
    ON r.rate_date = d.activity_date AND r.jurisdiction = d.jurisdiction AND r.game_type = 'gaming'
),
priced AS (
  SELECT
    *,
    CAST(duty_base_minor AS DECIMAL(20, 0)) * duty_rate AS duty_day_minor   -- exact, fractional minor units
  FROM with_duty
),
rate_periods AS (
  -- each rate of the month with the activity days it applied to, for rates_applied
  SELECT
    report_month, jurisdiction, game_type, currency,
    printf('%s on %s..%s (%d %s)', coalesce(printf('%.6f', duty_rate), 'unknown'), min(activity_date), max(activity_date),
      count(*), CASE WHEN count(*) = 1 THEN 'day' ELSE 'days' END) AS period,
    min(activity_date) AS period_start
  FROM priced
  GROUP BY report_month, jurisdiction, game_type, currency, duty_rate
),
rates_applied AS (
  SELECT report_month, jurisdiction, game_type, currency, string_agg(period, '; ' ORDER BY period_start) AS rates_applied
  FROM rate_periods
  GROUP BY ALL
),
monthly AS (
  SELECT
    report_month, jurisdiction, game_type, currency,
    CAST(any_value(currency_exponent) AS INTEGER) AS currency_exponent,
    min(activity_date) AS first_activity_date,
    max(activity_date) AS last_activity_date,
    count(*) AS activity_days,
    CAST(sum(stakes_minor) AS BIGINT) AS stakes_minor,
    CAST(sum(wins_minor) AS BIGINT) AS wins_minor,
    CAST(sum(ggr_minor) AS BIGINT) AS ggr_minor,
    CAST(sum(bonus_cost_minor) AS BIGINT) AS bonus_cost_minor,
    CAST(sum(free_bet_wins_minor) AS BIGINT) AS free_bet_wins_minor,
    CAST(sum(ngr_minor) AS BIGINT) AS ngr_minor,
    CAST(sum(bets) AS BIGINT) AS bets,
    CAST(round(sum(macros.minor_to_eur(stakes_minor, currency_exponent, rate_to_eur)), 2) AS DECIMAL(18, 2)) AS stakes_eur,
    CAST(round(sum(macros.minor_to_eur(wins_minor, currency_exponent, rate_to_eur)), 2) AS DECIMAL(18, 2)) AS wins_eur,
    CAST(round(sum(macros.minor_to_eur(ggr_minor, currency_exponent, rate_to_eur)), 2) AS DECIMAL(18, 2)) AS ggr_eur,
    CAST(round(sum(macros.minor_to_eur(bonus_cost_minor, currency_exponent, rate_to_eur)), 2) AS DECIMAL(18, 2)) AS bonus_cost_eur,
    CAST(round(sum(macros.minor_to_eur(ngr_minor, currency_exponent, rate_to_eur)), 2) AS DECIMAL(18, 2)) AS ngr_eur,
    string_agg(DISTINCT duty_name, ', ' ORDER BY duty_name) AS duty_name,
    string_agg(DISTINCT duty_base, ', ' ORDER BY duty_base) AS duty_base,
    CAST(sum(duty_base_minor) AS BIGINT) AS duty_base_minor,
    CAST(min(duty_rate) AS DECIMAL(9, 6)) AS duty_rate_min,
    CAST(max(duty_rate) AS DECIMAL(9, 6)) AS duty_rate_max,
    count(*) FILTER (WHERE duty_rate IS NULL) AS days_without_rate,
    bool_and(rate_verified) AS rate_verified,
    CASE WHEN count(*) FILTER (WHERE duty_rate IS NULL) = 0
      THEN CAST(sum(duty_day_minor) AS DECIMAL(38, 6)) END AS duty_exact_minor,
    CASE WHEN count(*) FILTER (WHERE duty_rate IS NULL) = 0
      THEN CAST(round(sum(duty_day_minor), 0) AS BIGINT) END AS duty_owed_minor,
    CASE WHEN count(*) FILTER (WHERE duty_rate IS NULL) = 0
      -- fractional minor units: x 10^-exponent (macros.minor_unit) rather than minor_to_eur, which takes whole minor units
      THEN CAST(round(sum(duty_day_minor * macros.minor_unit(currency_exponent) * rate_to_eur), 2) AS DECIMAL(18, 2)) END AS duty_owed_eur
  FROM priced
  GROUP BY report_month, jurisdiction, game_type, currency
),
control AS (
  -- fct_ggr_daily's own totals, read without the game and duty joins
  SELECT
    CAST(date_trunc('month', activity_date) AS DATE) AS report_month, jurisdiction, currency,
    CAST(sum(stakes_minor) AS BIGINT) AS control_stakes_minor,
    CAST(sum(wins_minor) AS BIGINT) AS control_wins_minor,
    CAST(sum(ggr_minor) AS BIGINT) AS control_ggr_minor
  FROM marts.fct_ggr_daily
  GROUP BY ALL
)
SELECT
  coalesce(m.report_month, c.report_month) AS report_month,
  coalesce(m.jurisdiction, c.jurisdiction) AS jurisdiction,
  m.game_type,
  coalesce(m.currency, c.currency) AS currency,
  m.currency_exponent, m.first_activity_date, m.last_activity_date, m.activity_days,
  m.stakes_minor, m.wins_minor, m.ggr_minor, m.bonus_cost_minor, m.free_bet_wins_minor, m.ngr_minor, m.bets,
  m.stakes_eur, m.wins_eur, m.ggr_eur, m.bonus_cost_eur, m.ngr_eur,
  m.duty_name, m.duty_base, m.duty_base_minor, m.duty_rate_min, m.duty_rate_max,
  ra.rates_applied, m.days_without_rate, m.rate_verified,
  m.duty_exact_minor, m.duty_owed_minor, m.duty_owed_eur,
  c.control_stakes_minor, c.control_wins_minor, c.control_ggr_minor
FROM monthly AS m
-- FULL: a control group the report lost shows up as a row with NULL game_type (not_null blocks it)
FULL OUTER JOIN control AS c
  ON c.report_month = m.report_month AND c.jurisdiction = m.jurisdiction AND c.currency = m.currency
LEFT JOIN rates_applied AS ra
  ON ra.report_month = m.report_month AND ra.jurisdiction = m.jurisdiction AND ra.game_type = m.game_type AND ra.currency = m.currency
