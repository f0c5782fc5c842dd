import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http"
import { Effect, type Scope } from "effect"

export interface SeenRequest {
  readonly method: string
  readonly url: URL
  readonly headers: IncomingHttpHeaders
}

export type Handler = (request: IncomingMessage, response: ServerResponse, url: URL) => void

export interface FakeServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string
  /** Every request received, in order. */
  readonly seen: Array<SeenRequest>
  /** Requests whose path starts with `prefix`. */
  readonly hits: (prefix: string) => ReadonlyArray<SeenRequest>
  /** Replaces the handler, for servers whose behaviour depends on another server's address. */
  readonly handle: (handler: Handler) => void
}

/** An HTTP server on 127.0.0.1 and a free port, closed (connections included) with the scope. */
export const fakeServer = (initial: Handler = (_request, response) => response.writeHead(404).end()): Effect.Effect<FakeServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: ReturnType<typeof createServer>; readonly fake: FakeServer }>((resume) => {
      let handler = initial
      const seen: Array<SeenRequest> = []
      let base = ""
      const server = createServer((request, response) => {
        const url = new URL(request.url ?? "/", base)
        seen.push({ method: request.method ?? "", url, headers: request.headers })
        handler(request, response, url)
      })
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        const port = typeof address === "object" && address !== null ? address.port : 0
        base = `http://127.0.0.1:${port}`
        resume(Effect.succeed({
          server,
          fake: {
            url: base,
            seen,
            hits: (prefix) => seen.filter((r) => r.url.pathname.startsWith(prefix)),
            handle: (next) => {
              handler = next
            }
          }
        }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ fake }) => fake))

/** A JSON reply with the given status and extra headers. */
export const json = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  response.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body))

/** A port nothing listens on (taken, then released), for "connection refused". */
export const closedPort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 1
    server.close(() => resume(Effect.succeed(port)))
  })
})
