import { Effect } from "effect"
import type { FastifyInstance } from "fastify"
import { EventStore, startOfLog } from "../../application/ports/EventStore.js"
import { type BreakerReport, UpstreamBreakers } from "../../application/upstream/UpstreamBreakers.js"
import { isWritable } from "../filesystem/dataDir.js"
import type { EdgeRuntime } from "../edge/runtime.js"

/** A breaker as readiness shows it: never a reason to be unready, since cached content is still served. */
const upstreamDetail = (report: BreakerReport) => ({
  breaker: report.state,
  since: report.since.toISOString(),
  failures: report.failures,
  reason: report.reason,
  retry_in_seconds: report.retryInSeconds
})

/**
 * `/-/health`: the process answers. `/-/readiness`: the database answers and the data directory is writable;
 * the upstream breakers are shown beside the checks (ADR 0012) and never fail them.
 */
export const registerHealth = (app: FastifyInstance, runtime: EdgeRuntime, dataDir: string, isShuttingDown: () => boolean) => {
  app.get("/-/health", async (_request, reply) => reply.send({ status: "ok" }))

  app.get("/-/readiness", async (request, reply) => {
    if (isShuttingDown()) return reply.code(503).send({ status: "shutting_down" })
    const database = EventStore.pipe(Effect.flatMap((store) => store.readAll(startOfLog, 1)), Effect.as("ok" as const))
    const [db, disk, breakers] = await Promise.all([
      runtime.runPromiseExit(database),
      runtime.runPromiseExit(isWritable(dataDir)),
      runtime.runPromise(Effect.flatMap(UpstreamBreakers, (b) => b.reports))
    ])
    const checks = {
      database: db._tag === "Success" ? "ok" : "failed",
      data_dir: disk._tag === "Success" ? "ok" : "failed"
    }
    const upstream = Object.fromEntries(breakers.map((report) => [report.host, upstreamDetail(report)]))
    const ready = checks.database === "ok" && checks.data_dir === "ok"
    if (!ready) request.log.warn({ checks }, "not ready")
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ok" : "failed", checks, upstream })
  })
}
