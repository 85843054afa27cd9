-- Every settled blackjack hand in one row: its deal (staging.stg_table_hands, dealt), the decisions
-- its player took on it (staging.stg_table_hand_decisions) and its settlement (stg_table_hands,
-- settled), with the dealer's hand and the round's game. The building block of
-- marts.fct_blackjack_hands_daily and of any per-hand analysis (streaks, first natural of the day).
--
-- Dated on the settlement: a hand counts on the UTC day its table settled it; its deal, decisions,
-- round opening and placed bets are read from the interval and the three days before it (a round
-- dealt before midnight and settled after it is one row, as is a round an outage paused for a day
-- or two). A hand of a round not settled yet (or voided) is not here.
--
-- Insurance is the box's (hand 0), decided on the initial cards; offered = the dealer shows an ace,
-- the standard base of an insurance take rate (a table whose rules have no insurance offers none:
-- read insurance_offered with its rules). Side bets are the box's, on hand 0 only.
--
-- Money: the box player's own stakes (staked_minor, returned_minor as settled). The control column
-- player_round_placed_minor holds the same player's blackjack stakes of the round as placed
-- (table.bet.placed, bets behind excluded: other players' money on the box), on every hand row of
-- that player and round: sums_to_control_total checks that the hands' stakes add up to the bets,
-- so a stake the hand events miss (or count twice) fails the build.
MODEL (
  name intermediate.int_blackjack_hands,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column activity_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [round_id, box_id, hand_index],
  owner data,
  tags [intermediate, gaming, tables, blackjack],
  description 'One row per settled blackjack hand (round x box x hand): initial and final cards and totals, natural, busted, surrendered, doubled, from a split, its outcome against the dealer, the decisions taken (count, path, hits, doubles, splits, timeouts), the box''s insurance and side-bet results (hand 0), the box player''s staked and returned minor units, the dealer''s up card, cards, total, natural and bust. Dated on the settlement (UTC).',
  column_descriptions (
    activity_date = 'UTC day the hand was settled',
    settled_at = 'When the table settled the hand (UTC)',
    dealt_at = 'When the box was dealt its first two cards (UTC); NULL if the deal is not in the warehouse',
    table_id = 'Live table',
    game_id = 'Game of the catalog the round ran (table.round.opened); NULL if the opening is not in the warehouse',
    round_id = 'Round id',
    box_id = 'The box: a seat of a Seated table, or one player''s place at an Infinite table',
    seat = 'Seat 1..7 of a Seated table; NULL at an Infinite table',
    table_format = 'seated (the box has a seat) or infinite',
    hand_index = '0 for the box''s first hand; 1..3 for hands a split added',
    player_id = 'The box''s player',
    jurisdiction = 'Licensing jurisdiction of the box''s player',
    currency = 'Currency of the box player''s stakes',
    currency_exponent = 'Minor-unit exponent of currency',
    initial_cards = 'The box''s first two cards as dealt (hand 0 only; a split hand starts from one of them)',
    initial_total = 'Total of initial_cards (hand 0 only)',
    initial_soft = 'initial_total counts an ace as 11 (hand 0 only)',
    cards = 'The hand''s final cards, space-separated in the order dealt',
    card_count = 'Number of final cards',
    total = 'Final total',
    is_natural = 'Blackjack: two cards making 21 on a hand never split',
    busted = 'Final total over 21',
    surrendered = 'The player surrendered the hand',
    doubled = 'The hand was doubled',
    from_split = 'The hand is one of the hands of a split box (hand_index > 0, or the box split)',
    outcome = 'Against the dealer: blackjack (a natural paid as such), win, push, lose or surrender',
    decisions = 'Decisions taken on the hand, timeouts and (hand 0) insurance decisions included',
    decision_path = 'The decisions in order, space-separated, e.g. ''no_insurance hit stand''; NULL without any',
    hits = 'hit decisions',
    doubles = 'double decisions (0 or 1)',
    splits = 'split decisions taken on this hand',
    timeouts = 'Decisions the timer took (the hand stood, or insurance was declined)',
    insurance_offered = 'Hand 0 facing a dealer ace (insurance is offered where the rules have it)',
    insurance_taken = 'The box took insurance (hand 0)',
    insurance_stake_minor = 'The insurance stake reserved (hand 0), minor units; 0 without insurance',
    side_bet_result = 'The box''s side bets as settled, ''kind=outcome'' pairs separated by '';'' (lose for a losing bet); NULL when none or not hand 0',
    perfect_pairs_result = 'Perfect Pairs outcome (or lose); NULL when not placed',
    twenty_one_plus_three_result = '21+3 outcome (or lose); NULL when not placed',
    hot_3_result = 'Hot 3 outcome (or lose); NULL when not placed',
    staked_minor = 'The box player''s stakes riding on the hand (main or split, double; on hand 0 also insurance and side bets), minor units',
    returned_minor = 'What those stakes paid back, stakes included, minor units',
    player_round_placed_minor = 'Control: the box player''s blackjack stakes of the round as placed (table.bet.placed, bets behind excluded), in currency; the same on each of their hand rows of the round',
    dealer_up_card = 'The dealer''s up card',
    dealer_cards = 'The dealer''s final cards',
    dealer_card_count = 'Number of the dealer''s cards',
    dealer_total = 'The dealer''s final total',
    dealer_natural = 'The dealer had blackjack',
    dealer_busted = 'The dealer''s total went over 21'
  ),
  audits (
    not_null(columns := [activity_date, settled_at, table_id, round_id, box_id, table_format, hand_index, player_id, currency, cards, total, is_natural, busted, surrendered, doubled, from_split, outcome, decisions, hits, doubles, splits, timeouts, insurance_offered, insurance_taken, insurance_stake_minor, staked_minor, returned_minor, dealer_up_card, dealer_cards, dealer_total, dealer_natural, dealer_busted]),
    unique_combination_of_columns(columns := [round_id, box_id, hand_index]),
    accepted_values(column := outcome, is_in := ('blackjack', 'win', 'push', 'lose', 'surrender')),
    accepted_values(column := table_format, is_in := ('seated', 'infinite')),
    accepted_range(column := staked_minor, min_v := 0),
    accepted_range(column := returned_minor, min_v := 0),
    forall(criteria := [
      doubled = (doubles > 0),
      surrendered = (coalesce(decision_path, '') LIKE '%surrender%'),
      NOT is_natural OR (NOT from_split AND card_count = 2),
      NOT insurance_taken OR (hand_index = 0 AND insurance_stake_minor > 0),
      initial_cards IS NULL OR hand_index = 0
    ]),
    sums_to_control_total(part := staked_minor, control := player_round_placed_minor, by := [round_id, player_id, currency])
  )
);

WITH settled AS (
  SELECT *
  FROM staging.stg_table_hands
  WHERE event_date BETWEEN @start_ds AND @end_ds AND step = 'settled'
),
dealt AS (
  -- the deal of a round settled in the interval may be from the days before (midnight, or a round paused by an outage)
  SELECT *
  FROM staging.stg_table_hands
  WHERE event_date BETWEEN CAST(@start_ds AS DATE) - 3 AND @end_ds AND step = 'dealt'
),
decisions AS (
  SELECT
    round_id, box_id, hand_index,
    CAST(count(*) AS INTEGER) AS decisions,
    string_agg(decision, ' ' ORDER BY occurred_at, event_id) AS decision_path,
    CAST(count(*) FILTER (WHERE decision = 'hit') AS INTEGER) AS hits,
    CAST(count(*) FILTER (WHERE decision = 'double') AS INTEGER) AS doubles,
    CAST(count(*) FILTER (WHERE decision = 'split') AS INTEGER) AS splits,
    CAST(count(*) FILTER (WHERE decision = 'timeout') AS INTEGER) AS timeouts,
    bool_or(decision = 'insurance') AS insurance_taken,
    sum(stake_minor) FILTER (WHERE decision = 'insurance') AS insurance_stake_minor
  FROM staging.stg_table_hand_decisions
  WHERE event_date BETWEEN CAST(@start_ds AS DATE) - 3 AND @end_ds
  GROUP BY ALL
),
split_boxes AS (
  SELECT DISTINCT round_id, box_id
  FROM staging.stg_table_hand_decisions
  WHERE event_date BETWEEN CAST(@start_ds AS DATE) - 3 AND @end_ds AND decision = 'split'
),
rounds AS (
  SELECT round_id, any_value(game_id) AS game_id
  FROM staging.stg_table_rounds
  WHERE event_date BETWEEN CAST(@start_ds AS DATE) - 3 AND @end_ds AND step = 'opened'
  GROUP BY round_id
),
placed AS (
  -- the control: every blackjack stake the box players placed in the round, bets behind excluded;
  -- three days back, as int_gaming_activity reads a table stake's hold (a round paused by an outage)
  SELECT round_id, player_id, currency, sum(amount_minor) AS placed_minor
  FROM staging.stg_bets
  WHERE event_date BETWEEN CAST(@start_ds AS DATE) - 3 AND @end_ds
    AND bet_source = 'table' AND step = 'placed' AND game = 'blackjack' AND bet_type NOT LIKE 'behind%'
  GROUP BY ALL
)
SELECT
  s.event_date AS activity_date,
  s.occurred_at AS settled_at,
  d.occurred_at AS dealt_at,
  s.table_id,
  r.game_id,
  s.round_id,
  s.box_id,
  s.seat,
  CAST(CASE WHEN s.seat IS NULL THEN 'infinite' ELSE 'seated' END AS VARCHAR) AS table_format,
  s.hand_index,
  s.player_id,
  s.jurisdiction,
  s.currency,
  s.currency_exponent,
  d.cards AS initial_cards,
  d.total AS initial_total,
  d.soft AS initial_soft,
  s.cards,
  s.card_count,
  s.total,
  s.is_natural,
  s.busted,
  s.surrendered,
  s.doubled,
  s.hand_index > 0 OR sb.box_id IS NOT NULL AS from_split,
  -- as domain/games/blackjack/settlement.ts handOutcome decides it, from the cards
  CAST(CASE
    WHEN s.surrendered THEN 'surrender'
    WHEN s.is_natural AND s.dealer_natural THEN 'push'
    WHEN s.is_natural THEN 'blackjack'
    WHEN s.busted THEN 'lose'
    WHEN s.dealer_natural THEN 'lose'
    WHEN s.dealer_total > 21 THEN 'win'
    WHEN s.total > s.dealer_total THEN 'win'
    WHEN s.total = s.dealer_total THEN 'push'
    ELSE 'lose'
  END AS VARCHAR) AS outcome,
  coalesce(x.decisions, 0) AS decisions,
  x.decision_path,
  coalesce(x.hits, 0) AS hits,
  coalesce(x.doubles, 0) AS doubles,
  coalesce(x.splits, 0) AS splits,
  coalesce(x.timeouts, 0) AS timeouts,
  s.hand_index = 0 AND s.dealer_up_card LIKE 'A%' AS insurance_offered,
  coalesce(x.insurance_taken, false) AS insurance_taken,
  CAST(coalesce(x.insurance_stake_minor, 0) AS BIGINT) AS insurance_stake_minor,
  s.side_bet_result,
  s.perfect_pairs_result,
  s.twenty_one_plus_three_result,
  s.hot_3_result,
  s.staked_minor,
  s.returned_minor,
  CAST(p.placed_minor AS BIGINT) AS player_round_placed_minor,
  s.dealer_up_card,
  s.dealer_cards,
  s.dealer_card_count,
  s.dealer_total,
  s.dealer_natural,
  s.dealer_total > 21 AS dealer_busted
FROM settled AS s
LEFT JOIN dealt AS d ON d.round_id = s.round_id AND d.box_id = s.box_id AND d.hand_index = s.hand_index
LEFT JOIN decisions AS x ON x.round_id = s.round_id AND x.box_id = s.box_id AND x.hand_index = s.hand_index
LEFT JOIN split_boxes AS sb ON sb.round_id = s.round_id AND sb.box_id = s.box_id
LEFT JOIN rounds AS r ON r.round_id = s.round_id
LEFT JOIN placed AS p ON p.round_id = s.round_id AND p.player_id = s.player_id AND p.currency = s.currency
