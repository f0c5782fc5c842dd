import { Effect, Layer } from "effect"
import * as RandomTokenGenerator from "./adapters/crypto/RandomTokenGenerator.js"
import * as ScryptPasswordHasher from "./adapters/crypto/ScryptPasswordHasher.js"
import { type DataDirError, ensureDataDir, secureDataDir } from "./adapters/filesystem/dataDir.js"
import type { JwtKeyRingError } from "./adapters/jwt/JwtKeyRing.js"
import * as SoleProcessBreakerSignal from "./adapters/memory/SoleProcessBreakerSignal.js"
import * as SoleProcessLeases from "./adapters/memory/SoleProcessLeases.js"
import * as PostgresAdvisoryLeases from "./adapters/sql/PostgresAdvisoryLeases.js"
import { instrumented } from "./adapters/upstream/instrumented.js"
import * as UndiciUpstreamRegistry from "./adapters/upstream/UndiciUpstreamRegistry.js"
import { RegistrySettings } from "./application/auth/RegistrySettings.js"
import { signInThrottleLayer } from "./application/auth/SignInThrottle.js"
import { BlobDownloadsLayer } from "./application/cache/BlobDownloads.js"
import { PullThroughCacheLayer } from "./application/cache/PullThroughCache.js"
import { LiveViewLayer } from "./application/LiveView.js"
import type { BlobStoreError } from "./application/ports/BlobStore.js"
import type { EventStoreUnavailable } from "./application/ports/EventStore.js"
import { upstreamBreakersLayer } from "./application/upstream/UpstreamBreakers.js"
import { blobStoreLayer } from "./composition/blobStoreLayer.js"
import { loggingLayer } from "./composition/logging.js"
import { registryTokensLayer, secretBoxLayer } from "./composition/secrets.js"
import { StartupError } from "./composition/startupError.js"
import { type Role, storeLayer } from "./composition/storeLayer.js"
import type { Config } from "./config.js"

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

/** The pull-through cache: blobs in the configured store, Docker Hub (or UPSTREAM_URL) through undici. */
export const cacheLayer = (config: Config) =>
  PullThroughCacheLayer.pipe(
    Layer.provide(BlobDownloadsLayer),
    Layer.provideMerge(leasesLayer(config)),
    Layer.provideMerge(blobStoreLayer(config)),
    Layer.provideMerge(instrumented(UndiciUpstreamRegistry.layer({ url: config.upstreamUrl })))
  )

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
