import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer, Option, Schema } from "effect"
import * as SqlStore from "../../src/adapters/sql/SqlStore.js"
import { EventStore, systemMetadata } from "../../src/application/ports/EventStore.js"
import { ReadModels } from "../../src/application/ports/ReadModels.js"
import { migratedTestDatabase } from "../support/postgres/postgresTestDatabase.js"
import { testProjectorLayer } from "../support/testProjector.js"

const store = SqlStore.layer.pipe(Layer.provide(testProjectorLayer), Layer.provideMerge(migratedTestDatabase))

/** Rows of other streams: with a few thousand, a join the planner sizes by guesswork reads the table whole. */
const otherRows = 3_000

const Scans = Schema.Array(Schema.Struct({ seq_scan: Schema.Number }))

layer(store, { excludeTestServices: true, timeout: "60 seconds" })("appends on Postgres (ADR 0027)", (it) => {
  it.effect("read, change and delete read-model rows by key, without reading the table whole", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const events = yield* EventStore
      const models = yield* ReadModels
      yield* sql`insert into read_models (kind, id, doc)
        select 'stream_count', 'other/' || n, '{"count": 1}'::jsonb from generate_series(1, ${otherRows}) as n`
      yield* sql`analyze read_models`
      const created = yield* events.append(
        [{ streamId: "by-key/a", expectedVersion: 0, events: [{ type: "Created", schemaVersion: 1, payload: {} }] }],
        systemMetadata("t"),
        new Date()
      )
      yield* sql`analyze read_models`

      // Whole-table reads of read_models by this connection: counters not yet flushed to the shared statistics
      // (pg_stat_xact_*, which in Postgres 15 include earlier transactions' pending counts), compared before and
      // after the append inside one transaction of the test's own, on one connection.
      const seqScans = sql`select seq_scan::integer as seq_scan from pg_stat_xact_user_tables where relname = 'read_models'`.pipe(
        Effect.flatMap(Schema.decodeUnknown(Scans)),
        Effect.map((rows) => rows[0]?.seq_scan ?? 0)
      )
      const scansByAppend = yield* sql.withTransaction(
        Effect.gen(function*() {
          const before = yield* seqScans
          yield* events.append(
            [
              { streamId: "by-key/a", expectedVersion: 1, events: [{ type: "StreamDeleted", schemaVersion: 1, payload: {} }] },
              { streamId: "by-key/b", expectedVersion: 0, events: [{ type: "Created", schemaVersion: 1, payload: {} }] }
            ],
            systemMetadata("t"),
            new Date()
          )
          return (yield* seqScans) - before
        })
      )

      expect(scansByAppend).toBe(0)
      expect(created).toHaveLength(1)
      // The append read the prefix's total (1), deleted a's count and created b's.
      expect(Option.getOrUndefined(yield* models.get("prefix_total", "by-key"))).toEqual({ events: 3 })
      expect(Option.getOrUndefined(yield* models.get("stream_count", "by-key/a"))).toBeUndefined()
      expect(Option.getOrUndefined(yield* models.get("stream_count", "by-key/b"))).toMatchObject({ count: 1 })
    }))
})
