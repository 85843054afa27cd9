-- The warehouse's source of truth: every valid event exactly once, loaded by `wh sync`
-- (docs/warehouse.md). The runner never builds it; models read it by name.
MODEL (
  name raw.events,
  kind EXTERNAL,
  description 'Every valid event of the edge, deduplicated on event_id (loaded by wh sync).',
  grain [event_id],
  columns (
    event_id VARCHAR,
    event_type VARCHAR,
    schema_version INTEGER,
    occurred_at TIMESTAMP,
    event_date DATE,
    player_id VARCHAR,
    table_id VARCHAR,
    round_id VARCHAR,
    jurisdiction VARCHAR,
    currency VARCHAR,
    payload JSON,
    source_object VARCHAR,
    load_run BIGINT,
    loaded_at TIMESTAMP
  ),
  column_descriptions (
    event_id = 'UUIDv7 of the event, time-ordered; unique',
    event_type = 'Dotted type, e.g. wallet.deposit.completed (domain/events.ts)',
    occurred_at = 'When the owning object committed the change (UTC)',
    event_date = 'UTC day of occurred_at',
    payload = 'The typed payload of domain/events.ts as JSON; money as integer minor units'
  )
);
