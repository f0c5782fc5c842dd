import Fastify, { type FastifyInstance } from "fastify"
import type { LogLevel } from "../../config.js"
import { registerGraphql } from "../graphql/route.js"
import { registerHealth } from "./health.js"
import { registerMetrics } from "./metrics.js"
import { registerRegistry } from "./registry/registryRoutes.js"
import type { EdgeRuntime } from "./runtime.js"

export interface ServerOptions {
  readonly dataDir: string
  readonly externalUrl: string
  readonly logLevel: LogLevel
}

/** Redacted wherever they appear in a logged request or error. */
const REDACT = ["req.headers.authorization", "req.headers[\"private-token\"]", "req.headers.cookie", "headers.authorization"]

/**
 * The HTTP edge: Fastify on the outside, the one Effect runtime on the inside. Fastify's `onClose` disposes
 * the runtime, which closes the database.
 */
export const buildServer = (runtime: EdgeRuntime, options: ServerOptions): FastifyInstance => {
  const app = Fastify({
    logger: { level: options.logLevel, redact: REDACT },
    requestIdHeader: "x-request-id",
    disableRequestLogging: false
  })
  let shuttingDown = false
  app.addHook("preClose", async () => {
    shuttingDown = true
  })
  app.addHook("onClose", async () => {
    await runtime.dispose()
  })
  registerMetrics(app)
  registerHealth(app, runtime, options.dataDir, () => shuttingDown)
  registerRegistry(app, runtime, options.externalUrl)
  registerGraphql(app, runtime, options.externalUrl)
  return app
}
