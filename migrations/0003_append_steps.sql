-- An append in two statements (ADR 0026): one that locks and reads what the client needs to build the rows, one
-- that writes them. Each used to be several statements, and the client's cost per statement (a round trip, its
-- socket writes and parsing) was what limited appends. Functions also keep their plans between calls.

-- Step one. Locks the read-model rows the append will touch (advisory locks, in the order given: the client
-- sorts the keys so that appends cannot deadlock on them), then reads them: a VOLATILE function takes a new
-- snapshot for each statement, so the read sees what a transaction that held a lock committed before
-- releasing it. Also returns the heads of the streams the append continues, this transaction's id (assigned
-- here, as the events' default would) and `event_count` positions from the events' sequence, in rising order.
create function append_prepare(lock_keys json, doc_keys json, head_streams json, event_count integer)
returns json
language plpgsql volatile
as $$
begin
  perform pg_advisory_xact_lock(key::bigint) from json_array_elements_text(lock_keys) with ordinality as k(key, n) order by n;
  return json_build_object(
    'transactionId', pg_current_xact_id()::text,
    'positions', (
      select coalesce(json_agg(p order by p), '[]'::json)
      from (select nextval(pg_get_serial_sequence('events', 'global_position')) as p from generate_series(1, event_count)) as s
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
      from read_models as r
      join json_to_recordset(doc_keys) as k(kind text, id text)
        on r.kind = k.kind collate "C" and r.id = k.id collate "C"
    )
  );
end
$$;

-- Step two: the events (positions from step one; the transaction id is the column's default) and the
-- read-model rows they change. A (stream, version) another transaction wrote first fails the insert with a
-- unique violation, which the client reports as a version conflict.
create function append_write(new_events json, upserts json, deletes json)
returns void
language plpgsql volatile
as $$
begin
  insert into events
    (global_position, stream_id, stream_version, event_type, schema_version, payload, metadata, recorded_at, prev_hash, hash)
  select global_position, stream_id, stream_version, event_type, schema_version, payload, metadata, recorded_at, prev_hash, hash
  from json_to_recordset(new_events) as r(global_position bigint, stream_id text, stream_version integer, event_type text,
    schema_version integer, payload jsonb, metadata jsonb, recorded_at timestamptz, prev_hash text, hash text);
  insert into read_models (kind, id, doc)
  select kind, id, doc from json_to_recordset(upserts) as r(kind text, id text, doc jsonb)
  on conflict (kind, id) do update set doc = excluded.doc;
  delete from read_models as r
  using json_to_recordset(deletes) as k(kind text, id text)
  where r.kind = k.kind collate "C" and r.id = k.id collate "C";
end
$$;
