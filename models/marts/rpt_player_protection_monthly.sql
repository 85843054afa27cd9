-- The monthly player-protection (safer gambling) report per licensing jurisdiction: limits set,
-- raised and lowered by kind, actions refused by a limit, reality checks, cool-offs,
-- self-exclusions, the operators' interventions on accounts (locks, unlocks, closures) with their
-- outcome at the month end, and how many players all this touched.
--
-- Sources: staging.stg_limits (every rg.* event), staging.stg_players (player.status.changed with
-- its actor), marts.fct_player_daily (active players, the denominator). Operator interventions are
-- the status changes whose actor is operator:<id>; marts.fct_operator_interventions counts the same
-- locks per operator and day but has no jurisdiction, so this reads the staging rows it is built on.
-- A limit is "raised" when set above its previous value or removed (value NULL), as rg_risk counts
-- it; "lowered" below it; "new" with no previous value. A raise waits for its cooling period
-- (is_pending) and takes effect as rg.limit.applied.
--
-- Outcomes are as of the month end (not of today), so a closed month's report does not change when
-- a player is unlocked months later: a lock is lifted (a later change to active), closed, or still
-- locked at the month end.
--
-- What the events cannot tell: who set a limit (rg.limit.set has no actor: the player, or an
-- operator on their behalf), the reason a reality check was acknowledged or ignored (no event),
-- interactions that are not status changes (calls, messages, RG reviews: no events), and a player's
-- time zone (months are UTC).
--
-- Kind FULL, hourly: outcomes at a month end read the status history after each lock, months are
-- few, the sources are small (rg and status events: hundreds a month per thousand players), and a
-- full rebuild is exact from raw events.
MODEL (
  name marts.rpt_player_protection_monthly,
  kind FULL,
  cron '@hourly',
  grain [report_month, jurisdiction],
  owner compliance,
  tags [marts, regulatory, responsible_gaming, rpt],
  description 'Player protection per UTC calendar month and licensing jurisdiction: limits set by kind, new / raised / lowered / removed, raises pending and applied, actions refused by a limit, reality checks, cool-offs and self-exclusions started and ended, operator interventions (status changes by operator:<id>: locks, unlocks, closures) with lock outcomes at the month end, players self-excluded and locked at the month end, players affected and active players.',
  column_descriptions (
    report_month = 'First day of the UTC calendar month',
    jurisdiction = 'Licensing jurisdiction of the player (on each event)',
    limits_set = 'rg.limit.set events (every kind)',
    deposit_limits_set = 'Of which deposit limits',
    loss_limits_set = 'Of which loss limits',
    wager_limits_set = 'Of which wager limits',
    session_time_limits_set = 'Of which session-time limits',
    reality_check_limits_set = 'Of which reality-check intervals',
    limits_new = 'Set where there was no limit of that kind and period before',
    limits_lowered = 'Set below the previous value (tighter; effective at once)',
    limits_raised = 'Set above the previous value, or removed (looser; waits for the cooling period)',
    limits_removed = 'Of the raised, removed (value NULL)',
    limits_unchanged = 'Set to the value already in force (or removing a limit that was not there)',
    limit_raises_pending = 'Set limits waiting for their cooling period (is_pending)',
    limits_applied = 'Pending raises that took effect (rg.limit.applied)',
    limit_refusals = 'Deposits, stakes or sessions refused because of a limit (rg.limit.breach_refused)',
    limit_refusals_players = 'Distinct players refused at least once',
    reality_checks = 'Reality checks shown (rg.reality_check.due)',
    cool_offs_started = 'Cool-offs (time-outs) started',
    cool_offs_ended = 'Cool-offs that ran out',
    self_exclusions_started = 'Self-exclusions started (or extended)',
    self_exclusions_indefinite = 'Of which permanent (no end)',
    self_exclusions_ended = 'Timed self-exclusions that ran out (account back to active)',
    operator_status_changes = 'Account status changes by an operator (actor operator:<id>)',
    operator_locks = 'Of which locks (to locked)',
    operator_unlocks = 'Of which unlocks (from locked to active)',
    operator_closures = 'Of which closures (to closed)',
    locks_lifted = 'Locks by an operator this month lifted (back to active) by the month end',
    locks_closed = 'Locks this month followed by the account''s closure by the month end',
    locks_open = 'Locks this month still in force at the month end',
    self_excluded_at_month_end = 'Players of the jurisdiction in status self_excluded at the month end',
    locked_at_month_end = 'Players in status locked at the month end',
    players_affected = 'Distinct players with any of the above events this month (limits, refusals, reality checks, cool-offs, self-exclusions, operator status changes)',
    active_players = 'Distinct players with a counted bet of their own money this month (marts.fct_player_daily; a free bet does not count), for rates'
  ),
  audits (
    not_null(columns := [report_month, jurisdiction, limits_set, limit_refusals, reality_checks, cool_offs_started, self_exclusions_started, operator_status_changes, players_affected, active_players]),
    unique_combination_of_columns(columns := [report_month, jurisdiction]),
    accepted_range(column := limits_set, min_v := 0),
    accepted_range(column := players_affected, min_v := 0),
    forall(criteria := [
      limits_set = deposit_limits_set + loss_limits_set + wager_limits_set + session_time_limits_set + reality_check_limits_set,
      limits_set = limits_new + limits_lowered + limits_raised + limits_unchanged,
      limits_removed <= limits_raised,
      self_exclusions_indefinite <= self_exclusions_started,
      operator_locks + operator_unlocks + operator_closures <= operator_status_changes,
      locks_lifted + locks_closed + locks_open <= operator_locks,
      limit_refusals_players <= limit_refusals,
      date_trunc('month', report_month) = report_month
    ])
  )
);

WITH rg AS (
  SELECT *, CAST(date_trunc('month', event_date) AS DATE) AS report_month
  FROM staging.stg_limits
),
status AS (
  SELECT
    *,
    CAST(date_trunc('month', event_date) AS DATE) AS report_month,
    -- the player's next status change, for the outcome of a lock
    lead(to_status) OVER (PARTITION BY player_id ORDER BY occurred_at, event_id) AS next_status,
    lead(occurred_at) OVER (PARTITION BY player_id ORDER BY occurred_at, event_id) AS next_at
  FROM staging.stg_players
  WHERE change = 'status_changed'
),
rg_monthly AS (
  SELECT
    report_month, coalesce(jurisdiction, '(none)') AS jurisdiction,
    count(*) FILTER (WHERE step = 'limit_set') AS limits_set,
    count(*) FILTER (WHERE step = 'limit_set' AND limit_kind = 'deposit') AS deposit_limits_set,
    count(*) FILTER (WHERE step = 'limit_set' AND limit_kind = 'loss') AS loss_limits_set,
    count(*) FILTER (WHERE step = 'limit_set' AND limit_kind = 'wager') AS wager_limits_set,
    count(*) FILTER (WHERE step = 'limit_set' AND limit_kind = 'session_time') AS session_time_limits_set,
    count(*) FILTER (WHERE step = 'limit_set' AND limit_kind = 'reality_check') AS reality_check_limits_set,
    count(*) FILTER (WHERE step = 'limit_set' AND previous_value IS NULL AND limit_value IS NOT NULL) AS limits_new,
    count(*) FILTER (WHERE step = 'limit_set' AND limit_value < previous_value) AS limits_lowered,
    count(*) FILTER (WHERE step = 'limit_set' AND (limit_value > previous_value OR (limit_value IS NULL AND previous_value IS NOT NULL))) AS limits_raised,
    count(*) FILTER (WHERE step = 'limit_set' AND limit_value IS NULL AND previous_value IS NOT NULL) AS limits_removed,
    -- the rest: the same value again, or removing a limit that was not there
    count(*) FILTER (WHERE step = 'limit_set' AND (limit_value = previous_value OR (limit_value IS NULL AND previous_value IS NULL))) AS limits_unchanged,
    count(*) FILTER (WHERE step = 'limit_set' AND is_pending) AS limit_raises_pending,
    count(*) FILTER (WHERE step = 'limit_applied') AS limits_applied,
    count(*) FILTER (WHERE step = 'limit_breach_refused') AS limit_refusals,
    count(DISTINCT player_id) FILTER (WHERE step = 'limit_breach_refused') AS limit_refusals_players,
    count(*) FILTER (WHERE step = 'reality_check_due') AS reality_checks,
    count(*) FILTER (WHERE step = 'cool_off_started') AS cool_offs_started,
    count(*) FILTER (WHERE step = 'cool_off_ended') AS cool_offs_ended,
    count(*) FILTER (WHERE step = 'self_exclusion_started') AS self_exclusions_started,
    count(*) FILTER (WHERE step = 'self_exclusion_started' AND until_at IS NULL) AS self_exclusions_indefinite,
    count(*) FILTER (WHERE step = 'self_exclusion_ended') AS self_exclusions_ended
  FROM rg
  GROUP BY ALL
),
operator_monthly AS (
  SELECT
    report_month, coalesce(jurisdiction, '(none)') AS jurisdiction,
    count(*) AS operator_status_changes,
    count(*) FILTER (WHERE to_status = 'locked') AS operator_locks,
    count(*) FILTER (WHERE from_status = 'locked' AND to_status = 'active') AS operator_unlocks,
    count(*) FILTER (WHERE to_status = 'closed') AS operator_closures,
    -- a lock's outcome at the end of its month: what the player's next status change did, if by then
    count(*) FILTER (WHERE to_status = 'locked' AND next_status = 'active' AND next_at < report_month + INTERVAL 1 MONTH) AS locks_lifted,
    count(*) FILTER (WHERE to_status = 'locked' AND next_status = 'closed' AND next_at < report_month + INTERVAL 1 MONTH) AS locks_closed,
    count(*) FILTER (WHERE to_status = 'locked' AND (next_at IS NULL OR next_at >= report_month + INTERVAL 1 MONTH)) AS locks_open
  FROM status
  WHERE actor LIKE 'operator:%'
  GROUP BY ALL
),
affected AS (
  SELECT report_month, coalesce(jurisdiction, '(none)') AS jurisdiction, count(DISTINCT player_id) AS players_affected
  FROM (
    SELECT report_month, jurisdiction, player_id FROM rg
    UNION ALL
    SELECT report_month, jurisdiction, player_id FROM status WHERE actor LIKE 'operator:%'
  )
  GROUP BY ALL
),
active AS (
  SELECT CAST(date_trunc('month', activity_date) AS DATE) AS report_month, coalesce(jurisdiction, '(none)') AS jurisdiction,
         count(DISTINCT player_id) AS active_players
  FROM marts.fct_player_daily
  WHERE bets > 0
  GROUP BY ALL
),
months AS (
  SELECT report_month, jurisdiction FROM rg_monthly
  UNION SELECT report_month, jurisdiction FROM operator_monthly
  UNION SELECT report_month, jurisdiction FROM active
),
status_at_month_end AS (
  -- each player's status after the last change before the month end (active if none yet)
  SELECT m.report_month, m.jurisdiction,
    count(*) FILTER (WHERE s.to_status = 'self_excluded') AS self_excluded_at_month_end,
    count(*) FILTER (WHERE s.to_status = 'locked') AS locked_at_month_end
  FROM (SELECT DISTINCT report_month, jurisdiction FROM months) AS m
  JOIN (
    SELECT m2.report_month, s2.player_id, arg_max(s2.to_status, s2.occurred_at) AS to_status
    FROM (SELECT DISTINCT report_month FROM months) AS m2
    JOIN status AS s2 ON s2.occurred_at < m2.report_month + INTERVAL 1 MONTH
    GROUP BY m2.report_month, s2.player_id
  ) AS s ON s.report_month = m.report_month
  JOIN (SELECT player_id, any_value(jurisdiction) AS jurisdiction FROM staging.stg_players GROUP BY player_id) AS p
    ON p.player_id = s.player_id AND coalesce(p.jurisdiction, '(none)') = m.jurisdiction
  GROUP BY m.report_month, m.jurisdiction
)
SELECT
  m.report_month, m.jurisdiction,
  coalesce(r.limits_set, 0) AS limits_set,
  coalesce(r.deposit_limits_set, 0) AS deposit_limits_set,
  coalesce(r.loss_limits_set, 0) AS loss_limits_set,
  coalesce(r.wager_limits_set, 0) AS wager_limits_set,
  coalesce(r.session_time_limits_set, 0) AS session_time_limits_set,
  coalesce(r.reality_check_limits_set, 0) AS reality_check_limits_set,
  coalesce(r.limits_new, 0) AS limits_new,
  coalesce(r.limits_lowered, 0) AS limits_lowered,
  coalesce(r.limits_raised, 0) AS limits_raised,
  coalesce(r.limits_removed, 0) AS limits_removed,
  coalesce(r.limits_unchanged, 0) AS limits_unchanged,
  coalesce(r.limit_raises_pending, 0) AS limit_raises_pending,
  coalesce(r.limits_applied, 0) AS limits_applied,
  coalesce(r.limit_refusals, 0) AS limit_refusals,
  coalesce(r.limit_refusals_players, 0) AS limit_refusals_players,
  coalesce(r.reality_checks, 0) AS reality_checks,
  coalesce(r.cool_offs_started, 0) AS cool_offs_started,
  coalesce(r.cool_offs_ended, 0) AS cool_offs_ended,
  coalesce(r.self_exclusions_started, 0) AS self_exclusions_started,
  coalesce(r.self_exclusions_indefinite, 0) AS self_exclusions_indefinite,
  coalesce(r.self_exclusions_ended, 0) AS self_exclusions_ended,
  coalesce(o.operator_status_changes, 0) AS operator_status_changes,
  coalesce(o.operator_locks, 0) AS operator_locks,
  coalesce(o.operator_unlocks, 0) AS operator_unlocks,
  coalesce(o.operator_closures, 0) AS operator_closures,
  coalesce(o.locks_lifted, 0) AS locks_lifted,
  coalesce(o.locks_closed, 0) AS locks_closed,
  coalesce(o.locks_open, 0) AS locks_open,
  coalesce(e.self_excluded_at_month_end, 0) AS self_excluded_at_month_end,
  coalesce(e.locked_at_month_end, 0) AS locked_at_month_end,
  coalesce(f.players_affected, 0) AS players_affected,
  coalesce(a.active_players, 0) AS active_players
FROM months AS m
LEFT JOIN rg_monthly AS r USING (report_month, jurisdiction)
LEFT JOIN operator_monthly AS o USING (report_month, jurisdiction)
LEFT JOIN affected AS f USING (report_month, jurisdiction)
LEFT JOIN active AS a USING (report_month, jurisdiction)
LEFT JOIN status_at_month_end AS e USING (report_month, jurisdiction)
