-- The live tables' rounds (TableDO): opened, closed, result, settled or voided. One row per round
-- and step; the round's stakes and returns are its bets (staging.stg_bets).
MODEL (
  name staging.stg_table_rounds,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [round_id, step],
  owner data,
  tags [staging, gaming, tables],
  description 'One row per table round and step (table.round.opened / closed / result / settled / voided). Deduplicated on (round_id, step), keeping the first event (by occurred_at, event_id), also across midnight. No money: round events carry counts; stakes are in stg_bets.',
  column_descriptions (
    event_id = 'The event kept for this round and step',
    event_type = 'table.round.opened, closed, result, settled or voided',
    step = 'opened, closed, result, settled or voided',
    occurred_at = 'When the table committed the step (UTC)',
    event_date = 'UTC day of occurred_at',
    table_id = 'Live table',
    round_id = 'Round id (unique across tables)',
    round_no = 'Round number on its table (1, 2, ...)',
    game = 'roulette, baccarat or blackjack (all steps but closed)',
    game_id = 'Catalog game of the table (opened only)',
    mode = 'dealer or auto (opened only)',
    commitment = 'SHA-256 of the server seed published before bets (opened, automated tables)',
    closes_at = 'When betting closes (opened only)',
    actor = 'Who drove the step: rng, a dealer or an operator',
    bets = 'Bets in the round (closed, settled)',
    result_source = 'rng or dealer (result only)',
    outcome = 'The game''s outcome as JSON (result only), e.g. {"number":33}; blackjack: the dealer''s cards and the shoe order (the hands are in stg_table_hands)',
    result_summary = 'Outcome in words (result only)',
    server_seed = 'Revealed server seed (result, automated rounds)',
    settle_ms = 'Time to settle every bet of the round, ms (settled only)',
    void_reason = 'Why the round was voided (voided only)',
    bets_refunded = 'Bets refunded by the void (voided only)'
  ),
  audits (
    not_null(columns := [event_id, step, occurred_at, event_date, table_id, round_id, round_no]),
    unique_combination_of_columns(columns := [round_id, step]),
    accepted_values(column := step, is_in := ('opened', 'closed', 'result', 'settled', 'voided')),
    accepted_values(column := game, is_in := ('roulette', 'baccarat', 'blackjack')),
    accepted_values(column := mode, is_in := ('dealer', 'auto')),
    accepted_values(column := result_source, is_in := ('rng', 'dealer')),
    accepted_range(column := round_no, min_v := 1),
    accepted_range(column := bets, min_v := 0),
    accepted_range(column := settle_ms, min_v := 0),
    accepted_range(column := bets_refunded, min_v := 0)
  )
);

WITH events AS (
  -- the interval and the day before it, so a retry that crossed midnight is seen as a repeat
  SELECT *
  FROM staging.stg_events
  WHERE macros.dedupe_window(event_date, @start_ds, @end_ds)
    AND event_type IN ('table.round.opened', 'table.round.closed', 'table.round.result', 'table.round.settled', 'table.round.voided')
),
typed AS (
  SELECT
    event_id,
    event_type,
    macros.event_type_part(event_type, 3) AS step,
    occurred_at,
    event_date,
    table_id,
    round_id,
    macros.payload_bigint(payload, 'round_no') AS round_no,
    macros.payload_text(payload, 'game') AS game,
    macros.payload_text(payload, 'game_id') AS game_id,
    macros.payload_text(payload, 'mode') AS mode,
    macros.payload_text(payload, 'commitment') AS commitment,
    macros.payload_ts(payload, 'closes_at') AS closes_at,
    macros.payload_text(payload, 'actor') AS actor,
    macros.payload_int(payload, 'bets') AS bets,
    macros.payload_text(payload, 'source') AS result_source,
    CAST(macros.payload_text(payload, 'outcome') AS JSON) AS outcome,
    macros.payload_text(payload, 'summary') AS result_summary,
    macros.payload_text(payload, 'server_seed') AS server_seed,
    macros.payload_bigint(payload, 'settle_ms') AS settle_ms,
    CAST(CASE WHEN event_type = 'table.round.voided' THEN macros.payload_text(payload, 'reason') END AS VARCHAR) AS void_reason,
    macros.payload_int(payload, 'bets_refunded') AS bets_refunded
  FROM events
),
deduped AS (
  SELECT *
  FROM typed
  QUALIFY row_number() OVER (PARTITION BY round_id, step ORDER BY occurred_at, event_id) = 1
)
SELECT *
FROM deduped
WHERE event_date BETWEEN @start_ds AND @end_ds
