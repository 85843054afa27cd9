-- Player segments as of the run's day (@end_ds): RFM scores, lifecycle stage, value tier and the
-- behavioural flags the business asked for, gathered into `segments` (VARCHAR[]) and `vip_tier`:
-- the relation `wh publish segments` sends to the edge (docs/segments.md).
--
-- Kind FULL, every 15 minutes: every column is relative to "today" (recency, the 14/30/90-day
-- windows, quintiles ranked across all players), so every row changes when the day changes and a
-- player's rank moves when anyone else plays. A by-day incremental model cannot hold that; a full
-- rebuild reads 90 days of fct_player_daily and stg_bets, cheap at this size. 15 minutes: segments
-- feed campaigns and the back office, not real-time decisions, and each rebuild may publish.
--
-- Monetary = GGR (stakes - wins) in EUR over 90 days (fct_player_daily, at seeds.fx_rates of each
-- day, macros.minor_to_eur: exact, rounded once to cents after the sum): what the player is worth to the operator, not what they turn over. Thresholds are the
-- named constants of the CTE `t` (docs/models.md, "marts.player_segments").
--
-- Free bets (stg_bets.free_bet_id, docs/rewards.md "Cash-like rewards") are the operator's money:
-- the bet mix (roulette_share, banker_share) reads only bets of the player's own money. A free
-- bet is not the player's turnover, and a token is often tied to one table, so counting it would
-- make every recipient of a roulette free bet a "roulette lover": the campaign would target its
-- own output. Monetary is GGR, which holds no free bet either (int_gaming_activity).
MODEL (
  name marts.player_segments,
  kind FULL,
  cron '*/15 * * * *',
  grain [player_id],
  owner data,
  tags [marts, players, crm],
  description 'One row per registered player (marts.dim_players) as of the run''s day: RFM (recency, frequency, monetary = GGR in EUR over 90 days) with 1-5 quintile scores, lifecycle stage, value tier, behavioural flags (night owl, mobile, roulette lover, baccarat banker bettor), the segment names published to the edge and the VIP tier.',
  column_descriptions (
    player_id = 'The player',
    as_of_date = 'The day the segments are computed for (@end_ds); windows end on it',
    registered_at = 'When the player registered (UTC)',
    last_active_date = 'Last UTC day with activity in marts.fct_player_daily (up to as_of_date); NULL if none',
    recency_days = 'as_of_date - last_active_date in days; NULL if never active',
    frequency = 'Active days (rows of fct_player_daily) in the 90 days ending as_of_date',
    monetary = 'GGR (stakes - wins) in EUR over the 90 days ending as_of_date, at each day''s seeds.fx_rates rate, DECIMAL(18,2); 0 without play',
    r_score = 'Recency quintile 1-5 (ntile over all players; 5 = most recent, never active ranks lowest)',
    f_score = 'Frequency quintile 1-5 (5 = most active days)',
    m_score = 'Monetary quintile 1-5 (5 = highest GGR)',
    rfm = 'r_score, f_score and m_score as three digits, e.g. 545',
    lifecycle = 'new (registered < 14 days ago), reactivated (active in the last 14 days after a gap of more than 30 days without activity), active (active in the last 14 days), at_risk (last active 15-30 days ago), churned (last active more than 30 days ago, or never active and not new); checked in that order',
    value_tier = 'From monetary: vip >= 5000 EUR, high >= 500 EUR, mid >= 50 EUR, low below (including losses to the player)',
    night_share_30d = 'Share of activity events 00:00-05:59 UTC over the 30 days ending as_of_date; NULL without activity',
    mobile_share = 'Share of successful logins with a known device from mobile or app over 90 days; NULL without such logins',
    roulette_share = 'Share of the player''s own stakes on roulette (table bets placed + provider debits not rolled back; free bets left out) over 90 days; NULL without stakes',
    banker_share = 'Share of the player''s own baccarat table bets placed on banker (free bets left out) over 90 days; NULL without baccarat bets',
    night_owl = 'night_share_30d >= 0.5',
    mobile_player = 'mobile_share >= 0.7',
    roulette_lover = 'roulette_share >= 0.5',
    baccarat_banker_bettor = 'banker_share >= 0.5',
    segments = 'Segment names for the edge: lifecycle:<lifecycle>, value:<value_tier>, rfm:<rfm>, and night_owl, mobile, roulette_lover, baccarat_banker when the flag holds',
    vip_tier = 'vip when marts.dim_players.is_vip (the operator-set flag now), else NULL'
  ),
  audits (
    not_null(columns := [player_id, as_of_date, frequency, monetary, r_score, f_score, m_score, rfm, lifecycle, value_tier, night_owl, mobile_player, roulette_lover, baccarat_banker_bettor, segments]),
    unique_values(columns := [player_id]),
    accepted_values(column := lifecycle, is_in := ('new', 'active', 'at_risk', 'churned', 'reactivated')),
    accepted_values(column := value_tier, is_in := ('low', 'mid', 'high', 'vip')),
    accepted_range(column := r_score, min_v := 1, max_v := 5),
    accepted_range(column := f_score, min_v := 1, max_v := 5),
    accepted_range(column := m_score, min_v := 1, max_v := 5),
    forall(criteria := [len(segments) <= 64, len(segments) >= 3])
  )
);

WITH t AS (
  -- the thresholds, named (docs/models.md lists them)
  SELECT
    CAST(@end_ds AS DATE) AS as_of_date,
    14 AS new_days,                 -- registered fewer than this many days ago: new
    14 AS active_days,              -- active within this many days: active
    30 AS at_risk_days,             -- last active 15..30 days ago: at_risk; more: churned
    30 AS reactivation_gap_days,    -- a gap of more than this many days before a recent active day: reactivated
    90 AS window_days,              -- frequency, monetary, mobile, roulette, baccarat window
    30 AS night_window_days,
    0.5 AS night_owl_share,
    0.7 AS mobile_share_min,
    0.5 AS roulette_share_min,
    0.5 AS banker_share_min,
    50 AS value_mid_eur,
    500 AS value_high_eur,
    5000 AS value_vip_eur
),
daily AS (
  SELECT d.*, fx.rate_to_eur
  FROM marts.fct_player_daily AS d
  LEFT JOIN seeds.fx_rates AS fx ON fx.rate_date = d.activity_date AND fx.currency = d.currency
  WHERE d.activity_date <= (SELECT as_of_date FROM t)
),
gaps AS (
  -- active days in the last 14 days that came after more than 30 days without activity
  SELECT player_id, bool_or(gap_days > (SELECT reactivation_gap_days FROM t)) AS reactivated_recently
  FROM (
    SELECT player_id, activity_date,
      activity_date - lag(activity_date) OVER (PARTITION BY player_id ORDER BY activity_date) AS gap_days
    FROM daily
  )
  WHERE activity_date > (SELECT as_of_date - active_days FROM t)
  GROUP BY ALL
),
activity AS (
  SELECT
    d.player_id,
    max(d.activity_date) AS last_active_date,
    count(*) FILTER (WHERE d.activity_date > t.as_of_date - t.window_days) AS frequency,
    coalesce(sum(macros.minor_to_eur(d.ggr_minor, d.currency_exponent, d.rate_to_eur))
      FILTER (WHERE d.activity_date > t.as_of_date - t.window_days), 0) AS monetary_exact,
    sum(d.activity_events) FILTER (WHERE d.activity_date > t.as_of_date - t.night_window_days) AS events_30d,
    sum(d.activity_events * d.night_share) FILTER (WHERE d.activity_date > t.as_of_date - t.night_window_days) AS night_events_30d,
    sum(coalesce(d.logins_mobile, 0) + coalesce(d.logins_app, 0)) FILTER (WHERE d.activity_date > t.as_of_date - t.window_days) AS logins_mobile_app,
    sum(coalesce(d.logins_mobile, 0) + coalesce(d.logins_app, 0) + coalesce(d.logins_desktop, 0) + coalesce(d.logins_tablet, 0))
      FILTER (WHERE d.activity_date > t.as_of_date - t.window_days) AS logins_known
  FROM daily AS d, t
  GROUP BY ALL
),
stakes AS (
  -- the player's own money: table bets as placed (not with a free bet: the operator's stake),
  -- provider bets as debited unless rolled back
  SELECT b.player_id, b.bet_source, b.game, b.bet_type, b.amount_minor
  FROM staging.stg_bets AS b, t
  WHERE b.event_date > t.as_of_date - t.window_days AND b.event_date <= t.as_of_date
    AND b.free_bet_id IS NULL
    AND (
      (b.bet_source = 'table' AND b.step = 'placed')
      OR (b.bet_source = 'provider' AND b.step = 'debited' AND NOT EXISTS (
        SELECT 1 FROM staging.stg_bets AS r
        WHERE r.bet_source = 'provider' AND r.step = 'rolled_back' AND r.bet_id = b.bet_id
      ))
    )
),
bet_mix AS (
  SELECT
    player_id,
    sum(amount_minor) AS stakes_minor,
    sum(amount_minor) FILTER (WHERE game = 'roulette') AS roulette_minor,
    count(*) FILTER (WHERE game = 'baccarat') AS baccarat_bets,
    count(*) FILTER (WHERE game = 'baccarat' AND bet_type = 'banker') AS banker_bets
  FROM stakes
  GROUP BY ALL
),
base AS (
  SELECT
    p.player_id,
    t.as_of_date,
    p.registered_at,
    a.last_active_date,
    t.as_of_date - a.last_active_date AS recency_days,
    CAST(coalesce(a.frequency, 0) AS BIGINT) AS frequency,
    CAST(round(coalesce(a.monetary_exact, 0), 2) AS DECIMAL(18, 2)) AS monetary,
    CAST(CASE WHEN a.events_30d > 0 THEN a.night_events_30d / a.events_30d END AS DECIMAL(5, 4)) AS night_share_30d,
    CAST(CASE WHEN a.logins_known > 0 THEN a.logins_mobile_app / a.logins_known END AS DECIMAL(5, 4)) AS mobile_share,
    CAST(CASE WHEN m.stakes_minor > 0 THEN coalesce(m.roulette_minor, 0) / m.stakes_minor END AS DECIMAL(5, 4)) AS roulette_share,
    CAST(CASE WHEN m.baccarat_bets > 0 THEN m.banker_bets / m.baccarat_bets END AS DECIMAL(5, 4)) AS banker_share,
    coalesce(g.reactivated_recently, false) AS reactivated_recently,
    p.is_vip
  FROM marts.dim_players AS p
  CROSS JOIN t
  LEFT JOIN activity AS a USING (player_id)
  LEFT JOIN bet_mix AS m USING (player_id)
  LEFT JOIN gaps AS g USING (player_id)
  WHERE CAST(p.registered_at AS DATE) <= t.as_of_date
),
scored AS (
  SELECT
    b.*,
    CAST(ntile(5) OVER (ORDER BY b.recency_days DESC NULLS FIRST, b.player_id) AS INTEGER) AS r_score,
    CAST(ntile(5) OVER (ORDER BY b.frequency, b.player_id) AS INTEGER) AS f_score,
    CAST(ntile(5) OVER (ORDER BY b.monetary, b.player_id) AS INTEGER) AS m_score,
    CASE
      WHEN CAST(b.registered_at AS DATE) > t.as_of_date - t.new_days THEN 'new'
      WHEN b.recency_days < t.active_days AND b.reactivated_recently THEN 'reactivated'
      WHEN b.recency_days < t.active_days THEN 'active'
      WHEN b.recency_days <= t.at_risk_days THEN 'at_risk'
      ELSE 'churned'
    END AS lifecycle,
    CASE
      WHEN b.monetary >= t.value_vip_eur THEN 'vip'
      WHEN b.monetary >= t.value_high_eur THEN 'high'
      WHEN b.monetary >= t.value_mid_eur THEN 'mid'
      ELSE 'low'
    END AS value_tier,
    coalesce(b.night_share_30d >= t.night_owl_share, false) AS night_owl,
    coalesce(b.mobile_share >= t.mobile_share_min, false) AS mobile_player,
    coalesce(b.roulette_share >= t.roulette_share_min, false) AS roulette_lover,
    coalesce(b.banker_share >= t.banker_share_min, false) AS baccarat_banker_bettor
  FROM base AS b, t
)
SELECT
  player_id, as_of_date, registered_at, last_active_date, recency_days, frequency, monetary,
  r_score, f_score, m_score,
  CAST(r_score AS VARCHAR) || CAST(f_score AS VARCHAR) || CAST(m_score AS VARCHAR) AS rfm,
  lifecycle, value_tier,
  night_share_30d, mobile_share, roulette_share, banker_share,
  night_owl, mobile_player, roulette_lover, baccarat_banker_bettor,
  CAST(list_filter([
    'lifecycle:' || lifecycle,
    'value:' || value_tier,
    CASE WHEN night_owl THEN 'night_owl' END,
    CASE WHEN mobile_player THEN 'mobile' END,
    CASE WHEN roulette_lover THEN 'roulette_lover' END,
    CASE WHEN baccarat_banker_bettor THEN 'baccarat_banker' END,
    'rfm:' || CAST(r_score AS VARCHAR) || CAST(f_score AS VARCHAR) || CAST(m_score AS VARCHAR)
  ], x -> x IS NOT NULL) AS VARCHAR[]) AS segments,
  CAST(CASE WHEN is_vip THEN 'vip' END AS VARCHAR) AS vip_tier
FROM scored
