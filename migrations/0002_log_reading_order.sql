-- Readers of the whole log go by (transaction_id, global_position) since appends commit in parallel (ADR 0013):
-- this index serves readAll's row comparison and order, and the latest checkpoint (read backwards).
create index events_reading_order on events (transaction_id, global_position);
