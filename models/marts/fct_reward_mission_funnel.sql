-- The missions' funnel, for the marketers who design them (issue 17, "Warehouse"): per mission of
-- the live rule set (seeds.reward_missions) and step, how many players got there, how many
-- finished it, and when anyone last progressed, so a step nobody passes (or nobody reaches)
-- stands out. The steps come from the seed, so a step without a single progress has its row
-- (players_reached 0): the dead end the source documents ask dashboards to spot.
--
-- A player reached a step when a rewards.granted mission_progress counted towards it; finished it
-- when that progress reached the step's target (the next step, or the completion, follows in the
-- same evaluation). A mission that expired and started again counts its player once per step.
--
-- Kind FULL: "days since the last progress" moves with the day, and the funnel is over the whole
-- history (a mission runs for weeks); a rebuild reads only the grants of kind mission_progress.
MODEL (
  name marts.fct_reward_mission_funnel,
  kind FULL,
  cron '*/15 * * * *',
  grain [mission_id, step_index],
  owner marketing,
  tags [marts, rewards, crm],
  description 'One row per mission step of the live rule set (seeds.reward_missions) as of the run''s day: players who progressed at the step, players who finished it, the step''s completion rate and the conversion from the mission''s start, progress grants, the last progress and the days since; dead_step when nobody progressed at it within dead_after_days.',
  column_descriptions (
    mission_id = 'Mission (seeds.reward_missions)',
    mission_name = 'Display name of the mission',
    step_index = 'Position of the step, 0 first',
    step_id = 'Step id in the rule set',
    step_name = 'Display name of the step',
    target = 'Progress that completes the step',
    as_of_date = 'The day the row is computed for (@end_ds)',
    players_reached = 'Distinct players with a progress grant at this step',
    players_finished = 'Distinct players whose progress at this step reached its target',
    step_completion_rate = 'players_finished / players_reached, DECIMAL(9,6); NULL when nobody reached the step',
    conversion_from_start = 'players_finished / players who reached step 0, DECIMAL(9,6); NULL when nobody started',
    progress_grants = 'Progress grants counted towards this step',
    last_progress_at = 'Latest progress at this step (UTC); NULL if none',
    days_since_progress = 'as_of_date - the day of last_progress_at; NULL if never',
    dead_after_days = 'The threshold: a step without progress for this many days is dead (7)',
    dead_step = 'Nobody progressed at this step within dead_after_days (or ever)'
  ),
  audits (
    not_null(columns := [mission_id, step_index, target, as_of_date, players_reached, players_finished, progress_grants, dead_step]),
    unique_combination_of_columns(columns := [mission_id, step_index]),
    accepted_range(column := step_completion_rate, min_v := 0, max_v := 1),
    accepted_range(column := conversion_from_start, min_v := 0, max_v := 1),
    forall(criteria := [players_finished <= players_reached, players_reached <= progress_grants, dead_step = (days_since_progress IS NULL OR days_since_progress >= dead_after_days)])
  )
);

WITH t AS (
  SELECT CAST(@end_ds AS DATE) AS as_of_date, 7 AS dead_after_days
),
progress AS (
  SELECT g.mission_id, g.step_index, g.player_id, g.progress, g.target, g.occurred_at
  FROM staging.stg_reward_grants AS g
  WHERE g.kind = 'mission_progress' AND g.event_date <= (SELECT as_of_date FROM t)
),
per_step AS (
  SELECT
    mission_id, step_index,
    count(DISTINCT player_id) AS players_reached,
    count(DISTINCT player_id) FILTER (WHERE progress >= target) AS players_finished,
    count(*) AS progress_grants,
    max(occurred_at) AS last_progress_at
  FROM progress
  GROUP BY ALL
),
started AS (
  SELECT mission_id, players_reached AS players_started FROM per_step WHERE step_index = 0
)
SELECT
  s.mission_id,
  s.mission_name,
  s.step_index,
  s.step_id,
  s.step_name,
  s.target,
  t.as_of_date,
  coalesce(p.players_reached, 0) AS players_reached,
  coalesce(p.players_finished, 0) AS players_finished,
  CAST(p.players_finished / nullif(p.players_reached, 0) AS DECIMAL(9, 6)) AS step_completion_rate,
  CAST(coalesce(p.players_finished, 0) / nullif(st.players_started, 0) AS DECIMAL(9, 6)) AS conversion_from_start,
  coalesce(p.progress_grants, 0) AS progress_grants,
  p.last_progress_at,
  CAST(t.as_of_date - CAST(p.last_progress_at AS DATE) AS INTEGER) AS days_since_progress,
  t.dead_after_days,
  p.last_progress_at IS NULL OR t.as_of_date - CAST(p.last_progress_at AS DATE) >= t.dead_after_days AS dead_step
FROM seeds.reward_missions AS s
CROSS JOIN t
LEFT JOIN per_step AS p ON p.mission_id = s.mission_id AND p.step_index = s.step_index
LEFT JOIN started AS st ON st.mission_id = s.mission_id
