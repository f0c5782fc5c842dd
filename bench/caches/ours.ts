import { randomUUID } from "node:crypto"
import { rm } from "node:fs/promises"
import { join } from "node:path"
import { cli, json, startServer, tempDir } from "../../test/support/processes.js"
import { scopeFor } from "../../test/support/registryApp.js"
import { freshS3Location, s3ServeEnv } from "../../test/support/s3.js"
import type { BlobStorageUnderTest } from "../config.js"
import type { Cleanups } from "../lib/cleanups.js"
import { serverProfiler } from "../profiling/profiler.js"
import type { CacheUnderTest } from "./CacheUnderTest.js"
import { temporaryDatabase } from "./database.js"

export const GROUP = "bench"

const PROFILER = join(import.meta.dirname, "../profiling/cpuProfilePreload.mjs")

/** Long enough that every tag pulled during the run stays fresh: SPEC §9's "upstream HEAD answered locally". */
const CHECK_INTERVAL_SECONDS = 24 * 60 * 60

const tokenOf = (created: unknown): string => {
  if (typeof created === "object" && created !== null && "token" in created && typeof created.token === "string") return created.token
  throw new Error(`create-token printed no token: ${JSON.stringify(created)}`)
}

/**
 * `dependency-proxy serve` as a real process on Postgres, with a group whose tags stay fresh and a personal
 * access token of root's, exchanged at `/jwt/auth` for a bearer token as Docker clients do.
 */
export const startOurs = async (
  upstreamUrl: string,
  cleanups: Cleanups,
  profileDir: string | null,
  /** How long a tag stays fresh; 0 asks upstream on every tag pull, as distribution does. */
  checkIntervalSeconds: number = CHECK_INTERVAL_SECONDS,
  /** Where blobs go: DATA_DIR, or a fresh bucket on the tests' S3 server (proxied, or redirected to it). */
  blobStorage: BlobStorageUnderTest = "filesystem"
): Promise<CacheUnderTest> => {
  const databaseUrl = await temporaryDatabase(cleanups)
  const dataDir = await tempDir("bench-ours-")
  cleanups.add("remove our data directory", () => rm(dataDir, { recursive: true, force: true }))
  const env = {
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    UPSTREAM_URL: upstreamUrl,
    INITIAL_ROOT_PASSWORD: randomUUID(),
    LOG_LEVEL: "warn",
    ...(blobStorage === "filesystem" ? {} : s3ServeEnv(freshS3Location("bench"))),
    ...(blobStorage === "s3-redirect" ? { S3_REDIRECT: "true" } : {})
  }
  // startServer picks the port and polls it, so EXTERNAL_URL keeps its default, http://localhost:<that port>:
  // the same loopback address, and only the token realm and JWT issuer are named after it.
  const profiling = profileDir === null ? {} : { NODE_OPTIONS: `--import ${PROFILER}`, BENCH_PROFILE_DIR: profileDir }
  const server = await startServer({ ...env, ...profiling })
  cleanups.add("stop our server", () => server.stop())
  const url = server.url
  const pid = server.process.pid
  if (pid === undefined) throw new Error("our server has no pid")

  json(await cli(["admin", "create-group", "--path", GROUP], env))
  json(await cli(["admin", "update-settings", "--group", GROUP, "--manifest-check-interval", String(checkIntervalSeconds)], env))
  const token = tokenOf(json(await cli(["admin", "create-token", "--kind", "personal", "--user", "root", "--scopes", "read_registry"], env)))
  const basic = `Basic ${Buffer.from(`root:${token}`).toString("base64")}`

  const profiler = profileDir === null ? null : serverProfiler(pid, profileDir)
  const repository = (image: string) => `${url}/v2/${GROUP}/dependency_proxy/containers/${image}`
  return {
    name: "ours",
    pid,
    manifestUrl: (image, reference) => `${repository(image)}/manifests/${reference}`,
    blobUrl: (image, digest) => `${repository(image)}/blobs/${digest}`,
    measuring: (label, measure) => (profiler === null ? measure() : profiler.around(label, measure)),
    authorization: async (image) => {
      const query = new URLSearchParams({ service: "dependency_proxy", scope: scopeFor(GROUP, image) })
      const response = await fetch(`${url}/jwt/auth?${query}`, { headers: { authorization: basic } })
      const body: unknown = await response.json()
      if (response.status !== 200 || typeof body !== "object" || body === null || !("token" in body) || typeof body.token !== "string") {
        throw new Error(`/jwt/auth answered ${response.status}: ${JSON.stringify(body)}`)
      }
      return `Bearer ${body.token}`
    }
  }
}
