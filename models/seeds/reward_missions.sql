-- The missions of the live rewards rule set (config/rewards.json), one row per step. Generated:
-- edit config/, then `npm run config:seeds`; scripts/config-seeds.test.ts fails while they differ.
-- The rewards marts read it so a mission or a step nobody reaches still has its row (a dead
-- mission is one that exists and that nobody progresses in, not one absent from the events).
MODEL (
  name seeds.reward_missions,
  kind SEED (path 'reward_missions.csv'),
  grain [mission_id, step_index],
  owner marketing,
  tags [reference, rewards],
  description 'Missions of the live rewards rule set (config/rewards.json), one row per step in order, with the step''s target.',
  columns (
    mission_id VARCHAR,
    mission_name VARCHAR,
    step_index INTEGER,
    step_id VARCHAR,
    step_name VARCHAR,
    target INTEGER,
    steps INTEGER,
    expires_after_minutes INTEGER,
    repeatable BOOLEAN,
    rule_set_id VARCHAR,
    rule_set_version INTEGER
  ),
  column_descriptions (
    mission_id = 'Mission id, as on rewards.granted (mission_id, via mission:<id>)',
    mission_name = 'Display name of the mission',
    step_index = 'Position of the step, 0 first (rewards.granted step_index)',
    step_id = 'Step id in the rule set',
    step_name = 'Display name of the step',
    target = 'Progress that completes the step',
    steps = 'Number of steps of the mission',
    expires_after_minutes = 'Minutes from the first progress after which an unfinished mission starts again; NULL: never',
    repeatable = 'The mission can be completed again',
    rule_set_id = 'The rule set the row was generated from',
    rule_set_version = 'Its version'
  ),
  audits (
    not_null(columns := [mission_id, step_index, step_id, target, steps]),
    unique_combination_of_columns(columns := [mission_id, step_index]),
    accepted_range(column := target, min_v := 1)
  )
);
