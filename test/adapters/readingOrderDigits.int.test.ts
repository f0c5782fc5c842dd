import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"
import * as PgliteClient from "../../src/adapters/pglite/PgliteClient.js"
import { migrate } from "../../src/adapters/sql/migrate.js"
import * as SqlStore from "../../src/adapters/sql/SqlStore.js"
import { checkpointOf, EventStore, type LogCheckpoint, startOfLog } from "../../src/application/ports/EventStore.js"
import { migratedTestDatabase } from "../support/postgres/postgresTestDatabase.js"
import { testProjectorLayer } from "../support/testProjector.js"

/**
 * Readers page through the log by (transaction id, position). Transaction ids gain a digit as a cluster ages
 * (9,999 to 10,000; 99,999 to 100,000; …), and the event columns carry the id as text: ordered as text, "10000"
 * comes before "9999", and a reader whose checkpoint reached 10,000 skipped every transaction up to it. The
 * bench's `audit verify` read 80,134 of 1,090,688 events that way (2026-12-06). Rows here carry ids on both sides
 * of a power of ten below the database's current transaction, as a log written across that point holds.
 */

const CurrentTransaction = Schema.Array(Schema.Struct({ id: Schema.NumberFromString }))

/** The largest power of ten with room for one id above it below `current` (ids from `current` on are in flight). */
const powerOfTenBelow = (current: number): number => {
  let power = 10
  while (power * 10 + 1 < current) power *= 10
  return power
}

/** Every event `readAll` gives from the start of the log, `pageSize` at a time, as a reader following it would. */
const readInPages = (store: EventStore["Type"], pageSize: number) =>
  Effect.gen(function*() {
    const read: Array<LogCheckpoint> = []
    let after = startOfLog
    for (;;) {
      const page = yield* store.readAll(after, pageSize)
      const last = page.at(-1)
      if (last === undefined) return read
      read.push(...page.map(checkpointOf))
      after = checkpointOf(last)
    }
  })

const readingOrderAcrossADigit = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const store = yield* EventStore
  const [current] = yield* sql`select pg_current_xact_id()::text as id`.pipe(Effect.flatMap(Schema.decodeUnknown(CurrentTransaction)))
  const power = powerOfTenBelow(current?.id ?? 0)
  expect(power + 1).toBeLessThan(current?.id ?? 0)
  // Positions in another order than the transactions', so the test also sees that transactions come first.
  const rows = [
    { transactionId: power, position: 1 },
    { transactionId: power - 2, position: 2 },
    { transactionId: power + 1, position: 3 },
    { transactionId: power - 1, position: 4 },
    { transactionId: power - 1, position: 5 }
  ]
  for (const row of rows) {
    yield* sql`insert into events (global_position, transaction_id, stream_id, stream_version, event_type, schema_version,
        payload, metadata, recorded_at, prev_hash, hash)
      values (${row.position}, ${String(row.transactionId)}::xid8, ${`digits/${row.position}`}, 1, 'Created', 1, '{}'::jsonb,
        '{"actor":null,"requestId":null,"clientIp":null,"userAgent":null}'::jsonb, now(), '', ${`hash-${row.position}`})`
  }
  const numericOrder = [...rows].sort((a, b) => a.transactionId - b.transactionId || a.position - b.position)

  expect(yield* readInPages(store, 2)).toEqual(numericOrder)
  expect(yield* store.readAll(startOfLog, 10)).toHaveLength(rows.length)
  expect(yield* store.committedEnd).toEqual({ transactionId: power + 1, position: 3 })
})

const storeOn = (client: Layer.Layer<SqlClient.SqlClient, unknown>) =>
  SqlStore.layer.pipe(Layer.provide(testProjectorLayer), Layer.provideMerge(client))

layer(storeOn(migratedTestDatabase), { excludeTestServices: true, timeout: "120 seconds" })("reading order on Postgres", (it) => {
  it.effect("transaction ids on both sides of a power of ten are read in numeric order, none skipped", () => readingOrderAcrossADigit)
})

const pglite = Layer.effectDiscard(migrate).pipe(Layer.provideMerge(PgliteClient.layer({ dataDir: undefined })))

layer(storeOn(pglite), { excludeTestServices: true, timeout: "120 seconds" })("reading order on PGlite", (it) => {
  it.effect("transaction ids on both sides of a power of ten are read in numeric order, none skipped", () => readingOrderAcrossADigit)
})
