// Subpath imports: the entry point reads the configuration before anything else of Effect is loaded.
import * as Either from "effect/Either"
import { bool, duration, type Env, invalid, type Parsed, required, url, value } from "./envValues.js"

export type BlobStorage =
  | { readonly kind: "filesystem" }
  | {
    readonly kind: "s3"
    readonly endpoint: string
    readonly bucket: string
    readonly region: string
    readonly accessKeyId: string
    readonly secretAccessKey: string
    readonly forcePathStyle: boolean
    /** Per-request timeout towards S3. */
    readonly timeoutMs: number
    /** Cache hits answered with a pre-signed GET redirect (307) instead of proxied bytes (S3_REDIRECT). */
    readonly redirect: boolean
  }

/** S3's bucket naming rules: 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending alphanumeric. */
const bucketName = (env: Env): Parsed<string> =>
  Either.flatMap(required(env, "S3_BUCKET", "when BLOB_STORAGE=s3"), (raw) =>
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(raw) ? Either.right(raw) : invalid("S3_BUCKET", "must be an S3 bucket name (3–63 of a-z 0-9 . -)", raw))

export const blobStorage = (env: Env): Parsed<BlobStorage> =>
  Either.gen(function*() {
    const kind = (value(env, "BLOB_STORAGE") ?? "filesystem").toLowerCase()
    if (kind === "filesystem") return { kind: "filesystem" } as const
    if (kind !== "s3") return yield* invalid("BLOB_STORAGE", "must be filesystem or s3", kind)
    const when = "when BLOB_STORAGE=s3"
    yield* required(env, "S3_ENDPOINT", when)
    return {
      kind: "s3",
      endpoint: yield* url(env, "S3_ENDPOINT", ""),
      bucket: yield* bucketName(env),
      region: value(env, "S3_REGION") ?? "us-east-1",
      accessKeyId: yield* required(env, "S3_ACCESS_KEY_ID", when),
      // Never echoed: a secret.
      secretAccessKey: yield* required(env, "S3_SECRET_ACCESS_KEY", when),
      forcePathStyle: yield* bool(env, "S3_FORCE_PATH_STYLE", false),
      timeoutMs: yield* duration(env, "S3_TIMEOUT", 30_000, 1_000, 600_000, "1s to 10m, like 30s"),
      redirect: yield* bool(env, "S3_REDIRECT", false)
    } as const
  })

