import type { Readable } from "node:stream"
import { Agent, request } from "undici"
import { outcomeOf, recordS3Answer, recordS3Request } from "./s3Metrics.js"
import { canonicalQuery, presignedQuery, type S3Credentials, sha256Hex, signedHeaders, UNSIGNED_PAYLOAD, uriEncode } from "./sigV4.js"

/** Where the bucket is and how to reach it (SPEC §8's `S3_*` variables). */
export interface S3Location extends S3Credentials {
  /** `http(s)://host[:port]`, no path. */
  readonly endpoint: string
  readonly bucket: string
  /** Path-style (`endpoint/bucket/key`) rather than virtual-hosted (`bucket.endpoint/key`) addressing. */
  readonly forcePathStyle: boolean
}

/** S3 answered with an error, or could not be reached. `status` is 0 when nothing was answered. */
export class S3Failure extends Error {
  constructor(readonly operation: string, readonly status: number, readonly code: string, detail: string) {
    super(`S3 ${operation}: ${status === 0 ? "" : `${status} `}${code}${detail === "" ? "" : ` (${detail})`}`)
  }
}

export interface S3Response {
  readonly status: number
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly body: Readable
}

export interface S3Request {
  readonly operation: string
  readonly method: "GET" | "HEAD" | "PUT" | "POST" | "DELETE"
  /** The object key, or null for the bucket itself. */
  readonly key: string | null
  readonly query?: ReadonlyArray<readonly [string, string]>
  readonly headers?: Readonly<Record<string, string>>
  /** None sends no body. */
  readonly body?: Uint8Array
  /**
   * The body's sha256 (hex) when the caller already knows it: S3 checks the body against it, at no cost here.
   * Without it, a small body is hashed and a large one (a multipart part) goes unsigned.
   */
  readonly payloadSha256?: string
}

const errorCodeOf = (xml: string): string => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1] ?? ""

/** One S3 bucket over undici: signed requests on a kept-alive connection pool. */
export interface S3Client {
  readonly location: S3Location
  /** Sends a signed request; statuses in `expected` come back, any other throws `S3Failure` (the body read for its code). */
  readonly send: (req: S3Request, expected: ReadonlyArray<number>) => Promise<S3Response>
  /** A GET of `key` anyone can make for `expiresSeconds`. */
  readonly presignGet: (key: string, expiresSeconds: number, now: Date) => string
  readonly close: () => Promise<void>
}

export const makeS3Client = (location: S3Location, options: { readonly timeoutMs: number }): S3Client => {
  const endpoint = new URL(location.endpoint)
  const host = location.forcePathStyle ? endpoint.host : `${location.bucket}.${endpoint.host}`
  const origin = `${endpoint.protocol}//${host}`
  const pathOf = (key: string | null) => {
    const bucketPart = location.forcePathStyle ? `/${uriEncode(location.bucket, false)}` : ""
    return key === null ? (bucketPart === "" ? "/" : bucketPart) : `${bucketPart}/${uriEncode(key, true)}`
  }
  const agent = new Agent({
    connections: 64,
    keepAliveTimeout: 30_000,
    connectTimeout: options.timeoutMs,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs
  })

  const send = async (req: S3Request, expected: ReadonlyArray<number>): Promise<S3Response> => {
    const path = pathOf(req.key)
    const query = req.query ?? []
    const payloadHash = req.payloadSha256 ?? (req.body === undefined
      ? sha256Hex("")
      : req.body.length > 1024 * 1024
      ? UNSIGNED_PAYLOAD // a part of several MiB: the whole blob's digest is checked before it becomes visible
      : sha256Hex(req.body))
    const headers = signedHeaders(location, {
      method: req.method,
      host,
      path,
      query,
      headers: req.headers ?? {},
      payloadHash
    }, new Date())
    const qs = canonicalQuery(query)
    const started = performance.now()
    const response = await request(`${origin}${path}${qs === "" ? "" : `?${qs}`}`, {
      method: req.method,
      headers: req.body === undefined ? headers : { ...headers, "content-length": String(req.body.length) },
      ...(req.body === undefined ? {} : { body: req.body }),
      dispatcher: agent
    }).catch((cause: unknown) => {
      recordS3Request(req.operation, "unreachable", performance.now() - started)
      throw new S3Failure(req.operation, 0, "Unreachable", cause instanceof Error ? cause.message : String(cause))
    })
    if (expected.includes(response.statusCode)) {
      recordS3Answer(req.operation, performance.now() - started, response.body)
      return { status: response.statusCode, headers: response.headers, body: response.body }
    }
    recordS3Request(req.operation, outcomeOf(response.statusCode, expected), performance.now() - started)
    const text = await response.body.text().catch(() => "")
    throw new S3Failure(req.operation, response.statusCode, errorCodeOf(text), "")
  }

  return {
    location,
    send,
    presignGet: (key, expiresSeconds, now) => `${origin}${pathOf(key)}?${presignedQuery(location, { host, path: pathOf(key) }, now, expiresSeconds)}`,
    close: () => agent.close()
  }
}

/** Reads a body to the end as text (error bodies, XML listings). */
export const textOf = (response: S3Response): Promise<string> => response.body.setEncoding("utf8").toArray().then((parts) => parts.join(""))

/** Drops a body we do not need, so its connection goes back to the pool. */
export const discard = (response: S3Response): Promise<void> => response.body.resume().toArray().then(() => undefined)
