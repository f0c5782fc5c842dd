import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { settingsHistory } from "../../src/application/audit/settingsHistory.js"
import { verify } from "../../src/application/audit/verify.js"
import { CommandMetadata } from "../../src/application/CommandMetadata.js"
import { systemMetadata } from "../../src/application/ports/EventStore.js"
import { ReadModels } from "../../src/application/ports/ReadModels.js"
import { ProjectorLive } from "../../src/application/projectorLive.js"
import * as SqlStore from "../../src/adapters/sql/SqlStore.js"
import * as SqlIdSequence from "../../src/adapters/sql/SqlIdSequence.js"
import { migratedTestDatabase } from "../support/postgres/postgresTestDatabase.js"
import { cryptoLayer, SETUP_ACTOR } from "../support/testApp.js"
import { threeSettingChanges } from "../support/auditScenario.js"

const app = Layer.mergeAll(SqlStore.layer, SqlIdSequence.layer).pipe(
  Layer.provide(ProjectorLive),
  Layer.provideMerge(migratedTestDatabase),
  Layer.merge(cryptoLayer),
  Layer.merge(Layer.succeed(CommandMetadata, systemMetadata(SETUP_ACTOR))),
  Layer.merge(ProjectorLive)
)

layer(app, { excludeTestServices: true, timeout: "120 seconds" })("audit on Postgres", (it) => {
  it.effect("history and verify work on the real store; tampering with a row is reported where it happened", () =>
    Effect.gen(function*() {
      const { group, actors } = yield* threeSettingChanges
      const history = yield* settingsHistory(group)
      expect(history.map((h) => h.actor)).toEqual([actors.owner, actors.ada, actors.ada, actors.abe])
      expect((yield* verify).ok).toBe(true)

      const sql = yield* SqlClient.SqlClient
      // Someone with database access flips the recorded "enabled: false" back to true.
      const [row] = yield* sql<{ global_position: string }>`
        update events set payload = jsonb_set(payload, '{enabled}', 'true')
        where event_type = 'DependencyProxySettingChanged' returning global_position::text`
      const report = yield* verify
      expect(report.ok).toBe(false)
      expect(report.chainBreak).toMatchObject({
        streamId: `group-${group}`,
        globalPosition: Number(row?.global_position),
        reason: "stored hash does not match the event's contents"
      })
    }))

  it.effect("a read model edited by hand is found by verify and repaired by replay", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const models = yield* ReadModels
      // The log was altered by the previous test; replay makes the read models agree with it again.
      yield* models.rebuild()
      expect((yield* verify).projectionDifference).toBeNull()
      yield* sql`update read_models set doc = jsonb_set(doc, '{admin}', 'true') where kind = 'user' and doc->>'username' = 'olga'`
      const report = yield* verify
      expect(report.projectionDifference).toMatchObject({ kind: "user" })
      expect(report.projectionDifference?.live).toContain(`"admin":true`)
      expect(report.projectionDifference?.replayed).toContain(`"admin":false`)
      const summary = yield* models.rebuild()
      expect(summary.events).toBe(report.events)
      expect((yield* verify).projectionDifference).toBeNull()
    }))
})
