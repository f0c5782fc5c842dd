import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option, Scope } from "effect"
import { CLEANUP_LEASE, scheduledCleanup } from "../../src/application/cache/cleanupSchedule.js"
import { CommandMetadata } from "../../src/application/CommandMetadata.js"
import { LiveViewLayer } from "../../src/application/LiveView.js"
import { ClusterLeases } from "../../src/application/ports/ClusterLeases.js"
import { systemMetadata } from "../../src/application/ports/EventStore.js"
import * as MemoryBlobStore from "../../src/adapters/memory/MemoryBlobStore.js"
import { pgLayer } from "../../src/adapters/sql/PostgresClient.js"
import * as PostgresAdvisoryLeases from "../../src/adapters/sql/PostgresAdvisoryLeases.js"
import { freshDatabase } from "../support/postgres/postgresTestDatabase.js"
import { memoryApp } from "../support/testApp.js"

/** One replica's leases on the shared database, with its own pool; ended with the test's scope. */
const replicaLeases = (url: string) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    yield* Effect.addFinalizer(() => Scope.close(scope, Exit.void))
    return yield* Layer.buildWithScope(PostgresAdvisoryLeases.layer.pipe(Layer.provide(pgLayer(url))), scope)
  })

/** The TTL job runs on one replica at a time: a replica whose turn it is not skips the round. */
describe("scheduled TTL cleanup across replicas", () => {
  it.scopedLive("skips while another replica holds the cleanup lease, and runs once it is free", () =>
    Effect.gen(function*() {
      const url = yield* freshDatabase
      const other = yield* replicaLeases(url)
      const mine = yield* replicaLeases(url)
      const app = LiveViewLayer.pipe(Layer.provideMerge(Layer.merge(memoryApp(), MemoryBlobStore.layer)))
      const run = scheduledCleanup.pipe(
        Effect.provide(app),
        Effect.provide(mine),
        Effect.provideService(CommandMetadata, systemMetadata("system:cleanup"))
      )

      const held = Option.getOrThrow(yield* Effect.flatMap(ClusterLeases, (l) => l.tryTake(CLEANUP_LEASE)).pipe(Effect.provide(other)))
      expect(yield* run).toEqual(Option.none())
      yield* held
      expect(yield* run).toEqual(Option.some({ expired: 0, filesDeleted: 0 }))
      // The run let go of the lease when it finished: the other replica can take its turn.
      const next = yield* Effect.flatMap(ClusterLeases, (l) => l.tryTake(CLEANUP_LEASE)).pipe(Effect.provide(other))
      expect(Option.isSome(next)).toBe(true)
    }), { timeout: 60_000 })
})
