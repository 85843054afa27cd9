-- The monthly management pack: per UTC calendar month, brand and jurisdiction, in EUR, the KPIs
-- management compares month on month: GGR, NGR, bonus cost, deposits, withdrawals, active players,
-- first-time depositors, retention and NGR per active player, each beside the previous month's
-- value, the change and the change in %.
--
-- Rows: every brand x jurisdiction, plus roll-ups with '(all)' in brand, jurisdiction or both
-- (GROUPING SETS): the company's headline is the row brand = '(all)' AND jurisdiction = '(all)'.
-- Distinct counts (active players, retention) cannot be added up from the finer rows, so the
-- roll-ups are computed, not summed: DO NOT sum rows across brands or jurisdictions without
-- filtering the '(all)' rows out.
--
-- Sources: marts.fct_ggr_daily (GGR, NGR, bonus cost: the single source of stakes and wins, with
-- its activity jurisdiction and registration brand), staging.stg_deposits (completed) and
-- staging.stg_withdrawals (paid), staging.stg_reward_credits and the tournament prizes of
-- staging.stg_wins (promotion cost: money given without a game, shown beside NGR, not in it),
-- marts.fct_player_daily (activity), marts.dim_players (brand, registration jurisdiction, first
-- deposit).
--
-- Definitions:
--   GGR, NGR       = fct_ggr_daily's: the players' own money. A free bet (docs/rewards.md
--                    "Cash-like rewards") is the operator's stake: not in GGR; what it paid is in
--                    bonus cost (so in NGR), not in promotion cost (it is a game's win on a bet).
--   active player  = a player with at least one counted bet of their own money in the UTC month (a
--                    settled table bet or a provider debit not rolled back, not a free bet:
--                    fct_player_daily.bets > 0), as
--                    rpt_player_protection_monthly counts them. Logging in or depositing alone is
--                    not activity.
--   retention      = of the players active in the previous month (in this brand / jurisdiction),
--                    the share also active this month: retained_players / active_players_prev.
--                    NULL when nobody was active in the previous month (and in the first month).
--   first-time depositor = a player whose first completed deposit ever falls in the month.
--   withdrawals    = withdrawals PAID in the month (money out); deposits = deposits completed.
--   NGR per active player = ngr_eur / active_players.
--   change         = this month - previous month; change % = change / |previous| (so a rise is
--                    positive even from a negative GGR), NULL when the previous is 0 or unknown.
--   previous month = the row of the month before (same brand and jurisdiction); 0 when nothing
--                    happened then, NULL for the first month of the table (unknown, not 0).
-- EUR: each day's minor units x 10^-exponent x that day's seeds.fx_rates rate (the ILLUSTRATIVE
-- seed), summed exactly over the month and rounded once to cents, as rpt_gaming_revenue_monthly
-- does; a month with money on a day the seed has no rate for gets NULL (never a partial sum) and
-- its control total audit then blocks the build: extend seeds.fx_rates.
--
-- Control totals: control_ggr_eur / control_ngr_eur are computed straight from fct_ggr_daily
-- for the row's month, brand and jurisdiction (roll-ups too), without this model's spine and
-- joins; sums_to_control_total checks each row against them, so a join that fans out or drops a
-- group blocks the build.
--
-- Kind FULL, hourly: tiny (months x brands x jurisdictions with roll-ups: about 20 rows a month),
-- every row reads the month before (previous values, retention), distinct players need the whole
-- month's activity, and a late event or a --restate of a parent rewrites the month's days; the
-- rebuild reads the parents whole in well under a second here and is exactly reproducible.
MODEL (
  name marts.rpt_management_monthly,
  kind FULL,
  cron '@hourly',
  grain [report_month, brand, jurisdiction],
  owner management,
  tags [marts, management, finance, money, rpt],
  description 'Monthly management pack per UTC calendar month, brand and jurisdiction, with (all) roll-ups: GGR, NGR, bonus cost, deposits, withdrawals paid (EUR at each day''s seeds.fx_rates rate, rounded once), active players (a counted bet in the month), first-time depositors, retention (share of the previous month''s active players active again) and NGR per active player, each with the previous month''s value, the change and the change in % (NULL when the previous is 0). Control totals from fct_ggr_daily.',
  column_descriptions (
    report_month = 'First day of the UTC calendar month',
    brand = 'Brand the player registered with ((unknown) without a registration in the warehouse), or (all) for the roll-up over brands',
    jurisdiction = 'Licensing jurisdiction of the activity ((none) without one), or (all) for the roll-up over jurisdictions',
    ggr_eur = 'GGR (stakes - wins) in EUR, DECIMAL(18,2)',
    ngr_eur = 'NGR (GGR - bonus cost) in EUR',
    bonus_cost_eur = 'Bonus cost in EUR: bonus-funded stakes and what free bets paid (fct_ggr_daily)',
    promotion_cost_eur = 'Promotional money paid into wallets in the month, EUR: cashback rewards (wallet.reward.credited) and tournament prizes (wallet wins without a stake), by the player''s registration brand and the event''s jurisdiction. Not in ngr_eur (the games'' NGR, fct_ggr_daily''s control total): net of promotions = ngr_eur - promotion_cost_eur',
    deposits = 'Deposits completed in the month',
    deposits_eur = 'Their amount in EUR',
    withdrawals = 'Withdrawals paid in the month',
    withdrawals_eur = 'Their amount in EUR',
    active_players = 'Distinct players with at least one counted bet of their own money in the month (a free bet does not count)',
    retained_players = 'Of the previous month''s active players, those active this month',
    first_time_depositors = 'Players whose first completed deposit ever was in the month (registration brand and jurisdiction)',
    retention_rate = 'retained_players / active_players of the previous month, DECIMAL(5,4); NULL when that is 0 or unknown',
    ngr_per_active_eur = 'ngr_eur / active_players, DECIMAL(18,2); NULL without active players',
    ggr_eur_prev = 'ggr_eur of the previous month (0 if nothing then, NULL for the first month of the table)',
    ggr_eur_change = 'ggr_eur - ggr_eur_prev',
    ggr_eur_change_pct = 'ggr_eur_change / |ggr_eur_prev| (0.25 = +25 %), DECIMAL(18,4); NULL when the previous is 0 or NULL',
    ngr_eur_prev = 'ngr_eur of the previous month',
    ngr_eur_change = 'ngr_eur - ngr_eur_prev',
    ngr_eur_change_pct = 'ngr_eur_change / |ngr_eur_prev|; NULL when the previous is 0',
    bonus_cost_eur_prev = 'bonus_cost_eur of the previous month',
    bonus_cost_eur_change = 'bonus_cost_eur - bonus_cost_eur_prev',
    bonus_cost_eur_change_pct = 'bonus_cost_eur_change / |bonus_cost_eur_prev|; NULL when the previous is 0',
    deposits_eur_prev = 'deposits_eur of the previous month',
    deposits_eur_change = 'deposits_eur - deposits_eur_prev',
    deposits_eur_change_pct = 'deposits_eur_change / |deposits_eur_prev|; NULL when the previous is 0',
    withdrawals_eur_prev = 'withdrawals_eur of the previous month',
    withdrawals_eur_change = 'withdrawals_eur - withdrawals_eur_prev',
    withdrawals_eur_change_pct = 'withdrawals_eur_change / |withdrawals_eur_prev|; NULL when the previous is 0',
    active_players_prev = 'active_players of the previous month',
    active_players_change = 'active_players - active_players_prev',
    active_players_change_pct = 'active_players_change / active_players_prev; NULL when the previous is 0',
    first_time_depositors_prev = 'first_time_depositors of the previous month',
    first_time_depositors_change = 'first_time_depositors - first_time_depositors_prev',
    first_time_depositors_change_pct = 'first_time_depositors_change / first_time_depositors_prev; NULL when the previous is 0',
    retention_rate_prev = 'retention_rate of the previous month',
    retention_rate_change = 'retention_rate - retention_rate_prev (in fraction points: 0.05 = 5 points)',
    retention_rate_change_pct = 'retention_rate_change / retention_rate_prev; NULL when the previous is 0 or NULL',
    ngr_per_active_eur_prev = 'ngr_per_active_eur of the previous month',
    ngr_per_active_eur_change = 'ngr_per_active_eur - ngr_per_active_eur_prev',
    ngr_per_active_eur_change_pct = 'ngr_per_active_eur_change / |ngr_per_active_eur_prev|; NULL when the previous is 0 or NULL',
    control_ggr_eur = 'GGR in EUR of fct_ggr_daily for the row''s month, brand and jurisdiction (roll-ups too), computed without this model''s joins: the control total',
    control_ngr_eur = 'NGR in EUR of fct_ggr_daily for the same group'
  ),
  audits (
    not_null(columns := [report_month, brand, jurisdiction, deposits, withdrawals, active_players, retained_players, first_time_depositors]),
    unique_combination_of_columns(columns := [report_month, brand, jurisdiction]),
    accepted_range(column := active_players, min_v := 0),
    accepted_range(column := retention_rate, min_v := 0, max_v := 1),
    accepted_range(column := bonus_cost_eur, min_v := 0),
    accepted_range(column := promotion_cost_eur, min_v := 0),
    forall(criteria := [
      retained_players <= active_players,
      ngr_eur = ggr_eur - bonus_cost_eur OR abs(ngr_eur - (ggr_eur - bonus_cost_eur)) <= 0.01,
      ggr_eur_change IS NOT DISTINCT FROM ggr_eur - ggr_eur_prev,
      active_players_change IS NOT DISTINCT FROM active_players - active_players_prev,
      (ggr_eur_change_pct IS NULL) = (ggr_eur_prev IS NULL OR ggr_eur_prev = 0 OR ggr_eur IS NULL),
      (retention_rate IS NULL) = (active_players_prev IS NULL OR active_players_prev = 0)
    ]),
    sums_to_control_total(part := ggr_eur, control := control_ggr_eur, by := [report_month, brand, jurisdiction]),
    sums_to_control_total(part := ngr_eur, control := control_ngr_eur, by := [report_month, brand, jurisdiction]),
    equals_earlier_period(value := ggr_eur, previous := ggr_eur_prev, period := report_month, by := [brand, jurisdiction], lag := INTERVAL 1 MONTH),
    equals_earlier_period(value := deposits_eur, previous := deposits_eur_prev, period := report_month, by := [brand, jurisdiction], lag := INTERVAL 1 MONTH),
    equals_earlier_period(value := active_players, previous := active_players_prev, period := report_month, by := [brand, jurisdiction], lag := INTERVAL 1 MONTH),
    equals_earlier_period(value := first_time_depositors, previous := first_time_depositors_prev, period := report_month, by := [brand, jurisdiction], lag := INTERVAL 1 MONTH),
    equals_earlier_period(value := retention_rate, previous := retention_rate_prev, period := report_month, by := [brand, jurisdiction], lag := INTERVAL 1 MONTH, missing := NULL)
  )
);

WITH players AS (
  SELECT player_id, coalesce(brand, '(unknown)') AS brand, coalesce(jurisdiction, '(none)') AS jurisdiction, first_deposit_at
  FROM marts.dim_players
),
units AS (
  -- each currency's exponent from the seed, for macros.minor_to_eur (exact DECIMAL, unrounded)
  SELECT code AS currency, exponent
  FROM seeds.currencies
),
money AS (
  -- one row per amount with its EUR value, exact (unrounded); NULL where the day has no rate
  SELECT CAST(date_trunc('month', g.activity_date) AS DATE) AS report_month, g.brand, g.jurisdiction,
    macros.minor_to_eur(g.ggr_minor, u.exponent, g.rate_to_eur) AS ggr,
    macros.minor_to_eur(g.ngr_minor, u.exponent, g.rate_to_eur) AS ngr,
    macros.minor_to_eur(g.bonus_cost_minor, u.exponent, g.rate_to_eur) AS bonus_cost,
    0 AS deposit, NULL AS deposit_eur, 0 AS withdrawal, NULL AS withdrawal_eur, 0 AS promotion, NULL AS promotion_eur
  FROM marts.fct_ggr_daily AS g
  LEFT JOIN units AS u ON u.currency = g.currency
  UNION ALL
  SELECT CAST(date_trunc('month', d.event_date) AS DATE), coalesce(p.brand, '(unknown)'), coalesce(d.jurisdiction, '(none)'),
    NULL, NULL, NULL,
    1, macros.minor_to_eur(d.amount_minor, u.exponent, fx.rate_to_eur), 0, NULL, 0, NULL
  FROM staging.stg_deposits AS d
  LEFT JOIN players AS p ON p.player_id = d.player_id
  LEFT JOIN units AS u ON u.currency = d.currency
  LEFT JOIN seeds.fx_rates AS fx ON fx.rate_date = d.event_date AND fx.currency = d.currency
  WHERE d.step = 'completed'
  UNION ALL
  SELECT CAST(date_trunc('month', w.event_date) AS DATE), coalesce(p.brand, '(unknown)'), coalesce(w.jurisdiction, '(none)'),
    NULL, NULL, NULL,
    0, NULL, 1, macros.minor_to_eur(w.amount_minor, u.exponent, fx.rate_to_eur), 0, NULL
  FROM staging.stg_withdrawals AS w
  LEFT JOIN players AS p ON p.player_id = w.player_id
  LEFT JOIN units AS u ON u.currency = w.currency
  LEFT JOIN seeds.fx_rates AS fx ON fx.rate_date = w.event_date AND fx.currency = w.currency
  WHERE w.step = 'paid'
  UNION ALL
  -- promotional money paid into wallets: cashback (wallet.reward.credited) and tournament prizes
  -- (wallet wins without a stake); not in fct_ggr_daily, whose GGR is the games' alone
  SELECT CAST(date_trunc('month', c.event_date) AS DATE), coalesce(p.brand, '(unknown)'), coalesce(c.jurisdiction, '(none)'),
    NULL, NULL, NULL,
    0, NULL, 0, NULL, 1, macros.minor_to_eur(c.amount_minor, u.exponent, fx.rate_to_eur)
  FROM (
    SELECT event_date, player_id, jurisdiction, currency, amount_minor FROM staging.stg_reward_credits
    UNION ALL
    SELECT event_date, player_id, jurisdiction, currency, amount_minor FROM staging.stg_wins WHERE win_source = 'wallet' AND win_origin = 'tournament'
  ) AS c
  LEFT JOIN players AS p ON p.player_id = c.player_id
  LEFT JOIN units AS u ON u.currency = c.currency
  LEFT JOIN seeds.fx_rates AS fx ON fx.rate_date = c.event_date AND fx.currency = c.currency
),
money_groups AS (
  -- an amount without a rate makes its sum NULL: count(x) < count(*) over the rows that carry x
  SELECT
    report_month,
    CASE WHEN grouping(brand) = 1 THEN '(all)' ELSE brand END AS brand,
    CASE WHEN grouping(jurisdiction) = 1 THEN '(all)' ELSE jurisdiction END AS jurisdiction,
    CASE WHEN count(ggr) = count(*) FILTER (WHERE deposit = 0 AND withdrawal = 0 AND promotion = 0) THEN coalesce(sum(ggr), 0) END AS ggr,
    CASE WHEN count(ngr) = count(*) FILTER (WHERE deposit = 0 AND withdrawal = 0 AND promotion = 0) THEN coalesce(sum(ngr), 0) END AS ngr,
    CASE WHEN count(bonus_cost) = count(*) FILTER (WHERE deposit = 0 AND withdrawal = 0 AND promotion = 0) THEN coalesce(sum(bonus_cost), 0) END AS bonus_cost,
    CASE WHEN count(promotion_eur) = sum(promotion) THEN coalesce(sum(promotion_eur), 0) END AS promotion_cost,
    CAST(sum(deposit) AS BIGINT) AS deposits,
    CASE WHEN count(deposit_eur) = sum(deposit) THEN coalesce(sum(deposit_eur), 0) END AS deposits_eur,
    CAST(sum(withdrawal) AS BIGINT) AS withdrawals,
    CASE WHEN count(withdrawal_eur) = sum(withdrawal) THEN coalesce(sum(withdrawal_eur), 0) END AS withdrawals_eur
  FROM money
  GROUP BY GROUPING SETS ((report_month), (report_month, brand), (report_month, jurisdiction), (report_month, brand, jurisdiction))
),
player_months AS (
  -- one row per player, month, brand and jurisdiction of activity (a counted bet)
  SELECT DISTINCT CAST(date_trunc('month', f.activity_date) AS DATE) AS report_month, f.player_id,
    coalesce(p.brand, '(unknown)') AS brand, coalesce(f.jurisdiction, '(none)') AS jurisdiction
  FROM marts.fct_player_daily AS f
  LEFT JOIN players AS p ON p.player_id = f.player_id
  WHERE f.bets > 0
),
activity AS (
  SELECT pm.*, prev.player_id IS NOT NULL AS active_prev_month
  FROM player_months AS pm
  LEFT JOIN (SELECT DISTINCT report_month, player_id FROM player_months) AS prev
    ON prev.player_id = pm.player_id AND prev.report_month = CAST(pm.report_month - INTERVAL 1 MONTH AS DATE)
),
player_groups AS (
  SELECT
    report_month,
    CASE WHEN grouping(brand) = 1 THEN '(all)' ELSE brand END AS brand,
    CASE WHEN grouping(jurisdiction) = 1 THEN '(all)' ELSE jurisdiction END AS jurisdiction,
    count(DISTINCT player_id) AS active_players,
    count(DISTINCT player_id) FILTER (WHERE active_prev_month) AS retained_players
  FROM activity
  GROUP BY GROUPING SETS ((report_month), (report_month, brand), (report_month, jurisdiction), (report_month, brand, jurisdiction))
),
ftd_groups AS (
  SELECT
    report_month,
    CASE WHEN grouping(brand) = 1 THEN '(all)' ELSE brand END AS brand,
    CASE WHEN grouping(jurisdiction) = 1 THEN '(all)' ELSE jurisdiction END AS jurisdiction,
    count(*) AS first_time_depositors
  FROM (
    SELECT CAST(date_trunc('month', first_deposit_at) AS DATE) AS report_month, brand, jurisdiction
    FROM players
    WHERE first_deposit_at IS NOT NULL
  ) AS ftd
  GROUP BY GROUPING SETS ((report_month), (report_month, brand), (report_month, jurisdiction), (report_month, brand, jurisdiction))
),
keys AS (
  SELECT report_month, brand, jurisdiction FROM money_groups
  UNION SELECT report_month, brand, jurisdiction FROM player_groups
  UNION SELECT report_month, brand, jurisdiction FROM ftd_groups
),
spine AS (
  -- a row for each month something happened, and for the month after (to show the drop)
  SELECT DISTINCT CAST(k.report_month + to_months(o.months) AS DATE) AS report_month, k.brand, k.jurisdiction
  FROM keys AS k
  CROSS JOIN (VALUES (0), (1)) AS o(months)
  WHERE k.report_month + to_months(o.months) <= (SELECT max(report_month) FROM keys)
),
month_rows AS (
  SELECT
    s.report_month, s.brand, s.jurisdiction,
    -- a group with no money rows has 0 (not NULL: nothing moved); NULL stays NULL (a missing rate)
    CASE WHEN m.report_month IS NULL THEN 0 ELSE m.ggr END AS ggr,
    CASE WHEN m.report_month IS NULL THEN 0 ELSE m.ngr END AS ngr,
    CASE WHEN m.report_month IS NULL THEN 0 ELSE m.bonus_cost END AS bonus_cost,
    CASE WHEN m.report_month IS NULL THEN 0 ELSE m.promotion_cost END AS promotion_cost,
    coalesce(m.deposits, 0) AS deposits,
    CASE WHEN m.report_month IS NULL THEN 0 ELSE m.deposits_eur END AS deposits_eur_exact,
    coalesce(m.withdrawals, 0) AS withdrawals,
    CASE WHEN m.report_month IS NULL THEN 0 ELSE m.withdrawals_eur END AS withdrawals_eur_exact,
    coalesce(pg.active_players, 0) AS active_players,
    coalesce(pg.retained_players, 0) AS retained_players,
    coalesce(f.first_time_depositors, 0) AS first_time_depositors
  FROM spine AS s
  LEFT JOIN money_groups AS m USING (report_month, brand, jurisdiction)
  LEFT JOIN player_groups AS pg USING (report_month, brand, jurisdiction)
  LEFT JOIN ftd_groups AS f USING (report_month, brand, jurisdiction)
),
rounded AS (
  SELECT
    report_month, brand, jurisdiction,
    CAST(round(ggr, 2) AS DECIMAL(18, 2)) AS ggr_eur,
    CAST(round(ngr, 2) AS DECIMAL(18, 2)) AS ngr_eur,
    CAST(round(bonus_cost, 2) AS DECIMAL(18, 2)) AS bonus_cost_eur,
    CAST(round(promotion_cost, 2) AS DECIMAL(18, 2)) AS promotion_cost_eur,
    deposits,
    CAST(round(deposits_eur_exact, 2) AS DECIMAL(18, 2)) AS deposits_eur,
    withdrawals,
    CAST(round(withdrawals_eur_exact, 2) AS DECIMAL(18, 2)) AS withdrawals_eur,
    active_players, retained_players, first_time_depositors,
    CASE WHEN active_players > 0 THEN CAST(round(ngr / active_players, 2) AS DECIMAL(18, 2)) END AS ngr_per_active_eur
  FROM month_rows
),
with_prev AS (
  -- p = the previous month's row; none = nothing happened then (0), before the first month: NULL
  SELECT
    cur.*,
    cur.report_month = bounds.first_month AS is_first,
    p.report_month IS NOT NULL AS has_prev,
    p.ggr_eur AS p_ggr_eur, p.ngr_eur AS p_ngr_eur, p.bonus_cost_eur AS p_bonus_cost_eur,
    p.deposits_eur AS p_deposits_eur, p.withdrawals_eur AS p_withdrawals_eur,
    p.active_players AS p_active_players, p.first_time_depositors AS p_first_time_depositors,
    p.ngr_per_active_eur AS p_ngr_per_active_eur
  FROM rounded AS cur
  CROSS JOIN (SELECT min(report_month) AS first_month FROM rounded) AS bounds
  LEFT JOIN rounded AS p
    ON p.report_month = CAST(cur.report_month - INTERVAL 1 MONTH AS DATE) AND p.brand = cur.brand AND p.jurisdiction = cur.jurisdiction
),
previous AS (
  SELECT
    *,
    CASE WHEN NOT is_first THEN CASE WHEN has_prev THEN p_ggr_eur ELSE 0 END END AS ggr_eur_prev,
    CASE WHEN NOT is_first THEN CASE WHEN has_prev THEN p_ngr_eur ELSE 0 END END AS ngr_eur_prev,
    CASE WHEN NOT is_first THEN CASE WHEN has_prev THEN p_bonus_cost_eur ELSE 0 END END AS bonus_cost_eur_prev,
    CASE WHEN NOT is_first THEN CASE WHEN has_prev THEN p_deposits_eur ELSE 0 END END AS deposits_eur_prev,
    CASE WHEN NOT is_first THEN CASE WHEN has_prev THEN p_withdrawals_eur ELSE 0 END END AS withdrawals_eur_prev,
    CASE WHEN NOT is_first THEN coalesce(p_active_players, 0) END AS active_players_prev,
    CASE WHEN NOT is_first THEN coalesce(p_first_time_depositors, 0) END AS first_time_depositors_prev,
    p_ngr_per_active_eur AS ngr_per_active_eur_prev
  FROM with_prev
),
retention AS (
  SELECT
    *,
    CASE WHEN active_players_prev > 0 THEN CAST(retained_players / active_players_prev AS DECIMAL(5, 4)) END AS retention_rate
  FROM previous
),
with_retention_prev AS (
  SELECT cur.*, p.retention_rate AS retention_rate_prev
  FROM retention AS cur
  LEFT JOIN retention AS p
    ON p.report_month = CAST(cur.report_month - INTERVAL 1 MONTH AS DATE) AND p.brand = cur.brand AND p.jurisdiction = cur.jurisdiction
),
control AS (
  -- fct_ggr_daily's own GGR and NGR in EUR per group, read without this model's spine and joins
  SELECT
    report_month,
    CASE WHEN grouping(brand) = 1 THEN '(all)' ELSE brand END AS brand,
    CASE WHEN grouping(jurisdiction) = 1 THEN '(all)' ELSE jurisdiction END AS jurisdiction,
    CASE WHEN count(ggr) = count(*) THEN CAST(round(sum(ggr), 2) AS DECIMAL(18, 2)) END AS control_ggr_eur,
    CASE WHEN count(ngr) = count(*) THEN CAST(round(sum(ngr), 2) AS DECIMAL(18, 2)) END AS control_ngr_eur
  FROM (
    SELECT CAST(date_trunc('month', g.activity_date) AS DATE) AS report_month, g.brand, g.jurisdiction,
      macros.minor_to_eur(g.ggr_minor, u.exponent, g.rate_to_eur) AS ggr,
      macros.minor_to_eur(g.ngr_minor, u.exponent, g.rate_to_eur) AS ngr
    FROM marts.fct_ggr_daily AS g
    LEFT JOIN units AS u ON u.currency = g.currency
  ) AS g
  GROUP BY GROUPING SETS ((report_month), (report_month, brand), (report_month, jurisdiction), (report_month, brand, jurisdiction))
)
SELECT
  coalesce(r.report_month, c.report_month) AS report_month,
  coalesce(r.brand, c.brand) AS brand,
  coalesce(r.jurisdiction, c.jurisdiction) AS jurisdiction,
  r.ggr_eur, r.ngr_eur, r.bonus_cost_eur, r.promotion_cost_eur,
  r.deposits, r.deposits_eur, r.withdrawals, r.withdrawals_eur,
  r.active_players, r.retained_players, r.first_time_depositors,
  r.retention_rate, r.ngr_per_active_eur,
  r.ggr_eur_prev,
  r.ggr_eur - r.ggr_eur_prev AS ggr_eur_change,
  CAST((r.ggr_eur - r.ggr_eur_prev) / abs(nullif(r.ggr_eur_prev, 0)) AS DECIMAL(18, 4)) AS ggr_eur_change_pct,
  r.ngr_eur_prev,
  r.ngr_eur - r.ngr_eur_prev AS ngr_eur_change,
  CAST((r.ngr_eur - r.ngr_eur_prev) / abs(nullif(r.ngr_eur_prev, 0)) AS DECIMAL(18, 4)) AS ngr_eur_change_pct,
  r.bonus_cost_eur_prev,
  r.bonus_cost_eur - r.bonus_cost_eur_prev AS bonus_cost_eur_change,
  CAST((r.bonus_cost_eur - r.bonus_cost_eur_prev) / abs(nullif(r.bonus_cost_eur_prev, 0)) AS DECIMAL(18, 4)) AS bonus_cost_eur_change_pct,
  r.deposits_eur_prev,
  r.deposits_eur - r.deposits_eur_prev AS deposits_eur_change,
  CAST((r.deposits_eur - r.deposits_eur_prev) / abs(nullif(r.deposits_eur_prev, 0)) AS DECIMAL(18, 4)) AS deposits_eur_change_pct,
  r.withdrawals_eur_prev,
  r.withdrawals_eur - r.withdrawals_eur_prev AS withdrawals_eur_change,
  CAST((r.withdrawals_eur - r.withdrawals_eur_prev) / abs(nullif(r.withdrawals_eur_prev, 0)) AS DECIMAL(18, 4)) AS withdrawals_eur_change_pct,
  r.active_players_prev,
  r.active_players - r.active_players_prev AS active_players_change,
  CAST((r.active_players - r.active_players_prev) / nullif(r.active_players_prev, 0) AS DECIMAL(18, 4)) AS active_players_change_pct,
  r.first_time_depositors_prev,
  r.first_time_depositors - r.first_time_depositors_prev AS first_time_depositors_change,
  CAST((r.first_time_depositors - r.first_time_depositors_prev) / nullif(r.first_time_depositors_prev, 0) AS DECIMAL(18, 4)) AS first_time_depositors_change_pct,
  r.retention_rate_prev,
  r.retention_rate - r.retention_rate_prev AS retention_rate_change,
  CAST((r.retention_rate - r.retention_rate_prev) / nullif(r.retention_rate_prev, 0) AS DECIMAL(18, 4)) AS retention_rate_change_pct,
  r.ngr_per_active_eur_prev,
  r.ngr_per_active_eur - r.ngr_per_active_eur_prev AS ngr_per_active_eur_change,
  CAST((r.ngr_per_active_eur - r.ngr_per_active_eur_prev) / abs(nullif(r.ngr_per_active_eur_prev, 0)) AS DECIMAL(18, 4)) AS ngr_per_active_eur_change_pct,
  -- a group without play has control 0.00, as its GGR; a group this model lost is a row with NULL counts
  CASE WHEN c.report_month IS NULL THEN CAST(0 AS DECIMAL(18, 2)) ELSE c.control_ggr_eur END AS control_ggr_eur,
  CASE WHEN c.report_month IS NULL THEN CAST(0 AS DECIMAL(18, 2)) ELSE c.control_ngr_eur END AS control_ngr_eur
FROM with_retention_prev AS r
FULL OUTER JOIN control AS c
  ON c.report_month = r.report_month AND c.brand = r.brand AND c.jurisdiction = r.jurisdiction
