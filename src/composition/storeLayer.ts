import { join } from "node:path"
import { Effect, Layer } from "effect"
import type * as SqlClient from "@effect/sql/SqlClient"
import type { CommitSignal } from "../adapters/sql/CommitSignal.js"
import { migrate } from "../adapters/sql/migrate.js"
import * as SqlIdSequence from "../adapters/sql/SqlIdSequence.js"
import * as SqlStore from "../adapters/sql/SqlStore.js"
import { ProjectorLive } from "../application/projectorLive.js"
import type { Config } from "../config.js"
import { startupError } from "./startupError.js"

/**
 * What the process is: `serve` (long-lived: logs on stdout beside Fastify's; a new embedded database is created
 * in a child process, so initdb's memory is not kept for the server's lifetime) or one CLI command (short-lived:
 * logs on stderr, its stdout is the result; the database is created in the process, which is quicker).
 */
export type Role = "server" | "command"

/**
 * The event store on Postgres when `DATABASE_URL` is set, otherwise on embedded PGlite under DATA_DIR;
 * migrations run before anything reads or writes. Only the chosen engine's adapter is loaded (ADR 0010): `pg`
 * and PGlite's WASM each cost memory and start-up time a process on the other engine should not pay.
 */
export const storeLayer = (config: Config, role: Role = "server") => {
  const onClient = <E extends { readonly message: string }>(
    client: Layer.Layer<SqlClient.SqlClient, E>,
    signal: Layer.Layer<CommitSignal, E> | Layer.Layer<never>
  ) => {
    const migrated = Layer.effectDiscard(migrate).pipe(Layer.provideMerge(client))
    return Layer.mergeAll(SqlStore.layer, SqlIdSequence.layer).pipe(
      Layer.provide(ProjectorLive),
      Layer.provide(signal),
      Layer.provideMerge(migrated),
      Layer.provideMerge(ProjectorLive),
      Layer.mapError(startupError(config.databaseUrl === null ? "embedded database" : "database"))
    )
  }
  const { databaseUrl } = config
  if (databaseUrl === null) {
    // One process owns the embedded database: nobody else commits, nobody needs telling.
    return Layer.unwrapEffect(
      Effect.promise(() => import("../adapters/pglite/PgliteClient.js")).pipe(
        Effect.map((PgliteClient) =>
          onClient(PgliteClient.layer({ dataDir: join(config.dataDir, "pglite"), createIn: role === "server" ? "childProcess" : "thisProcess" }), Layer.empty))
      )
    )
  }
  return Layer.unwrapEffect(
    Effect.promise(() => Promise.all([import("../adapters/sql/PostgresClient.js"), import("../adapters/sql/PostgresCommitSignal.js")])).pipe(
      Effect.map(([{ pgLayer }, { PostgresCommitSignal }]) => {
        const client = pgLayer(databaseUrl)
        return onClient(client, PostgresCommitSignal.pipe(Layer.provide(client)))
      })
    )
  )
}

