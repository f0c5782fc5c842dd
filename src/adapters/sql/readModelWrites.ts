import type * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import { Effect } from "effect"
import type { ReadModelRow } from "../../application/ports/ReadModels.js"
import { writeInParts } from "./writeInParts.js"

/**
 * Rows per insert statement when replacing everything. They travel as one JSON parameter that Postgres takes
 * apart (`json_to_recordset`), so a statement costs one parameter however many rows it carries; small enough
 * (~1 MB) that the client encodes the next chunk while Postgres inserts this one.
 */
const insertChunk = 2_500

/**
 * Replaces the whole `read_models` table with the rows `chunksOf` gives, in chunks of the size it is asked for
 * (the caller holds the transaction and keeps appends out). Each chunk's rows are made when its function is
 * called, so a caller can encode documents then, while the chunk before is being inserted (`writeInParts`, as
 * an append's parts are written): on Postgres the two cores share the work (PGlite runs in this thread, so
 * there they take turns).
 *
 * The rows go into a fresh copy of the table (`including all`: columns, collations, keys and any index a later
 * migration adds), which then takes the old one's place. Deleting and re-inserting in place was the slow part of
 * a replay: every key's dead versions stay in the unique index until vacuum, so each rebuild checked more of
 * them than the last. Readers keep reading the old table until the swap, which locks it only until commit.
 * Documents arrive as JSON text and are cast once: `json_to_recordset` into a `jsonb` column costs Postgres
 * two to three times as much.
 */
export const replaceReadModels = (
  sql: SqlClient.SqlClient,
  chunksOf: (size: number) => ReadonlyArray<() => ReadonlyArray<ReadModelRow>>
): Effect.Effect<void, SqlError.SqlError> =>
  Effect.gen(function*() {
    yield* sql`create table read_models_rebuilt (like read_models including all)`
    yield* writeInParts(
      chunksOf(insertChunk),
      (rows) => JSON.stringify(rows()),
      (json) =>
        sql`insert into read_models_rebuilt (kind, id, doc)
          select kind, id, doc::jsonb from json_to_recordset(${json}::json) as r(kind text, id text, doc text)`.pipe(Effect.asVoid)
    )
    yield* sql`drop table read_models`
    yield* sql`alter table read_models_rebuilt rename to read_models`
    // The copied indexes were named after the copy; give them the names the migrations gave the originals.
    yield* sql.unsafe(`do $$
      declare index_name text;
      begin
        for index_name in select indexname from pg_indexes
          where schemaname = current_schema() and tablename = 'read_models' and indexname like 'read\_models\_rebuilt%'
        loop
          execute format('alter index %I rename to %I', index_name, 'read_models' || substr(index_name, 20));
        end loop;
      end $$`)
  })
