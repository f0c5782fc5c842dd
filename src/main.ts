import { randomBytes } from "node:crypto"
import { join } from "node:path"
import { Data, Effect, Layer } from "effect"
import { ProjectorLive } from "./application/projectorLive.js"
import * as AesGcmSecretBox from "./adapters/crypto/AesGcmSecretBox.js"
import * as RandomTokenGenerator from "./adapters/crypto/RandomTokenGenerator.js"
import * as ScryptPasswordHasher from "./adapters/crypto/ScryptPasswordHasher.js"
import { type DataDirError, ensureDataDir, readOrCreateSecretFile } from "./adapters/filesystem/dataDir.js"
import * as PgliteClient from "./adapters/pglite/PgliteClient.js"
import { migrate } from "./adapters/sql/migrate.js"
import { pgLayer } from "./adapters/sql/PostgresClient.js"
import * as SqlEventStore from "./adapters/sql/SqlEventStore.js"
import * as SqlIdSequence from "./adapters/sql/SqlIdSequence.js"
import type { Config } from "./config.js"
import type { EventStoreUnavailable } from "./application/ports/EventStore.js"
import { LiveViewLayer } from "./application/LiveView.js"
import { RegistrySettings } from "./application/auth/RegistrySettings.js"
import { signInThrottleLayer } from "./application/auth/SignInThrottle.js"
import * as JoseRegistryTokens from "./adapters/jwt/JoseRegistryTokens.js"
import type { JwtKeyRingError } from "./adapters/jwt/JwtKeyRing.js"
import * as MemoryImageContent from "./adapters/memory/MemoryImageContent.js"

/** Start-up failed for a reason outside the program (database unreachable, data directory not writable). */
export class StartupError extends Data.TaggedError("StartupError")<{ readonly message: string }> {}

const startupError = (what: string) => (cause: { readonly message: string }) =>
  new StartupError({ message: `${what}: ${cause.message}` })

/**
 * The event store on Postgres when `DATABASE_URL` is set, otherwise on embedded PGlite under DATA_DIR;
 * migrations run before anything reads or writes.
 */
export const storeLayer = (config: Config) => {
  const client = config.databaseUrl === null
    ? PgliteClient.layer({ dataDir: join(config.dataDir, "pglite") })
    : pgLayer(config.databaseUrl)
  const migrated = Layer.effectDiscard(migrate).pipe(Layer.provideMerge(client))
  return Layer.mergeAll(SqlEventStore.layer, SqlIdSequence.layer).pipe(
    Layer.provide(ProjectorLive),
    Layer.provideMerge(migrated),
    Layer.provideMerge(ProjectorLive),
    Layer.mapError(startupError(config.databaseUrl === null ? "embedded database" : "database"))
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

export const dataDirLayer = (config: Config) => Layer.effectDiscard(ensureDataDir(config.dataDir))

/** How often a token's last use is recorded at most. */
const TOKEN_USE_INTERVAL_MS = 10 * 60 * 1000

/** The registry's side: JWT keys under DATA_DIR, the in-memory auth view, sign-in throttling, content. */
export const registryLayer = (config: Config) =>
  Layer.mergeAll(
    JoseRegistryTokens.layer({
      keysDir: join(config.dataDir, "jwt-keys"),
      issuer: config.externalUrl,
      expirySeconds: config.jwtExpirySeconds
    }),
    LiveViewLayer,
    signInThrottleLayer(),
    Layer.succeed(RegistrySettings, { instanceEnabled: config.dependencyProxyEnabled, tokenUseIntervalMs: TOKEN_USE_INTERVAL_MS }),
    // Until the pull-through cache lands (issue 4), authorized pulls find nothing.
    MemoryImageContent.layer([])
  )

/** Everything the use cases need, chosen from the configuration. The composition root. */
export const appLayer = (config: Config) => {
  const core = Layer.mergeAll(
    storeLayer(config),
    secretBoxLayer(config),
    ScryptPasswordHasher.layer(),
    RandomTokenGenerator.layer
  )
  return registryLayer(config).pipe(
    Layer.provideMerge(core),
    Layer.provide(dataDirLayer(config)),
    Layer.mapError((e: StartupError | DataDirError | JwtKeyRingError | EventStoreUnavailable) => new StartupError({ message: e.message }))
  )
}
