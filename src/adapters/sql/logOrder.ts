import type * as SqlClient from "@effect/sql/SqlClient"
import type { LogCheckpoint } from "../../application/ports/EventStore.js"

/**
 * How readers of the whole log see it (ADR 0013): appends commit in parallel, so positions (a sequence, taken
 * at insert) do not arrive in commit order. Readers go by (transaction id, position) instead, and only over
 * transactions that can no longer add a row: those below the oldest transaction of this database still in
 * flight. Every transaction that commits later has an id at or above that bound, so its rows sort after
 * everything a reader was shown, and a reader that remembers its last (transaction, position) skips nothing.
 *
 * The bound is taken from the statement's own snapshot: its in-flight list (`pg_snapshot_xip`), and `xmax`
 * for transactions that started after it. Postgres' `pg_snapshot_xmin` would be the whole server's oldest
 * transaction; one left open in another database (another service, a test, a `psql` session) would hold every
 * reader back for as long as it lasts. So in-flight transactions that `pg_stat_activity` shows connected to
 * another database are left out: they cannot write to this one. One this statement cannot place (already
 * ended, or not shown) counts, which can only hold a reader back, never let it pass a row.
 */
export const readableBound = (sql: SqlClient.SqlClient) =>
  sql`(select least(
        pg_snapshot_xmax(pg_current_snapshot()),
        (select min(running) from pg_snapshot_xip(pg_current_snapshot()) as running
          where xid(running) not in (
            select backend_xid from pg_stat_activity
            where backend_xid is not null and datid is not null
              and datid <> (select oid from pg_database where datname = current_database()))))
      )`

/** Rows after the checkpoint in reading order (a row comparison the `(transaction_id, global_position)` index serves). */
export const afterCheckpoint = (sql: SqlClient.SqlClient, after: LogCheckpoint) =>
  sql`(transaction_id, global_position) > (${String(after.transactionId)}::xid8, ${after.position})`

/**
 * The reading order itself, `asc` or `desc`, with the columns named through the table. The event columns select
 * `transaction_id::text as transaction_id` (the drivers do not parse `xid8`), and a bare name in `order by` means
 * the output column of that name: the ids would sort as text, "10000" before "9999", and a reader paging on its
 * checkpoint would jump over every transaction between (the audit-verify failure of the 2026-12-06 bench runs,
 * once the cluster's transaction ids gained a digit). Named through the table, they are the `xid8` column, and
 * the `(transaction_id, global_position)` index serves the order.
 */
export const readingOrder = (sql: SqlClient.SqlClient, direction: "asc" | "desc") =>
  sql.literal(`events.transaction_id ${direction}, events.global_position ${direction}`)
