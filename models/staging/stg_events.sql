-- The envelope every event-reading staging model starts from: raw.events with the currency's
-- minor-unit exponent joined once (before, each stg_ model repeated that join).
--
-- Why a VIEW and not an incremental table: it holds no state, so it has no intervals that could
-- drift from its readers' and adds no hop to freshness. Each stg_ model keeps its own kind, cron
-- '*/1', lookback and window (the interval and the day before it, so a retry across midnight is
-- seen as a repeat), and DuckDB pushes each reader's event_date / event_type filter through the view
-- into the raw.events scan. An incremental copy would store every event twice and put a second
-- minute-cron model in front of every stg_ model. The runner follows a view's parents for
-- allow_partials freshness (a sync makes every reader of this view due at once).
--
-- What it does not do: the per-model deduplication. raw.events is already unique on event_id (wh
-- sync); what the stg_ models deduplicate is a domain retry (the same deposit step, bet step or
-- win sent twice with different event ids), on each model's own business key, so that QUALIFY line
-- stays in each model. What the models share beyond this view (the window they read, typed payload
-- fields) is in models/macros/events.sql (docs/models.md, "SQL macros").
MODEL (
  name staging.stg_events,
  kind VIEW,
  grain [event_id],
  owner data,
  tags [staging],
  description 'raw.events with currency_exponent (seeds.currencies) joined: the shared source of the event-reading staging models. A view: no intervals, each reader filters its own window and event types.',
  column_descriptions (
    event_id = 'UUIDv7 of the event; unique (raw.events)',
    event_type = 'Dotted type, e.g. wallet.deposit.completed (domain/events.ts)',
    schema_version = 'Version of the payload schema',
    occurred_at = 'When the owning object committed the change (UTC)',
    event_date = 'UTC day of occurred_at',
    player_id = 'The player the event is about, when there is one',
    table_id = 'Live table, for table events',
    round_id = 'Table round, for table events',
    jurisdiction = 'Licensing jurisdiction of the player',
    currency = 'Currency of the money in the payload, when there is any',
    currency_exponent = 'Minor-unit exponent of currency (seeds.currencies): amount = amount_minor / 10^exponent; NULL without a currency',
    payload = 'The typed payload of domain/events.ts as JSON; money as integer minor units'
  ),
  audits (
    not_null(columns := [event_id, event_type, occurred_at, event_date])
  )
);

SELECT
  e.event_id,
  e.event_type,
  e.schema_version,
  e.occurred_at,
  e.event_date,
  e.player_id,
  e.table_id,
  e.round_id,
  e.jurisdiction,
  e.currency,
  CAST(c.exponent AS INTEGER) AS currency_exponent,
  e.payload
FROM raw.events AS e
LEFT JOIN seeds.currencies AS c ON c.code = e.currency
