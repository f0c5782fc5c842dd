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

/**
 * Step one: locks the rows (keys sorted by the caller), reads them and the heads of `headStreams`, and takes
 * this transaction's id and `eventCount` positions.
 */
export const prepareAppend = (
  sql: SqlClient.SqlClient,
  request: {
    readonly lockKeys: ReadonlyArray<bigint>
    readonly docKeys: ReadonlyArray<RowKey>
    readonly headStreams: ReadonlyArray<string>
    readonly eventCount: number
  }
): Effect.Effect<Prepared, SqlError.SqlError | EventStoreUnavailable> =>
  sql<{ readonly prepared: unknown }>`select append_prepare(
      ${JSON.stringify(request.lockKeys.map(String))}::json,
      ${JSON.stringify(request.docKeys.map((key) => ({ kind: key.kind, id: key.id })))}::json,
      ${JSON.stringify(request.headStreams)}::json,
      ${request.eventCount}::integer) as prepared`.pipe(
    Effect.flatMap((rows) => (rows.length === 1 ? decodePrepared(rows[0]?.prepared) : Effect.fail(unexpected(`${rows.length} rows`))))
  )

/** Step two: the events and the read-model rows they change, in one statement. */
export const writeAppend = (
  sql: SqlClient.SqlClient,
  events: ReadonlyArray<EventInsert>,
  upserts: ReadonlyArray<ReadModelRow>,
  deletes: ReadonlyArray<RowKey>
): Effect.Effect<void, SqlError.SqlError> =>
  sql`select append_write(${JSON.stringify(events)}::json, ${JSON.stringify(upserts)}::json, ${
    JSON.stringify(deletes.map((key) => ({ kind: key.kind, id: key.id })))
  }::json)`.pipe(Effect.asVoid)
