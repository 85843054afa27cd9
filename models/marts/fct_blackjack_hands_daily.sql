-- Blackjack per live table and UTC day, for the game's analysts: how the hands went (naturals,
-- busts, dealer busts, doubles, splits, surrenders, timeouts, insurance, side-bet hits) and what
-- each stake component returned (observed RTP per component, from table.bet.settled).
--
-- Hands: intermediate.int_blackjack_hands (the box players' hands, dated on the settlement). Rates
-- per what can happen: a natural per box dealt (hand 0), a bust per hand, a dealer bust or natural
-- per round, insurance taken per box facing a dealer ace, a side bet's hit per bet placed.
--
-- Free bets: none. Blackjack seats take no free bets (their doubles and splits are sized by the
-- hand; docs/rewards.md "Cash-like rewards"), so every stake here is the player's own money.
--
-- Money: the same counting rule as intermediate.int_gaming_activity (a table bet counts at its
-- settlement with result win, lose or push; void / expired not), split by the stake component the
-- bet is (stg_bets.bet_type: main, split, double, insurance, behind*, and the side bets). Each
-- currency's minor units are converted at the day's seeds.fx_rates rate (macros.minor_to_eur,
-- exact), added, and the RTPs computed from the unrounded EUR sums (macros.observed_rtp), as
-- intermediate.int_game_rtp does; handle_eur here equals marts.fct_table_performance's handle_eur
-- for the table and day.
MODEL (
  name marts.fct_blackjack_hands_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column activity_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [activity_date, table_id],
  owner data,
  tags [marts, gaming, tables, blackjack, fairness],
  description 'One row per UTC day and blackjack table with a settled hand or a counted blackjack bet: rounds, boxes, hands, players; naturals, busts, dealer busts and naturals, doubles, splits, surrenders, timeouts, insurance offered / taken, side-bet bets and hits, each with its rate; handle and payouts in EUR (DECIMAL(18,2)) and observed RTP in total and per stake component (main, split, double, insurance, behind, perfect_pairs, twenty_one_plus_three, hot_3) from table.bet.settled.',
  column_descriptions (
    activity_date = 'UTC day the hands and bets were settled',
    table_id = 'Live table',
    game_id = 'Game of the catalog the table runs (from the round''s opening or its bets)',
    table_format = 'seated or infinite (from the boxes: a seat or none); NULL on a day with bets and no hands',
    rounds = 'Rounds with a settled hand',
    boxes = 'Boxes dealt and settled (a seat, or a player''s place at an Infinite table, per round)',
    hands = 'Hands settled (a split box has two or more)',
    players = 'Distinct box players',
    naturals = 'Boxes dealt a natural (two-card 21)',
    natural_rate = 'naturals / boxes, DECIMAL(9,6)',
    busts = 'Hands that went over 21',
    bust_rate = 'busts / hands, DECIMAL(9,6)',
    dealer_busts = 'Rounds whose dealer went over 21',
    dealer_bust_rate = 'dealer_busts / rounds, DECIMAL(9,6)',
    dealer_naturals = 'Rounds whose dealer had blackjack',
    hands_won = 'Hands won against the dealer (a natural paid as blackjack included)',
    hands_pushed = 'Hands pushed',
    hands_lost = 'Hands lost (busts included, surrenders not)',
    doubles = 'Hands doubled',
    double_rate = 'doubles / hands, DECIMAL(9,6)',
    splits = 'Split decisions (each adds a hand)',
    surrenders = 'Hands surrendered',
    decisions = 'Decisions taken on the hands (insurance decisions and timeouts included)',
    timeouts = 'Decisions the timer took',
    timeout_rate = 'timeouts / decisions, DECIMAL(9,6); NULL without decisions',
    insurance_offered = 'Boxes facing a dealer ace',
    insurance_taken = 'Boxes that took insurance',
    insurance_take_rate = 'insurance_taken / insurance_offered, DECIMAL(9,6); NULL when no ace showed',
    perfect_pairs_bets = 'Boxes with a Perfect Pairs bet',
    perfect_pairs_hits = 'Perfect Pairs bets that paid',
    perfect_pairs_hit_rate = 'perfect_pairs_hits / perfect_pairs_bets, DECIMAL(9,6)',
    twenty_one_plus_three_bets = 'Boxes with a 21+3 bet',
    twenty_one_plus_three_hits = '21+3 bets that paid',
    twenty_one_plus_three_hit_rate = 'twenty_one_plus_three_hits / twenty_one_plus_three_bets, DECIMAL(9,6)',
    hot_3_bets = 'Boxes with a Hot 3 bet',
    hot_3_hits = 'Hot 3 bets that paid',
    hot_3_hit_rate = 'hot_3_hits / hot_3_bets, DECIMAL(9,6)',
    bets = 'Blackjack bets counted (table.bet.settled win, lose or push): one per stake, so a double, a split, an insurance and each side bet are bets',
    handle_eur = 'Stakes in EUR, DECIMAL(18,2) (= marts.fct_table_performance.handle_eur)',
    payouts_eur = 'Paid back in EUR (stakes included), DECIMAL(18,2)',
    observed_rtp = 'payouts / handle (EUR, unrounded), DECIMAL(9,6); NULL without stakes',
    main_handle_eur = 'Stakes of main bets in EUR, DECIMAL(18,2)',
    main_rtp = 'Observed RTP of main bets: paid back / staked (EUR, unrounded), DECIMAL(9,6); NULL without such stakes',
    split_handle_eur = 'Stakes of split stakes in EUR, DECIMAL(18,2)',
    split_rtp = 'Observed RTP of split stakes: paid back / staked (EUR, unrounded), DECIMAL(9,6); NULL without such stakes',
    double_handle_eur = 'Stakes of double stakes in EUR, DECIMAL(18,2)',
    double_rtp = 'Observed RTP of double stakes: paid back / staked (EUR, unrounded), DECIMAL(9,6); NULL without such stakes',
    insurance_handle_eur = 'Stakes of insurance in EUR, DECIMAL(18,2)',
    insurance_rtp = 'Observed RTP of insurance: paid back / staked (EUR, unrounded), DECIMAL(9,6); NULL without such stakes',
    behind_handle_eur = 'Stakes of bets behind (bet_type behind, behind_split, behind_double) in EUR, DECIMAL(18,2)',
    behind_rtp = 'Observed RTP of bets behind (bet_type behind, behind_split, behind_double): paid back / staked (EUR, unrounded), DECIMAL(9,6); NULL without such stakes',
    perfect_pairs_handle_eur = 'Stakes of Perfect Pairs in EUR, DECIMAL(18,2)',
    perfect_pairs_rtp = 'Observed RTP of Perfect Pairs: paid back / staked (EUR, unrounded), DECIMAL(9,6); NULL without such stakes',
    twenty_one_plus_three_handle_eur = 'Stakes of 21+3 in EUR, DECIMAL(18,2)',
    twenty_one_plus_three_rtp = 'Observed RTP of 21+3: paid back / staked (EUR, unrounded), DECIMAL(9,6); NULL without such stakes',
    hot_3_handle_eur = 'Stakes of Hot 3 in EUR, DECIMAL(18,2)',
    hot_3_rtp = 'Observed RTP of Hot 3: paid back / staked (EUR, unrounded), DECIMAL(9,6); NULL without such stakes'
  ),
  audits (
    not_null(columns := [activity_date, table_id, rounds, boxes, hands, players, naturals, busts, dealer_busts, dealer_naturals, doubles, splits, surrenders, decisions, timeouts, insurance_offered, insurance_taken, bets, handle_eur, payouts_eur]),
    unique_combination_of_columns(columns := [activity_date, table_id]),
    accepted_range(column := handle_eur, min_v := 0),
    accepted_range(column := payouts_eur, min_v := 0),
    accepted_range(column := natural_rate, min_v := 0, max_v := 1),
    accepted_range(column := bust_rate, min_v := 0, max_v := 1),
    accepted_range(column := dealer_bust_rate, min_v := 0, max_v := 1),
    accepted_range(column := insurance_take_rate, min_v := 0, max_v := 1),
    accepted_range(column := timeout_rate, min_v := 0, max_v := 1),
    forall(criteria := [
      naturals <= boxes, boxes <= hands, rounds <= boxes OR hands = 0, busts <= hands, dealer_busts + dealer_naturals <= rounds,
      hands_won + hands_pushed + hands_lost + surrenders = hands,
      insurance_taken <= insurance_offered, perfect_pairs_hits <= perfect_pairs_bets,
      twenty_one_plus_three_hits <= twenty_one_plus_three_bets, hot_3_hits <= hot_3_bets
    ]),
    -- a stake component this mart does not know (a new bet_type) would be in the handle and in no component: a warning, not a stop (9 roundings of at most half a cent)
    forall_non_blocking(criteria := [abs(handle_eur - (main_handle_eur + split_handle_eur + double_handle_eur + insurance_handle_eur + behind_handle_eur + perfect_pairs_handle_eur + twenty_one_plus_three_handle_eur + hot_3_handle_eur)) <= 0.05])
  )
);

WITH hands AS (
  SELECT *
  FROM intermediate.int_blackjack_hands
  WHERE activity_date BETWEEN @start_ds AND @end_ds
),
hand_counts AS (
  SELECT
    activity_date, table_id,
    any_value(game_id) AS game_id,
    any_value(table_format) AS table_format,
    count(DISTINCT round_id) AS rounds,
    count(*) FILTER (WHERE hand_index = 0) AS boxes,
    count(*) AS hands,
    count(DISTINCT player_id) AS players,
    count(*) FILTER (WHERE is_natural) AS naturals,
    count(*) FILTER (WHERE busted) AS busts,
    count(DISTINCT round_id) FILTER (WHERE dealer_busted) AS dealer_busts,
    count(DISTINCT round_id) FILTER (WHERE dealer_natural) AS dealer_naturals,
    count(*) FILTER (WHERE outcome IN ('win', 'blackjack')) AS hands_won,
    count(*) FILTER (WHERE outcome = 'push') AS hands_pushed,
    count(*) FILTER (WHERE outcome = 'lose') AS hands_lost,
    count(*) FILTER (WHERE doubled) AS doubles,
    CAST(sum(splits) AS BIGINT) AS splits,
    count(*) FILTER (WHERE surrendered) AS surrenders,
    CAST(sum(decisions) AS BIGINT) AS decisions,
    CAST(sum(timeouts) AS BIGINT) AS timeouts,
    count(*) FILTER (WHERE insurance_offered) AS insurance_offered,
    count(*) FILTER (WHERE insurance_taken) AS insurance_taken,
    count(perfect_pairs_result) AS perfect_pairs_bets,
    count(*) FILTER (WHERE perfect_pairs_result <> 'lose') AS perfect_pairs_hits,
    count(twenty_one_plus_three_result) AS twenty_one_plus_three_bets,
    count(*) FILTER (WHERE twenty_one_plus_three_result <> 'lose') AS twenty_one_plus_three_hits,
    count(hot_3_result) AS hot_3_bets,
    count(*) FILTER (WHERE hot_3_result <> 'lose') AS hot_3_hits
  FROM hands
  GROUP BY ALL
),
money AS (
  -- counted blackjack bets (as int_gaming_activity counts a table bet), per stake component and currency
  SELECT
    event_date AS activity_date, table_id, currency,
    CAST(CASE WHEN bet_type LIKE 'behind%' THEN 'behind' ELSE bet_type END AS VARCHAR) AS component,
    any_value(game_id) AS game_id,
    count(*) AS bets,
    sum(amount_minor) AS stakes_minor,
    sum(coalesce(returned_minor, 0)) AS wins_minor,
    any_value(currency_exponent) AS currency_exponent
  FROM staging.stg_bets
  WHERE event_date BETWEEN @start_ds AND @end_ds
    AND bet_source = 'table' AND step = 'settled' AND game = 'blackjack' AND result IN ('win', 'lose', 'push')
  GROUP BY ALL
),
money_eur AS (
  -- each row converted once (exact, unrounded EUR)
  SELECT
    m.activity_date, m.table_id, m.game_id, m.bets, m.component,
    macros.minor_to_eur(m.stakes_minor, m.currency_exponent, fx.rate_to_eur) AS handle,
    macros.minor_to_eur(m.wins_minor, m.currency_exponent, fx.rate_to_eur) AS payouts
  FROM money AS m
  LEFT JOIN seeds.fx_rates AS fx ON fx.rate_date = m.activity_date AND fx.currency = m.currency
),
eur AS (
  SELECT
    activity_date, table_id,
    any_value(game_id) AS game_id,
    CAST(sum(bets) AS BIGINT) AS bets,
    sum(handle) AS handle,
    sum(payouts) AS payouts,
    sum(handle) FILTER (WHERE component = 'main') AS main_handle,
    sum(payouts) FILTER (WHERE component = 'main') AS main_payouts,
    sum(handle) FILTER (WHERE component = 'split') AS split_handle,
    sum(payouts) FILTER (WHERE component = 'split') AS split_payouts,
    sum(handle) FILTER (WHERE component = 'double') AS double_handle,
    sum(payouts) FILTER (WHERE component = 'double') AS double_payouts,
    sum(handle) FILTER (WHERE component = 'insurance') AS insurance_handle,
    sum(payouts) FILTER (WHERE component = 'insurance') AS insurance_payouts,
    sum(handle) FILTER (WHERE component = 'behind') AS behind_handle,
    sum(payouts) FILTER (WHERE component = 'behind') AS behind_payouts,
    sum(handle) FILTER (WHERE component = 'perfect_pairs') AS perfect_pairs_handle,
    sum(payouts) FILTER (WHERE component = 'perfect_pairs') AS perfect_pairs_payouts,
    sum(handle) FILTER (WHERE component = 'twenty_one_plus_three') AS twenty_one_plus_three_handle,
    sum(payouts) FILTER (WHERE component = 'twenty_one_plus_three') AS twenty_one_plus_three_payouts,
    sum(handle) FILTER (WHERE component = 'hot_3') AS hot_3_handle,
    sum(payouts) FILTER (WHERE component = 'hot_3') AS hot_3_payouts
  FROM money_eur
  GROUP BY ALL
),
days AS (
  -- a day with hands and no counted bets (or bets settled just past midnight after their hands) still has its row
  SELECT activity_date, table_id FROM hand_counts
  UNION
  SELECT activity_date, table_id FROM eur
)
SELECT
  k.activity_date,
  k.table_id,
  coalesce(h.game_id, e.game_id) AS game_id,
  h.table_format,
  coalesce(h.rounds, 0) AS rounds,
  coalesce(h.boxes, 0) AS boxes,
  coalesce(h.hands, 0) AS hands,
  coalesce(h.players, 0) AS players,
  coalesce(h.naturals, 0) AS naturals,
  macros.rate(h.naturals, h.boxes) AS natural_rate,
  coalesce(h.busts, 0) AS busts,
  macros.rate(h.busts, h.hands) AS bust_rate,
  coalesce(h.dealer_busts, 0) AS dealer_busts,
  macros.rate(h.dealer_busts, h.rounds) AS dealer_bust_rate,
  coalesce(h.dealer_naturals, 0) AS dealer_naturals,
  coalesce(h.hands_won, 0) AS hands_won,
  coalesce(h.hands_pushed, 0) AS hands_pushed,
  coalesce(h.hands_lost, 0) AS hands_lost,
  coalesce(h.doubles, 0) AS doubles,
  macros.rate(h.doubles, h.hands) AS double_rate,
  coalesce(h.splits, 0) AS splits,
  coalesce(h.surrenders, 0) AS surrenders,
  coalesce(h.decisions, 0) AS decisions,
  coalesce(h.timeouts, 0) AS timeouts,
  macros.rate(h.timeouts, h.decisions) AS timeout_rate,
  coalesce(h.insurance_offered, 0) AS insurance_offered,
  coalesce(h.insurance_taken, 0) AS insurance_taken,
  macros.rate(h.insurance_taken, h.insurance_offered) AS insurance_take_rate,
  coalesce(h.perfect_pairs_bets, 0) AS perfect_pairs_bets,
  coalesce(h.perfect_pairs_hits, 0) AS perfect_pairs_hits,
  macros.rate(h.perfect_pairs_hits, h.perfect_pairs_bets) AS perfect_pairs_hit_rate,
  coalesce(h.twenty_one_plus_three_bets, 0) AS twenty_one_plus_three_bets,
  coalesce(h.twenty_one_plus_three_hits, 0) AS twenty_one_plus_three_hits,
  macros.rate(h.twenty_one_plus_three_hits, h.twenty_one_plus_three_bets) AS twenty_one_plus_three_hit_rate,
  coalesce(h.hot_3_bets, 0) AS hot_3_bets,
  coalesce(h.hot_3_hits, 0) AS hot_3_hits,
  macros.rate(h.hot_3_hits, h.hot_3_bets) AS hot_3_hit_rate,
  coalesce(e.bets, 0) AS bets,
  CAST(round(coalesce(e.handle, 0), 2) AS DECIMAL(18, 2)) AS handle_eur,
  CAST(round(coalesce(e.payouts, 0), 2) AS DECIMAL(18, 2)) AS payouts_eur,
  macros.observed_rtp(e.payouts, e.handle) AS observed_rtp,
  CAST(round(coalesce(e.main_handle, 0), 2) AS DECIMAL(18, 2)) AS main_handle_eur,
  macros.observed_rtp(e.main_payouts, e.main_handle) AS main_rtp,
  CAST(round(coalesce(e.split_handle, 0), 2) AS DECIMAL(18, 2)) AS split_handle_eur,
  macros.observed_rtp(e.split_payouts, e.split_handle) AS split_rtp,
  CAST(round(coalesce(e.double_handle, 0), 2) AS DECIMAL(18, 2)) AS double_handle_eur,
  macros.observed_rtp(e.double_payouts, e.double_handle) AS double_rtp,
  CAST(round(coalesce(e.insurance_handle, 0), 2) AS DECIMAL(18, 2)) AS insurance_handle_eur,
  macros.observed_rtp(e.insurance_payouts, e.insurance_handle) AS insurance_rtp,
  CAST(round(coalesce(e.behind_handle, 0), 2) AS DECIMAL(18, 2)) AS behind_handle_eur,
  macros.observed_rtp(e.behind_payouts, e.behind_handle) AS behind_rtp,
  CAST(round(coalesce(e.perfect_pairs_handle, 0), 2) AS DECIMAL(18, 2)) AS perfect_pairs_handle_eur,
  macros.observed_rtp(e.perfect_pairs_payouts, e.perfect_pairs_handle) AS perfect_pairs_rtp,
  CAST(round(coalesce(e.twenty_one_plus_three_handle, 0), 2) AS DECIMAL(18, 2)) AS twenty_one_plus_three_handle_eur,
  macros.observed_rtp(e.twenty_one_plus_three_payouts, e.twenty_one_plus_three_handle) AS twenty_one_plus_three_rtp,
  CAST(round(coalesce(e.hot_3_handle, 0), 2) AS DECIMAL(18, 2)) AS hot_3_handle_eur,
  macros.observed_rtp(e.hot_3_payouts, e.hot_3_handle) AS hot_3_rtp
FROM days AS k
LEFT JOIN hand_counts AS h ON h.activity_date = k.activity_date AND h.table_id = k.table_id
LEFT JOIN eur AS e ON e.activity_date = k.activity_date AND e.table_id = k.table_id
