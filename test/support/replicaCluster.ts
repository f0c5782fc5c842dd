import { createHash } from "node:crypto"
import { readdir } from "node:fs/promises"
import { join } from "node:path"
import { Effect, type Scope } from "effect"
import { cli, json, type RunningServer, startServer, tempDir } from "./processes.js"
import type { Upstream } from "./upstream/fixture.js"
import { waitUntil } from "./waitUntil.js"

/** The user and group every replica test pulls as. */
export const PULLER = { username: "alice", password: "alice-password", group: "team" } as const

export interface ReplicaCluster {
  /** What every replica of this cluster is started with: one database, one data directory, one address. */
  readonly env: Readonly<Record<string, string>>
  /** The first replica's DATA_DIR (and the one every replica shares unless `ownDataDirs`). */
  readonly dataDir: string
  /** Every DATA_DIR a replica was started with so far. */
  readonly dataDirs: ReadonlyArray<string>
  /** The replica started first: it migrated the database and bootstrapped root. */
  readonly first: RunningServer
  /** Another `dependency-proxy serve` with the cluster's environment, stopped (SIGTERM) when the scope closes. */
  readonly startReplica: Effect.Effect<RunningServer, never, Scope.Scope>
  readonly admin: (...args: Array<string>) => Effect.Effect<unknown>
  /** `Authorization` for pulling `image` of the group, signed in at `replica`. */
  readonly bearer: (replica: RunningServer, image: string) => Effect.Effect<{ readonly authorization: string }>
  readonly blobUrl: (replica: RunningServer, image: string, digest: string) => string
  /** Whether the verified blob file is in the shared store (not a partial one). */
  readonly stored: (digest: string) => Effect.Effect<boolean>
  /** Waits until `digest` is stored: clients have their last byte before the fsync and rename (ADR 0011). */
  readonly storedSoon: (digest: string) => Effect.Effect<boolean>
}

/**
 * Replicas of the production `serve` on one Postgres database and one data directory, in front of `upstream`,
 * with a user who owns a group. Replicas sit behind one address: they share EXTERNAL_URL, the JWT issuer.
 */
export const replicaCluster = (
  databaseUrl: string,
  upstream: Pick<Upstream, "url"> | null,
  /** More configuration for every replica (the breaker's, say). */
  extraEnv: Readonly<Record<string, string>> = {},
  /** Each replica on a DATA_DIR of its own, as replicas on S3 run (ADR 0024): they share only Postgres and the bucket. */
  ownDataDirs = false
): Effect.Effect<ReplicaCluster, never, Scope.Scope> =>
  Effect.gen(function*() {
    const dataDir = yield* Effect.promise(() => tempDir("dp-replicas-"))
    const env: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      EXTERNAL_URL: "http://registry.test:5000",
      INITIAL_ROOT_PASSWORD: "root-password",
      ...(upstream === null ? {} : { UPSTREAM_URL: upstream.url }),
      ...extraEnv
    }
    const admin = (...args: Array<string>) => Effect.promise(() => cli(["admin", ...args], env)).pipe(Effect.map(json))
    const dataDirs = [dataDir]
    let replicas = 0
    // The first replica takes `dataDir`; with `ownDataDirs` every later one gets a new directory.
    const replicaEnv = Effect.promise(async () => {
      if (!ownDataDirs || replicas++ === 0) return env
      const own = await tempDir("dp-replica-")
      dataDirs.push(own)
      return { ...env, DATA_DIR: own }
    })
    const startReplica = Effect.acquireRelease(
      Effect.flatMap(replicaEnv, (e) => Effect.promise(() => startServer(e))),
      (s) => Effect.promise(() => s.stop())
    )
    // The first replica migrates and bootstraps root; users and groups are made through the CLI after that.
    const first = yield* startReplica
    yield* admin("create-user", "--username", PULLER.username, "--email", "a@example.com", "--password", PULLER.password)
    yield* admin("create-group", "--path", PULLER.group, "--owner", PULLER.username)
    return {
      env,
      dataDir,
      dataDirs,
      first,
      startReplica,
      admin,
      bearer: (replica, image) =>
        Effect.promise(async () => {
          const query = new URLSearchParams({ service: "dependency_proxy", scope: `repository:${PULLER.group}/dependency_proxy/containers/${image}:pull` })
          const basic = Buffer.from(`${PULLER.username}:${PULLER.password}`).toString("base64")
          const response = await fetch(`${replica.url}/jwt/auth?${query}`, { headers: { authorization: `Basic ${basic}` } })
          if (response.status !== 200) throw new Error(`sign-in at ${replica.url} answered ${response.status}: ${await response.text()}`)
          return { authorization: `Bearer ${((await response.json()) as { token: string }).token}` }
        }),
      blobUrl: (replica, image, digest) => `${replica.url}/v2/${PULLER.group}/dependency_proxy/containers/${image}/blobs/${digest}`,
      stored: (digest) =>
        Effect.promise(async () => {
          const hex = digest.slice("sha256:".length)
          const names: ReadonlyArray<string> = await readdir(join(dataDir, "blobs", "sha256", hex.slice(0, 2))).catch(() => [])
          return names.includes(hex)
        }),
      storedSoon: (digest) =>
        Effect.promise(() =>
          waitUntil(async () => (await readdir(join(dataDir, "blobs", "sha256", digest.slice(7, 9))).catch((): ReadonlyArray<string> => [])).includes(digest.slice(7)), 5_000, 50, `${digest} stored`)
            .then(() => true, () => false)
        )
    } satisfies ReplicaCluster
  })

/** How a client's pull of a blob ended: the status, the bytes received and their digest. */
export interface BlobPull {
  readonly status: number
  readonly bytes: number
  readonly digest: string
  /** True when the connection broke before the body ended. */
  readonly aborted: boolean
}

/**
 * GETs a blob and hashes what arrives. `onBytes` sees the running count after every chunk (to act mid-body);
 * a broken connection ends the pull as `aborted` rather than failing it.
 */
export const pullBlob = (url: string, headers: Readonly<Record<string, string>>, onBytes: (received: number) => void = () => undefined) =>
  Effect.promise(async (): Promise<BlobPull> => {
    const hash = createHash("sha256")
    let bytes = 0
    let status = 0
    let aborted = false
    try {
      const response = await fetch(url, { headers })
      status = response.status
      const reader = response.body?.getReader()
      while (reader !== undefined) {
        const next = await reader.read()
        if (next.done) break
        hash.update(next.value)
        bytes += next.value.length
        onBytes(bytes)
      }
    } catch {
      // The connection broke (the replica died): recorded, not thrown, so the test can say what it expects.
      aborted = true
    }
    return { status, bytes, digest: `sha256:${hash.digest("hex")}`, aborted }
  })
