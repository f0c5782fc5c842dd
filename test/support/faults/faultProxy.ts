import { type Server, type Socket, connect, createServer } from "node:net"

/**
 * A TCP proxy between the dependency proxy and the upstream registry that misbehaves on request: it reads
 * the HTTP/1.1 exchanges passing through (request heads one way, response heads and bodies the other) so a
 * fault can hit one named request, or the body of its response at a chosen byte.
 *
 * It relies on what our upstream client does: GET and HEAD only (no request bodies), and one request at a
 * time per connection (undici does not pipeline by default), so every byte from upstream after a response
 * head belongs to that response's body until the next request is sent.
 */

export type Fault =
  /** Answer the request here, as a rate-limiting or failing registry front would; upstream never sees it. */
  | { readonly _tag: "Answer"; readonly status: number; readonly headers?: Readonly<Record<string, string>> }
  /** Swallow the request: the connection stays open and nothing ever comes back. */
  | { readonly _tag: "Hang" }
  /** Pass the request on `ms` later: an upstream that answers, slowly. */
  | { readonly _tag: "Delay"; readonly ms: number }
  /** Forward `afterBytes` bytes of a 200 response's body, then hold the rest back until `releaseStalls()`. */
  | { readonly _tag: "Stall"; readonly afterBytes: number }
  /**
   * Forward `afterBytes` bytes of a 200 response's body, then drop the connection: `close` ends it in order
   * (FIN, as a crashing peer's kernel would), `reset` aborts it (RST, as a load balancer giving up would).
   */
  | { readonly _tag: "Drop"; readonly afterBytes: number; readonly how: "close" | "reset" }
  /** Forward a 200 response with the body byte at `offset` inverted: bit rot on the wire. */
  | { readonly _tag: "FlipByte"; readonly offset: number }

export interface RequestMatch {
  /** GET or HEAD; both when absent. */
  readonly method?: string
  /** A part of the path, e.g. a digest or `/manifests/`. */
  readonly pathIncludes: string
}

export interface SeenRequest {
  readonly method: string
  readonly path: string
  /** The status the client got: upstream's, or the one a fault answered; null when no response head came (hang). */
  readonly status: number | null
  readonly answeredBy: "upstream" | "fault"
}

export interface Injection {
  /** How often the fault took effect: a request answered or swallowed, a byte flipped, a body stalled or dropped. */
  readonly timesApplied: () => number
  /** No more effect from now on. */
  readonly remove: () => void
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: what the dependency proxy is told the upstream is. */
  readonly url: string
  /**
   * Makes the next `times` matching requests (default 1; `Infinity` until removed) suffer `fault`. A body fault
   * counts only against 200 responses: a 401 challenge on the way passes untouched.
   */
  readonly inject: (match: RequestMatch, fault: Fault, times?: number) => Injection
  readonly requests: (match?: RequestMatch) => ReadonlyArray<SeenRequest>
  readonly clearRequests: () => void
  /** Lets stalled responses flow again. */
  readonly releaseStalls: () => void
  /** Closes the listener and every connection: the upstream host is down (connection refused). */
  readonly goDown: () => Promise<void>
  /** Listens again on the same port. */
  readonly comeBack: () => Promise<void>
  readonly close: () => Promise<void>
}

interface Rule {
  readonly match: RequestMatch
  readonly fault: Fault
  left: number
  applied: number
}

interface RequestRecord {
  readonly method: string
  readonly path: string
  status: number | null
  readonly answeredBy: "upstream" | "fault"
}

const HEAD_END = Buffer.from("\r\n\r\n")

const matches = (match: RequestMatch, method: string, path: string): boolean =>
  (match.method === undefined || match.method.toUpperCase() === method) && path.includes(match.pathIncludes)

type BodyFault = Extract<Fault, { readonly _tag: "Stall" | "Drop" | "FlipByte" }>

const isBodyFault = (fault: Fault): fault is BodyFault =>
  fault._tag === "Stall" || fault._tag === "Drop" || fault._tag === "FlipByte"

const REASONS: Readonly<Record<number, string>> = {
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout"
}

/** A response in the registry's own style: an OCI error body, kept alive like distribution's. */
const cannedResponse = (method: string, status: number, headers: Readonly<Record<string, string>>): Buffer => {
  const code = status === 429 ? "TOOMANYREQUESTS" : "UNAVAILABLE"
  const body = JSON.stringify({ errors: [{ code, message: `injected ${status}`, detail: null }] })
  const lines = [
    `HTTP/1.1 ${status} ${REASONS[status] ?? "Fault"}`,
    "content-type: application/json",
    `content-length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)
  ]
  return Buffer.from(`${lines.join("\r\n")}\r\n\r\n${method === "HEAD" ? "" : body}`)
}

export const startFaultProxy = async (target: { readonly host: string; readonly port: number }): Promise<FaultProxy> => {
  const rules: Array<Rule> = []
  const seen: Array<RequestRecord> = []
  const sockets = new Set<Socket>()
  const stallReleases = new Set<() => void>()

  const ruleFor = (method: string, path: string): Rule | undefined =>
    rules.find((rule) => rule.left > 0 && matches(rule.match, method, path))
  /** The fault took effect. */
  const took = (rule: Rule) => {
    rule.applied += 1
  }

  const handle = (client: Socket) => {
    const upstream = connect(target.port, target.host)
    sockets.add(client).add(upstream)
    client.once("close", () => {
      sockets.delete(client)
      upstream.destroy()
    })
    upstream.once("close", () => {
      sockets.delete(upstream)
      // A stalled response keeps its client waiting (the stall decides when it ends); a drop or a clean end
      // already decided how the client's side ends.
      if (!stalled && !dropping && !upstreamEnded) client.destroy()
    })
    client.on("error", () => upstream.destroy())
    upstream.on("error", () => client.destroy())

    let pendingRequest = Buffer.alloc(0)
    let hung = false
    // The request whose response head is awaited, and the body fault it may get.
    let awaiting: { readonly record: RequestRecord; readonly rule: Rule | undefined } | null = null
    let pendingHead = Buffer.alloc(0)
    // The body fault of the response now streaming, and how many body bytes have passed.
    let body: { readonly rule: Rule; readonly fault: BodyFault; offset: number } | null = null
    let stalled = false
    let dropping = false
    let upstreamEnded = false
    const held: Array<Buffer> = []

    client.on("data", (chunk: Buffer) => {
      if (hung) return
      pendingRequest = Buffer.concat([pendingRequest, chunk])
      for (let end = pendingRequest.indexOf(HEAD_END); end >= 0; end = pendingRequest.indexOf(HEAD_END)) {
        const head = pendingRequest.subarray(0, end + HEAD_END.length)
        pendingRequest = pendingRequest.subarray(end + HEAD_END.length)
        const [method = "", requestTarget = ""] = head.toString("latin1").split("\r\n")[0]?.split(" ") ?? []
        const path = requestTarget.split("?")[0] ?? requestTarget
        const rule = ruleFor(method, path)
        if (rule !== undefined && rule.fault._tag === "Answer") {
          rule.left -= 1
          took(rule)
          seen.push({ method, path, status: rule.fault.status, answeredBy: "fault" })
          client.write(cannedResponse(method, rule.fault.status, rule.fault.headers ?? {}))
          continue
        }
        if (rule !== undefined && rule.fault._tag === "Hang") {
          rule.left -= 1
          took(rule)
          seen.push({ method, path, status: null, answeredBy: "fault" })
          hung = true
          return
        }
        const record: RequestRecord = { method, path, status: null, answeredBy: "upstream" }
        seen.push(record)
        awaiting = { record, rule }
        body = null
        if (rule !== undefined && rule.fault._tag === "Delay") {
          rule.left -= 1
          took(rule)
          // undici sends one request at a time per connection: nothing else is due here meanwhile.
          setTimeout(() => upstream.destroyed || upstream.write(head), rule.fault.ms)
        } else {
          upstream.write(head)
        }
      }
    })

    const forwardBody = (chunk: Buffer) => {
      if (stalled) {
        held.push(chunk)
        return
      }
      if (body === null) {
        client.write(chunk)
        return
      }
      const { rule, fault } = body
      const start = body.offset
      body.offset += chunk.length
      switch (fault._tag) {
        case "FlipByte": {
          if (fault.offset < start || fault.offset >= body.offset) return void client.write(chunk)
          const copy = Buffer.from(chunk)
          copy[fault.offset - start] = (copy[fault.offset - start] ?? 0) ^ 0xff
          took(rule)
          return void client.write(copy)
        }
        case "Drop": {
          if (body.offset <= fault.afterBytes) return void client.write(chunk)
          body = null
          dropping = true
          upstream.pause()
          // Only once the allowed bytes are flushed, so the receiver has them when the connection goes.
          client.write(chunk.subarray(0, fault.afterBytes - start), () => {
            upstream.destroy()
            if (fault.how === "reset") client.resetAndDestroy()
            else client.end()
            took(rule)
          })
          return
        }
        case "Stall": {
          if (body.offset <= fault.afterBytes) return void client.write(chunk)
          body = null
          client.write(chunk.subarray(0, fault.afterBytes - start))
          held.push(chunk.subarray(fault.afterBytes - start))
          stalled = true
          upstream.pause()
          const release = () => {
            stallReleases.delete(release)
            stalled = false
            if (client.destroyed) return
            for (const part of held.splice(0)) client.write(part)
            if (upstreamEnded) client.end()
            else upstream.resume()
          }
          stallReleases.add(release)
          client.once("close", () => stallReleases.delete(release))
          took(rule)
          return
        }
      }
    }

    upstream.on("data", (chunk: Buffer) => {
      if (awaiting === null) return forwardBody(chunk)
      pendingHead = Buffer.concat([pendingHead, chunk])
      const end = pendingHead.indexOf(HEAD_END)
      if (end < 0) return
      const head = pendingHead.subarray(0, end + HEAD_END.length)
      const rest = pendingHead.subarray(end + HEAD_END.length)
      pendingHead = Buffer.alloc(0)
      const status = Number(head.toString("latin1").split(" ")[1])
      const { record, rule } = awaiting
      awaiting = null
      record.status = status
      if (rule !== undefined && isBodyFault(rule.fault) && status === 200 && record.method === "GET" && rule.left > 0) {
        rule.left -= 1
        body = { rule, fault: rule.fault, offset: 0 }
      }
      client.write(head)
      if (rest.length > 0) forwardBody(rest)
    })
    upstream.on("end", () => {
      upstreamEnded = true
      if (!stalled) client.end()
    })
  }

  const server: Server = createServer(handle)
  const listen = (port: number) =>
    new Promise<number>((done, fail) => {
      server.once("error", fail)
      server.listen(port, "127.0.0.1", () => {
        server.off("error", fail)
        const address = server.address()
        if (typeof address !== "object" || address === null) return fail(new Error("the fault proxy has no TCP address"))
        done(address.port)
      })
    })
  const port = await listen(0)
  const goDown = () =>
    new Promise<void>((done) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => done())
    })

  return {
    url: `http://127.0.0.1:${port}`,
    inject: (match, fault, times = 1) => {
      const rule: Rule = { match, fault, left: times, applied: 0 }
      rules.push(rule)
      return {
        timesApplied: () => rule.applied,
        remove: () => {
          rule.left = 0
        }
      }
    },
    requests: (match) =>
      seen.filter((r) => match === undefined || matches(match, r.method, r.path)).map((r) => ({ ...r })),
    clearRequests: () => void seen.splice(0),
    releaseStalls: () => {
      for (const release of [...stallReleases]) release()
    },
    goDown,
    comeBack: async () => {
      await listen(port)
    },
    close: async () => {
      for (const release of [...stallReleases]) release()
      if (server.listening) await goDown()
    }
  }
}
