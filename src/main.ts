import { randomBytes } from "node:crypto"
import { join } from "node:path"
import { Data, Effect, Layer, Logger, LogLevel } from "effect"
import { ProjectorLive } from "./application/projectorLive.js"
import * as AesGcmSecretBox from "./adapters/crypto/AesGcmSecretBox.js"
import * as RandomTokenGenerator from "./adapters/crypto/RandomTokenGenerator.js"
import * as ScryptPasswordHasher from "./adapters/crypto/ScryptPasswordHasher.js"
import { type DataDirError, ensureDataDir, readOrCreateSecretFile, secureDataDir } from "./adapters/filesystem/dataDir.js"
import { migrate } from "./adapters/sql/migrate.js"
import * as SqlStore from "./adapters/sql/SqlStore.js"
import type { CommitSignal } from "./adapters/sql/CommitSignal.js"
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqlIdSequence from "./adapters/sql/SqlIdSequence.js"
import * as PostgresAdvisoryLeases from "./adapters/sql/PostgresAdvisoryLeases.js"
import * as SoleProcessLeases from "./adapters/memory/SoleProcessLeases.js"
import * as SoleProcessBreakerSignal from "./adapters/memory/SoleProcessBreakerSignal.js"
import { upstreamBreakersLayer } from "./application/upstream/UpstreamBreakers.js"
import type { Config } from "./config.js"
import type { EventStoreUnavailable } from "./application/ports/EventStore.js"
import type { BlobStoreError } from "./application/ports/BlobStore.js"
import { LiveViewLayer } from "./application/LiveView.js"
import { RegistrySettings } from "./application/auth/RegistrySettings.js"
import { signInThrottleLayer } from "./application/auth/SignInThrottle.js"
import * as JoseRegistryTokens from "./adapters/jwt/JoseRegistryTokens.js"
import { sealedKeyShelf } from "./adapters/jwt/sealedKeyShelf.js"
import { sealedSecrets } from "./adapters/sql/SealedSecrets.js"
import { SecretBox } from "./application/ports/SecretBox.js"
import type { JwtKeyRingError } from "./adapters/jwt/JwtKeyRing.js"
import { BlobDownloadsLayer } from "./application/cache/BlobDownloads.js"
import { PullThroughCacheLayer } from "./application/cache/PullThroughCache.js"
import * as FileBlobStore from "./adapters/filesystem/FileBlobStore.js"
import * as S3BlobStore from "./adapters/s3/S3BlobStore.js"
import { blobTransfers } from "./adapters/peers/blobTransfers.js"
import { peerKey } from "./adapters/peers/peerAuth.js"
import { instrumented } from "./adapters/upstream/instrumented.js"
import * as UndiciUpstreamRegistry from "./adapters/upstream/UndiciUpstreamRegistry.js"

/** Start-up failed for a reason outside the program (database unreachable, data directory not writable). */
export class StartupError extends Data.TaggedError("StartupError")<{ readonly message: string }> {}

const startupError = (what: string) => (cause: { readonly message: string }) =>
  new StartupError({ message: `${what}: ${cause.message}` })

/**
 * The event store on Postgres when `DATABASE_URL` is set, otherwise on embedded PGlite under DATA_DIR;
 * migrations run before anything reads or writes. Only the chosen engine's adapter is loaded (ADR 0010): `pg`
 * and PGlite's WASM each cost memory and start-up time a process on the other engine should not pay.
 */
export const storeLayer = (config: Config, role: Role = "server") => {
  const onClient = <E extends { readonly message: string }>(
    client: Layer.Layer<SqlClient.SqlClient, E>,
    signal: Layer.Layer<CommitSignal, E> | Layer.Layer<never>
  ) => {
    const migrated = Layer.effectDiscard(migrate).pipe(Layer.provideMerge(client))
    return Layer.mergeAll(SqlStore.layer, SqlIdSequence.layer).pipe(
      Layer.provide(ProjectorLive),
      Layer.provide(signal),
      Layer.provideMerge(migrated),
      Layer.provideMerge(ProjectorLive),
      Layer.mapError(startupError(config.databaseUrl === null ? "embedded database" : "database"))
    )
  }
  const { databaseUrl } = config
  if (databaseUrl === null) {
    // One process owns the embedded database: nobody else commits, nobody needs telling.
    return Layer.unwrapEffect(
      Effect.promise(() => import("./adapters/pglite/PgliteClient.js")).pipe(
        Effect.map((PgliteClient) =>
          onClient(PgliteClient.layer({ dataDir: join(config.dataDir, "pglite"), createIn: role === "server" ? "childProcess" : "thisProcess" }), Layer.empty))
      )
    )
  }
  return Layer.unwrapEffect(
    Effect.promise(() => Promise.all([import("./adapters/sql/PostgresClient.js"), import("./adapters/sql/PostgresCommitSignal.js")])).pipe(
      Effect.map(([{ pgLayer }, { PostgresCommitSignal }]) => {
        const client = pgLayer(databaseUrl)
        return onClient(client, PostgresCommitSignal.pipe(Layer.provide(client)))
      })
    )
  )
}

/** The key that seals Docker Hub secrets: ENCRYPTION_KEY, or one generated once into DATA_DIR. */
const secretBoxLayer = (config: Config) =>
  Layer.unwrapEffect(
    Effect.gen(function*() {
      if (config.encryptionKey !== null) return AesGcmSecretBox.layer([config.encryptionKey])
      const file = yield* readOrCreateSecretFile(join(config.dataDir, "encryption_key"), () => randomBytes(32).toString("hex"))
      return AesGcmSecretBox.layer([Buffer.from(file.value, "hex")])
    })
  )

const SESSION_KEY = "session-key"

/** The session key sealed in the database: the first replica to start stores one, every replica reads it back. */
const sealedSessionKey = Effect.gen(function*() {
  const secrets = yield* instanceSecrets
  yield* secrets.claim(SESSION_KEY, randomBytes(32).toString("hex"))
  const stored = (yield* secrets.list(SESSION_KEY)).find((secret) => secret.name === SESSION_KEY)
  if (stored === undefined || !/^(?:[0-9a-f]{2}){32,}$/i.test(stored.plaintext)) {
    return yield* new StartupError({ message: "session key: the database's instance secret session-key is missing or not hex" })
  }
  return Buffer.from(stored.plaintext, "hex")
}).pipe(Effect.mapError(startupError("session key")))

/**
 * Signs web UI session cookies. With DATABASE_URL and ENCRYPTION_KEY: sealed in the database (ADR 0024), so replicas that share only
 * Postgres accept each other's cookies; otherwise generated once into DATA_DIR (0600). Deleting it (the row or the
 * file) signs everyone out.
 */
export const sessionKey = (config: Config) =>
  secretsInDatabase(config) ? sealedSessionKey : sessionKeyFile(config)

const sessionKeyFile = (config: Config) => {
  const path = join(config.dataDir, "session_key")
  return ensureDataDir(config.dataDir).pipe(
    Effect.zipRight(readOrCreateSecretFile(path, () => randomBytes(32).toString("hex"))),
    Effect.mapError(startupError("session key")),
    Effect.filterOrFail(
      (file) => /^(?:[0-9a-f]{2}){32,}$/i.test(file.value),
      () => new StartupError({ message: `session key: ${path} must hold at least 64 hex digits` })
    ),
    Effect.map((file) => Buffer.from(file.value, "hex"))
  )
}

export const dataDirLayer = (config: Config) =>
  Layer.effectDiscard(ensureDataDir(config.dataDir).pipe(Effect.zipRight(secureDataDir(config.dataDir))))

/** How often a cache entry's last read is recorded at most: TTLs are days, an hour is precise enough. */
const CACHE_READ_INTERVAL_MS = 60 * 60 * 1000

/** How often a token's last use is recorded at most. */
const TOKEN_USE_INTERVAL_MS = 10 * 60 * 1000

/**
 * The upstream breakers (ADR 0012), told and hearing the other replicas' transitions through Postgres when
 * replicas can share the database; with embedded PGlite there is nobody else.
 */
const breakersLayer = (config: Config) =>
  upstreamBreakersLayer({
    failureThreshold: config.upstream.breakerFailures,
    cooldownMs: config.upstream.breakerCooldownMs,
    slowCallMs: config.upstream.breakerSlowCallMs
  }).pipe(Layer.provide(
    config.databaseUrl === null
      ? SoleProcessBreakerSignal.layer
      // Loaded only for Postgres, like its client: the embedded default never loads `pg`.
      : Layer.unwrapEffect(Effect.promise(() => import("./adapters/sql/PostgresBreakerSignal.js")).pipe(Effect.map((signal) => signal.layer)))
  ))

/**
 * Secrets every replica must share (JWT signing keys, the session key), sealed with ENCRYPTION_KEY in the
 * database when replicas can share one (ADR 0024): a replica then needs no shared DATA_DIR.
 */
const instanceSecrets = Effect.map(Effect.all([SqlClient.SqlClient, SecretBox]), ([sql, box]) => sealedSecrets(sql, box))

/**
 * Whether shared secrets live in the database: replicas share it, and ENCRYPTION_KEY is configured (a key generated
 * into one DATA_DIR could not open them on another replica). Required with S3 and Postgres (config.ts).
 */
const secretsInDatabase = (config: Config) => config.databaseUrl !== null && config.encryptionKey !== null

/**
 * Registry tokens signed with keys in the database (sealed) when `secretsInDatabase`, else under DATA_DIR/jwt-keys
 * as before.
 */
const registryTokensLayer = (config: Config) => {
  const options = { issuer: config.externalUrl, expirySeconds: config.jwtExpirySeconds }
  return !secretsInDatabase(config)
    ? JoseRegistryTokens.layer({ ...options, keys: join(config.dataDir, "jwt-keys") })
    : Layer.unwrapEffect(Effect.map(instanceSecrets, (secrets) => JoseRegistryTokens.layer({ ...options, keys: sealedKeyShelf(secrets) })))
}

/** The registry's side: JWT keys (ADR 0024), the in-memory auth view, sign-in throttling, content. */
export const registryLayer = (config: Config) =>
  Layer.mergeAll(
    registryTokensLayer(config),
    LiveViewLayer,
    signInThrottleLayer(),
    Layer.succeed(RegistrySettings, {
      instanceEnabled: config.dependencyProxyEnabled,
      tokenUseIntervalMs: TOKEN_USE_INTERVAL_MS,
      cacheReadIntervalMs: CACHE_READ_INTERVAL_MS,
      revalidationBudgetMs: config.upstream.revalidationBudgetMs,
      notFoundTtlMs: config.upstream.notFoundTtlMs
    }),
    breakersLayer(config)
  )

/**
 * Who does once-per-cluster work (a blob's transfer, the TTL job): Postgres advisory locks when replicas can
 * share the database; with embedded PGlite this process is the only one.
 */
const leasesLayer = (config: Config) => (config.databaseUrl === null ? SoleProcessLeases.layer : PostgresAdvisoryLeases.layer)

/**
 * The key replicas on S3 sign peer requests with (ADR 0025), when they can have peers: a shared database and
 * ENCRYPTION_KEY (required together with S3, config.ts). Null otherwise: no peer route, no peer reads.
 */
export const peerKeyOf = (config: Config): Buffer | null =>
  config.blobStorage.kind === "s3" && config.databaseUrl !== null && config.encryptionKey !== null ? peerKey(config.encryptionKey) : null

/**
 * Blob bytes under DATA_DIR/blobs, or in the S3 bucket configured (writes in progress spool under DATA_DIR/spool;
 * with peers, they are announced in the database and served to peers, ADR 0025).
 */
const blobStoreLayer = (config: Config) => {
  const storage = config.blobStorage
  if (storage.kind !== "s3") return FileBlobStore.layer(join(config.dataDir, "blobs"))
  const options = { ...storage, spoolDir: join(config.dataDir, "spool") }
  const key = peerKeyOf(config)
  return key === null
    ? S3BlobStore.layer(options)
    : Layer.unwrapEffect(Effect.map(SqlClient.SqlClient, (sql) => S3BlobStore.layer({ ...options, peers: { transfers: blobTransfers(sql, config.peerUrl), key } })))
}

/** The pull-through cache: blobs in the configured store, Docker Hub (or UPSTREAM_URL) through undici. */
export const cacheLayer = (config: Config) =>
  PullThroughCacheLayer.pipe(
    Layer.provide(BlobDownloadsLayer),
    Layer.provideMerge(leasesLayer(config)),
    Layer.provideMerge(blobStoreLayer(config)),
    Layer.provideMerge(instrumented(UndiciUpstreamRegistry.layer({ url: config.upstreamUrl })))
  )

const LOG_LEVELS: Record<Config["logLevel"], LogLevel.LogLevel> = {
  fatal: LogLevel.Fatal,
  error: LogLevel.Error,
  warn: LogLevel.Warning,
  info: LogLevel.Info,
  debug: LogLevel.Debug,
  trace: LogLevel.Trace
}

/**
 * The application's own log lines as JSON at LOG_LEVEL: on stdout beside Fastify's request log for `serve`,
 * on stderr for the CLI, whose stdout is its result.
 */
export const loggingLayer = (config: Config, to: "stdout" | "stderr") =>
  Layer.merge(
    to === "stdout" ? Logger.json : Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.jsonLogger)),
    Logger.minimumLogLevel(LOG_LEVELS[config.logLevel])
  )

/**
 * What the process is: `serve` (long-lived: logs on stdout beside Fastify's; a new embedded database is created
 * in a child process, so initdb's memory is not kept for the server's lifetime) or one CLI command (short-lived:
 * logs on stderr, its stdout is the result; the database is created in the process, which is quicker).
 */
export type Role = "server" | "command"

/** Everything the use cases need, chosen from the configuration. The composition root. */
export const appLayer = (config: Config, role: Role = "server") => {
  const core = Layer.mergeAll(
    storeLayer(config, role),
    secretBoxLayer(config),
    ScryptPasswordHasher.layer(),
    RandomTokenGenerator.layer
  )
  return cacheLayer(config).pipe(
    Layer.provideMerge(registryLayer(config)),
    Layer.provideMerge(core),
    Layer.provide(dataDirLayer(config)),
    // Merged, not provided: the runtime built from this layer keeps the logger for every later effect.
    Layer.merge(loggingLayer(config, role === "server" ? "stdout" : "stderr")),
    Layer.mapError((e: StartupError | DataDirError | JwtKeyRingError | EventStoreUnavailable | BlobStoreError) => new StartupError({ message: e.message }))
  )
}
