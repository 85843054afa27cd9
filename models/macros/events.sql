-- Reading events, written once for the event-reading staging models (call them as macros.<name>(...)).
--
-- Every stg_ model that reads staging.stg_events does the same three things: it reads the interval
-- and the day before it (so a retry that crossed midnight is seen as a repeat of the day before),
-- it splits a step out of the dotted event_type, and it turns payload fields (JSON, domain/events.ts)
-- into typed columns. The envelope columns themselves (event_id, event_type, occurred_at,
-- event_date, player_id, jurisdiction, currency, currency_exponent) need nothing: stg_events
-- already gives them typed, and each model lists the ones it keeps, in its own order.
--
-- Each payload_<type> macro names the type it returns, so a model's select list still says every
-- column's type; a missing field (or JSON null) is NULL. `field` is the field's name at the top of
-- the payload ('deposit_id'); it is a constant in every call, so DuckDB reads the path once per
-- query, as with a written payload->>'$.deposit_id'.
-- Editing a macro gives a new version of every model that calls it (docs/models.md, "SQL macros").

-- The days a deduplicating staging model reads for the interval start_ds .. end_ds: the interval
-- and the day before it. Its final CTE keeps event_date BETWEEN @start_ds AND @end_ds.
CREATE MACRO dedupe_window(event_date, start_ds, end_ds) AS
  event_date BETWEEN CAST(start_ds AS DATE) - 1 AND end_ds;

-- Part n (1-based) of a dotted event_type: event_type_part('wallet.deposit.completed', 3) = 'completed'.
CREATE MACRO event_type_part(event_type, n) AS
  CAST(split_part(event_type, '.', n) AS VARCHAR);

-- A payload field as text (a JSON string unquoted; a number or boolean as written).
CREATE MACRO payload_text(payload, field) AS
  CAST(payload->>('$.' || field) AS VARCHAR);

-- A payload field as BIGINT: money in minor units, counts that can exceed 2^31, scores.
CREATE MACRO payload_bigint(payload, field) AS
  CAST(payload->>('$.' || field) AS BIGINT);

-- A payload field as INTEGER: versions, ranks, indexes, small counts.
CREATE MACRO payload_int(payload, field) AS
  CAST(payload->>('$.' || field) AS INTEGER);

-- A payload field as BOOLEAN.
CREATE MACRO payload_bool(payload, field) AS
  CAST(payload->>('$.' || field) AS BOOLEAN);

-- A payload time (epoch milliseconds, as the edge writes every time in a payload) as a UTC TIMESTAMP.
CREATE MACRO payload_ts(payload, field) AS
  CAST(epoch_ms(macros.payload_bigint(payload, field)) AS TIMESTAMP);
