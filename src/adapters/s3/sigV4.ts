import { createHash, createHmac } from "node:crypto"

/**
 * AWS Signature Version 4 for S3 (path-style), as the S3 API documents it: the few lines a signed request needs,
 * instead of an SDK of several megabytes loaded into every replica (ADR 0017).
 */
export interface S3Credentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly region: string
}

/** The payload hash S3 accepts for a body it should not hash (streamed parts, bodiless requests use the empty hash). */
export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"

export const sha256Hex = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex")

const hmac = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data).digest()

/** RFC 3986 percent-encoding as SigV4 wants it: everything but `A-Za-z0-9-_.~` (and `/` in paths). */
export const uriEncode = (value: string, keepSlash: boolean): string =>
  Array.from(new TextEncoder().encode(value), (byte) => {
    const c = String.fromCharCode(byte)
    return /[A-Za-z0-9\-_.~]/.test(c) || (keepSlash && c === "/") ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`
  }).join("")

/** `key=value&…`, sorted by key then value, both encoded: the canonical query and the wire query in one. */
export const canonicalQuery = (query: ReadonlyArray<readonly [string, string]>): string =>
  query
    .map(([k, v]) => [uriEncode(k, false), uriEncode(v, false)] as const)
    .sort(([ak, av], [bk, bv]) => (ak === bk ? (av < bv ? -1 : av > bv ? 1 : 0) : ak < bk ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&")

/** `20261205T201500Z` and `20261205`. */
const stamps = (now: Date) => {
  const amzDate = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "")
  return { amzDate, day: amzDate.slice(0, 8) }
}

const signingKey = (credentials: S3Credentials, day: string): Buffer =>
  hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), credentials.region), "s3"), "aws4_request")

export interface RequestToSign {
  readonly method: string
  readonly host: string
  /** Already the encoded path (`/bucket/key`). */
  readonly path: string
  readonly query: ReadonlyArray<readonly [string, string]>
  /** Extra headers to sign (lower-case names); `host`, `x-amz-date` and `x-amz-content-sha256` are added. */
  readonly headers: Readonly<Record<string, string>>
  readonly payloadHash: string
}

const signature = (credentials: S3Credentials, day: string, amzDate: string, canonicalRequest: string) => {
  const scope = `${day}/${credentials.region}/s3/aws4_request`
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonicalRequest)].join("\n")
  return { scope, signature: createHmac("sha256", signingKey(credentials, day)).update(stringToSign).digest("hex") }
}

/** The headers that authenticate `request` (to send along with the request's own). */
export const signedHeaders = (credentials: S3Credentials, request: RequestToSign, now: Date): Record<string, string> => {
  const { amzDate, day } = stamps(now)
  const headers: Record<string, string> = {
    ...request.headers,
    host: request.host,
    "x-amz-content-sha256": request.payloadHash,
    "x-amz-date": amzDate
  }
  const names = Object.keys(headers).sort()
  const canonicalRequest = [
    request.method,
    request.path,
    canonicalQuery(request.query),
    names.map((n) => `${n}:${(headers[n] ?? "").trim()}\n`).join(""),
    names.join(";"),
    request.payloadHash
  ].join("\n")
  const signed = signature(credentials, day, amzDate, canonicalRequest)
  const { host: _host, ...rest } = headers
  return {
    ...rest,
    authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${signed.scope}, SignedHeaders=${names.join(";")}, Signature=${signed.signature}`
  }
}

/** A pre-signed GET: the query string that lets anyone holding it read `path` until `expiresSeconds` pass. */
export const presignedQuery = (
  credentials: S3Credentials,
  request: { readonly host: string; readonly path: string },
  now: Date,
  expiresSeconds: number
): string => {
  const { amzDate, day } = stamps(now)
  const query: Array<readonly [string, string]> = [
    ["X-Amz-Algorithm", "AWS4-HMAC-SHA256"],
    ["X-Amz-Credential", `${credentials.accessKeyId}/${day}/${credentials.region}/s3/aws4_request`],
    ["X-Amz-Date", amzDate],
    ["X-Amz-Expires", String(expiresSeconds)],
    ["X-Amz-SignedHeaders", "host"]
  ]
  const canonicalRequest = ["GET", request.path, canonicalQuery(query), `host:${request.host}\n`, "host", UNSIGNED_PAYLOAD].join("\n")
  const signed = signature(credentials, day, amzDate, canonicalRequest)
  return `${canonicalQuery(query)}&X-Amz-Signature=${signed.signature}`
}
