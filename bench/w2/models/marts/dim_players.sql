MODEL (
  name marts.dim_players,
  kind FULL,
  cron '@daily',
  grain [player_id],
  owner 'analytics',
  tags [marts, players],
  description 'One row per registered player: registration attributes, current KYC and RG state, lifetime totals'
);

WITH kyc AS (
  SELECT player_id, arg_max(to_state, occurred_at) AS kyc_status
  FROM staging.stg_compliance
  WHERE event_type = 'player.kyc.changed'
  GROUP BY player_id
),
status AS (
  SELECT player_id, arg_max(to_state, occurred_at) AS account_status
  FROM staging.stg_compliance
  WHERE event_type = 'player.status.changed'
  GROUP BY player_id
),
rg AS (
  SELECT
    player_id,
    count(*) FILTER (WHERE event_type = 'rg.limit.set') AS limit_changes,
    count(*) FILTER (WHERE event_type = 'rg.cool_off.started') AS cool_offs,
    bool_or(event_type = 'rg.self_exclusion.started') AS ever_self_excluded
  FROM staging.stg_compliance
  WHERE family = 'rg'
  GROUP BY player_id
),
play AS (
  SELECT
    player_id,
    min(event_date) AS first_play_date,
    max(event_date) AS last_play_date,
    count(*) AS active_days,
    sum(stake_minor) AS lifetime_stake_minor,
    sum(ggr_minor) AS lifetime_ggr_minor
  FROM intermediate.int_player_wagering_daily
  GROUP BY player_id
),
money AS (
  SELECT player_id, sum(deposited_minor) AS lifetime_deposited_minor, sum(deposits_completed) AS lifetime_deposits
  FROM intermediate.int_player_deposits_daily
  GROUP BY player_id
)
SELECT
  r.player_id,
  r.registered_at,
  r.event_date AS registration_date,
  r.brand,
  r.country,
  r.jurisdiction,
  r.currency,
  r.birth_year,
  r.acquisition_source,
  coalesce(k.kyc_status, 'none') AS kyc_status,
  coalesce(s.account_status, 'active') AS account_status,
  coalesce(g.limit_changes, 0) AS limit_changes,
  coalesce(g.cool_offs, 0) AS cool_offs,
  coalesce(g.ever_self_excluded, false) AS ever_self_excluded,
  p.first_play_date,
  p.last_play_date,
  coalesce(p.active_days, 0) AS active_days,
  coalesce(p.lifetime_stake_minor, 0) AS lifetime_stake_minor,
  coalesce(p.lifetime_ggr_minor, 0) AS lifetime_ggr_minor,
  coalesce(m.lifetime_deposits, 0) AS lifetime_deposits,
  coalesce(m.lifetime_deposited_minor, 0) AS lifetime_deposited_minor
FROM staging.stg_registrations AS r
LEFT JOIN kyc AS k ON k.player_id = r.player_id
LEFT JOIN status AS s ON s.player_id = r.player_id
LEFT JOIN rg AS g ON g.player_id = r.player_id
LEFT JOIN play AS p ON p.player_id = r.player_id
LEFT JOIN money AS m ON m.player_id = r.player_id
