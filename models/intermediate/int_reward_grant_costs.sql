-- What each reward grant costs the operator, written once for the rewards marts (issue 17,
-- "Warehouse"). A grant's cost_minor (staging.stg_reward_grants) is fixed at the grant for every
-- kind but one: a wheel spin is charged its wheel's largest cash-like prize, a reservation that
-- holds the caps and budgets whatever the spin draws (docs/rewards.md "Wheel (provably fair)").
-- Once the player spins (staging.stg_reward_wheel_spins, spin_id = grant_id) the spin costs what
-- its prize paid: a delivered free bet's or cashback's value, 0 for XP, points, a badge, a message
-- or nothing. Until then it keeps its reservation, an upper bound, marked cost_basis 'reserved' so
-- an analyst can tell a known cost from one that can only fall.
--
-- A VIEW: a spin moves the cost of a grant made days before, which an incremental table by the
-- grant's day could not rewrite; the FULL marts that read it are rebuilt on their cron. It sees the
-- spins loaded so far (a mart rebuilt for an earlier day would count a later spin as paid).
MODEL (
  name intermediate.int_reward_grant_costs,
  kind VIEW,
  grain [grant_id],
  owner marketing,
  tags [intermediate, rewards, money],
  description 'One row per reward grant (staging.stg_reward_grants) with its cost in minor units of the player''s currency as far as it is known: a spun wheel spin what its prize paid (staging.stg_reward_wheel_spins), an unspun one its reservation (the wheel''s largest cash-like prize, an upper bound), any other grant the cost fixed at the grant; cost_basis says which.',
  column_descriptions (
    grant_id = 'The grant (stg_reward_grants.grant_id; for a wheel spin also its spin_id)',
    occurred_at = 'When the grant was made (UTC)',
    event_date = 'UTC day of the grant: the day its cost is counted in and converted to EUR at',
    player_id = 'The player',
    rule_id = 'The rule that fired',
    rule_version = 'Version of the rule',
    variant = 'A/B variant the player was in for this rule; NULL when the rule has no variants',
    via = 'mission:<id> or level:<n> when the grant is a mission''s or a level''s reward; NULL otherwise',
    kind = 'What was given (stg_reward_grants.kind)',
    grant_cost_minor = 'The cost charged at the grant (stg_reward_grants.cost_minor): for a wheel spin its reservation, the wheel''s largest cash-like prize',
    cost_basis = 'granted: the cost is fixed at the grant (a free bet''s or cashback''s value; 0 for XP, points, badges, messages, mission progress); paid: a spun wheel spin, costed at what its prize paid; reserved: an unspun wheel spin, costed at its reservation (an upper bound)',
    cost_minor = 'The grant''s cost as far as known, minor units: grant_cost_minor, except a spun wheel spin''s prize cost (stg_reward_wheel_spins.cost_minor)',
    reserved_cost_minor = 'The part of cost_minor that is an unspun spin''s reservation (cost_minor when cost_basis is reserved, else 0): it can only fall once spun',
    spun_at = 'When a wheel spin was spun (UTC); NULL for other grants and unspun spins',
    prize_id = 'The prize a spun wheel spin drew',
    currency = 'The player''s currency',
    currency_exponent = 'Minor-unit exponent of currency (seeds.currencies)'
  ),
  audits (
    not_null(columns := [grant_id, event_date, player_id, rule_id, kind, grant_cost_minor, cost_basis, cost_minor, reserved_cost_minor, currency]),
    unique_values(columns := [grant_id]),
    accepted_values(column := cost_basis, is_in := ('granted', 'paid', 'reserved')),
    accepted_range(column := cost_minor, min_v := 0),
    forall(criteria := [
      (kind = 'wheel_spin') = (cost_basis <> 'granted'),
      cost_basis = 'paid' OR cost_minor = grant_cost_minor,
      reserved_cost_minor = CASE WHEN cost_basis = 'reserved' THEN cost_minor ELSE 0 END
    ])
  )
);

SELECT
  g.grant_id,
  g.occurred_at,
  g.event_date,
  g.player_id,
  g.rule_id,
  g.rule_version,
  g.variant,
  g.via,
  g.kind,
  g.cost_minor AS grant_cost_minor,
  CAST(CASE
    WHEN g.kind <> 'wheel_spin' THEN 'granted'
    WHEN s.spin_id IS NOT NULL THEN 'paid'
    ELSE 'reserved'
  END AS VARCHAR) AS cost_basis,
  CAST(CASE WHEN g.kind = 'wheel_spin' AND s.spin_id IS NOT NULL THEN s.cost_minor ELSE g.cost_minor END AS BIGINT) AS cost_minor,
  CAST(CASE WHEN g.kind = 'wheel_spin' AND s.spin_id IS NULL THEN g.cost_minor ELSE 0 END AS BIGINT) AS reserved_cost_minor,
  s.occurred_at AS spun_at,
  s.prize_id,
  g.currency,
  g.currency_exponent
FROM staging.stg_reward_grants AS g
-- a spin's id is its wheel_spin grant's id; the join is on that key alone (a one-sided
-- g.kind = 'wheel_spin' in the ON would make DuckDB join by a nested loop): the CASEs above check the kind
LEFT JOIN staging.stg_reward_wheel_spins AS s ON s.spin_id = g.grant_id
