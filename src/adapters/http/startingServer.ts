import { type IncomingMessage, type RequestListener, Server, type ServerResponse } from "node:http"
import { API_VERSION, ociBody } from "./registry/ociError.js"

const json = (res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}) => {
  const text = typeof body === "string" ? body : JSON.stringify(body)
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers })
  res.end(text)
}

/**
 * Before the database and the routes are up: the process answers `/-/health` (it is alive), `/-/readiness`
 * says it is starting, and every other request is a 503 to retry, in the registry's error format on its routes.
 */
const answerWhileStarting: RequestListener = (req: IncomingMessage, res: ServerResponse) => {
  const path = (req.url ?? "/").split("?")[0] ?? "/"
  if (path === "/-/health") return json(res, 200, { status: "ok" })
  if (path === "/-/readiness") return json(res, 503, { status: "starting" })
  const retry = { "retry-after": "1" }
  if (path.startsWith("/v2") || path.startsWith("/jwt")) {
    const body = ociBody({ status: 503, code: "UNAVAILABLE", message: "the service is starting; try again" })
    return json(res, 503, body, { ...retry, "docker-distribution-api-version": API_VERSION })
  }
  json(res, 503, { message: "503 Service Unavailable" }, retry)
}

const numberOr = (value: unknown, fallback: number): number => (typeof value === "number" ? value : fallback)

/**
 * The HTTP server of `serve`, listening from its first moments (SPEC §9: `/-/health` within 2 s of launch,
 * while the embedded database alone takes longer than that to start) and answering as above until Fastify
 * takes it over: `takeOver` is Fastify's `serverFactory`, and Fastify's `listen()` on a server that already
 * listens routes every request to Fastify from then on, on the same socket and the same connections.
 */
export class StartingServer extends Server {
  private handler: RequestListener = answerWhileStarting
  private fastify: RequestListener | null = null

  private constructor() {
    super()
    this.on("request", (req: IncomingMessage, res: ServerResponse) => this.handler(req, res))
  }

  /** Listens on `host:port`; fails as `listen` does (EADDRINUSE, EACCES). */
  static listenOn(port: number, host: string): Promise<StartingServer> {
    const server = new StartingServer()
    return new Promise((done, fail) => {
      server.once("error", fail)
      server.startListening(port, host, () => {
        server.off("error", fail)
        done(server)
      })
    })
  }

  private startListening(port: number, host: string, listening: () => void): void {
    super.listen(port, host, listening)
  }

  /** Fastify's `serverFactory`: the timeouts Fastify would set on a server of its own, and its handler. */
  readonly takeOver = (handler: RequestListener, options: Record<string, unknown>): Server => {
    this.keepAliveTimeout = numberOr(options["keepAliveTimeout"], this.keepAliveTimeout)
    this.requestTimeout = numberOr(options["requestTimeout"], this.requestTimeout)
    this.setTimeout(numberOr(options["connectionTimeout"], 0))
    this.fastify = handler
    return this
  }

  /** Called by Fastify's `listen()` once its routes are ready: from now on, Fastify answers. */
  override listen(): this {
    const fastify = this.fastify
    if (fastify === null) throw new Error("StartingServer.listen: nothing has taken the server over")
    this.handler = fastify
    process.nextTick(() => this.emit("listening"))
    return this
  }
}
