import { Effect, Exit, Scope } from "effect"
import { freshDatabase } from "../postgres/postgresTestDatabase.js"
import { cli, json, type RunningServer, startServer } from "../processes.js"
import type { S3Location } from "../../../src/adapters/s3/S3Client.js"
import { s3ServeEnv } from "../s3.js"
import { startUpstream, type Upstream } from "../upstream/fixture.js"
import type { PushedImage } from "../upstream/images.js"
import { MiB, onlyLayer } from "./images.js"
import { pullClient, type PullClient, type Received } from "./registryClient.js"

export const S3_FAULT_GROUP = "team"

/**
 * `serve` on Postgres with blobs in the given bucket, a group, root's pull client and two single-layer images
 * upstream: `cached` (pull it before the fault) and `later` (first asked for during the fault). The S3 fault
 * tests (outage, slow) differ only in how they hurt S3.
 */
export interface S3FaultWorld {
  readonly server: RunningServer
  readonly env: Record<string, string>
  readonly root: PullClient
  readonly cached: PushedImage
  readonly later: PushedImage
  readonly stop: () => Promise<void>
}

export const startS3FaultWorld = async (location: S3Location, s3Timeout: string, rootPassword: string): Promise<S3FaultWorld> => {
  const database = Effect.runSync(Scope.make())
  let upstream: Upstream | undefined
  let server: RunningServer | undefined
  const stop = async () => {
    await server?.stop()
    await upstream?.stopAll()
    await Effect.runPromise(Scope.close(database, Exit.void))
  }
  try {
    const databaseUrl = await Effect.runPromise(Scope.extend(freshDatabase, database))
    upstream = await startUpstream()
    const cached = await upstream.images.largeLayer("library/cached", "1", 2 * MiB)
    const later = await upstream.images.largeLayer("library/later", "1", 3 * MiB)
    const env = {
      DATABASE_URL: databaseUrl,
      UPSTREAM_URL: upstream.url,
      INITIAL_ROOT_PASSWORD: rootPassword,
      ...s3ServeEnv(location),
      S3_TIMEOUT: s3Timeout
    }
    server = await startServer(env)
    json(await cli(["admin", "create-group", "--path", S3_FAULT_GROUP], env))
    return { server, env, root: pullClient(server.url, "root", rootPassword), cached, later, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/** What one of the load's clients asked for: the cached manifest, the cached blob, or the uncached blob. */
export type LoadRequest = "cached manifest" | "cached blob" | "uncached blob"

/** Six clients, two of each kind of request, each asking `rounds` times in a row while S3 is hurt. */
export const pullUnderLoad = async (world: S3FaultWorld, rounds: number, blobTimeoutMs?: number) => {
  const kinds: ReadonlyArray<LoadRequest> = ["cached manifest", "cached blob", "uncached blob"]
  const ask = (kind: LoadRequest) =>
    kind === "cached manifest"
      ? world.root.pull(S3_FAULT_GROUP, "cached", "manifests", "1")
      : kind === "cached blob"
      ? world.root.pull(S3_FAULT_GROUP, "cached", "blobs", onlyLayer(world.cached).digest, blobTimeoutMs)
      : world.root.pull(S3_FAULT_GROUP, "later", "blobs", onlyLayer(world.later).digest, blobTimeoutMs)
  return Promise.all(Array.from({ length: 6 }, async (_, client) => {
    const kind = kinds[client % 3] ?? "cached manifest"
    const seen: Array<Received> = []
    for (let i = 0; i < rounds; i += 1) seen.push(await ask(kind))
    return { kind, seen }
  }))
}
