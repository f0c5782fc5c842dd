import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { Effect, Either, Fiber, Layer } from "effect"
import { verify, verifyWith } from "../../src/application/audit/verify.js"
import * as SqlStore from "../../src/adapters/sql/SqlStore.js"
import { EventStore, systemMetadata } from "../../src/application/ports/EventStore.js"
import { migratedTestDatabase } from "../support/postgres/postgresTestDatabase.js"
import { testProjectorLayer } from "../support/testProjector.js"

const created = (streamId: string) => ({ streamId, expectedVersion: 0, events: [{ type: "Created", schemaVersion: 1, payload: {} }] })

layer(SqlStore.layer.pipe(Layer.provideMerge(testProjectorLayer), Layer.provideMerge(migratedTestDatabase)), {
  excludeTestServices: true,
  timeout: "120 seconds"
})("audit on Postgres while a transaction holds readers back", (it) => {
  it.scoped("verify reads the whole log or fails; it never reports the part before an open transaction as the whole", () =>
    Effect.gen(function*() {
      const store = yield* EventStore
      const sql = yield* SqlClient.SqlClient
      const metadata = systemMetadata("test")
      yield* store.append([created("before/a"), created("before/b"), created("before/c")], metadata, new Date())

      // Another session of the same database, inside a transaction that has an id: readers stop before it.
      const other = yield* sql.reserve
      yield* other.executeUnprepared("begin; select pg_current_xact_id()", [], undefined)
      yield* store.append([created("after/a"), created("after/b"), created("after/c")], metadata, new Date())

      const impatient = yield* Effect.either(verifyWith({ heldBackAtMost: "300 millis" }))
      expect(Either.isLeft(impatient) ? impatient.left.message : `a report: ${JSON.stringify(impatient.right)}`).toMatch(
        /^the log cannot be read to its end: a transaction in flight has held readers back .* \(3 events read;/
      )

      // The same audit, patient: once the transaction ends it reads on to the end.
      const audit = yield* Effect.fork(verify)
      yield* other.executeUnprepared("rollback", [], undefined)
      const report = yield* Fiber.join(audit)
      expect(report).toMatchObject({ events: 6, streams: 6, ok: true })
    }))
})
