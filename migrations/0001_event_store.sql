-- The event log: append-only, one row per event, hash-chained per stream.
create table events (
  global_position bigserial primary key,
  stream_id text not null,
  stream_version integer not null,
  event_type text not null,
  schema_version integer not null,
  payload jsonb not null,
  metadata jsonb not null,
  recorded_at timestamptz not null,
  prev_hash text not null,
  hash text not null,
  -- The writing transaction, so readers can hold back positions that an in-flight transaction may still fill
  -- (readAll compares it with pg_snapshot_xmin(pg_current_snapshot())).
  transaction_id xid8 not null default pg_current_xact_id(),
  -- Optimistic concurrency: two writers of the same stream version cannot both commit.
  unique (stream_id, stream_version)
);

-- Read models: JSON documents derived from the log. Collation "C" makes ordering byte-wise in every
-- database, matching the in-memory store's compareText.
create table read_models (
  kind text collate "C" not null,
  id text collate "C" not null,
  doc jsonb not null,
  primary key (kind, id)
);

-- Per-kind integer id counters (1, 2, 3, …) for GitLab-style numeric ids.
create table id_counters (
  kind text primary key,
  value bigint not null
);
