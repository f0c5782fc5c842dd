import { randomUUID } from "node:crypto"
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http"
import { SignJWT } from "jose"
import type { SigningCertificate } from "./certificate.js"
import { type AccessPolicy, type Authentication, type GrantedAccess, authenticate, grant, parseScope } from "./tokenPolicy.js"

export interface TokenRequestRecord {
  readonly method: string
  readonly path: string
  readonly service: string | null
  readonly scopes: ReadonlyArray<string>
  /** The Basic user, whether or not the password was right; null when anonymous. */
  readonly username: string | null
  readonly status: number
  readonly granted: ReadonlyArray<GrantedAccess>
}

export interface TokenServer {
  readonly url: string
  /** What the registry's challenge names as `realm`. */
  readonly realm: string
  readonly port: number
  /** Every request served while running, including refused and malformed ones. */
  readonly requests: () => ReadonlyArray<TokenRequestRecord>
  readonly requestCount: () => number
  /** Replaces the policy for later requests, e.g. to revoke a user mid-test. */
  readonly setPolicy: (policy: AccessPolicy) => void
  readonly isRunning: () => boolean
  /**
   * From now on, requests are held unanswered (connections stay open), as from a token endpoint that hangs;
   * `release` answers the held ones whose clients still wait, and every later one.
   */
  readonly hang: () => { readonly held: () => number; readonly release: () => void }
  /** Closes the listener and drops kept-alive connections, so clients see "connection refused". */
  readonly stop: () => Promise<void>
  /** Listens again on the same port. */
  readonly start: () => Promise<void>
}

export interface TokenServerOptions {
  readonly policy: AccessPolicy
  readonly certificate: SigningCertificate
  readonly issuer: string
  readonly ttlSeconds?: number
}

const parseBasic = (header: string | undefined): { username: string; password: string } | "malformed" | undefined => {
  if (header === undefined) return undefined
  const match = /^Basic\s+(\S+)$/i.exec(header)
  if (match?.[1] === undefined) return "malformed"
  const decoded = Buffer.from(match[1], "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  if (colon < 0) return "malformed"
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

/**
 * Clients may ask for one repository twice (skopeo repeats a scope it already holds); answer one claim
 * per name, as Docker Hub does.
 */
const mergeGrants = (grants: ReadonlyArray<GrantedAccess>): ReadonlyArray<GrantedAccess> => {
  const byName = new Map<string, GrantedAccess>()
  for (const granted of grants) {
    const seen = byName.get(granted.name)
    byName.set(granted.name, seen === undefined ? granted : { ...seen, actions: [...new Set([...seen.actions, ...granted.actions])] })
  }
  return [...byName.values()]
}

const sendJson = (response: ServerResponse, status: number, body: unknown): void => {
  response.writeHead(status, { "content-type": "application/json" })
  response.end(JSON.stringify(body))
}

/** A stand-in for auth.docker.io: `GET /token?service=…&scope=…` with optional Basic, answering an ES256 JWT. */
export const startTokenServer = async (options: TokenServerOptions): Promise<TokenServer> => {
  let policy = options.policy
  const ttl = options.ttlSeconds ?? 300
  const records: Array<TokenRequestRecord> = []

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? "/", "http://token.test")
    const service = url.searchParams.get("service")
    // OAuth clients may put several scopes into one parameter, space-separated; Docker clients repeat it.
    const scopes = url.searchParams.getAll("scope").flatMap((scope) => scope.split(" ")).filter((scope) => scope !== "")
    const basic = parseBasic(request.headers.authorization)
    const record = (status: number, granted: ReadonlyArray<GrantedAccess>): void => {
      records.push({ method: request.method ?? "", path: url.pathname, service, scopes, username: typeof basic === "object" ? basic.username : null, status, granted })
    }
    if (request.method !== "GET" || url.pathname !== "/token") {
      record(404, [])
      return sendJson(response, 404, { details: "not found" })
    }
    if (service === null) {
      record(400, [])
      return sendJson(response, 400, { details: "service is required" })
    }
    const who: Authentication = basic === "malformed" ? { _tag: "Rejected" } : authenticate(policy, basic)
    if (who._tag === "Rejected") {
      record(401, [])
      return sendJson(response, 401, { details: "incorrect username or password" })
    }
    const user = who._tag === "User" ? who.username : null
    const access = mergeGrants(
      scopes.flatMap((scope) => {
        const parsed = parseScope(scope)
        const granted = parsed === undefined ? undefined : grant(policy, user, parsed)
        return granted === undefined ? [] : [granted]
      })
    )
    const now = Math.floor(Date.now() / 1000)
    const token = await new SignJWT({ access })
      .setProtectedHeader({ alg: "ES256", typ: "JWT", x5c: [options.certificate.x5c] })
      .setIssuer(options.issuer)
      .setAudience(service)
      .setSubject(user ?? "")
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + ttl)
      .setJti(randomUUID())
      .sign(options.certificate.privateKey)
    record(200, access)
    sendJson(response, 200, { token, access_token: token, expires_in: ttl, issued_at: new Date(now * 1000).toISOString() })
  }

  const listen = (server: Server, port: number): Promise<number> =>
    new Promise((done, fail) => {
      server.once("error", fail)
      server.listen(port, "127.0.0.1", () => {
        server.off("error", fail)
        const address = server.address()
        if (typeof address !== "object" || address === null) return fail(new Error("token server has no TCP address"))
        done(address.port)
      })
    })

  // Requests held while hanging, each to be answered on release.
  let held: Array<() => void> | null = null
  let heldCount = 0

  const newServer = (): Server =>
    createServer((request, response) => {
      if (held !== null) {
        heldCount += 1
        held.push(() => answer(request, response))
        return
      }
      answer(request, response)
    })

  const answer = (request: IncomingMessage, response: ServerResponse): void => {
    if (response.destroyed) return
    handle(request, response).catch((error: unknown) => {
        // A signing failure is a fixture bug: answer 500 so the client fails, and keep it visible in the records.
        records.push({ method: request.method ?? "", path: request.url ?? "", service: null, scopes: [], username: null, status: 500, granted: [] })
        sendJson(response, 500, { details: String(error) })
      })
  }

  let server: Server | null = newServer()
  const port = await listen(server, 0)
  const url = `http://127.0.0.1:${port}`

  return {
    url,
    realm: `${url}/token`,
    port,
    requests: () => [...records],
    requestCount: () => records.length,
    setPolicy: (next) => {
      policy = next
    },
    isRunning: () => server !== null,
    hang: () => {
      held ??= []
      heldCount = 0
      return {
        held: () => heldCount,
        release: () => {
          const waiting = held ?? []
          held = null
          for (const resume of waiting) resume()
        }
      }
    },
    stop: async () => {
      const running = server
      if (running === null) return
      server = null
      await new Promise<void>((done, fail) => {
        running.close((error) => (error === undefined ? done() : fail(error)))
        running.closeAllConnections()
      })
    },
    start: async () => {
      if (server !== null) return
      const fresh = newServer()
      await listen(fresh, port)
      server = fresh
    }
  }
}

/** Asks a token server for a bearer token the way a Docker client does, for tests that talk HTTP directly. */
export const fetchToken = async (
  realm: string,
  request: { readonly service: string; readonly scopes: ReadonlyArray<string>; readonly basic?: { readonly username: string; readonly password: string } }
): Promise<string> => {
  const url = new URL(realm)
  url.searchParams.set("service", request.service)
  for (const scope of request.scopes) url.searchParams.append("scope", scope)
  const headers: Record<string, string> =
    request.basic === undefined ? {} : { authorization: `Basic ${Buffer.from(`${request.basic.username}:${request.basic.password}`).toString("base64")}` }
  const response = await fetch(url, { headers })
  const body: unknown = await response.json()
  if (!response.ok || typeof body !== "object" || body === null || !("token" in body) || typeof body.token !== "string") {
    throw new Error(`token request to ${url.href} failed with ${response.status}: ${JSON.stringify(body)}`)
  }
  return body.token
}
