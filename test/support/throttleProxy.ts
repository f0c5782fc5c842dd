import { createServer, connect, type Socket } from "node:net"

export interface ThrottleProxy {
  readonly url: string
  /** Bytes sent to clients so far. */
  readonly sent: () => number
  readonly close: () => Promise<void>
}

/** How often the link's budget is topped up: small enough that the rate is smooth at any blob size. */
const TICK_MS = 5
/** The most the link sends in one go after a late tick. */
const BURST_MS = 250
const QUEUED_BYTES = 1024 * 1024

/**
 * A TCP proxy in front of the upstream whose answers, all connections together, flow at most `bytesPerSecond`:
 * one link to a registry across the internet, which every transfer of the cache behind it shares. Requests
 * pass as they come. Each upstream socket is paused while its bytes wait for the link.
 */
export const startThrottleProxy = async (target: { readonly host: string; readonly port: number }, bytesPerSecond: number): Promise<ThrottleProxy> => {
  const sockets = new Set<Socket>()
  // Answers waiting for the link, first come first served; an upstream socket is paused while it has more
  // than QUEUED_BYTES waiting.
  const waiting: Array<{ readonly from: Socket; readonly to: Socket; chunk: Buffer }> = []
  const queued = new Map<Socket, number>()
  let budget = 0
  let sent = 0
  let last = performance.now()
  const tick = setInterval(() => {
    // By the time elapsed, not per tick: on a loaded machine timers fire late, and the link must not slow
    // down with them. At most BURST_MS worth at once: an idle link does not save up.
    const now = performance.now()
    budget = Math.min(budget + (bytesPerSecond * (now - last)) / 1000, (bytesPerSecond * BURST_MS) / 1000)
    last = now
    while (budget > 0 && waiting.length > 0) {
      const head = waiting[0]
      if (head === undefined) break
      const part = head.chunk.subarray(0, Math.floor(budget))
      if (part.length === 0) break
      budget -= part.length
      sent += part.length
      if (!head.to.destroyed) head.to.write(part)
      head.chunk = head.chunk.subarray(part.length)
      const left = (queued.get(head.from) ?? 0) - part.length
      queued.set(head.from, left)
      if (left < QUEUED_BYTES && head.from.isPaused()) head.from.resume()
      if (head.chunk.length === 0) waiting.shift()
    }
  }, TICK_MS)

  const server = createServer((client) => {
    const upstream = connect(target.port, target.host)
    sockets.add(client).add(upstream)
    client.pipe(upstream)
    upstream.on("data", (chunk: Buffer) => {
      waiting.push({ from: upstream, to: client, chunk })
      const now = (queued.get(upstream) ?? 0) + chunk.length
      queued.set(upstream, now)
      if (now >= QUEUED_BYTES) upstream.pause()
    })
    // The end goes out once the link has carried everything before it.
    upstream.on("end", () => {
      const flushed = setInterval(() => {
        if (waiting.some((w) => w.from === upstream)) return
        clearInterval(flushed)
        client.end()
      }, TICK_MS)
    })
    const drop = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
      for (let i = waiting.length - 1; i >= 0; i--) if (waiting[i]?.from === upstream) waiting.splice(i, 1)
      queued.delete(upstream)
    }
    client.on("error", drop).on("close", drop)
    upstream.on("error", drop)
  })
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening))
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("the throttle proxy has no port")
  return {
    url: `http://127.0.0.1:${address.port}`,
    sent: () => sent,
    close: async () => {
      clearInterval(tick)
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((closed) => server.close(() => closed()))
    }
  }
}
