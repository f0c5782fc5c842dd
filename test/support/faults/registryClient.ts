import { createHash } from "node:crypto"
import { MANIFEST_MEDIA_TYPES } from "../../../src/application/ports/UpstreamRegistry.js"
import { basic, scopeFor } from "../registryApp.js"

/**
 * How a response body ended for the client: all of it (hashed), cut off by the server, or still coming when
 * the test's own patience ran out (which a fault test must tell apart from a server that aborted).
 */
export type BodyOutcome =
  | { readonly _tag: "Complete"; readonly bytes: Buffer; readonly digest: string }
  | { readonly _tag: "Aborted"; readonly received: number; readonly error: string }
  | { readonly _tag: "TimedOut"; readonly received: number }

export interface Received {
  readonly status: number
  readonly headers: Headers
  readonly body: BodyOutcome
  /** From sending the request to the body's end. */
  readonly elapsedMs: number
}

const sha256 = (bytes: Uint8Array) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`

/** How long a test waits for one response before calling it hung. */
export const PATIENCE_MS = 30_000

/** Sends a request and reads the whole answer, never throwing for what the server did. */
export const receive = async (url: string, init: RequestInit = {}, patienceMs = PATIENCE_MS): Promise<Received> => {
  const started = Date.now()
  const patience = AbortSignal.timeout(patienceMs)
  const elapsed = () => Date.now() - started
  let response: Response
  try {
    response = await fetch(url, { ...init, signal: patience })
  } catch (error) {
    if (patience.aborted) return { status: 0, headers: new Headers(), body: { _tag: "TimedOut", received: 0 }, elapsedMs: elapsed() }
    throw error
  }
  const chunks: Array<Uint8Array> = []
  let received = 0
  try {
    for await (const chunk of response.body ?? []) {
      chunks.push(chunk)
      received += chunk.length
    }
  } catch (error) {
    const body: BodyOutcome = patience.aborted
      ? { _tag: "TimedOut", received }
      : { _tag: "Aborted", received, error: error instanceof Error ? `${error.message} ${String(error.cause)}` : String(error) }
    return { status: response.status, headers: response.headers, body, elapsedMs: elapsed() }
  }
  const bytes = Buffer.concat(chunks)
  return { status: response.status, headers: response.headers, body: { _tag: "Complete", bytes, digest: sha256(bytes) }, elapsedMs: elapsed() }
}

/** The sha256 of a complete body, or how the body ended instead (`Aborted`, `TimedOut`): one value to compare. */
export const bodyDigest = (received: Received): string => (received.body._tag === "Complete" ? received.body.digest : received.body._tag)

/** The OCI error codes of a complete JSON error body, e.g. `["UNAVAILABLE"]`. */
export const ociErrorCodes = (received: Received): ReadonlyArray<string> => {
  if (received.body._tag !== "Complete") return []
  const parsed: unknown = JSON.parse(received.body.bytes.toString("utf8"))
  if (typeof parsed !== "object" || parsed === null || !("errors" in parsed) || !Array.isArray(parsed.errors)) return []
  return parsed.errors.map((error: unknown) =>
    typeof error === "object" && error !== null && "code" in error && typeof error.code === "string" ? error.code : "?")
}

const jsonField = (received: Received, field: string): unknown => {
  if (received.body._tag !== "Complete") return undefined
  const parsed: unknown = JSON.parse(received.body.bytes.toString("utf8"))
  if (typeof parsed !== "object" || parsed === null) return undefined
  return Object.entries(parsed).find(([name]) => name === field)?.[1]
}

/** A string field of a complete JSON body (`token`, `access_token`), or undefined. */
export const jsonString = (received: Received, field: string): string | undefined => {
  const value = jsonField(received, field)
  return typeof value === "string" ? value : undefined
}

/** A number field of a complete JSON body (`id`), or undefined. */
export const jsonNumber = (received: Received, field: string): number | undefined => {
  const value = jsonField(received, field)
  return typeof value === "number" ? value : undefined
}

export interface PullClient {
  /** `/jwt/auth` for pulling one image, as Docker asks. */
  readonly auth: (group: string, image: string) => Promise<Received>
  /** Signs in, then GETs a manifest or blob with the token. */
  readonly pull: (group: string, image: string, kind: "manifests" | "blobs", reference: string, patienceMs?: number) => Promise<Received>
  /** Every registry token handed out so far: none may ever show up in a log. */
  readonly issuedTokens: () => ReadonlyArray<string>
}

/** A registry client signing in with a username and password, as `docker login` then `docker pull` would. */
export const pullClient = (baseUrl: string, username: string, password: string): PullClient => {
  const issued: Array<string> = []
  const auth = async (group: string, image: string) => {
    const query = new URLSearchParams({ service: "dependency_proxy", scope: scopeFor(group, image) })
    const received = await receive(`${baseUrl}/jwt/auth?${query}`, { headers: { authorization: basic(username, password) } })
    const token = received.status === 200 ? jsonString(received, "token") : undefined
    if (token !== undefined) issued.push(token)
    return received
  }
  return {
    auth,
    pull: async (group, image, kind, reference, patienceMs) => {
      const signedIn = await auth(group, image)
      if (signedIn.status !== 200) return signedIn
      const token = issued.at(-1) ?? ""
      return receive(`${baseUrl}/v2/${group}/dependency_proxy/containers/${image}/${kind}/${reference}`, {
        headers: { authorization: `Bearer ${token}`, accept: MANIFEST_MEDIA_TYPES.join(", ") }
      }, patienceMs)
    },
    issuedTokens: () => [...issued]
  }
}

/** A one-line account of a response, for assertion messages: status, and how the body ended. */
export const explain = (received: Received): string => {
  const body = received.body
  if (body._tag === "Complete") {
    const text = received.headers.get("content-type")?.includes("json") === true ? body.bytes.toString("utf8").slice(0, 300) : `${body.bytes.length} bytes, ${body.digest}`
    return `${received.status}: ${text}`
  }
  return body._tag === "Aborted" ? `${received.status}: aborted after ${body.received} bytes (${body.error})` : `${received.status}: still going after ${body.received} bytes`
}
