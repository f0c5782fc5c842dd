import { execFile, execFileSync } from "node:child_process"
import { randomBytes, randomUUID } from "node:crypto"
import { resolve } from "node:path"
import type { S3Location } from "../../src/adapters/s3/S3Client.js"

/** Where the tests' radosgw keeps its cluster when no `S3_ENDPOINT` is given (scripts/radosgw). */
const RADOSGW_DIR = "/tmp/dependency-proxy-s3"
const START = resolve(import.meta.dirname, "../../scripts/radosgw/start.sh")

let started: Readonly<Record<string, string>> | null = null

/**
 * The S3 server the tests use: the one `S3_ENDPOINT` names (`.ci/run` starts radosgw and exports it), else a
 * radosgw this process starts with the repository's script (idempotent: a running one answers in under a
 * second). Never a skip: without S3 the tests that need it fail, saying why.
 */
const s3Env = (): Readonly<Record<string, string>> => {
  if (process.env["S3_ENDPOINT"] !== undefined && process.env["S3_ENDPOINT"] !== "") {
    const env: Record<string, string> = {}
    for (const name of ["S3_ENDPOINT", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_REGION", "S3_FORCE_PATH_STYLE"]) env[name] = process.env[name] ?? ""
    return env
  }
  if (started === null) {
    const output = execFileSync("bash", [START, RADOSGW_DIR], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 600_000 })
    started = envFrom(output)
  }
  return started
}

const STOP = resolve(import.meta.dirname, "../../scripts/radosgw/stop.sh")

const envFrom = (output: string): Readonly<Record<string, string>> =>
  Object.fromEntries(output.split("\n").flatMap((line) => {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim())
    return m === null ? [] : [[m[1] ?? "", m[2] ?? ""]]
  }))

/**
 * A radosgw of a test's own (its own cluster directory and ports), for a test that stops and restarts S3: the
 * shared one must keep serving the other tests. `start` is idempotent and returns once S3 answers.
 */
export const privateRadosgw = async (dir: string) => {
  const start = () =>
    new Promise<Readonly<Record<string, string>>>((done, fail) =>
      execFile("bash", [START, dir], { encoding: "utf8", timeout: 600_000 }, (error, stdout, stderr) =>
        error === null ? done(envFrom(stdout)) : fail(new Error(`radosgw start failed: ${stderr.slice(-2000)}`))))
  const run = (args: ReadonlyArray<string>) =>
    new Promise<void>((done, fail) =>
      execFile("bash", [STOP, dir, ...args], { encoding: "utf8", timeout: 300_000 }, (error, _stdout, stderr) =>
        error === null ? done() : fail(new Error(`radosgw stop failed: ${stderr.slice(-2000)}`))))
  const env = await start()
  return { env, start, stop: () => run([]), purge: () => run(["--purge"]) }
}

/** A location on the tests' S3 server with a bucket name of its own (created by the store on first use). */
export const freshS3Location = (prefix = "test", env: Readonly<Record<string, string>> = s3Env()): S3Location => {
  const need = (name: string) => {
    const v = env[name]
    if (v === undefined || v === "") throw new Error(`the tests' S3 server did not say ${name}`)
    return v
  }
  return {
    endpoint: need("S3_ENDPOINT"),
    accessKeyId: need("S3_ACCESS_KEY_ID"),
    secretAccessKey: need("S3_SECRET_ACCESS_KEY"),
    region: need("S3_REGION"),
    forcePathStyle: need("S3_FORCE_PATH_STYLE") === "true",
    bucket: `${prefix}-${randomUUID().slice(0, 18)}`
  }
}

/**
 * The `serve` environment that puts blobs in `location`'s bucket, with an ENCRYPTION_KEY of its own: replicas on
 * S3 and Postgres seal their shared keys with it (ADR 0024).
 */
export const s3ServeEnv = (location: S3Location): Record<string, string> => ({
  ENCRYPTION_KEY: randomBytes(32).toString("hex"),
  BLOB_STORAGE: "s3",
  S3_ENDPOINT: location.endpoint,
  S3_BUCKET: location.bucket,
  S3_REGION: location.region,
  S3_ACCESS_KEY_ID: location.accessKeyId,
  S3_SECRET_ACCESS_KEY: location.secretAccessKey,
  S3_FORCE_PATH_STYLE: String(location.forcePathStyle)
})
