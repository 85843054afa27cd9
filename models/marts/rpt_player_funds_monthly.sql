-- The player-funds figure regulators ask for: what the operator held for players at each month end,
-- per licensing jurisdiction and currency, with a roll-forward (opening + the month's movements =
-- closing) and the reconciliation to the wallet's own reported balances.
--
-- Balance at a month end = per player, currency and bucket (real, bonus), the running balance
-- (sum of movements, intermediate.int_wallet_movements) of the last movement at or before the month
-- end (occurred_at < the first instant of the next month, UTC), carried into later months without
-- movements: marts.player_balances' logic, cut at each month end. Holds are included, as in the
-- wallet's balance (a reserved stake is still the player's money until it is posted); held_minor
-- says how much of it pending holds reserved at the month end.
--
-- Reconciled to the ledgers as the existing audits do (last_balance_is_sum_of_movements on
-- player_balances): per account, the last balance the wallet itself reported (balance_after_minor)
-- at or before the month end must equal the sum of the movements up to that report.
-- unreconciled_accounts counts those that differ (audited = 0); the difference in
-- reconciliation_delta_minor. An account whose last movements are posted stakes (which report the
-- available total, not the bucket) is checked at its last report and carried by its movements after.
-- The edge's own balances are compared by `npm run wh -- reconcile` (now, not per month end).
--
-- Accounts whose history starts before the warehouse's: a player with no registration in the
-- warehouse (jurisdiction (none)) may have moved money before the first event it holds (events
-- before config.yaml's start, a lake that begins later than the wallet). Summing only the movements
-- here would show a wrong, often negative, balance and an unreconciled account. For those accounts
-- the balance before their first movement here is brought forward from the wallet's first report
-- (reported balance - sum of the movements up to it) and shown apart (brought_forward_minor, in the
-- month the account first appears); later reports are still reconciled against it. A registered
-- player's account starts at 0 at registration, so a gap in its history stays an unreconciled account.
-- Such an account without any report of its own bucket (only posted stakes, which report the available
-- total) has nothing to bring forward: its balance is the sum seen here, counted in
-- unknown_opening_accounts and not in negative_accounts (negative because its start is unknown).
--
-- Cashback paid as money (movement reward), tournament prizes (movement prize) and what free bets
-- paid (movement free_bet_win: the return without the stake of a bet staked with the operator's
-- money, docs/rewards.md "Cash-like rewards") are credits of their own in the roll-forward
-- (rewards_minor, prizes_minor, free_bet_wins_minor), not wins: the operator's promotional cost,
-- which a regulator reads apart from what the games paid back on the players' own stakes (and
-- what fct_ggr_daily's GGR counts).
--
-- Bonus balances are shown apart (bonus_minor): most regulators' "customer funds" mean the cash
-- (real) balance; total_minor = real + bonus for those that count both.
--
-- Kind FULL, hourly: a month-end balance needs every movement before it (the whole history is read
-- whatever the kind), the output is months x jurisdictions x currencies, and a full rebuild is exact
-- from raw events. The open (current) month shows balances as of the last synced movement.
MODEL (
  name marts.rpt_player_funds_monthly,
  kind FULL,
  cron '@hourly',
  grain [report_month, jurisdiction, currency],
  owner compliance,
  tags [marts, regulatory, finance, money, wallet, rpt],
  description 'Player funds at each UTC month end per licensing jurisdiction and currency: real (cash) and bonus balances as sums of the wallet movements up to the month end, held by pending holds, a roll-forward from the previous month end by movement type, accounts and players with funds, EUR at the month end''s rate, and the reconciliation of each account''s last reported balance with the sum of its movements (unreconciled_accounts audited = 0).',
  column_descriptions (
    report_month = 'First day of the UTC calendar month; balances are at its end (before the first instant of the next month)',
    jurisdiction = 'Licensing jurisdiction of the players (registration), or (none) when the registration is not in the warehouse',
    currency = 'Wallet currency',
    currency_exponent = 'Minor-unit exponent of currency: amount = minor / 10^exponent',
    accounts = 'Player wallets (player and currency) with a movement at or before the month end',
    players_with_funds = 'Of which with a non-zero balance (real + bonus) at the month end',
    real_minor = 'Real (cash) balances at the month end, summed, minor units: the customer-funds figure',
    bonus_minor = 'Bonus balances at the month end, summed, minor units',
    total_minor = 'real_minor + bonus_minor',
    held_minor = 'Part of the balances reserved by holds pending at the month end (bets not yet settled, withdrawals not yet paid), minor units',
    negative_accounts = 'Wallets with a negative real or bonus balance at the month end (should be 0); wallets in unknown_opening_accounts are not counted',
    unknown_opening_accounts = 'Wallets of players without a registration here and without a balance report of their own (only posted stakes): what they held before the warehouse''s history is unknown and their balance is the sum of the movements seen',
    opening_total_minor = 'total_minor at the previous month end (0 in the first month)',
    deposits_minor = 'Completed deposits in the month (+)',
    withdrawals_minor = 'Paid withdrawals in the month (posted withdrawal holds, -)',
    stakes_minor = 'Stakes posted in the month (-)',
    wins_minor = 'Game wins credited in the month (+): table and provider returns on the players'' own stakes, not prizes, rewards or free-bet wins',
    free_bet_wins_minor = 'What free bets paid in the month (+): the return without the stake, real money credited, a promotional cost (fct_ggr_daily''s bonus cost), not a player''s win',
    rewards_minor = 'Cash-like rewards credited in the month (+): cashback paid as money (wallet.reward.credited), a promotional cost',
    prizes_minor = 'Tournament prizes credited in the month (+): wallet wins without a stake (win id tournament:...), a promotional cost',
    adjustments_minor = 'Applied adjustments and dispute voids in the month (signed)',
    brought_forward_minor = 'Balances brought forward from before the warehouse''s history by accounts first seen in the month (players without a registration here: the wallet''s first reported balance minus the movements up to it; signed, 0 for registered players)',
    movements = 'Balance movements in the month',
    checked_accounts = 'Accounts (player, currency, bucket) with a balance reported by the wallet at or before the month end',
    unreconciled_accounts = 'Of which the last reported balance differs from the sum of the movements up to it',
    reconciliation_delta_minor = 'Sum of (movements sum - reported balance) over those accounts; 0 when reconciled',
    rate_to_eur = 'seeds.fx_rates rate of the month''s last day (ILLUSTRATIVE seed); NULL if the seed has none',
    real_eur = 'real_minor in EUR, DECIMAL(18,2)',
    bonus_eur = 'bonus_minor in EUR, DECIMAL(18,2)',
    total_eur = 'total_minor in EUR, DECIMAL(18,2)',
    last_movement_at = 'Last movement counted (UTC): before the month end for a closed month, the last synced one for the open month'
  ),
  audits (
    not_null(columns := [report_month, jurisdiction, currency, currency_exponent, accounts, real_minor, bonus_minor, total_minor, held_minor, rewards_minor, free_bet_wins_minor, prizes_minor, negative_accounts, unknown_opening_accounts, opening_total_minor, brought_forward_minor, checked_accounts, unreconciled_accounts]),
    unique_combination_of_columns(columns := [report_month, jurisdiction, currency]),
    accepted_range(column := accounts, min_v := 1),
    accepted_range(column := held_minor, min_v := 0),
    accepted_range(column := negative_accounts, min_v := 0, max_v := 0),
    accepted_range(column := unreconciled_accounts, min_v := 0, max_v := 0),
    forall(criteria := [
      total_minor = real_minor + bonus_minor,
      total_minor = opening_total_minor + deposits_minor + withdrawals_minor + stakes_minor + wins_minor + free_bet_wins_minor + rewards_minor + prizes_minor + adjustments_minor + brought_forward_minor,
      players_with_funds <= accounts,
      reconciliation_delta_minor = 0 OR unreconciled_accounts > 0
    ])
  )
);

WITH registered AS (
  SELECT player_id, any_value(jurisdiction) AS jurisdiction
  FROM staging.stg_players
  WHERE change = 'registered'
  GROUP BY player_id
),
moves AS (
  SELECT *, CAST(date_trunc('month', occurred_at) AS DATE) AS move_month
  FROM intermediate.int_wallet_movements
),
months AS (
  SELECT CAST(unnest(generate_series(min(move_month), max(move_month), INTERVAL 1 MONTH)) AS DATE) AS report_month
  FROM moves
),
per_month AS (
  -- each account (player, currency, bucket) in a month it moved: where it ended, and its last report
  SELECT
    player_id, currency, bucket, move_month,
    arg_max(running_balance_minor, movement_seq) AS balance_minor,
    arg_max(balance_after_minor, movement_seq) FILTER (WHERE balance_after_minor IS NOT NULL) AS reported_minor,
    arg_max(running_balance_minor, movement_seq) FILTER (WHERE balance_after_minor IS NOT NULL) AS sum_at_report_minor,
    -- what the wallet held before the account's first movement, by its first report in the month
    arg_min(balance_after_minor - running_balance_minor, movement_seq) FILTER (WHERE balance_after_minor IS NOT NULL) AS before_first_minor,
    max(occurred_at) AS last_movement_at
  FROM moves
  GROUP BY player_id, currency, bucket, move_month
),
accounts AS (
  -- an account of a registered player starts at 0; one without a registration here may have a
  -- history before the warehouse's: its balance before the first movement comes from its first report
  SELECT
    p.player_id, p.currency, p.bucket, min(p.move_month) AS first_month,
    CASE WHEN r.player_id IS NULL THEN coalesce(arg_min(p.before_first_minor, p.move_month) FILTER (WHERE p.before_first_minor IS NOT NULL), 0) ELSE 0 END AS brought_forward_minor,
    r.player_id IS NOT NULL OR count(p.before_first_minor) > 0 AS opening_known
  FROM per_month AS p
  LEFT JOIN registered AS r ON r.player_id = p.player_id
  GROUP BY p.player_id, p.currency, p.bucket, r.player_id
),
carried AS (
  -- every month from the account's first on, carrying the last balance and the last report forward
  -- (the report and the sum at it come from the same month: both are non-NULL together)
  SELECT
    a.player_id, a.currency, a.bucket, m.report_month,
    CASE WHEN m.report_month = a.first_month THEN a.brought_forward_minor ELSE 0 END AS brought_forward_minor,
    a.opening_known,
    a.brought_forward_minor + last_value(p.balance_minor IGNORE NULLS) OVER w AS balance_minor,
    last_value(p.reported_minor IGNORE NULLS) OVER w AS reported_minor,
    a.brought_forward_minor + last_value(p.sum_at_report_minor IGNORE NULLS) OVER w AS sum_at_report_minor,
    last_value(p.last_movement_at IGNORE NULLS) OVER w AS last_movement_at
  FROM accounts AS a
  JOIN months AS m ON m.report_month >= a.first_month
  LEFT JOIN per_month AS p
    ON p.player_id = a.player_id AND p.currency = a.currency AND p.bucket = a.bucket AND p.move_month = m.report_month
  WINDOW w AS (PARTITION BY a.player_id, a.currency, a.bucket ORDER BY m.report_month ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
wallets AS (
  -- per player wallet (player, currency) and month end
  SELECT
    player_id, currency, report_month,
    coalesce(sum(balance_minor) FILTER (WHERE bucket = 'real'), 0) AS real_minor,
    coalesce(sum(balance_minor) FILTER (WHERE bucket = 'bonus'), 0) AS bonus_minor,
    count(reported_minor) AS checked_accounts,
    count(*) FILTER (WHERE reported_minor IS DISTINCT FROM sum_at_report_minor AND reported_minor IS NOT NULL) AS unreconciled_accounts,
    coalesce(sum(sum_at_report_minor - reported_minor), 0) AS reconciliation_delta_minor,
    sum(brought_forward_minor) AS brought_forward_minor,
    bool_and(opening_known) AS opening_known,
    max(last_movement_at) AS last_movement_at
  FROM carried
  GROUP BY player_id, currency, report_month
),
flows AS (
  SELECT
    player_id, currency, move_month AS report_month,
    sum(amount_minor) FILTER (WHERE movement = 'deposit') AS deposits_minor,
    sum(amount_minor) FILTER (WHERE movement = 'withdrawal') AS withdrawals_minor,
    sum(amount_minor) FILTER (WHERE movement = 'stake') AS stakes_minor,
    sum(amount_minor) FILTER (WHERE movement = 'win') AS wins_minor,
    sum(amount_minor) FILTER (WHERE movement = 'free_bet_win') AS free_bet_wins_minor,
    sum(amount_minor) FILTER (WHERE movement = 'reward') AS rewards_minor,
    sum(amount_minor) FILTER (WHERE movement = 'prize') AS prizes_minor,
    sum(amount_minor) FILTER (WHERE movement IN ('adjustment', 'dispute_void')) AS adjustments_minor,
    count(*) AS movements
  FROM moves
  GROUP BY ALL
),
hold_state AS (
  SELECT
    hold_id,
    any_value(player_id) AS player_id,
    any_value(currency) AS currency,
    max(amount_minor) FILTER (WHERE step = 'reserved') AS reserved_minor,
    min(occurred_at) FILTER (WHERE step = 'reserved') AS reserved_at,
    min(occurred_at) FILTER (WHERE step IN ('posted', 'voided', 'expired')) AS resolved_at
  FROM staging.stg_holds
  GROUP BY hold_id
),
held AS (
  -- holds reserved before the month end and not posted, voided or expired by then
  SELECT h.player_id, h.currency, m.report_month, sum(h.reserved_minor) AS held_minor
  FROM hold_state AS h
  JOIN months AS m
    ON h.reserved_at < m.report_month + INTERVAL 1 MONTH
   AND (h.resolved_at IS NULL OR h.resolved_at >= m.report_month + INTERVAL 1 MONTH)
  WHERE h.reserved_minor IS NOT NULL
  GROUP BY ALL
),
by_jurisdiction AS (
  SELECT
    w.report_month,
    coalesce(r.jurisdiction, '(none)') AS jurisdiction,
    w.currency,
    count(*) AS accounts,
    count(*) FILTER (WHERE w.real_minor + w.bonus_minor <> 0) AS players_with_funds,
    CAST(sum(w.real_minor) AS BIGINT) AS real_minor,
    CAST(sum(w.bonus_minor) AS BIGINT) AS bonus_minor,
    CAST(coalesce(sum(h.held_minor), 0) AS BIGINT) AS held_minor,
    count(*) FILTER (WHERE w.opening_known AND (w.real_minor < 0 OR w.bonus_minor < 0)) AS negative_accounts,
    count(*) FILTER (WHERE NOT w.opening_known) AS unknown_opening_accounts,
    CAST(coalesce(sum(f.deposits_minor), 0) AS BIGINT) AS deposits_minor,
    CAST(coalesce(sum(f.withdrawals_minor), 0) AS BIGINT) AS withdrawals_minor,
    CAST(coalesce(sum(f.stakes_minor), 0) AS BIGINT) AS stakes_minor,
    CAST(coalesce(sum(f.wins_minor), 0) AS BIGINT) AS wins_minor,
    CAST(coalesce(sum(f.free_bet_wins_minor), 0) AS BIGINT) AS free_bet_wins_minor,
    CAST(coalesce(sum(f.rewards_minor), 0) AS BIGINT) AS rewards_minor,
    CAST(coalesce(sum(f.prizes_minor), 0) AS BIGINT) AS prizes_minor,
    CAST(coalesce(sum(f.adjustments_minor), 0) AS BIGINT) AS adjustments_minor,
    CAST(sum(w.brought_forward_minor) AS BIGINT) AS brought_forward_minor,
    CAST(coalesce(sum(f.movements), 0) AS BIGINT) AS movements,
    CAST(sum(w.checked_accounts) AS BIGINT) AS checked_accounts,
    CAST(sum(w.unreconciled_accounts) AS BIGINT) AS unreconciled_accounts,
    CAST(sum(w.reconciliation_delta_minor) AS BIGINT) AS reconciliation_delta_minor,
    max(w.last_movement_at) AS last_movement_at
  FROM wallets AS w
  LEFT JOIN registered AS r ON r.player_id = w.player_id
  LEFT JOIN flows AS f ON f.player_id = w.player_id AND f.currency = w.currency AND f.report_month = w.report_month
  LEFT JOIN held AS h ON h.player_id = w.player_id AND h.currency = w.currency AND h.report_month = w.report_month
  GROUP BY ALL
),
final AS (
  SELECT
    b.*,
    b.real_minor + b.bonus_minor AS total_minor,
    -- every wallet is carried to every later month, so the previous row is the previous month end
    coalesce(lag(b.real_minor + b.bonus_minor) OVER (PARTITION BY b.jurisdiction, b.currency ORDER BY b.report_month), 0) AS opening_total_minor,
    CAST(c.exponent AS INTEGER) AS currency_exponent,
    fx.rate_to_eur
  FROM by_jurisdiction AS b
  LEFT JOIN seeds.currencies AS c ON c.code = b.currency
  LEFT JOIN seeds.fx_rates AS fx ON fx.currency = b.currency AND fx.rate_date = last_day(b.report_month)
)
SELECT
  report_month, jurisdiction, currency, currency_exponent,
  accounts, players_with_funds,
  real_minor, bonus_minor, total_minor, held_minor, negative_accounts, unknown_opening_accounts,
  opening_total_minor, deposits_minor, withdrawals_minor, stakes_minor, wins_minor, free_bet_wins_minor, rewards_minor, prizes_minor, adjustments_minor, brought_forward_minor, movements,
  checked_accounts, unreconciled_accounts, reconciliation_delta_minor,
  rate_to_eur,
  CAST(round(macros.minor_to_eur(real_minor, currency_exponent, rate_to_eur), 2) AS DECIMAL(18, 2)) AS real_eur,
  CAST(round(macros.minor_to_eur(bonus_minor, currency_exponent, rate_to_eur), 2) AS DECIMAL(18, 2)) AS bonus_eur,
  CAST(round(macros.minor_to_eur(total_minor, currency_exponent, rate_to_eur), 2) AS DECIMAL(18, 2)) AS total_eur,
  last_movement_at
FROM final
