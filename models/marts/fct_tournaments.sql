-- One row per tournament: what it promised (the prize pool), who entered, what it awarded at its
-- end, and what reached the winners: the tournament's acknowledgements (tournament.prize.paid) and
-- the wallet's own credits (wallet.win.credited under tournament:<id>:rank:<n>, stg_wins win_origin
-- tournament). Prizes are promotional cost, not gaming wins (docs/models.md "Wallet movements"):
-- this is where marketing reads that cost per tournament.
--
-- Kind FULL, hourly: a tournament's steps span days (created, joins, end, payments), and the table
-- is small (one row per tournament); a full rebuild is exact from the staging models.
MODEL (
  name marts.fct_tournaments,
  kind FULL,
  cron '@hourly',
  grain [tournament_id],
  owner marketing,
  tags [marts, tournaments, marketing, money],
  description 'One row per tournament seen in the events: brand, name, currency, window, status (created, cancelled, ended), prize pool, entrants (distinct players who joined), scored players, awards, awarded and unawarded amounts (from its end), prizes paid (tournament.prize.paid) and the wallet''s prize credits, and what is still unpaid. Money in integer minor units of the tournament''s currency.',
  column_descriptions (
    tournament_id = 'The tournament',
    brand = 'Brand it runs in (NULL when its creation is not in the warehouse)',
    tournament_name = 'Its name',
    currency = 'The tournament''s currency',
    currency_exponent = 'Minor-unit exponent of currency',
    starts_at = 'Start of the scoring window (UTC)',
    ends_at = 'End of the scoring window (UTC)',
    status = 'ended (its ranking froze), cancelled, or created (open, finalizing or pending approval)',
    created_by = 'Operator who created it',
    prizes = 'Number of prizes',
    prize_pool_minor = 'Sum of the prizes, minor units',
    entrants = 'Distinct players who joined (tournament.joined)',
    entrants_reported = 'Entrants the tournament counted at its end (NULL before it)',
    scored = 'Players with a positive score at its end',
    awards = 'Prizes awarded at its end',
    awarded_minor = 'Sum of the prizes awarded, minor units (NULL before its end)',
    unawarded_minor = 'Prize pool not awarded for lack of scoring players, minor units (NULL before its end)',
    prizes_paid = 'Prizes the tournament marked paid (tournament.prize.paid)',
    paid_minor = 'Their sum, minor units',
    wallet_credited_minor = 'Prize credits in the wallets (wallet.win.credited under tournament:<id>:rank:<n>), minor units: the promotional cost that moved balances',
    unpaid_minor = 'awarded_minor - paid_minor: awarded, not yet acknowledged paid (payments are retried until they are); NULL before its end',
    last_event_at = 'Last event of the tournament (UTC)'
  ),
  audits (
    not_null(columns := [tournament_id, status, entrants, prizes_paid, paid_minor, wallet_credited_minor]),
    unique_combination_of_columns(columns := [tournament_id]),
    accepted_values(column := status, is_in := ('created', 'cancelled', 'ended')),
    accepted_range(column := paid_minor, min_v := 0),
    accepted_range(column := unpaid_minor, min_v := 0),
    forall(criteria := [
      awarded_minor IS NULL OR prize_pool_minor IS NULL OR awarded_minor + unawarded_minor = prize_pool_minor,
      status <> 'cancelled' OR prizes_paid = 0
    ])
  )
);

WITH steps AS (
  SELECT
    tournament_id,
    any_value(brand) FILTER (WHERE step = 'created') AS brand,
    any_value(tournament_name) FILTER (WHERE step = 'created') AS tournament_name,
    any_value(currency) AS currency,
    any_value(currency_exponent) AS currency_exponent,
    any_value(starts_at) FILTER (WHERE step = 'created') AS starts_at,
    any_value(ends_at) FILTER (WHERE step = 'created') AS ends_at,
    bool_or(step = 'cancelled') AS cancelled,
    bool_or(step = 'ended') AS ended,
    any_value(actor) FILTER (WHERE step = 'created') AS created_by,
    any_value(prizes) FILTER (WHERE step = 'created') AS prizes,
    any_value(prize_pool_minor) FILTER (WHERE step = 'created') AS prize_pool_minor,
    any_value(entrants) FILTER (WHERE step = 'ended') AS entrants_reported,
    any_value(scored) FILTER (WHERE step = 'ended') AS scored,
    any_value(awards) FILTER (WHERE step = 'ended') AS awards,
    any_value(awarded_minor) FILTER (WHERE step = 'ended') AS awarded_minor,
    any_value(unawarded_minor) FILTER (WHERE step = 'ended') AS unawarded_minor,
    max(occurred_at) AS last_at
  FROM staging.stg_tournaments
  GROUP BY tournament_id
),
players AS (
  SELECT
    tournament_id,
    any_value(currency) AS currency,
    any_value(currency_exponent) AS currency_exponent,
    count(DISTINCT player_id) FILTER (WHERE step = 'joined') AS entrants,
    count(*) FILTER (WHERE step = 'prize_paid') AS prizes_paid,
    coalesce(sum(amount_minor) FILTER (WHERE step = 'prize_paid'), 0) AS paid_minor,
    max(occurred_at) AS last_at
  FROM staging.stg_tournament_players
  GROUP BY tournament_id
),
credits AS (
  -- the wallet's side: a prize's win id names its tournament (domain/tournaments/prizes.ts)
  SELECT
    regexp_extract(win_id, '^tournament:(.*):rank:[0-9]+$', 1) AS tournament_id,
    any_value(currency) AS currency,
    any_value(currency_exponent) AS currency_exponent,
    sum(amount_minor) AS credited_minor,
    max(occurred_at) AS last_at
  FROM staging.stg_wins
  WHERE win_source = 'wallet' AND win_origin = 'tournament'
  GROUP BY ALL
),
ids AS (
  SELECT tournament_id FROM steps
  UNION SELECT tournament_id FROM players
  UNION SELECT tournament_id FROM credits
)
SELECT
  i.tournament_id,
  s.brand,
  s.tournament_name,
  coalesce(s.currency, p.currency, c.currency) AS currency,
  CAST(coalesce(s.currency_exponent, p.currency_exponent, c.currency_exponent) AS INTEGER) AS currency_exponent,
  s.starts_at,
  s.ends_at,
  CAST(CASE WHEN s.cancelled THEN 'cancelled' WHEN s.ended THEN 'ended' ELSE 'created' END AS VARCHAR) AS status,
  s.created_by,
  s.prizes,
  s.prize_pool_minor,
  CAST(coalesce(p.entrants, 0) AS BIGINT) AS entrants,
  s.entrants_reported,
  s.scored,
  s.awards,
  s.awarded_minor,
  s.unawarded_minor,
  CAST(coalesce(p.prizes_paid, 0) AS BIGINT) AS prizes_paid,
  CAST(coalesce(p.paid_minor, 0) AS BIGINT) AS paid_minor,
  CAST(coalesce(c.credited_minor, 0) AS BIGINT) AS wallet_credited_minor,
  s.awarded_minor - coalesce(p.paid_minor, 0) AS unpaid_minor,
  greatest(s.last_at, p.last_at, c.last_at) AS last_event_at
FROM ids AS i
LEFT JOIN steps AS s ON s.tournament_id = i.tournament_id
LEFT JOIN players AS p ON p.tournament_id = i.tournament_id
LEFT JOIN credits AS c ON c.tournament_id = i.tournament_id
