-- Blackjack decisions (TableDO): one row per decision a box's player took on a hand, timeouts
-- included (a timeout stands the hand, or declines insurance when the insurance window closes).
-- The deal and the settlement of the hand are staging.stg_table_hands.
--
-- Deduplication: a decision has no id of its own, but a hand's cards only grow, so the same
-- decision on the same cards of the same hand is one decision: a repeat of it (the same fact under
-- a new event_id) is dropped on (round_id, box_id, hand_index, decision, cards). Two exceptions,
-- where two real decisions can share the cards, so each event is kept (decision_key is its
-- event_id) and a repeated one is not dropped:
--   * timeout: a box may time out the insurance window and then its first decision with the same
--     two cards;
--   * split: a split takes a card away, and in a multi-deck shoe the hand can draw the same card
--     again (8S 8D, split, 8S + another 8D) and split again on the same cards (engine-played
--     rounds in warehouse/blackjack-engine.test.ts found it).
MODEL (
  name staging.stg_table_hand_decisions,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [round_id, box_id, hand_index, decision_key],
  owner data,
  tags [staging, gaming, tables, blackjack],
  description 'One row per blackjack decision (table.hand.decision): hit, stand, double, split, surrender, insurance, no_insurance or timeout, with the hand''s cards when it was taken and the further stake it reserved (double, split, insurance). Deduplicated on (round_id, box_id, hand_index, decision_key), keeping the first event (by occurred_at, event_id), also across midnight; decision_key is decision:cards, or the event_id for a timeout or a split (two real ones can share the cards: an insurance and a play timeout; a resplit after drawing the same card from another deck).',
  column_descriptions (
    event_id = 'The event kept for this decision',
    event_type = 'table.hand.decision',
    occurred_at = 'When the table committed the decision (UTC)',
    event_date = 'UTC day of occurred_at',
    player_id = 'The box''s player',
    jurisdiction = 'Licensing jurisdiction of the box''s player',
    table_id = 'Live table',
    round_id = 'Round id (unique across tables)',
    box_id = 'The box: a seat of a Seated table, or one player''s place at an Infinite table',
    seat = 'Seat 1..7 of a Seated table; NULL at an Infinite table',
    hand_index = 'The hand decided on: 0, or 1..3 for hands a split added (insurance is on hand 0)',
    decision = 'hit, stand, double, split, surrender, insurance, no_insurance or timeout',
    decision_key = 'What identifies the decision within its hand: decision:cards, or the event_id for a timeout or a split',
    cards = 'The hand''s cards when the decision was taken (a hit''s card arrives after it), space-separated',
    card_count = 'Number of cards in cards',
    total = 'Best total of cards when the decision was taken',
    dealer_up_card = 'The dealer''s up card',
    stake_minor = 'The further stake the decision reserved (double, split, insurance), else 0; minor units',
    currency = 'Currency of the stake',
    currency_exponent = 'Minor-unit exponent of currency (seeds.currencies)'
  ),
  audits (
    not_null(columns := [event_id, occurred_at, event_date, player_id, table_id, round_id, box_id, hand_index, decision, decision_key, cards, total, dealer_up_card, stake_minor]),
    unique_combination_of_columns(columns := [round_id, box_id, hand_index, decision_key]),
    accepted_values(column := decision, is_in := ('hit', 'stand', 'double', 'split', 'surrender', 'insurance', 'no_insurance', 'timeout')),
    accepted_range(column := hand_index, min_v := 0, max_v := 3),
    accepted_range(column := seat, min_v := 1, max_v := 7),
    accepted_range(column := stake_minor, min_v := 0),
    forall(criteria := [
      decision IN ('double', 'split', 'insurance') OR stake_minor = 0,
      decision NOT IN ('insurance', 'no_insurance') OR hand_index = 0
    ])
  )
);

WITH events AS (
  -- the interval and the day before it, so a retry that crossed midnight is seen as a repeat
  SELECT *
  FROM staging.stg_events
  WHERE macros.dedupe_window(event_date, @start_ds, @end_ds)
    AND event_type = 'table.hand.decision'
),
typed AS (
  SELECT
    event_id,
    event_type,
    occurred_at,
    event_date,
    player_id,
    jurisdiction,
    table_id,
    round_id,
    macros.payload_text(payload, 'box_id') AS box_id,
    macros.payload_int(payload, 'seat') AS seat,
    macros.payload_int(payload, 'hand_index') AS hand_index,
    macros.payload_text(payload, 'decision') AS decision,
    CAST(CASE
      WHEN macros.payload_text(payload, 'decision') IN ('timeout', 'split') THEN event_id
      ELSE concat(macros.payload_text(payload, 'decision'), ':', macros.payload_text(payload, 'cards'))
    END AS VARCHAR) AS decision_key,
    macros.payload_text(payload, 'cards') AS cards,
    CAST(len(string_split(macros.payload_text(payload, 'cards'), ' ')) AS INTEGER) AS card_count,
    macros.payload_int(payload, 'total') AS total,
    macros.payload_text(payload, 'dealer_up_card') AS dealer_up_card,
    macros.payload_bigint(payload, 'stake_minor') AS stake_minor,
    currency,
    currency_exponent
  FROM events
),
deduped AS (
  SELECT *
  FROM typed
  QUALIFY row_number() OVER (PARTITION BY round_id, box_id, hand_index, decision_key ORDER BY occurred_at, event_id) = 1
)
SELECT *
FROM deduped
WHERE event_date BETWEEN @start_ds AND @end_ds
