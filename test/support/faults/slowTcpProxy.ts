import { type Server, type Socket, connect, createServer } from "node:net"

export interface SlowTcpProxy {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string
  /** Every chunk, either way, is held this long before it is passed on (order kept); 0 passes at once. */
  readonly setDelay: (ms: number) => void
  /**
   * From now on each connection passes at most `bytes` more of the server's answers and then nothing: an S3
   * that sends its headers and the start of a body, then stalls. The bytes held back are dropped (the client
   * gives up on the connection anyway). Null lets answers flow again (a connection that stalled has lost bytes: its client drops it).
   */
  readonly stallAnswersAfter: (bytes: number | null) => void
  readonly close: () => Promise<void>
}

/**
 * A TCP proxy that passes bytes both ways unchanged, but as late as told: a slow or congested S3 (or any
 * server) without touching the server itself. Unlike `faultProxy` it parses nothing, so request bodies (S3
 * uploads) pass too.
 */
export const startSlowTcpProxy = async (target: { readonly host: string; readonly port: number }): Promise<SlowTcpProxy> => {
  let delayMs = 0
  /** Bytes each connection may still answer after `stallGeneration` began; null: no stall. */
  let stallBudget: number | null = null
  let stallGeneration = 0
  const sockets = new Set<Socket>()

  /**
   * Passes `from`'s chunks to `to`, each `delayMs` after it arrived, in order; when `from` closes, `to` is
   * ended (or destroyed, after an error) only once the chunks held back have been passed on.
   */
  const relay = (from: Socket, to: Socket, answers: boolean) => {
    let queue = Promise.resolve()
    let generation = stallGeneration
    let passed = 0
    from.on("data", (received: Buffer) => {
      let chunk = received
      if (answers && stallBudget !== null) {
        if (generation !== stallGeneration) [generation, passed] = [stallGeneration, 0]
        chunk = received.subarray(0, Math.max(0, stallBudget - passed))
        passed += chunk.length
        if (chunk.length === 0) return
      }
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
    relay(client, upstream, false)
    relay(upstream, client, true)
  })
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done))
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("the slow proxy has no TCP address")
  return {
    url: `http://127.0.0.1:${address.port}`,
    setDelay: (ms) => {
      delayMs = ms
    },
    stallAnswersAfter: (bytes) => {
      stallBudget = bytes
      stallGeneration += 1
    },
    close: () =>
      new Promise<void>((done) => {
        for (const s of sockets) s.destroy()
        server.close(() => done())
      })
  }
}
