-- The players' side of tournaments (docs/tournaments.md): one row per player who joined
-- (tournament.joined) and per prize paid (tournament.prize.paid: the tournament's acknowledgement of
-- the wallet credit, a wallet.win.credited under the same prize id). The tournament itself is
-- staging.stg_tournaments.
MODEL (
  name staging.stg_tournament_players,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [tournament_id, player_id, step],
  owner marketing,
  tags [staging, tournaments, money],
  description 'One row per tournament, player and step: joined (tournament.joined) or prize_paid (tournament.prize.paid: prize id, rank, score, amount). A player joins once and wins at most one prize per tournament. Deduplicated on (tournament_id, player_id, step), keeping the first event (by occurred_at, event_id), also across midnight. Money in integer minor units of the tournament''s currency.',
  column_descriptions (
    event_id = 'The event kept for this tournament, player and step',
    event_type = 'tournament.joined or tournament.prize.paid',
    step = 'joined or prize_paid',
    occurred_at = 'When the tournament object committed it (UTC)',
    event_date = 'UTC day of occurred_at',
    tournament_id = 'The tournament',
    player_id = 'The player',
    prize_id = 'The prize paid: the win id of the wallet credit, tournament:<id>:rank:<n> (prize_paid)',
    prize_rank = 'Rank the prize was for, 1 first (prize_paid)',
    score = 'The player''s final score (prize_paid)',
    amount_minor = 'Prize paid, minor units (prize_paid)',
    currency = 'The tournament''s currency',
    currency_exponent = 'Minor-unit exponent of currency (seeds.currencies)'
  ),
  audits (
    not_null(columns := [event_id, step, occurred_at, event_date, tournament_id, player_id]),
    unique_combination_of_columns(columns := [tournament_id, player_id, step]),
    accepted_values(column := step, is_in := ('joined', 'prize_paid')),
    accepted_range(column := amount_minor, min_v := 0),
    forall(criteria := [step = 'prize_paid' OR prize_id IS NULL])
  )
);

WITH events AS (
  -- the interval and the day before it, so a retry that crossed midnight is seen as a repeat
  SELECT *
  FROM staging.stg_events
  WHERE macros.dedupe_window(event_date, @start_ds, @end_ds)
    AND event_type IN ('tournament.joined', 'tournament.prize.paid')
),
typed AS (
  SELECT
    event_id,
    event_type,
    CAST(CASE event_type WHEN 'tournament.joined' THEN 'joined' ELSE 'prize_paid' END AS VARCHAR) AS step,
    occurred_at,
    event_date,
    macros.payload_text(payload, 'tournament_id') AS tournament_id,
    player_id,
    macros.payload_text(payload, 'prize_id') AS prize_id,
    macros.payload_int(payload, 'rank') AS prize_rank,
    macros.payload_bigint(payload, 'score') AS score,
    macros.payload_bigint(payload, 'amount_minor') AS amount_minor,
    currency,
    currency_exponent
  FROM events
),
deduped AS (
  SELECT *
  FROM typed
  QUALIFY row_number() OVER (PARTITION BY tournament_id, player_id, step ORDER BY occurred_at, event_id) = 1
),
final AS (
  SELECT *
  FROM deduped
  WHERE event_date BETWEEN @start_ds AND @end_ds
)
SELECT * FROM final
