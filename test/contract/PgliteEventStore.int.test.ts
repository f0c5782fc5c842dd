import { SqlClient } from "@effect/sql"
import { expect, it, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as PgliteClient from "../../src/adapters/pglite/PgliteClient.js"
import { migrate } from "../../src/adapters/sql/migrate.js"
import * as SqlStore from "../../src/adapters/sql/SqlStore.js"
import * as SqlIdSequence from "../../src/adapters/sql/SqlIdSequence.js"
import { EventStore, systemMetadata } from "../../src/application/ports/EventStore.js"
import { eventStoreContract } from "./eventStoreContract.js"
import { idSequenceContract } from "./idSequenceContract.js"
import { testProjectorLayer } from "../support/testProjector.js"
import { migrationNames } from "../support/postgres/migrationNames.js"

const inMemory = () => PgliteClient.layer({ dataDir: undefined })
const migrated = (client: Layer.Layer<SqlClient.SqlClient, unknown>) =>
  Layer.effectDiscard(migrate).pipe(Layer.provideMerge(client))

eventStoreContract("SqlEventStore on PGlite", SqlStore.layer.pipe(Layer.provide(migrated(inMemory()))))
idSequenceContract("SqlIdSequence on PGlite", SqlIdSequence.layer.pipe(Layer.provide(migrated(inMemory()))))

layer(inMemory(), { excludeTestServices: true, timeout: "120 seconds" })("migrate on PGlite", (it) => {
  it.effect("applies every migration once; a second run applies nothing", () =>
    Effect.gen(function*() {
      expect(migrationNames).toContain("0001_event_store.sql")
      expect(yield* migrate).toEqual(migrationNames)
      expect(yield* migrate).toEqual([])
      const sql = yield* SqlClient.SqlClient
      const recorded = yield* sql`select name from schema_migrations order by name`
      expect(recorded).toEqual(migrationNames.map((name) => ({ name })))
    }))
})

it.effect("two migrate runs at once apply each migration once", () =>
  Effect.gen(function*() {
    const runs = yield* Effect.all([migrate, migrate], { concurrency: "unbounded" })
    expect([...runs.flat()].sort()).toEqual(migrationNames)
  }).pipe(Effect.provide(inMemory())), 120_000)

it.live("a database in dataDir survives a restart", () =>
  Effect.acquireUseRelease(
    Effect.promise(() => mkdtemp(join(tmpdir(), "pglite-contract-"))),
    (dataDir) => {
      const store = SqlStore.layer.pipe(
        Layer.provide(migrated(PgliteClient.layer({ dataDir }))),
        Layer.provide(testProjectorLayer)
      )
      const streamId = "restart/one"
      return Effect.gen(function*() {
        const written = yield* Effect.flatMap(EventStore, (s) =>
          s.append([{ streamId, expectedVersion: 0, events: [{ type: "Created", schemaVersion: 1, payload: { a: 1 } }] }],
            systemMetadata("test"), new Date("2024-01-01T00:00:00.000Z"))).pipe(Effect.provide(store))
        // A new layer: a new PGlite instance on the same files; migrate must find the schema already there.
        const read = yield* Effect.flatMap(EventStore, (s) => s.readStream(streamId)).pipe(Effect.provide(store))
        expect(read).toEqual(written)
      })
    },
    (dataDir) => Effect.promise(() => rm(dataDir, { recursive: true, force: true }))
  ), 120_000)
