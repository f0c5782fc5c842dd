-- The append steps (0003) find read-model rows by key, one index lookup each, whatever the planner estimates
-- (ADR 0027). Joined with `json_to_recordset` (which the planner guesses at 100 rows), `read_models` was read
-- whole for a hash join whenever the table was small or bloated by updates: 200-800 µs of the server's time
-- per single-event append on a table of a few thousand rows, growing with the table until vacuum. A lateral
-- lookup with `limit 1` (the key is unique) cannot be flattened into such a join; deletes go key by key for
-- the same reason. Positions come from the events' sequence by its name, resolved once per plan, instead of
-- looking the sequence up on every call.

create or replace function append_prepare(lock_keys json, doc_keys json, head_streams json, event_count integer)
returns json
language plpgsql volatile
as $$
begin
  perform pg_advisory_xact_lock(key::bigint) from json_array_elements_text(lock_keys) with ordinality as k(key, n) order by n;
  return json_build_object(
    'transactionId', pg_current_xact_id()::text,
    'positions', (
      select coalesce(json_agg(p order by p), '[]'::json)
      from (select nextval('events_global_position_seq'::regclass) as p from generate_series(1, event_count)) as s
    ),
    'heads', (
      select coalesce(json_agg(json_build_object('streamId', s.id, 'version', e.stream_version, 'hash', e.hash)), '[]'::json)
      from json_array_elements_text(head_streams) as s(id)
      cross join lateral (
        select stream_version, hash from events where stream_id = s.id order by stream_version desc limit 1
      ) as e
    ),
    'docs', (
      select coalesce(json_agg(json_build_object('kind', r.kind, 'id', r.id, 'doc', r.doc)), '[]'::json)
      from json_to_recordset(doc_keys) as k(kind text, id text)
      cross join lateral (
        select kind, id, doc from read_models where kind = k.kind collate "C" and id = k.id collate "C" limit 1
      ) as r
    )
  );
end
$$;

create or replace function append_write(new_events json, upserts json, deletes json)
returns void
language plpgsql volatile
as $$
declare
  key record;
begin
  insert into events
    (global_position, stream_id, stream_version, event_type, schema_version, payload, metadata, recorded_at, prev_hash, hash)
  select global_position, stream_id, stream_version, event_type, schema_version, payload, metadata, recorded_at, prev_hash, hash
  from json_to_recordset(new_events) as r(global_position bigint, stream_id text, stream_version integer, event_type text,
    schema_version integer, payload jsonb, metadata jsonb, recorded_at timestamptz, prev_hash text, hash text);
  insert into read_models (kind, id, doc)
  select kind, id, doc from json_to_recordset(upserts) as r(kind text, id text, doc jsonb)
  on conflict (kind, id) do update set doc = excluded.doc;
  for key in select k.kind, k.id from json_to_recordset(deletes) as k(kind text, id text) loop
    delete from read_models where kind = key.kind collate "C" and id = key.id collate "C";
  end loop;
end
$$;
