import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { Effect, Fiber, Layer, Schema } from "effect"
import { randomUUID } from "node:crypto"
import * as SqlStore from "../../src/adapters/sql/SqlStore.js"
import { EventStore, systemMetadata } from "../../src/application/ports/EventStore.js"
import { migratedTestDatabase } from "../support/postgres/postgresTestDatabase.js"
import { testProjectorLayer } from "../support/testProjector.js"

const WRITERS = 16
const ROUNDS = 40
const metadata = systemMetadata("test")

const OutOfOrder = Schema.Array(Schema.Struct({ stream_id: Schema.String, stream_version: Schema.Number, previous: Schema.NullOr(Schema.Number) }))
const Lingering = Schema.Array(Schema.Struct({ pid: Schema.Number, state: Schema.String, query: Schema.String }))

/**
 * One writer: single-event appends to a stream of its own, forever. Half the writers also share one
 * `prefix_total` row, so appends wait on each other's advisory locks and interruptions land in every step.
 * After an interruption the writer does not know whether its last append committed: a version conflict tells.
 */
const writer = (streamId: string, start: number) =>
  Effect.gen(function*() {
    const store = yield* EventStore
    let version = start
    while (true) {
      const appended = yield* store.append(
        [{ streamId, expectedVersion: version, events: [{ type: "Used", schemaVersion: 1, payload: { n: version + 1 } }] }],
        metadata,
        new Date()
      ).pipe(
        Effect.map((recorded) => recorded.length),
        Effect.catchTag("VersionConflict", (conflict) => Effect.sync(() => conflict.actualVersion - version))
      )
      version += appended
    }
  })

layer(SqlStore.layer.pipe(Layer.provide(testProjectorLayer), Layer.provideMerge(migratedTestDatabase)), {
  excludeTestServices: true,
  timeout: "180 seconds"
})("appends on Postgres interrupted at any moment", (it) => {
  it.scoped("leave no connection inside a transaction, and readers' order keeps every stream's versions rising by one", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const run = randomUUID().slice(0, 8)
      const streams = Array.from({ length: WRITERS }, (_, i) => `${run}${i % 2 === 0 ? "" : `-${i}`}/writer-${i}`)
      const versions = streams.map(() => 0)
      for (let round = 0; round < ROUNDS; round++) {
        const fibers = yield* Effect.forEach(streams, (streamId, i) => Effect.fork(writer(streamId, versions[i] ?? 0)))
        // A random moment: early rounds catch appends in their first steps, later ones anywhere.
        yield* Effect.sleep(`${Math.floor(Math.random() * (round < ROUNDS / 2 ? 15 : 120))} millis`)
        // Where each writer's stream really is, whatever the interrupted append did. A pool that lost its
        // connections to interrupted appends never answers: the deadline turns that into a failure.
        const heads = yield* Effect.forEach(fibers, Fiber.interrupt, { concurrency: "unbounded", discard: true }).pipe(
          Effect.zipRight(sql<{ stream_id: string; version: number }>`
            select stream_id, max(stream_version)::int as version from events where stream_id in ${sql.in(streams)} group by stream_id`),
          Effect.timeoutFail({
            duration: "30 seconds",
            onTimeout: () => new Error(`round ${round}: the writers' interruption or the next query did not finish (pool connections lost?)`)
          })
        )
        for (const head of heads) versions[streams.indexOf(head.stream_id)] = head.version
      }
      expect(versions.reduce((sum, v) => sum + v, 0)).toBeGreaterThan(ROUNDS)

      // Every connection of this database is idle outside a transaction (or is this statement's own).
      const lingering = yield* sql`
        select pid, state, left(query, 80) as query from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and state <> 'idle'`.pipe(
        Effect.flatMap(Schema.decodeUnknown(Lingering))
      )
      expect(lingering).toEqual([])

      // In readers' order, (transaction, position), each stream's versions rise by one from 1.
      const outOfOrder = yield* sql`
        select stream_id, stream_version, previous from (
          select stream_id, stream_version,
            lag(stream_version) over (partition by stream_id order by transaction_id, global_position) as previous
          from events where stream_id in ${sql.in(streams)}) as e
        where stream_version <> coalesce(previous, 0) + 1`.pipe(Effect.flatMap(Schema.decodeUnknown(OutOfOrder)))
      expect(outOfOrder).toEqual([])
    }), 170_000)
})
