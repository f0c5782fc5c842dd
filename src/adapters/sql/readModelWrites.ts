import type * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import { Effect, type ParseResult, Schema } from "effect"
import { createHash } from "node:crypto"
import { ReadModelMap } from "../../application/projection.js"
import type { RecordedEvent } from "../../application/ports/EventStore.js"
import type { ProjectorShape } from "../../application/ports/Projector.js"
import type { ReadModelRow } from "../../application/ports/ReadModels.js"
import { ReadModelRowSchema } from "./rows.js"

interface RowKey {
  readonly kind: string
  readonly id: string
}

const decodeRows = Schema.decodeUnknown(Schema.Array(ReadModelRowSchema))

/** 64 bits of a hash of the row's key: an advisory-lock key that exists whether or not the row does. */
const rowLockKey = (key: RowKey): bigint =>
  createHash("sha256").update(key.kind).update("\u0000").update(key.id).digest().readBigInt64BE(0)

const distinctKeys = (keys: ReadonlyArray<RowKey>): ReadonlyArray<RowKey> => {
  const seen = new Map<string, RowKey>()
  for (const key of keys) seen.set(`${key.kind}\u0000${key.id}`, key)
  return [...seen.values()]
}

/**
 * Keys (or rows) travel as one JSON parameter that Postgres takes apart with `json_to_recordset`: a batch of a
 * thousand events touches a thousand rows, and a thousand-term `or` (or 3,000 bound parameters) costs more to
 * send and plan than the work itself. `collate "C"` matches the table's columns.
 */
const keySet = (sql: SqlClient.SqlClient, keys: ReadonlyArray<RowKey>) =>
  sql`json_to_recordset(${JSON.stringify(keys.map((key) => ({ kind: key.kind, id: key.id })))}::json) as k(kind text, id text)`

const sameKey = (sql: SqlClient.SqlClient, table: string) =>
  sql.literal(`${table}.kind = k.kind collate "C" and ${table}.id = k.id collate "C"`)

/**
 * Applies the projection of freshly appended events to `read_models`, inside the append's transaction.
 *
 * Each touched row is guarded by a transaction-scoped advisory lock rather than only `select … for update`:
 * a row that does not exist yet has nothing to lock, and two appends creating it at once would otherwise both
 * start from "no document" and the second upsert would silently drop the first one's change. Locks are taken in
 * one global order (by key) so concurrent appends cannot deadlock on them.
 */
export const applyProjection = (
  sql: SqlClient.SqlClient,
  projector: ProjectorShape,
  events: ReadonlyArray<RecordedEvent>
): Effect.Effect<void, SqlError.SqlError | ParseResult.ParseError> =>
  Effect.gen(function*() {
    const changes = events.flatMap((event) => projector(event))
    const keys = distinctKeys(changes)
    if (keys.length === 0) return

    const lockKeys = [...new Set(keys.map(rowLockKey))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    // One statement for all of them: unnest yields the (sorted) array in order and the scan locks row by row.
    yield* sql`select pg_advisory_xact_lock(k) from unnest(${`{${lockKeys.join(",")}}`}::bigint[]) as k`

    // Start from the stored documents, then fold every change in order, as the memory store does.
    const models = new ReadModelMap()
    const current = yield* decodeRows(
      yield* sql`select r.kind, r.id, r.doc from read_models as r join ${keySet(sql, keys)} on ${sameKey(sql, "r")}`
    )
    for (const row of current) models.applyChange({ kind: row.kind, id: row.id, update: () => row.doc })
    for (const change of changes) models.applyChange(change)

    const upserts: Array<ReadModelRow> = []
    const deletes: Array<RowKey> = []
    for (const key of keys) {
      const doc = models.get(key.kind, key.id)
      if (doc === undefined) deletes.push(key)
      else upserts.push({ kind: key.kind, id: key.id, doc })
    }
    if (upserts.length > 0) {
      yield* sql`insert into read_models (kind, id, doc)
        select kind, id, doc from json_to_recordset(${JSON.stringify(upserts)}::json) as r(kind text, id text, doc jsonb)
        on conflict (kind, id) do update set doc = excluded.doc`
    }
    if (deletes.length > 0) {
      yield* sql`delete from read_models as r using ${keySet(sql, deletes)} where ${sameKey(sql, "r")}`
    }
  })

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
        select kind, id, doc from json_to_recordset(${chunk}::json) as r(kind text, id text, doc jsonb)`
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
