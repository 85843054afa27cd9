MODEL (
  name raw.events,
  kind EXTERNAL,
  description 'Every valid event exactly once, loaded by wh sync (docs/warehouse.md)',
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
  )
);
