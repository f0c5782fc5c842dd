import type * as SqlClient from "@effect/sql/SqlClient"
import type * as SqlError from "@effect/sql/SqlError"
import { Effect } from "effect"
import { EventStoreUnavailable } from "../../application/ports/EventStore.js"
import type { ReadModelRow } from "../../application/ports/ReadModels.js"
import type { JsonObject } from "../../domain/Json.js"

/**
 * The two statements of an append (ADR 0026), calls of the functions `migrations/0003_append_steps.sql`
 * defines. Arguments travel as JSON text, one parameter each, and Postgres takes them apart: a batch of a
 * thousand events costs four parameters, not nine thousand.
 */

export interface RowKey {
  readonly kind: string
  readonly id: string
}

export interface StreamHead {
  readonly version: number
  readonly hash: string
}

/** What step one hands back: everything the client needs to build the rows of the append. */
export interface Prepared {
  readonly transactionId: number
  /** As many as asked for, rising. */
  readonly positions: ReadonlyArray<number>
  readonly heads: ReadonlyMap<string, StreamHead>
  readonly docs: ReadonlyArray<ReadModelRow>
}

/** An `events` row as `append_write` takes it. */
export interface EventInsert {
  readonly global_position: number
  readonly stream_id: string
  readonly stream_version: number
  readonly event_type: string
  readonly schema_version: number
  readonly payload: JsonObject
  readonly metadata: unknown
  readonly recorded_at: string
  readonly prev_hash: string
  readonly hash: string
}

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Stored JSON (`jsonb`), parsed by the driver: only the top level is looked at, as replay does (rows.ts). */
const isJsonObject = (value: unknown): value is JsonObject => isRecord(value)

const safeInt = (value: unknown): number | undefined => {
  const n = typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : Number.NaN
  return Number.isSafeInteger(n) ? n : undefined
}

const unexpected = (what: string) => new EventStoreUnavailable({ message: `append: unexpected answer from append_prepare: ${what}` })

/** The function's JSON answer (both drivers parse a `json` result), checked field by field. */
const decodePrepared = (value: unknown): Effect.Effect<Prepared, EventStoreUnavailable> =>
  Effect.suspend(() => {
    if (!isRecord(value)) return Effect.fail(unexpected("not an object"))
    const transactionId = safeInt(value["transactionId"])
    if (transactionId === undefined) return Effect.fail(unexpected("transactionId"))
    const rawPositions = value["positions"]
    if (!Array.isArray(rawPositions)) return Effect.fail(unexpected("positions"))
    const positions: Array<number> = []
    for (const raw of rawPositions) {
      const position = safeInt(raw)
      if (position === undefined) return Effect.fail(unexpected("a position"))
      positions.push(position)
    }
    const rawHeads = value["heads"]
    if (!Array.isArray(rawHeads)) return Effect.fail(unexpected("heads"))
    const heads = new Map<string, StreamHead>()
    for (const raw of rawHeads) {
      const version = isRecord(raw) ? safeInt(raw["version"]) : undefined
      if (!isRecord(raw) || typeof raw["streamId"] !== "string" || typeof raw["hash"] !== "string" || version === undefined) {
        return Effect.fail(unexpected("a stream head"))
      }
      heads.set(raw["streamId"], { version, hash: raw["hash"] })
    }
    const rawDocs = value["docs"]
    if (!Array.isArray(rawDocs)) return Effect.fail(unexpected("docs"))
    const docs: Array<ReadModelRow> = []
    for (const raw of rawDocs) {
      if (!isRecord(raw) || typeof raw["kind"] !== "string" || typeof raw["id"] !== "string" || !isJsonObject(raw["doc"])) {
        return Effect.fail(unexpected("a read-model row"))
      }
      docs.push({ kind: raw["kind"], id: raw["id"], doc: raw["doc"] })
    }
    return Effect.succeed({ transactionId, positions, heads, docs })
  })

export interface PrepareRequest {
  /** Sorted, so that concurrent appends take them in one order and cannot deadlock on them. */
  readonly lockKeys: ReadonlyArray<bigint>
  readonly docKeys: ReadonlyArray<RowKey>
  readonly headStreams: ReadonlyArray<string>
  readonly eventCount: number
}

/**
 * The two steps of an append inside one transaction: step one locks the rows the events touch, reads them and
 * the heads of `headStreams`, and takes this transaction's id and `eventCount` positions; step two writes the
 * events and the read-model rows they change, in one or more parts (ADR 0031): `more` says another part of the
 * same transaction follows, so this one must not end it.
 */
export interface AppendSteps {
  readonly prepare: (request: PrepareRequest) => Effect.Effect<Prepared, SqlError.SqlError | EventStoreUnavailable>
  readonly write: (
    events: ReadonlyArray<EventInsert>,
    upserts: ReadonlyArray<ReadModelRow>,
    deletes: ReadonlyArray<RowKey>,
    more: boolean
  ) => Effect.Effect<void, SqlError.SqlError>
}

const keyList = (keys: ReadonlyArray<RowKey>) => keys.map((key) => ({ kind: key.kind, id: key.id }))

/** The arguments of `append_prepare`, each as JSON text (the last an integer). */
export const prepareArguments = (request: PrepareRequest) =>
  [
    JSON.stringify(request.lockKeys.map(String)),
    JSON.stringify(keyList(request.docKeys)),
    JSON.stringify(request.headStreams),
    request.eventCount
  ] as const

/** The arguments of `append_write`, each as JSON text. */
export const writeArguments = (
  events: ReadonlyArray<EventInsert>,
  upserts: ReadonlyArray<ReadModelRow>,
  deletes: ReadonlyArray<RowKey>
) => [JSON.stringify(events), JSON.stringify(upserts), JSON.stringify(keyList(deletes))] as const

/** `append_prepare`'s answer, from the rows of the statement that called it (one row, one column). */
export const preparedFrom = (rows: ReadonlyArray<unknown>): Effect.Effect<Prepared, EventStoreUnavailable> => {
  const row = rows.length === 1 ? rows[0] : undefined
  return isRecord(row) ? decodePrepared(row["prepared"]) : Effect.fail(unexpected(`${rows.length} rows`))
}

/**
 * The steps as bound statements, inside a transaction the caller holds (`sql.withTransaction`, which also ends
 * it, so `more` changes nothing here): what every driver runs, PGlite included.
 */
export const statementSteps = (sql: SqlClient.SqlClient): AppendSteps => ({
  prepare: (request) => {
    const [lockKeys, docKeys, headStreams, eventCount] = prepareArguments(request)
    return sql`select append_prepare(${lockKeys}::json, ${docKeys}::json, ${headStreams}::json, ${eventCount}::integer) as prepared`
      .pipe(Effect.flatMap(preparedFrom))
  },
  write: (events, upserts, deletes) => {
    const [eventRows, upsertRows, deleteKeys] = writeArguments(events, upserts, deletes)
    return sql`select append_write(${eventRows}::json, ${upsertRows}::json, ${deleteKeys}::json)`.pipe(Effect.asVoid)
  }
})
