import { type Server, type Socket, connect, createServer } from "node:net"

export interface SlowTcpProxy {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string
  /** Every chunk, either way, is held this long before it is passed on (order kept); 0 passes at once. */
  readonly setDelay: (ms: number) => void
  readonly close: () => Promise<void>
}

/**
 * A TCP proxy that passes bytes both ways unchanged, but as late as told: a slow or congested S3 (or any
 * server) without touching the server itself. Unlike `faultProxy` it parses nothing, so request bodies (S3
 * uploads) pass too.
 */
export const startSlowTcpProxy = async (target: { readonly host: string; readonly port: number }): Promise<SlowTcpProxy> => {
  let delayMs = 0
  const sockets = new Set<Socket>()

  /**
   * Passes `from`'s chunks to `to`, each `delayMs` after it arrived, in order; when `from` closes, `to` is
   * ended (or destroyed, after an error) only once the chunks held back have been passed on.
   */
  const relay = (from: Socket, to: Socket) => {
    let queue = Promise.resolve()
    from.on("data", (chunk: Buffer) => {
      const due = Date.now() + delayMs
      queue = queue.then(() => new Promise<void>((done) => setTimeout(done, Math.max(0, due - Date.now())))).then(() => {
        if (!to.destroyed) to.write(chunk)
      })
    })
    from.once("close", (hadError) => void queue.then(() => (hadError ? to.destroy() : to.end())))
  }

  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.once("close", () => sockets.delete(s))
    }
    // Errors end the socket ("close" with hadError), which the relay passes on.
    client.on("error", () => undefined)
    upstream.on("error", () => undefined)
    relay(client, upstream)
    relay(upstream, client)
  })
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done))
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("the slow proxy has no TCP address")
  return {
    url: `http://127.0.0.1:${address.port}`,
    setDelay: (ms) => {
      delayMs = ms
    },
    close: () =>
      new Promise<void>((done) => {
        for (const s of sockets) s.destroy()
        server.close(() => done())
      })
  }
}
