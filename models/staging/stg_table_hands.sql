-- Blackjack hands (TableDO): the deal and the settlement of each hand of each box. One row per
-- round, box, hand and step; the decisions in between are staging.stg_table_hand_decisions. A box
-- is a seat of a Seated table (seat 1..7) or one player's place at an Infinite table (seat NULL);
-- a split adds hands (hand_index 1, 2, 3). The envelope's player is the box's player.
--
-- Money here is the box player's own stakes of the hand (hand 0 also carries their insurance and
-- side bets); bets behind are other players' money, in their own table.bet.* events
-- (staging.stg_bets). GGR is never computed from these events: table.bet.settled is the money
-- (intermediate.int_gaming_activity); the hand's money is here to explain it per hand.
MODEL (
  name staging.stg_table_hands,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [round_id, box_id, hand_index, step],
  owner data,
  tags [staging, gaming, tables, blackjack],
  description 'One row per blackjack hand and step: table.hand.dealt (one per box after the initial deal, hand_index 0) and table.hand.settled (one per hand at settlement, split hands included). Deduplicated on (round_id, box_id, hand_index, step), keeping the first event (by occurred_at, event_id), also across midnight. Cards as the payload''s space-separated string in the order dealt (e.g. ''AS KD''); side_bet_result parsed into one column per side bet. Money (settled only) in integer minor units of currency: the box player''s own stakes of the hand.',
  column_descriptions (
    event_id = 'The event kept for this hand and step',
    event_type = 'table.hand.dealt or table.hand.settled',
    step = 'dealt or settled',
    occurred_at = 'When the table committed the step (UTC)',
    event_date = 'UTC day of occurred_at',
    player_id = 'The box''s player (who decides for its hands)',
    jurisdiction = 'Licensing jurisdiction of the box''s player',
    table_id = 'Live table',
    round_id = 'Round id (unique across tables)',
    box_id = 'The box: a seat of a Seated table, or one player''s place at an Infinite table',
    seat = 'Seat 1..7 of a Seated table; NULL at an Infinite table',
    hand_index = '0 for the box''s first hand; 1..3 for hands a split added',
    cards = 'The hand''s cards, space-separated in the order dealt (dealt: the first two; settled: all)',
    card_count = 'Number of cards in cards',
    total = 'Best total of cards (an ace counts 11 when that does not bust)',
    soft = 'The total counts an ace as 11 (dealt only)',
    is_natural = 'Two cards making 21 on a hand never split',
    busted = 'The hand went over 21 (settled only)',
    surrendered = 'The player surrendered the hand (settled only)',
    doubled = 'The hand was doubled (settled only)',
    dealer_up_card = 'The dealer''s up card',
    dealer_cards = 'The dealer''s final cards, space-separated (settled only)',
    dealer_card_count = 'Number of cards in dealer_cards (settled only)',
    dealer_total = 'The dealer''s final total (settled only)',
    dealer_natural = 'The dealer had blackjack (settled only)',
    side_bet_result = 'The box''s side bets as settled, ''kind=outcome'' pairs separated by '';'' (lose for a losing bet); NULL when none or not hand 0 (settled only)',
    perfect_pairs_result = 'Outcome of the box''s Perfect Pairs bet (perfect_pair, coloured_pair, mixed_pair or lose); NULL when not placed',
    twenty_one_plus_three_result = 'Outcome of the box''s 21+3 bet (suited_trips, straight_flush, three_of_a_kind, straight, flush or lose); NULL when not placed',
    hot_3_result = 'Outcome of the box''s Hot 3 bet (seven_seven_seven, suited_21, twenty_one, twenty, nineteen or lose); NULL when not placed',
    staked_minor = 'The box player''s stakes riding on the hand (main or split, double; on hand 0 also insurance and side bets), minor units (settled only)',
    returned_minor = 'What those stakes paid back, stakes included, minor units (settled only)',
    currency = 'Currency of the box player''s stakes',
    currency_exponent = 'Minor-unit exponent of currency (seeds.currencies)'
  ),
  audits (
    not_null(columns := [event_id, step, occurred_at, event_date, player_id, table_id, round_id, box_id, hand_index, cards, card_count, total, is_natural, dealer_up_card]),
    unique_combination_of_columns(columns := [round_id, box_id, hand_index, step]),
    accepted_values(column := step, is_in := ('dealt', 'settled')),
    accepted_range(column := hand_index, min_v := 0, max_v := 3),
    accepted_range(column := seat, min_v := 1, max_v := 7),
    accepted_range(column := total, min_v := 0, max_v := 40),
    accepted_range(column := staked_minor, min_v := 0),
    accepted_range(column := returned_minor, min_v := 0),
    accepted_values(column := perfect_pairs_result, is_in := ('perfect_pair', 'coloured_pair', 'mixed_pair', 'lose')),
    accepted_values(column := twenty_one_plus_three_result, is_in := ('suited_trips', 'straight_flush', 'three_of_a_kind', 'straight', 'flush', 'lose')),
    accepted_values(column := hot_3_result, is_in := ('seven_seven_seven', 'suited_21', 'twenty_one', 'twenty', 'nineteen', 'lose')),
    forall(criteria := [
      step = 'settled' OR (hand_index = 0 AND card_count = 2),
      step = 'dealt' OR (busted IS NOT NULL AND surrendered IS NOT NULL AND doubled IS NOT NULL AND dealer_cards IS NOT NULL AND staked_minor IS NOT NULL AND returned_minor IS NOT NULL AND currency IS NOT NULL),
      NOT is_natural OR (card_count = 2 AND total = 21),
      busted IS NOT TRUE OR total > 21,
      side_bet_result IS NULL OR hand_index = 0
    ])
  )
);

WITH events AS (
  -- the interval and the day before it, so a retry that crossed midnight is seen as a repeat
  SELECT *
  FROM staging.stg_events
  WHERE macros.dedupe_window(event_date, @start_ds, @end_ds)
    AND event_type IN ('table.hand.dealt', 'table.hand.settled')
),
typed AS (
  SELECT
    event_id,
    event_type,
    macros.event_type_part(event_type, 3) AS step,
    occurred_at,
    event_date,
    player_id,
    jurisdiction,
    table_id,
    round_id,
    macros.payload_text(payload, 'box_id') AS box_id,
    macros.payload_int(payload, 'seat') AS seat,
    macros.payload_int(payload, 'hand_index') AS hand_index,
    macros.payload_text(payload, 'cards') AS cards,
    CAST(len(string_split(macros.payload_text(payload, 'cards'), ' ')) AS INTEGER) AS card_count,
    macros.payload_int(payload, 'total') AS total,
    macros.payload_bool(payload, 'soft') AS soft,
    -- the payload's natural: NATURAL is an SQL keyword (NATURAL JOIN), which an audit's criteria could not name unquoted
    macros.payload_bool(payload, 'natural') AS is_natural,
    macros.payload_bool(payload, 'busted') AS busted,
    macros.payload_bool(payload, 'surrendered') AS surrendered,
    macros.payload_bool(payload, 'doubled') AS doubled,
    macros.payload_text(payload, 'dealer_up_card') AS dealer_up_card,
    macros.payload_text(payload, 'dealer_cards') AS dealer_cards,
    CAST(len(string_split(macros.payload_text(payload, 'dealer_cards'), ' ')) AS INTEGER) AS dealer_card_count,
    macros.payload_int(payload, 'dealer_total') AS dealer_total,
    macros.payload_bool(payload, 'dealer_natural') AS dealer_natural,
    macros.payload_text(payload, 'side_bet_result') AS side_bet_result,
    -- 'perfect_pairs=mixed_pair;hot_3=lose' -> one column per side bet, NULL when it was not placed
    CAST(nullif(regexp_extract(macros.payload_text(payload, 'side_bet_result'), '(^|;)perfect_pairs=([^;]*)', 2), '') AS VARCHAR) AS perfect_pairs_result,
    CAST(nullif(regexp_extract(macros.payload_text(payload, 'side_bet_result'), '(^|;)twenty_one_plus_three=([^;]*)', 2), '') AS VARCHAR) AS twenty_one_plus_three_result,
    CAST(nullif(regexp_extract(macros.payload_text(payload, 'side_bet_result'), '(^|;)hot_3=([^;]*)', 2), '') AS VARCHAR) AS hot_3_result,
    macros.payload_bigint(payload, 'staked_minor') AS staked_minor,
    macros.payload_bigint(payload, 'returned_minor') AS returned_minor,
    currency,
    currency_exponent
  FROM events
),
deduped AS (
  SELECT *
  FROM typed
  QUALIFY row_number() OVER (PARTITION BY round_id, box_id, hand_index, step ORDER BY occurred_at, event_id) = 1
)
SELECT *
FROM deduped
WHERE event_date BETWEEN @start_ds AND @end_ds
