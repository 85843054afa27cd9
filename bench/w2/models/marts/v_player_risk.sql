MODEL (
  name marts.v_player_risk,
  kind VIEW,
  grain [player_id],
  owner 'compliance',
  tags [marts, rg],
  description 'Each player''s latest rolling week beside their profile, with simple risk flags'
);

SELECT
  p.player_id,
  p.jurisdiction,
  p.currency,
  p.kyc_status,
  p.account_status,
  r.event_date AS as_of,
  r.stake_7d_minor,
  r.ggr_7d_minor,
  r.active_days_7d,
  r.ggr_7d_minor > 100000 AS high_loss_7d,
  r.active_days_7d >= 6 AS daily_play_7d,
  p.ever_self_excluded,
  p.limit_changes
FROM marts.dim_players AS p
JOIN intermediate.int_player_rolling_7d AS r ON r.player_id = p.player_id
QUALIFY row_number() OVER (PARTITION BY p.player_id ORDER BY r.event_date DESC) = 1
