import { createHash } from "node:crypto"
import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Either, Layer, Logger, LogLevel, ManagedRuntime } from "effect"
import type { FastifyInstance } from "fastify"
import { LiveViewLayer } from "../../src/application/LiveView.js"
import { RegistrySettings } from "../../src/application/auth/RegistrySettings.js"
import { type SignInThrottlePolicy, signInThrottleLayer } from "../../src/application/auth/SignInThrottle.js"
import type { AppServices, RegistryServices } from "../../src/application/AppServices.js"
import type { ImageContent } from "../../src/application/ports/ImageContent.js"
import type { BlobStore } from "../../src/application/ports/BlobStore.js"
import * as MemoryBlobStore from "../../src/adapters/memory/MemoryBlobStore.js"
import { CommandMetadata } from "../../src/application/CommandMetadata.js"
import { systemMetadata } from "../../src/application/ports/EventStore.js"
import { buildServer } from "../../src/httpServer.js"
import * as JoseRegistryTokens from "../../src/adapters/jwt/JoseRegistryTokens.js"
import * as MemoryImageContent from "../../src/adapters/memory/MemoryImageContent.js"
import * as SoleProcessBreakerSignal from "../../src/adapters/memory/SoleProcessBreakerSignal.js"
import { upstreamBreakersLayer } from "../../src/application/upstream/UpstreamBreakers.js"
import type { BreakerSignal } from "../../src/application/ports/BreakerSignal.js"
import { parseConfig } from "../../src/config.js"
import type { UpstreamResilience } from "../../src/config/upstreamResilience.js"
import { memoryApp, SETUP_ACTOR } from "./testApp.js"

/** What production runs with when nothing is configured. */
export const DEFAULT_RESILIENCE: UpstreamResilience = Either.getOrThrow(parseConfig({})).upstream

export const EXTERNAL_URL = "http://registry.test:5000"

/** A tiny image: one layer, one config, one Docker v2 manifest that names them. */
export const sampleImage = (image: string, tag: string) => {
  const layer = Buffer.from(`layer of ${image}:${tag}`)
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }))
  const digest = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: { mediaType: "application/vnd.docker.container.image.v1+json", size: config.length, digest: digest(config) },
    layers: [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", size: layer.length, digest: digest(layer) }]
  })
  return {
    image,
    tag,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    manifest,
    blobs: [layer, config],
    manifestDigest: digest(Buffer.from(manifest)),
    layerDigest: digest(layer)
  }
}

export interface RegistryHarness {
  readonly app: FastifyInstance
  readonly runtime: ManagedRuntime.ManagedRuntime<AppServices | RegistryServices | CommandMetadata, never>
  /** Runs a use case (setting up users, groups, tokens) as the test's set-up (`SETUP_ACTOR`). */
  readonly run: <A, E>(effect: Effect.Effect<A, E, AppServices | RegistryServices | CommandMetadata>) => Promise<A>
  readonly close: () => Promise<void>
}

/**
 * The registry routes over Fastify on the in-memory application, real JWT keys in a temp dir, and images
 * from the memory content adapter. `instanceEnabled` is the DEPENDENCY_PROXY_ENABLED switch.
 */
export const registryHarness = async (options: {
  readonly images?: ReadonlyArray<MemoryImageContent.SeededImage>
  readonly instanceEnabled?: boolean
  readonly throttle?: Partial<SignInThrottlePolicy>
  readonly expirySeconds?: number
  /** The URL clients are sent to for tokens; a real listener's address for real clients. */
  readonly externalUrl?: string
  /** Where pulls get content; by default the memory stand-in seeded with `images`. */
  readonly content?: Layer.Layer<ImageContent, never, Exclude<AppServices | RegistryServices, ImageContent>>
  /** The blob store; in memory unless a test needs files. */
  readonly blobStore?: Layer.Layer<BlobStore>
  /** Collects every log line (Fastify's and the application's, at trace level) instead of discarding them. */
  readonly logSink?: Array<string>
  /** The upstream breaker, revalidation budget and remembered 404s; production's defaults when absent. */
  readonly resilience?: Partial<UpstreamResilience>
  /** How the breakers hear other replicas; nobody else by default. */
  readonly breakerSignal?: Layer.Layer<BreakerSignal>
  /** `TRUSTED_PROXIES`; none by default. */
  readonly trustedProxies?: ReadonlyArray<string>
} = {}): Promise<RegistryHarness> => {
  const externalUrl = options.externalUrl ?? EXTERNAL_URL
  const resilience = { ...DEFAULT_RESILIENCE, ...options.resilience }
  const keysDir = join(await mkdtemp(join(tmpdir(), "dp-jwt-")), "keys")
  const base = memoryApp().pipe(Layer.merge(options.blobStore ?? MemoryBlobStore.layer))
  const registry = Layer.mergeAll(
    JoseRegistryTokens.layer({ keys: keysDir, issuer: externalUrl, expirySeconds: options.expirySeconds ?? 900 }),
    LiveViewLayer,
    signInThrottleLayer(options.throttle),
    Layer.succeed(RegistrySettings, {
      instanceEnabled: options.instanceEnabled ?? true,
      tokenUseIntervalMs: 60_000,
      cacheReadIntervalMs: 60_000,
      revalidationBudgetMs: resilience.revalidationBudgetMs,
      notFoundTtlMs: resilience.notFoundTtlMs
    }),
    upstreamBreakersLayer({
      failureThreshold: resilience.breakerFailures,
      cooldownMs: resilience.breakerCooldownMs,
      slowCallMs: resilience.breakerSlowCallMs
    }).pipe(Layer.provide(options.breakerSignal ?? SoleProcessBreakerSignal.layer))
  )
  const content = options.content ?? MemoryImageContent.layer(options.images ?? [sampleImage("alpine", "3.19")])
  const sink = options.logSink
  const logging = sink === undefined
    ? Layer.empty
    : Layer.merge(
      Logger.replace(Logger.defaultLogger, Logger.map(Logger.jsonLogger, (line) => void sink.push(line))),
      Logger.minimumLogLevel(LogLevel.All)
    )
  const runtime = ManagedRuntime.make(content.pipe(Layer.provideMerge(registry), Layer.provideMerge(base), Layer.merge(logging), Layer.orDie))
  const trustedProxies = options.trustedProxies ?? []
  const app = buildServer(runtime, sink === undefined
    ? { dataDir: tmpdir(), logLevel: "fatal", externalUrl, trustedProxies }
    : { dataDir: tmpdir(), logLevel: "trace", externalUrl, trustedProxies, logStream: { write: (line) => void sink.push(line) } })
  await app.ready()
  return {
    app,
    runtime,
    run: (effect) => runtime.runPromise(effect.pipe(Effect.provideService(CommandMetadata, systemMetadata(SETUP_ACTOR)))),
    close: () => app.close()
  }
}

export const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`

export const scopeFor = (groupPath: string, image: string) => `repository:${groupPath}/dependency_proxy/containers/${image}:pull`

/** `/jwt/auth` as Docker calls it; the token, or the whole response when it is refused. */
export const requestToken = async (app: FastifyInstance, username: string, password: string, scopes: ReadonlyArray<string>) => {
  const query = new URLSearchParams([["service", "dependency_proxy"], ...scopes.map((s) => ["scope", s] as [string, string])])
  return app.inject({ method: "GET", url: `/jwt/auth?${query}`, headers: { authorization: basic(username, password) } })
}

export const manifestPath = (groupPath: string, image: string, reference: string) =>
  `/v2/${groupPath}/dependency_proxy/containers/${image}/manifests/${reference}`

/** The whole Docker dance for one manifest: token for the repository, then the manifest with it. */
export const pullManifest = async (app: FastifyInstance, username: string, password: string, groupPath: string, image: string, reference: string) => {
  const tokenResponse = await requestToken(app, username, password, [scopeFor(groupPath, image)])
  if (tokenResponse.statusCode !== 200) return tokenResponse
  const { token } = tokenResponse.json<{ token: string }>()
  return app.inject({ method: "GET", url: manifestPath(groupPath, image, reference), headers: { authorization: `Bearer ${token}` } })
}
