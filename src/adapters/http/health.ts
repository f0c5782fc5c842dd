import { Effect } from "effect"
import type { FastifyInstance } from "fastify"
import { EventStore } from "../../application/ports/EventStore.js"
import { isWritable } from "../filesystem/dataDir.js"
import type { EdgeRuntime } from "./runtime.js"

/** `/-/health`: the process answers. `/-/readiness`: the database answers and the data directory is writable. */
export const registerHealth = (app: FastifyInstance, runtime: EdgeRuntime, dataDir: string, isShuttingDown: () => boolean) => {
  app.get("/-/health", async (_request, reply) => reply.send({ status: "ok" }))

  app.get("/-/readiness", async (request, reply) => {
    if (isShuttingDown()) return reply.code(503).send({ status: "shutting_down" })
    const database = EventStore.pipe(Effect.flatMap((store) => store.readAll(0, 1)), Effect.as("ok" as const))
    const [db, disk] = await Promise.all([
      runtime.runPromiseExit(database),
      runtime.runPromiseExit(isWritable(dataDir))
    ])
    const checks = {
      database: db._tag === "Success" ? "ok" : "failed",
      data_dir: disk._tag === "Success" ? "ok" : "failed"
    }
    const ready = checks.database === "ok" && checks.data_dir === "ok"
    if (!ready) request.log.warn({ checks }, "not ready")
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ok" : "failed", checks })
  })
}
