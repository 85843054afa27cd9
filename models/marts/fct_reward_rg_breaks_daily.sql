-- The rewards engine's responsible-gaming side, for the safer-gambling team (issue 17: "a player
-- flagged at risk gets no promotional trigger, only take-a-break messages, and every suppression
-- is logged with its reason"): per UTC day and jurisdiction, the break messages sent
-- (rewards.break_suggested) and why the players were at risk, and the promotions withheld from
-- them (rewards.suppressed with reason player_at_risk). A care rule's own messages still reach
-- players at risk; they are grants (staging.stg_reward_grants), not counted here.
MODEL (
  name marts.fct_reward_rg_breaks_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column activity_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [activity_date, jurisdiction],
  owner compliance,
  tags [marts, rewards, responsible_gaming, compliance],
  description 'One row per UTC day and jurisdiction with a player at risk seen by the rewards engine: break messages sent and players messaged, the risk reasons behind the messages (rapid losses, a limit hit, a cool-off just ended, the rg_risk segment), promotions withheld (player_at_risk suppressions) and players they were withheld from, and players at risk in total.',
  column_descriptions (
    activity_date = 'UTC day',
    jurisdiction = 'Licensing jurisdiction of the players',
    break_messages = 'Take-a-break messages sent (rewards.break_suggested; at most one per player per break_message_interval_minutes)',
    players_messaged = 'Distinct players sent one',
    rapid_losses = 'Messages whose player was at risk for rapid losses (net table losses over the window)',
    limit_hit = 'Messages whose player had a limit refuse something recently',
    cool_off_ended = 'Messages whose player''s cool-off had just ended',
    rg_risk_segment = 'Messages whose player is in the rg_risk segment (marts.rg_risk, published back)',
    promotions_withheld = 'Promotional rules suppressed for a player at risk (rewards.suppressed reason player_at_risk)',
    players_withheld = 'Distinct players promotions were withheld from',
    players_at_risk = 'Distinct players messaged or withheld from'
  ),
  audits (
    not_null(columns := [activity_date, break_messages, players_messaged, rapid_losses, limit_hit, cool_off_ended, rg_risk_segment, promotions_withheld, players_withheld, players_at_risk]),
    unique_combination_of_columns(columns := [activity_date, jurisdiction]),
    forall(criteria := [players_messaged <= break_messages, players_withheld <= promotions_withheld, players_at_risk <= players_messaged + players_withheld, players_at_risk >= greatest(players_messaged, players_withheld)])
  )
);

SELECT
  event_date AS activity_date,
  jurisdiction,
  count(*) FILTER (WHERE outcome = 'break_suggested') AS break_messages,
  count(DISTINCT player_id) FILTER (WHERE outcome = 'break_suggested') AS players_messaged,
  count(*) FILTER (WHERE outcome = 'break_suggested' AND list_contains(string_split(risk_reasons, ','), 'rapid_losses')) AS rapid_losses,
  count(*) FILTER (WHERE outcome = 'break_suggested' AND list_contains(string_split(risk_reasons, ','), 'limit_hit')) AS limit_hit,
  count(*) FILTER (WHERE outcome = 'break_suggested' AND list_contains(string_split(risk_reasons, ','), 'cool_off_ended')) AS cool_off_ended,
  count(*) FILTER (WHERE outcome = 'break_suggested' AND list_contains(string_split(risk_reasons, ','), 'rg_risk_segment')) AS rg_risk_segment,
  count(*) FILTER (WHERE outcome = 'suppressed') AS promotions_withheld,
  count(DISTINCT player_id) FILTER (WHERE outcome = 'suppressed') AS players_withheld,
  count(DISTINCT player_id) AS players_at_risk
FROM staging.stg_reward_outcomes
WHERE event_date BETWEEN @start_ds AND @end_ds
  AND (outcome = 'break_suggested' OR (outcome = 'suppressed' AND reason = 'player_at_risk'))
GROUP BY ALL
