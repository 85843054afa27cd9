-- Responsible-gaming risk per player and day: the signals of harm a safer-gambling team reviews
-- (rapid losses, loss chasing, long and night sessions, limit hits and raises, reversed
-- withdrawals), each over a trailing window, a 0-100 score and the reasons that fired.
--
-- Kind FULL: every signal looks back up to 7 days (and a reversed withdrawal 24 hours forward, at
-- the bets that followed it), and a bet settled or a withdrawal rejected days later changes an
-- earlier day's figures. An INCREMENTAL_BY_TIME_RANGE model would need a lookback of the whole
-- window (7 days) on every run plus reads of the 7 days before each interval; at this size a
-- full rebuild is simpler, exact, and cheap (a few seconds on 14 simulated days). Revisit when
-- the history is years long: then incremental by day with lookback 8 and the staging reads
-- widened by 7 days.
--
-- Money is the player's own: a free bet (docs/rewards.md "Cash-like rewards") stakes none of it
-- (its stake was the operator's: a lost free bet is no loss to chase) and returns what the wallet
-- paid on it (the return without the stake: real money the player got back, which lowers the
-- day's net loss; the edge's loss limit, which guards what the player may lose, leaves it out).
--
-- Thresholds are the named constants of the CTE `t` (documented in docs/models.md, "marts.rg_risk").
-- They are the project's own starting values, not a regulator's: the UKGC's customer-interaction
-- guidance names these indicators (time and spend, chasing, cancelled withdrawals, limit changes,
-- time of day) but sets no numbers.
MODEL (
  name marts.rg_risk,
  kind FULL,
  cron '*/15 * * * *',
  grain [player_id, activity_date],
  owner compliance,
  tags [compliance, responsible_gaming],
  description 'One row per player and UTC day the player was active (a bet, deposit, session, limit event or withdrawal): the responsible-gaming signals over the trailing 7 days ending that day (rapid losses on the day), a score 0-100 (sum of the weights of the signals that fired) and reasons naming each fired signal with its figure. Money in minor units of the player''s wallet currency.',
  column_descriptions (
    player_id = 'The player',
    activity_date = 'UTC day the row is about; windows end on it',
    jurisdiction = 'Licensing jurisdiction of the player',
    currency = 'The player''s wallet currency',
    currency_exponent = 'Minor-unit exponent of currency (seeds.currencies)',
    stakes_minor = 'Stakes of the player''s own money placed that day (table bets placed, provider bets debited; a free bet stakes none), minor units',
    net_loss_minor = 'Stakes minus what those bets returned that day (rolled-back bets and unsettled bets return their stake); negative = the player won',
    deposits_minor_7d = 'Completed deposits in the 7 days ending activity_date, minor units',
    deposits_7d = 'Completed deposits in the 7 days ending activity_date',
    chase_deposits_7d = 'Deposits in the 7 days made within 60 minutes of a bet with the balance before the deposit at most 10% of the deposit (re-depositing after losing it all)',
    stake_escalations_7d = 'Bets in the 7 days staking at least 3 times the previous bet, which lost',
    long_sessions_7d = 'Sessions ended in the 7 days that lasted 3 hours or more',
    max_session_ms_7d = 'Longest session ended in the 7 days, ms',
    night_sessions_7d = 'Sessions ended in the 7 days that started between 00:00 and 06:00 UTC',
    limit_breaches_7d = 'Actions refused by a limit in the 7 days (rg.limit.breach_refused)',
    limit_raises_7d = 'Limits raised or removed in the 7 days (rg.limit.set above the previous value, or to none)',
    reversed_withdrawals_7d = 'Withdrawals cancelled by the player or rejected in the 7 days (or whose wd: hold was voided) whose amount was at least half staked within 24 hours after',
    reversed_played_minor_7d = 'Stakes placed within 24 hours after those reversals, minor units',
    rapid_loss = 'Signal: net loss that day at least 75% of the 7-day deposits (deposits > 0)',
    loss_chasing = 'Signal: chase_deposits_7d >= 3 or stake_escalations_7d >= 25',
    long_session = 'Signal: long_sessions_7d >= 1',
    night_play = 'Signal: night_sessions_7d >= 3',
    limit_hit = 'Signal: limit_breaches_7d >= 1',
    limit_raise = 'Signal: limit_raises_7d >= 1',
    reversed_withdrawal = 'Signal: reversed_withdrawals_7d >= 1',
    risk_score = 'Sum of the weights of the fired signals (rapid_loss 25, loss_chasing 25, long_session 10, night_play 5, limit_hit 10, limit_raise 15, reversed_withdrawal 10): 0-100',
    reasons = 'One text per fired signal with its figure, in the order of the columns above; empty when none fired'
  ),
  audits (
    not_null(columns := [player_id, activity_date, risk_score, reasons, rapid_loss, loss_chasing, long_session, night_play, limit_hit, limit_raise, reversed_withdrawal]),
    unique_combination_of_columns(columns := [player_id, activity_date]),
    accepted_range(column := risk_score, min_v := 0, max_v := 100),
    accepted_range(column := deposits_minor_7d, min_v := 0),
    forall(criteria := [(risk_score = 0) = (len(reasons) = 0)])
  )
);

WITH t AS (
  -- the thresholds and weights, named (docs/models.md lists them with their reasons)
  SELECT
    0.75 AS rapid_loss_ratio,           -- net loss of the day / deposits of the 7 days
    60 AS chase_minutes,                -- a deposit this soon after a bet ...
    0.10 AS chase_balance_ratio,        -- ... with the balance before it at most this share of the deposit
    3 AS chase_deposits_min,
    3 AS escalation_factor,             -- a stake at least this multiple of the previous, losing, stake
    25 AS escalations_min,               -- the simulator's random staking gives 5 a week at the median, 58 at p90 with factor 2
    3 * 3600 * 1000 AS long_session_ms,
    0 AS night_from_hour,               -- UTC; the player's local time is not known
    6 AS night_to_hour,
    3 AS night_sessions_min,
    24 AS reversal_play_hours,          -- stakes after a reversed withdrawal counted for this long
    0.5 AS reversal_played_ratio,       -- stakes / reversed amount from which the money counts as played
    25 AS w_rapid_loss, 25 AS w_loss_chasing, 10 AS w_long_session, 5 AS w_night_play,
    10 AS w_limit_hit, 15 AS w_limit_raise, 10 AS w_reversed_withdrawal
),
bets AS (
  -- one row per bet with its stake and what it returned, of the player's own money: a free bet's
  -- stake was the operator's (docs/rewards.md "Cash-like rewards"), so it stakes nothing and returns
  -- what the wallet paid, the return without the stake (a lost free bet loses the player nothing)
  SELECT
    b.player_id, b.jurisdiction, b.currency, b.currency_exponent, b.occurred_at, b.event_date, b.bet_source, b.bet_id,
    CASE WHEN b.free_bet_id IS NOT NULL THEN CAST(0 AS BIGINT) ELSE b.amount_minor END AS stake_minor,
    CASE
      WHEN b.free_bet_id IS NOT NULL THEN greatest(coalesce(s.returned_minor, b.amount_minor) - b.amount_minor, 0)
      WHEN b.bet_source = 'table' THEN coalesce(s.returned_minor, b.amount_minor)
      WHEN r.bet_id IS NOT NULL THEN b.amount_minor
      ELSE coalesce(w.amount_minor, 0)
    END AS returned_minor
  -- Each ON is equalities between the two sides plus predicates on the joined side only: a
  -- predicate on b alone inside a LEFT JOIN's ON made DuckDB use a nested-loop join (bets x wins:
  -- 195 s of this model's 219 s at 300k events, W2 in bench/README.md); `x.bet_source = b.bet_source`
  -- with x's own source fixed says the same and keeps it a hash join.
  FROM staging.stg_bets AS b
  LEFT JOIN staging.stg_bets AS s
    ON s.bet_source = b.bet_source AND s.bet_source = 'table' AND s.step = 'settled' AND s.bet_id = b.bet_id
  LEFT JOIN staging.stg_bets AS r
    ON r.bet_source = b.bet_source AND r.bet_source = 'provider' AND r.step = 'rolled_back' AND r.bet_id = b.bet_id
  LEFT JOIN (
    SELECT 'provider' AS bet_source, provider_id, bet_tx_id, sum(amount_minor) AS amount_minor
    FROM staging.stg_wins
    WHERE win_source = 'provider'
    GROUP BY ALL
  ) AS w
    ON w.bet_source = b.bet_source AND w.provider_id = b.provider_id AND w.bet_tx_id = b.bet_id
  WHERE b.step IN ('placed', 'debited')
),
bet_seq AS (
  SELECT
    *,
    lag(stake_minor) OVER (PARTITION BY player_id ORDER BY occurred_at, bet_id) AS prev_stake_minor,
    lag(returned_minor < stake_minor) OVER (PARTITION BY player_id ORDER BY occurred_at, bet_id) AS prev_lost
  FROM bets
),
bet_days AS (
  SELECT
    player_id, event_date AS activity_date,
    any_value(jurisdiction) AS jurisdiction, any_value(currency) AS currency, any_value(currency_exponent) AS currency_exponent,
    sum(stake_minor) AS stakes_minor,
    sum(stake_minor - returned_minor) AS net_loss_minor,
    count(*) FILTER (WHERE prev_lost AND stake_minor >= (SELECT escalation_factor FROM t) * prev_stake_minor) AS stake_escalations
  FROM bet_seq
  GROUP BY ALL
),
deposits AS (
  SELECT player_id, jurisdiction, currency, currency_exponent, occurred_at, event_date, deposit_id, amount_minor, balance_after_minor
  FROM staging.stg_deposits
  WHERE step = 'completed'
),
timeline AS (
  -- deposits and bets in one order, to find the last bet before each deposit
  SELECT player_id, occurred_at, deposit_id, amount_minor, balance_after_minor, event_date, 1 AS is_deposit FROM deposits
  UNION ALL
  SELECT player_id, occurred_at, NULL, NULL, NULL, event_date, 0 FROM bets
),
deposit_days AS (
  SELECT
    player_id, event_date AS activity_date,
    sum(amount_minor) AS deposits_minor,
    count(*) AS deposits,
    count(*) FILTER (
      WHERE last_bet_at >= occurred_at - to_minutes(CAST((SELECT chase_minutes FROM t) AS BIGINT))
        AND balance_after_minor - amount_minor <= (SELECT chase_balance_ratio FROM t) * amount_minor
    ) AS chase_deposits
  FROM (
    SELECT *, max(CASE WHEN is_deposit = 0 THEN occurred_at END) OVER (PARTITION BY player_id ORDER BY occurred_at, is_deposit ROWS UNBOUNDED PRECEDING) AS last_bet_at
    FROM timeline
  )
  WHERE is_deposit = 1
  GROUP BY ALL
),
session_days AS (
  SELECT
    player_id, event_date AS activity_date,
    count(*) FILTER (WHERE duration_ms >= (SELECT long_session_ms FROM t)) AS long_sessions,
    max(duration_ms) AS max_session_ms,
    count(*) FILTER (WHERE hour(occurred_at - to_milliseconds(duration_ms)) >= (SELECT night_from_hour FROM t)
                       AND hour(occurred_at - to_milliseconds(duration_ms)) < (SELECT night_to_hour FROM t)) AS night_sessions
  FROM staging.stg_sessions
  WHERE step = 'session_ended' AND duration_ms IS NOT NULL
  GROUP BY ALL
),
limit_days AS (
  SELECT
    player_id, event_date AS activity_date,
    count(*) FILTER (WHERE step = 'limit_breach_refused') AS limit_breaches,
    count(*) FILTER (WHERE step = 'limit_set' AND previous_value IS NOT NULL AND (limit_value IS NULL OR limit_value > previous_value)) AS limit_raises
  FROM staging.stg_limits
  GROUP BY ALL
),
reversals AS (
  -- a withdrawal cancelled by its player (the classic reversal: the money taken back to play on),
  -- rejected by an operator, or its hold released (voided) without a payout; one row per withdrawal
  SELECT player_id, withdrawal_id, min(reversed_at) AS reversed_at, max(amount_minor) AS amount_minor
  FROM (
    SELECT player_id, withdrawal_id, occurred_at AS reversed_at, amount_minor FROM staging.stg_withdrawals WHERE step IN ('cancelled', 'rejected')
    UNION ALL
    SELECT player_id, substr(hold_id, 4), occurred_at, amount_minor FROM staging.stg_holds WHERE hold_origin = 'withdrawal' AND step = 'voided'
  )
  GROUP BY ALL
),
reversal_days AS (
  SELECT player_id, activity_date, count(*) AS reversed_withdrawals, sum(played_minor) AS reversed_played_minor
  FROM (
    SELECT r.player_id, CAST(r.reversed_at AS DATE) AS activity_date, r.withdrawal_id, r.amount_minor, coalesce(sum(b.stake_minor), 0) AS played_minor
    FROM reversals AS r
    LEFT JOIN bets AS b
      ON b.player_id = r.player_id AND b.occurred_at > r.reversed_at
     AND b.occurred_at <= r.reversed_at + to_hours(CAST((SELECT reversal_play_hours FROM t) AS BIGINT))
    GROUP BY ALL
  )
  WHERE played_minor >= (SELECT reversal_played_ratio FROM t) * amount_minor
  GROUP BY ALL
),
player_currency AS (
  SELECT player_id, any_value(jurisdiction) AS jurisdiction, any_value(currency) AS currency, any_value(currency_exponent) AS currency_exponent
  FROM (
    SELECT player_id, jurisdiction, currency, currency_exponent FROM bets
    UNION ALL SELECT player_id, jurisdiction, currency, currency_exponent FROM deposits
    UNION ALL SELECT player_id, jurisdiction, NULL, NULL FROM staging.stg_sessions
    UNION ALL SELECT player_id, jurisdiction, currency, currency_exponent FROM staging.stg_limits
  )
  GROUP BY ALL
),
days AS (
  SELECT player_id, activity_date FROM bet_days
  UNION SELECT player_id, activity_date FROM deposit_days
  UNION SELECT player_id, activity_date FROM session_days
  UNION SELECT player_id, activity_date FROM limit_days
  UNION SELECT player_id, activity_date FROM reversal_days
),
daily AS (
  SELECT
    d.player_id, d.activity_date,
    pc.jurisdiction,
    pc.currency, pc.currency_exponent,
    coalesce(b.stakes_minor, 0) AS stakes_minor,
    coalesce(b.net_loss_minor, 0) AS net_loss_minor,
    coalesce(b.stake_escalations, 0) AS stake_escalations,
    coalesce(dp.deposits_minor, 0) AS deposits_minor,
    coalesce(dp.deposits, 0) AS deposits,
    coalesce(dp.chase_deposits, 0) AS chase_deposits,
    coalesce(s.long_sessions, 0) AS long_sessions,
    s.max_session_ms,
    coalesce(s.night_sessions, 0) AS night_sessions,
    coalesce(l.limit_breaches, 0) AS limit_breaches,
    coalesce(l.limit_raises, 0) AS limit_raises,
    coalesce(r.reversed_withdrawals, 0) AS reversed_withdrawals,
    coalesce(r.reversed_played_minor, 0) AS reversed_played_minor
  FROM days AS d
  LEFT JOIN player_currency AS pc USING (player_id)
  LEFT JOIN bet_days AS b USING (player_id, activity_date)
  LEFT JOIN deposit_days AS dp USING (player_id, activity_date)
  LEFT JOIN session_days AS s USING (player_id, activity_date)
  LEFT JOIN limit_days AS l USING (player_id, activity_date)
  LEFT JOIN reversal_days AS r USING (player_id, activity_date)
),
windowed AS (
  SELECT
    player_id, activity_date, jurisdiction, currency, currency_exponent, stakes_minor, net_loss_minor,
    CAST(sum(deposits_minor) OVER w AS BIGINT) AS deposits_minor_7d,
    CAST(sum(deposits) OVER w AS BIGINT) AS deposits_7d,
    CAST(sum(chase_deposits) OVER w AS BIGINT) AS chase_deposits_7d,
    CAST(sum(stake_escalations) OVER w AS BIGINT) AS stake_escalations_7d,
    CAST(sum(long_sessions) OVER w AS BIGINT) AS long_sessions_7d,
    max(max_session_ms) OVER w AS max_session_ms_7d,
    CAST(sum(night_sessions) OVER w AS BIGINT) AS night_sessions_7d,
    CAST(sum(limit_breaches) OVER w AS BIGINT) AS limit_breaches_7d,
    CAST(sum(limit_raises) OVER w AS BIGINT) AS limit_raises_7d,
    CAST(sum(reversed_withdrawals) OVER w AS BIGINT) AS reversed_withdrawals_7d,
    CAST(sum(reversed_played_minor) OVER w AS BIGINT) AS reversed_played_minor_7d
  FROM daily
  WINDOW w AS (PARTITION BY player_id ORDER BY activity_date RANGE BETWEEN INTERVAL 6 DAYS PRECEDING AND CURRENT ROW)
),
signals AS (
  SELECT
    w.*,
    deposits_minor_7d > 0 AND net_loss_minor >= t.rapid_loss_ratio * deposits_minor_7d AS rapid_loss,
    chase_deposits_7d >= t.chase_deposits_min OR stake_escalations_7d >= t.escalations_min AS loss_chasing,
    long_sessions_7d >= 1 AS long_session,
    night_sessions_7d >= t.night_sessions_min AS night_play,
    limit_breaches_7d >= 1 AS limit_hit,
    limit_raises_7d >= 1 AS limit_raise,
    reversed_withdrawals_7d >= 1 AS reversed_withdrawal,
    t.*
  FROM windowed AS w, t
)
SELECT
  player_id, activity_date, jurisdiction, currency, currency_exponent,
  stakes_minor, net_loss_minor, deposits_minor_7d, deposits_7d, chase_deposits_7d, stake_escalations_7d,
  long_sessions_7d, max_session_ms_7d, night_sessions_7d, limit_breaches_7d, limit_raises_7d,
  reversed_withdrawals_7d, reversed_played_minor_7d,
  rapid_loss, loss_chasing, long_session, night_play, limit_hit, limit_raise, reversed_withdrawal,
  CAST(
    CASE WHEN rapid_loss THEN w_rapid_loss ELSE 0 END
    + CASE WHEN loss_chasing THEN w_loss_chasing ELSE 0 END
    + CASE WHEN long_session THEN w_long_session ELSE 0 END
    + CASE WHEN night_play THEN w_night_play ELSE 0 END
    + CASE WHEN limit_hit THEN w_limit_hit ELSE 0 END
    + CASE WHEN limit_raise THEN w_limit_raise ELSE 0 END
    + CASE WHEN reversed_withdrawal THEN w_reversed_withdrawal ELSE 0 END
  AS INTEGER) AS risk_score,
  list_filter([
    CASE WHEN rapid_loss THEN printf('rapid_loss: lost %s today, %d%% of 7-day deposits of %s',
      printf('%.*f %s', currency_exponent, net_loss_minor / power(10, currency_exponent), currency),
      CAST(round(100 * net_loss_minor / deposits_minor_7d) AS BIGINT),
      printf('%.*f %s', currency_exponent, deposits_minor_7d / power(10, currency_exponent), currency)) END,
    CASE WHEN loss_chasing THEN printf('loss_chasing: %d deposits right after losing it all, %d stakes tripled after a loss (7d)', chase_deposits_7d, stake_escalations_7d) END,
    CASE WHEN long_session THEN printf('long_session: %d sessions of 3h+, longest %.1fh (7d)', long_sessions_7d, max_session_ms_7d / 3600000.0) END,
    CASE WHEN night_play THEN printf('night_play: %d sessions started 00-06 UTC (7d)', night_sessions_7d) END,
    CASE WHEN limit_hit THEN printf('limit_hit: %d actions refused by a limit (7d)', limit_breaches_7d) END,
    CASE WHEN limit_raise THEN printf('limit_raise: %d limits raised or removed (7d)', limit_raises_7d) END,
    CASE WHEN reversed_withdrawal THEN printf('reversed_withdrawal: %d withdrawals reversed, %s staked within 24h (7d)', reversed_withdrawals_7d,
      printf('%.*f %s', currency_exponent, reversed_played_minor_7d / power(10, currency_exponent), currency)) END
  ], x -> x IS NOT NULL) AS reasons
FROM signals
