-- Every settled table bet next to the steps its round went through: the join the audit "every
-- settled bet belongs to a settled round" reads (TARGETS.md R4). A view: it reads both staging
-- models whole, so a bet settled just before midnight and its round settled just after are one row.
MODEL (
  name intermediate.int_settled_table_bets,
  kind VIEW,
  grain [bet_id],
  owner data,
  tags [intermediate, gaming, money, reconciliation],
  description 'One row per settled table bet (staging.stg_bets, bet_source table, step settled) with its round''s settled and voided times (staging.stg_table_rounds); NULL when the warehouse has no such step of the round.',
  column_descriptions (
    bet_id = 'Table bet id',
    round_id = 'The bet''s round',
    table_id = 'Live table',
    player_id = 'The betting player',
    result = 'win, lose, push, void or expired',
    amount_minor = 'Stake, minor units',
    returned_minor = 'What the settlement paid back, stake included, minor units',
    currency = 'Currency of the stake',
    bet_settled_at = 'When the bet was settled (UTC)',
    round_settled_at = 'When its round was settled (UTC); NULL if never (in the warehouse)',
    round_voided_at = 'When its round was voided (UTC); NULL if never'
  ),
  audits (
    not_null(columns := [bet_id, round_id, bet_settled_at]),
    unique_values(columns := [bet_id]),
    settled_bets_in_settled_rounds()
  )
);

WITH rounds AS (
  SELECT
    round_id,
    min(occurred_at) FILTER (WHERE step = 'settled') AS round_settled_at,
    min(occurred_at) FILTER (WHERE step = 'voided') AS round_voided_at
  FROM staging.stg_table_rounds
  GROUP BY round_id
)
SELECT
  b.bet_id, b.round_id, b.table_id, b.player_id, b.result, b.amount_minor, b.returned_minor, b.currency,
  b.occurred_at AS bet_settled_at,
  r.round_settled_at,
  r.round_voided_at
FROM staging.stg_bets AS b
LEFT JOIN rounds AS r ON r.round_id = b.round_id
WHERE b.bet_source = 'table' AND b.step = 'settled'
