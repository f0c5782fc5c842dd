import type * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import { Effect, type ParseResult, Schema } from "effect"
import { createHash } from "node:crypto"
import { ReadModelMap } from "../../application/projection.js"
import type { RecordedEvent } from "../../application/ports/EventStore.js"
import type { ProjectorShape } from "../../application/ports/Projector.js"
import type { ReadModelRow } from "../../application/ports/ReadModels.js"
import { ReadModelRowSchema } from "./rows.js"

/**
 * Rows per insert statement when replacing everything. They travel as one JSON parameter that Postgres takes
 * apart (`json_to_recordset`), so a statement costs one parameter however many rows it carries.
 */
const insertChunk = 5_000

/**
 * Replaces the whole `read_models` table with `rows` (the caller holds the transaction and keeps appends out).
 *
 * The rows go into a fresh copy of the table (`including all`: columns, collations, keys and any index a later
 * migration adds), which then takes the old one's place. Deleting and re-inserting in place was the slow part of
 * a replay: every key's dead versions stay in the unique index until vacuum, so each rebuild checked more of
 * them than the last. Readers keep reading the old table until the swap, which locks it only until commit.
 */
export const replaceReadModels = (
  sql: SqlClient.SqlClient,
  rows: ReadonlyArray<ReadModelRow>
): Effect.Effect<void, SqlError.SqlError> =>
  Effect.gen(function*() {
    yield* sql`create table read_models_rebuilt (like read_models including all)`
    for (let start = 0; start < rows.length; start += insertChunk) {
      const chunk = JSON.stringify(rows.slice(start, start + insertChunk))
      yield* sql`insert into read_models_rebuilt (kind, id, doc)
        select kind, id, doc::jsonb from json_to_recordset(${chunk}::json) as r(kind text, id text, doc text)`
    }
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
