-- The daily operations summary: what an operations manager reads every morning, per UTC day, brand
-- and currency. Gaming (bets, stakes, GGR, bonus cost, NGR) from marts.fct_ggr_daily, the single
-- source of stakes and wins: the players' own money (a free bet's stake was the operator's, in no
-- stake or GGR; what free bets paid is in bonus cost and shown alone as free_bet_wins_minor); payments from staging.stg_deposits (completed) and
-- staging.stg_withdrawals (requested, paid, rejected: each counted on the day of that step, so a
-- withdrawal requested on Monday and paid on Tuesday is in Monday's requested and Tuesday's paid);
-- players from marts.fct_player_daily (active = at least one counted bet that day) and
-- marts.dim_players (registrations on the registration day, first-time depositors on the day of
-- their first completed deposit ever); operator interventions = account status changes by an
-- operator (staging.stg_players, actor operator:<id>), as rpt_player_protection_monthly counts them.
-- Brand = the brand the player registered with (dim_players; fct_ggr_daily's own brand for gaming),
-- (unknown) when the registration is not in the warehouse. Currency = the wallet currency of the
-- money (a player has one, so player counts add up across a brand's currencies).
--
-- Comparisons: *_prev_day and *_week_ago are the same figures of the row one day and seven days
-- earlier (same brand and currency); 0 when nothing happened then, NULL when that day is before the
-- first day of this table (unknown, not zero). A row exists for a day, brand and currency when
-- anything happened that day, the day before or a week before, so a drop to nothing still shows.
-- EUR: each row's minor units x 10^-exponent x that day's seeds.fx_rates rate (macros.minor_to_eur;
-- ILLUSTRATIVE seed), rounded half away from zero to cents once per row; NULL when the seed has no rate for the day
-- (never a silent 0).
--
-- Kind FULL, every 15 minutes. The table is small (days x brands x currencies: about 6,000 rows a
-- year) and every comparison column reads rows 1 and 7 days earlier: as a FULL table the audit
-- equals_earlier_period checks on every build that each *_prev_day / *_week_ago equals the
-- earlier row, which an incremental batch (audited alone) could not, and a --restate or a late
-- event in a parent can never leave a later day's comparison stale. An INCREMENTAL_BY_TIME_RANGE
-- version would need lookback 9 (the 7-day comparison + the parents' 2-day lookback) and still go
-- stale after a restate of an older range. The rebuild reads fct_ggr_daily, fct_player_daily,
-- dim_players and the deposit, withdrawal and player staging tables whole: under a second here;
-- at years of 100,000-player history switch to incremental with lookback 9.
MODEL (
  name marts.rpt_operations_daily,
  kind FULL,
  cron '*/15 * * * *',
  grain [report_date, brand, currency],
  owner operations,
  tags [marts, operations, finance, money, rpt],
  description 'Daily operations summary per UTC day, brand and currency: bets, stakes, GGR, bonus cost, NGR (marts.fct_ggr_daily), deposits completed, withdrawals requested / paid / rejected (count and amount), active players, registrations, first-time depositors, operator interventions; money in minor units and in EUR at the day''s seeds.fx_rates rate; the headline figures again for the previous day and the same weekday a week earlier. Control totals from fct_ggr_daily per day and currency.',
  column_descriptions (
    report_date = 'UTC day',
    brand = 'Brand the player registered with, or (unknown) when the registration is not in the warehouse',
    currency = 'Wallet currency of the money and of the players counted',
    brand_currency = 'brand and currency as one label (aurora EUR), for chart axes',
    currency_exponent = 'Minor-unit exponent of currency: amount = minor / 10^exponent',
    rate_to_eur = 'EUR per 1 unit of currency that day (seeds.fx_rates, illustrative); NULL when the seed has none',
    bets = 'Bets of the players'' money counted (settled table bets, provider debits not rolled back; not free bets)',
    stakes_minor = 'Stakes of the players'' money, minor units (fct_ggr_daily; a free bet''s stake is the operator''s, not in it)',
    ggr_minor = 'GGR = stakes - wins, minor units',
    bonus_cost_minor = 'Bonus-funded part of the stakes plus what free bets paid, minor units',
    free_bet_wins_minor = 'What free bets paid (the return without the stake, real money), minor units: part of bonus_cost_minor',
    ngr_minor = 'NGR = GGR - bonus cost, minor units',
    deposits = 'Deposits completed that day',
    deposits_minor = 'Amount of the deposits completed, minor units',
    withdrawals_requested = 'Withdrawals requested that day (whatever became of them)',
    withdrawals_requested_minor = 'Amount requested, minor units',
    withdrawals_paid = 'Withdrawals paid out that day',
    withdrawals_paid_minor = 'Amount paid, minor units',
    withdrawals_rejected = 'Withdrawals rejected by an operator that day',
    withdrawals_rejected_minor = 'Amount rejected, minor units',
    active_players = 'Players with at least one counted bet that day (fct_player_daily.bets > 0)',
    registrations = 'Players who registered that day (dim_players.registered_at)',
    first_time_depositors = 'Players whose first completed deposit ever was that day (dim_players.first_deposit_at)',
    operator_interventions = 'Account status changes made by an operator (locks, unlocks, closures; actor operator:<id>) that day',
    stakes_eur = 'Stakes in EUR, DECIMAL(18,2)',
    ggr_eur = 'GGR in EUR, DECIMAL(18,2)',
    bonus_cost_eur = 'Bonus cost in EUR, DECIMAL(18,2)',
    ngr_eur = 'NGR in EUR, DECIMAL(18,2)',
    deposits_eur = 'Deposits completed in EUR, DECIMAL(18,2)',
    withdrawals_requested_eur = 'Withdrawals requested in EUR, DECIMAL(18,2)',
    withdrawals_paid_eur = 'Withdrawals paid in EUR, DECIMAL(18,2)',
    withdrawals_rejected_eur = 'Withdrawals rejected in EUR, DECIMAL(18,2)',
    ggr_minor_prev_day = 'ggr_minor of the day before (same brand and currency); 0 if nothing then, NULL before the table''s first day',
    ggr_minor_week_ago = 'ggr_minor of the same weekday a week earlier; 0 if nothing then, NULL before the first day',
    ngr_minor_prev_day = 'ngr_minor of the day before',
    ngr_minor_week_ago = 'ngr_minor a week earlier',
    deposits_minor_prev_day = 'deposits_minor of the day before',
    deposits_minor_week_ago = 'deposits_minor a week earlier',
    withdrawals_paid_minor_prev_day = 'withdrawals_paid_minor of the day before',
    withdrawals_paid_minor_week_ago = 'withdrawals_paid_minor a week earlier',
    ggr_eur_prev_day = 'ggr_eur of the day before (at that day''s rate)',
    ggr_eur_week_ago = 'ggr_eur a week earlier',
    ngr_eur_prev_day = 'ngr_eur of the day before',
    ngr_eur_week_ago = 'ngr_eur a week earlier',
    deposits_eur_prev_day = 'deposits_eur of the day before',
    deposits_eur_week_ago = 'deposits_eur a week earlier',
    withdrawals_paid_eur_prev_day = 'withdrawals_paid_eur of the day before',
    withdrawals_paid_eur_week_ago = 'withdrawals_paid_eur a week earlier',
    active_players_prev_day = 'active_players of the day before',
    active_players_week_ago = 'active_players a week earlier',
    registrations_prev_day = 'registrations of the day before',
    registrations_week_ago = 'registrations a week earlier',
    first_time_depositors_prev_day = 'first_time_depositors of the day before',
    first_time_depositors_week_ago = 'first_time_depositors a week earlier',
    control_stakes_minor = 'fct_ggr_daily''s stakes for the whole day and currency (all brands), read without this model''s joins: the control total',
    control_ggr_minor = 'fct_ggr_daily''s GGR for the day and currency (all brands)',
    control_ngr_minor = 'fct_ggr_daily''s NGR for the day and currency (all brands)'
  ),
  audits (
    not_null(columns := [report_date, brand, currency, brand_currency, currency_exponent, bets, stakes_minor, ggr_minor, bonus_cost_minor, free_bet_wins_minor, ngr_minor, deposits, deposits_minor, withdrawals_requested, withdrawals_requested_minor, withdrawals_paid, withdrawals_paid_minor, withdrawals_rejected, withdrawals_rejected_minor, active_players, registrations, first_time_depositors, operator_interventions, control_stakes_minor, control_ggr_minor, control_ngr_minor]),
    unique_combination_of_columns(columns := [report_date, brand, currency]),
    accepted_range(column := stakes_minor, min_v := 0),
    accepted_range(column := bonus_cost_minor, min_v := 0),
    accepted_range(column := deposits_minor, min_v := 0),
    accepted_range(column := withdrawals_paid_minor, min_v := 0),
    accepted_range(column := active_players, min_v := 0),
    forall(criteria := [
      ngr_minor = ggr_minor - bonus_cost_minor,
      bonus_cost_minor - free_bet_wins_minor BETWEEN 0 AND stakes_minor,
      first_time_depositors <= deposits,
      ggr_eur IS NULL OR abs(ggr_eur - round(ggr_minor * rate_to_eur / power(10, currency_exponent), 2)) <= 0.01
    ]),
    sums_to_control_total(part := stakes_minor, control := control_stakes_minor, by := [report_date, currency]),
    sums_to_control_total(part := ggr_minor, control := control_ggr_minor, by := [report_date, currency]),
    sums_to_control_total(part := ngr_minor, control := control_ngr_minor, by := [report_date, currency]),
    equals_earlier_period(value := ggr_minor, previous := ggr_minor_prev_day, period := report_date, by := [brand, currency], lag := INTERVAL 1 DAY),
    equals_earlier_period(value := ggr_minor, previous := ggr_minor_week_ago, period := report_date, by := [brand, currency], lag := INTERVAL 7 DAY),
    equals_earlier_period(value := deposits_minor, previous := deposits_minor_prev_day, period := report_date, by := [brand, currency], lag := INTERVAL 1 DAY),
    equals_earlier_period(value := active_players, previous := active_players_prev_day, period := report_date, by := [brand, currency], lag := INTERVAL 1 DAY),
    equals_earlier_period(value := active_players, previous := active_players_week_ago, period := report_date, by := [brand, currency], lag := INTERVAL 7 DAY),
    equals_earlier_period(value := ngr_eur, previous := ngr_eur_week_ago, period := report_date, by := [brand, currency], lag := INTERVAL 7 DAY)
  )
);

WITH players AS (
  SELECT player_id, brand, currency, registered_at, first_deposit_at
  FROM marts.dim_players
),
gaming AS (
  -- fct_ggr_daily's rows summed over jurisdiction, game, table and provider
  SELECT
    activity_date AS report_date, brand, currency,
    CAST(sum(bets) AS BIGINT) AS bets,
    CAST(sum(stakes_minor) AS BIGINT) AS stakes_minor,
    CAST(sum(ggr_minor) AS BIGINT) AS ggr_minor,
    CAST(sum(bonus_cost_minor) AS BIGINT) AS bonus_cost_minor,
    CAST(sum(free_bet_wins_minor) AS BIGINT) AS free_bet_wins_minor,
    CAST(sum(ngr_minor) AS BIGINT) AS ngr_minor
  FROM marts.fct_ggr_daily
  GROUP BY ALL
),
deposits AS (
  SELECT
    d.event_date AS report_date, coalesce(p.brand, '(unknown)') AS brand, d.currency,
    count(*) AS deposits,
    CAST(sum(d.amount_minor) AS BIGINT) AS deposits_minor
  FROM staging.stg_deposits AS d
  LEFT JOIN players AS p ON p.player_id = d.player_id
  WHERE d.step = 'completed'
  GROUP BY ALL
),
withdrawals AS (
  SELECT
    w.event_date AS report_date, coalesce(p.brand, '(unknown)') AS brand, w.currency,
    count(*) FILTER (WHERE w.step = 'requested') AS withdrawals_requested,
    CAST(coalesce(sum(w.amount_minor) FILTER (WHERE w.step = 'requested'), 0) AS BIGINT) AS withdrawals_requested_minor,
    count(*) FILTER (WHERE w.step = 'paid') AS withdrawals_paid,
    CAST(coalesce(sum(w.amount_minor) FILTER (WHERE w.step = 'paid'), 0) AS BIGINT) AS withdrawals_paid_minor,
    count(*) FILTER (WHERE w.step = 'rejected') AS withdrawals_rejected,
    CAST(coalesce(sum(w.amount_minor) FILTER (WHERE w.step = 'rejected'), 0) AS BIGINT) AS withdrawals_rejected_minor
  FROM staging.stg_withdrawals AS w
  LEFT JOIN players AS p ON p.player_id = w.player_id
  WHERE w.step IN ('requested', 'paid', 'rejected')
  GROUP BY ALL
),
active AS (
  -- fct_player_daily is one row per player and day, so count(*) counts players
  SELECT f.activity_date AS report_date, coalesce(p.brand, '(unknown)') AS brand, f.currency, count(*) AS active_players
  FROM marts.fct_player_daily AS f
  LEFT JOIN players AS p ON p.player_id = f.player_id
  WHERE f.bets > 0
  GROUP BY ALL
),
registrations AS (
  SELECT CAST(registered_at AS DATE) AS report_date, brand, currency, count(*) AS registrations
  FROM players
  GROUP BY ALL
),
ftds AS (
  SELECT CAST(first_deposit_at AS DATE) AS report_date, brand, currency, count(*) AS first_time_depositors
  FROM players
  WHERE first_deposit_at IS NOT NULL
  GROUP BY ALL
),
interventions AS (
  -- a status change carries no currency: the player's wallet currency is the registration's (one
  -- on a player whose registration is not in the warehouse has none and is not counted)
  SELECT s.event_date AS report_date, coalesce(p.brand, '(unknown)') AS brand, coalesce(s.currency, p.currency) AS currency, count(*) AS operator_interventions
  FROM staging.stg_players AS s
  LEFT JOIN players AS p ON p.player_id = s.player_id
  WHERE s.change = 'status_changed' AND s.actor LIKE 'operator:%'
  GROUP BY ALL
),
active_keys AS (
  SELECT report_date, brand, currency FROM gaming
  UNION SELECT report_date, brand, currency FROM deposits
  UNION SELECT report_date, brand, currency FROM withdrawals
  UNION SELECT report_date, brand, currency FROM active
  UNION SELECT report_date, brand, currency FROM registrations
  UNION SELECT report_date, brand, currency FROM ftds
  UNION SELECT report_date, brand, currency FROM interventions
),
spine AS (
  -- a row on each day something happened, and on the next day and a week later (to show the drop)
  SELECT DISTINCT CAST(k.report_date + o.days AS DATE) AS report_date, k.brand, k.currency
  FROM active_keys AS k
  CROSS JOIN (VALUES (0), (1), (7)) AS o(days)
  WHERE k.report_date + o.days <= (SELECT max(report_date) FROM active_keys)
    AND k.currency IS NOT NULL
),
day_rows AS (
  SELECT
    s.report_date, s.brand, s.currency,
    s.brand || ' ' || s.currency AS brand_currency,
    CAST(c.exponent AS INTEGER) AS currency_exponent,
    fx.rate_to_eur,
    coalesce(g.bets, 0) AS bets,
    coalesce(g.stakes_minor, 0) AS stakes_minor,
    coalesce(g.ggr_minor, 0) AS ggr_minor,
    coalesce(g.bonus_cost_minor, 0) AS bonus_cost_minor,
    coalesce(g.free_bet_wins_minor, 0) AS free_bet_wins_minor,
    coalesce(g.ngr_minor, 0) AS ngr_minor,
    coalesce(d.deposits, 0) AS deposits,
    coalesce(d.deposits_minor, 0) AS deposits_minor,
    coalesce(w.withdrawals_requested, 0) AS withdrawals_requested,
    coalesce(w.withdrawals_requested_minor, 0) AS withdrawals_requested_minor,
    coalesce(w.withdrawals_paid, 0) AS withdrawals_paid,
    coalesce(w.withdrawals_paid_minor, 0) AS withdrawals_paid_minor,
    coalesce(w.withdrawals_rejected, 0) AS withdrawals_rejected,
    coalesce(w.withdrawals_rejected_minor, 0) AS withdrawals_rejected_minor,
    coalesce(a.active_players, 0) AS active_players,
    coalesce(r.registrations, 0) AS registrations,
    coalesce(f.first_time_depositors, 0) AS first_time_depositors,
    coalesce(i.operator_interventions, 0) AS operator_interventions
  FROM spine AS s
  LEFT JOIN seeds.currencies AS c ON c.code = s.currency
  LEFT JOIN seeds.fx_rates AS fx ON fx.rate_date = s.report_date AND fx.currency = s.currency
  LEFT JOIN gaming AS g ON g.report_date = s.report_date AND g.brand = s.brand AND g.currency = s.currency
  LEFT JOIN deposits AS d ON d.report_date = s.report_date AND d.brand = s.brand AND d.currency = s.currency
  LEFT JOIN withdrawals AS w ON w.report_date = s.report_date AND w.brand = s.brand AND w.currency = s.currency
  LEFT JOIN active AS a ON a.report_date = s.report_date AND a.brand = s.brand AND a.currency = s.currency
  LEFT JOIN registrations AS r ON r.report_date = s.report_date AND r.brand = s.brand AND r.currency = s.currency
  LEFT JOIN ftds AS f ON f.report_date = s.report_date AND f.brand = s.brand AND f.currency = s.currency
  LEFT JOIN interventions AS i ON i.report_date = s.report_date AND i.brand = s.brand AND i.currency = s.currency
),
converted AS (
  SELECT
    *,
    CAST(round(macros.minor_to_eur(stakes_minor, currency_exponent, rate_to_eur), 2) AS DECIMAL(18, 2)) AS stakes_eur,
    CAST(round(macros.minor_to_eur(ggr_minor, currency_exponent, rate_to_eur), 2) AS DECIMAL(18, 2)) AS ggr_eur,
    CAST(round(macros.minor_to_eur(bonus_cost_minor, currency_exponent, rate_to_eur), 2) AS DECIMAL(18, 2)) AS bonus_cost_eur,
    CAST(round(macros.minor_to_eur(ngr_minor, currency_exponent, rate_to_eur), 2) AS DECIMAL(18, 2)) AS ngr_eur,
    CAST(round(macros.minor_to_eur(deposits_minor, currency_exponent, rate_to_eur), 2) AS DECIMAL(18, 2)) AS deposits_eur,
    CAST(round(macros.minor_to_eur(withdrawals_requested_minor, currency_exponent, rate_to_eur), 2) AS DECIMAL(18, 2)) AS withdrawals_requested_eur,
    CAST(round(macros.minor_to_eur(withdrawals_paid_minor, currency_exponent, rate_to_eur), 2) AS DECIMAL(18, 2)) AS withdrawals_paid_eur,
    CAST(round(macros.minor_to_eur(withdrawals_rejected_minor, currency_exponent, rate_to_eur), 2) AS DECIMAL(18, 2)) AS withdrawals_rejected_eur
  FROM day_rows
),
compared AS (
  -- e = earlier row: p the day before, w a week before. No earlier row = nothing happened then
  -- (every day with activity has a row), so 0; before the first day of the table: NULL.
  SELECT
    cur.*,
    cur.report_date - 1 < bounds.first_date AS no_prev_day,
    cur.report_date - 7 < bounds.first_date AS no_week_ago,
    p.report_date IS NOT NULL AS has_prev_day,
    w.report_date IS NOT NULL AS has_week_ago,
    p.ggr_minor AS p_ggr_minor, w.ggr_minor AS w_ggr_minor,
    p.ngr_minor AS p_ngr_minor, w.ngr_minor AS w_ngr_minor,
    p.deposits_minor AS p_deposits_minor, w.deposits_minor AS w_deposits_minor,
    p.withdrawals_paid_minor AS p_withdrawals_paid_minor, w.withdrawals_paid_minor AS w_withdrawals_paid_minor,
    p.ggr_eur AS p_ggr_eur, w.ggr_eur AS w_ggr_eur,
    p.ngr_eur AS p_ngr_eur, w.ngr_eur AS w_ngr_eur,
    p.deposits_eur AS p_deposits_eur, w.deposits_eur AS w_deposits_eur,
    p.withdrawals_paid_eur AS p_withdrawals_paid_eur, w.withdrawals_paid_eur AS w_withdrawals_paid_eur,
    p.active_players AS p_active_players, w.active_players AS w_active_players,
    p.registrations AS p_registrations, w.registrations AS w_registrations,
    p.first_time_depositors AS p_first_time_depositors, w.first_time_depositors AS w_first_time_depositors
  FROM converted AS cur
  CROSS JOIN (SELECT min(report_date) AS first_date FROM converted) AS bounds
  LEFT JOIN converted AS p ON p.report_date = cur.report_date - 1 AND p.brand = cur.brand AND p.currency = cur.currency
  LEFT JOIN converted AS w ON w.report_date = cur.report_date - 7 AND w.brand = cur.brand AND w.currency = cur.currency
),
control AS (
  -- fct_ggr_daily's own totals per day and currency, read without the brand split or the spine
  SELECT
    activity_date AS report_date, currency,
    CAST(sum(stakes_minor) AS BIGINT) AS control_stakes_minor,
    CAST(sum(ggr_minor) AS BIGINT) AS control_ggr_minor,
    CAST(sum(ngr_minor) AS BIGINT) AS control_ngr_minor
  FROM marts.fct_ggr_daily
  GROUP BY ALL
)
SELECT
  coalesce(m.report_date, ct.report_date) AS report_date,
  m.brand,
  coalesce(m.currency, ct.currency) AS currency,
  m.brand_currency, m.currency_exponent, m.rate_to_eur,
  m.bets, m.stakes_minor, m.ggr_minor, m.bonus_cost_minor, m.free_bet_wins_minor, m.ngr_minor,
  m.deposits, m.deposits_minor,
  m.withdrawals_requested, m.withdrawals_requested_minor,
  m.withdrawals_paid, m.withdrawals_paid_minor,
  m.withdrawals_rejected, m.withdrawals_rejected_minor,
  m.active_players, m.registrations, m.first_time_depositors, m.operator_interventions,
  m.stakes_eur, m.ggr_eur, m.bonus_cost_eur, m.ngr_eur, m.deposits_eur,
  m.withdrawals_requested_eur, m.withdrawals_paid_eur, m.withdrawals_rejected_eur,
  -- counts and minor units of a missing earlier row are 0; its EUR is 0 too (0 x any rate), but an
  -- earlier row's NULL EUR (no rate that day) stays NULL
  CASE WHEN NOT m.no_prev_day THEN coalesce(m.p_ggr_minor, 0) END AS ggr_minor_prev_day,
  CASE WHEN NOT m.no_week_ago THEN coalesce(m.w_ggr_minor, 0) END AS ggr_minor_week_ago,
  CASE WHEN NOT m.no_prev_day THEN coalesce(m.p_ngr_minor, 0) END AS ngr_minor_prev_day,
  CASE WHEN NOT m.no_week_ago THEN coalesce(m.w_ngr_minor, 0) END AS ngr_minor_week_ago,
  CASE WHEN NOT m.no_prev_day THEN coalesce(m.p_deposits_minor, 0) END AS deposits_minor_prev_day,
  CASE WHEN NOT m.no_week_ago THEN coalesce(m.w_deposits_minor, 0) END AS deposits_minor_week_ago,
  CASE WHEN NOT m.no_prev_day THEN coalesce(m.p_withdrawals_paid_minor, 0) END AS withdrawals_paid_minor_prev_day,
  CASE WHEN NOT m.no_week_ago THEN coalesce(m.w_withdrawals_paid_minor, 0) END AS withdrawals_paid_minor_week_ago,
  CAST(CASE WHEN m.no_prev_day THEN NULL WHEN m.has_prev_day THEN m.p_ggr_eur ELSE 0 END AS DECIMAL(18, 2)) AS ggr_eur_prev_day,
  CAST(CASE WHEN m.no_week_ago THEN NULL WHEN m.has_week_ago THEN m.w_ggr_eur ELSE 0 END AS DECIMAL(18, 2)) AS ggr_eur_week_ago,
  CAST(CASE WHEN m.no_prev_day THEN NULL WHEN m.has_prev_day THEN m.p_ngr_eur ELSE 0 END AS DECIMAL(18, 2)) AS ngr_eur_prev_day,
  CAST(CASE WHEN m.no_week_ago THEN NULL WHEN m.has_week_ago THEN m.w_ngr_eur ELSE 0 END AS DECIMAL(18, 2)) AS ngr_eur_week_ago,
  CAST(CASE WHEN m.no_prev_day THEN NULL WHEN m.has_prev_day THEN m.p_deposits_eur ELSE 0 END AS DECIMAL(18, 2)) AS deposits_eur_prev_day,
  CAST(CASE WHEN m.no_week_ago THEN NULL WHEN m.has_week_ago THEN m.w_deposits_eur ELSE 0 END AS DECIMAL(18, 2)) AS deposits_eur_week_ago,
  CAST(CASE WHEN m.no_prev_day THEN NULL WHEN m.has_prev_day THEN m.p_withdrawals_paid_eur ELSE 0 END AS DECIMAL(18, 2)) AS withdrawals_paid_eur_prev_day,
  CAST(CASE WHEN m.no_week_ago THEN NULL WHEN m.has_week_ago THEN m.w_withdrawals_paid_eur ELSE 0 END AS DECIMAL(18, 2)) AS withdrawals_paid_eur_week_ago,
  CASE WHEN NOT m.no_prev_day THEN coalesce(m.p_active_players, 0) END AS active_players_prev_day,
  CASE WHEN NOT m.no_week_ago THEN coalesce(m.w_active_players, 0) END AS active_players_week_ago,
  CASE WHEN NOT m.no_prev_day THEN coalesce(m.p_registrations, 0) END AS registrations_prev_day,
  CASE WHEN NOT m.no_week_ago THEN coalesce(m.w_registrations, 0) END AS registrations_week_ago,
  CASE WHEN NOT m.no_prev_day THEN coalesce(m.p_first_time_depositors, 0) END AS first_time_depositors_prev_day,
  CASE WHEN NOT m.no_week_ago THEN coalesce(m.w_first_time_depositors, 0) END AS first_time_depositors_week_ago,
  coalesce(ct.control_stakes_minor, 0) AS control_stakes_minor,
  coalesce(ct.control_ggr_minor, 0) AS control_ggr_minor,
  coalesce(ct.control_ngr_minor, 0) AS control_ngr_minor
FROM compared AS m
-- FULL: a day and currency of fct_ggr_daily this table lost shows up as a row with NULL brand
-- (not_null blocks it); a day and currency without play gets control 0
FULL OUTER JOIN control AS ct ON ct.report_date = m.report_date AND ct.currency = m.currency
