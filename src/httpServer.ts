import { randomBytes } from "node:crypto"
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify"
import type { LogLevel } from "./config.js"
import { registerUi } from "./adapters/ui/registerUi.js"
import { registerGraphql } from "./adapters/graphql/route.js"
import { sessionCaller } from "./adapters/ui/sessionCaller.js"
import { registerApi } from "./adapters/http/api/registerApi.js"
import { registerHealth } from "./adapters/http/health.js"
import { registerMetrics } from "./adapters/http/metrics.js"
import { redactUrl } from "./adapters/http/redactUrl.js"
import { registerPeerRoute } from "./adapters/http/peerRoute.js"
import { registerRegistry } from "./adapters/http/registry/registryRoutes.js"
import type { EdgeRuntime } from "./adapters/edge/runtime.js"
import type { StartingServer } from "./adapters/http/startingServer.js"

export interface ServerOptions {
  readonly dataDir: string
  readonly externalUrl: string
  readonly logLevel: LogLevel
  /** Where request logs go (stdout when absent); tests capture them to check nothing secret is logged. */
  readonly logStream?: { readonly write: (line: string) => void }
  /** Signs web UI session cookies; a random one per process when absent (see registerUi). */
  readonly sessionKey?: Buffer
  /** The server `serve` has listened on since it started (`app.listen()` takes it over); Fastify's own if absent. */
  readonly server?: StartingServer
  /** Signs peer requests between replicas on S3 (ADR 0025): the peer route is served only with one. */
  readonly peerKey?: Buffer | null
  /** `TRUSTED_PROXIES`: requests from these name their client in `X-Forwarded-For` (`request.ip`); none when absent. */
  readonly trustedProxies?: ReadonlyArray<string>
}

/** Redacted wherever they appear in a logged request or error. */
const REDACT = ["req.headers.authorization", "req.headers[\"private-token\"]", "req.headers.cookie", "headers.authorization"]

/** Fastify's own request fields, with secrets in the query string redacted (headers are never serialized). */
const serializers = {
  req: (request: FastifyRequest) => ({
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket.remotePort ?? 0
  })
}

/**
 * The HTTP edge: Fastify on the outside, the one Effect runtime on the inside. Fastify's `onClose` disposes
 * the runtime, which closes the database.
 */
export const buildServer = (runtime: EdgeRuntime, options: ServerOptions): FastifyInstance => {
  const app = Fastify({
    logger: options.logStream === undefined
      ? { level: options.logLevel, redact: REDACT, serializers }
      : { level: options.logLevel, redact: REDACT, serializers, stream: options.logStream },
    requestIdHeader: "x-request-id",
    // Only the balancers named may say who the client is; the throttles and logs use `request.ip`.
    trustProxy: options.trustedProxies === undefined || options.trustedProxies.length === 0 ? false : [...options.trustedProxies],
    ...(options.server === undefined ? {} : { serverFactory: options.server.takeOver })
  })
  let shuttingDown = false
  app.addHook("preClose", async () => {
    shuttingDown = true
  })
  // Node closes only the connections idle when `close()` is called; one whose response finishes later would
  // linger for the keep-alive timeout (72 s). While shutting down, let each go as soon as its response ends.
  app.addHook("onResponse", async () => {
    if (shuttingDown) setImmediate(() => app.server.closeIdleConnections())
  })
  app.addHook("onClose", async () => {
    await runtime.dispose()
  })
  registerMetrics(app)
  registerHealth(app, runtime, options.dataDir, () => shuttingDown)
  registerRegistry(app, runtime, options.externalUrl)
  if (options.peerKey !== undefined && options.peerKey !== null) registerPeerRoute(app, runtime, options.peerKey)
  registerApi(app, runtime, options.externalUrl)
  // One key for the UI's session cookies and for GraphQL, which honours them (the explorer signs in by them).
  const sessionKey = options.sessionKey ?? randomBytes(32)
  registerGraphql(app, runtime, options.externalUrl, (request) => sessionCaller(sessionKey, request))
  registerUi(app, runtime, { ...options, sessionKey })
  return app
}
