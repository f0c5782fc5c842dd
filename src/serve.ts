import { chmod, writeFile } from "node:fs/promises"
import { randomBytes } from "node:crypto"
import { join } from "node:path"
import { Effect, Layer, ManagedRuntime } from "effect"
import type { AppServices, RegistryServices } from "./application/AppServices.js"
import type { ClusterLeases } from "./application/ports/ClusterLeases.js"
import { bootstrapRoot } from "./application/useCases/bootstrap.js"
import { CommandMetadata } from "./application/CommandMetadata.js"
import { systemMetadata } from "./application/ports/EventStore.js"
import type { Config } from "./config.js"
import { cleanupScheduleLayer } from "./application/cache/cleanupSchedule.js"
import { buildServer } from "./httpServer.js"
import { releaseYoungGeneration } from "./adapters/cli/startupHeap.js"
import { exitIfHeld, shutDown } from "./adapters/cli/shutdown.js"
import type { StartingServer } from "./adapters/http/startingServer.js"
import { firstStartNotice, type RootPasswordSource } from "./adapters/cli/firstStartNotice.js"

/**
 * The root password when INITIAL_ROOT_PASSWORD is not set: generated, and written once (mode 0600) where
 * the administrator can read it.
 */
const rootPasswordFile = (dataDir: string): string => join(dataDir, "initial_root_password")

const generatedRootPassword = (dataDir: string) =>
  Effect.promise(async () => {
    const password = randomBytes(18).toString("base64url")
    const file = rootPasswordFile(dataDir)
    await writeFile(file, `${password}\n`, { mode: 0o600 })
    await chmod(file, 0o600)
    return password
  })

/** What `serve` runs on, from the composition root (`main.ts`): the services, and the UI's session key. */
export interface ServeWith<E, R> {
  readonly services: Layer.Layer<AppServices | RegistryServices | ClusterLeases | NoInfer<R>, E>
  /** Read through the services: with DATABASE_URL it is sealed in the database (ADR 0024). */
  readonly sessionKey: Effect.Effect<Buffer, { readonly message: string }, R>
  /** Signs requests between replicas on S3 for transfers in progress (ADR 0025); none without peers. */
  readonly peerKey?: Buffer | null
}

/**
 * Starts the service on `server`, which already answers `/-/health`: database and migrations, root bootstrap,
 * then the routes take the server over. Stops on SIGTERM or SIGINT, within SHUTDOWN_TIMEOUT (adapters/cli/shutdown.ts).
 */
export const serve = async <E, R>(config: Config, server: StartingServer, using: ServeWith<E, R>): Promise<number> => {
  // Start-up errors surface in the bootstrap below, before the routes take the server over.
  const runtime = ManagedRuntime.make(
    cleanupScheduleLayer(config.cleanupIntervalSeconds * 1000).pipe(Layer.provideMerge(using.services), Layer.orDie)
  )
  const bootstrap = await runtime.runPromiseExit(
    bootstrapRoot(
      config.initialRootPassword === null ? generatedRootPassword(config.dataDir) : Effect.succeed(config.initialRootPassword)
    ).pipe(Effect.provideService(CommandMetadata, systemMetadata("system:bootstrap")))
  )
  if (bootstrap._tag === "Failure") {
    await Promise.all([runtime.dispose(), closed(server)])
    process.stderr.write(`dependency-proxy: cannot start: ${describeCause(bootstrap.cause)}\n`)
    return 1
  }
  const key = await runtime.runPromiseExit(using.sessionKey)
  if (key._tag === "Failure") {
    await Promise.all([runtime.dispose(), closed(server)])
    process.stderr.write(`dependency-proxy: cannot start: ${describeCause(key.cause)}\n`)
    return 1
  }
  const app = buildServer(runtime, {
    dataDir: config.dataDir,
    logLevel: config.logLevel,
    externalUrl: config.externalUrl,
    sessionKey: key.value,
    server,
    peerKey: using.peerKey ?? null,
    trustedProxies: config.trustedProxies
  })
  if (bootstrap.value.created) {
    const source: RootPasswordSource = config.initialRootPassword === null ? { _tag: "File", path: rootPasswordFile(config.dataDir) } : { _tag: "Environment" }
    app.log.info({ userId: bootstrap.value.userId }, firstStartNotice(config.externalUrl, source))
  }
  await app.listen({ port: config.port, host: config.host })
  releaseYoungGeneration()
  const theProcess = { log: app.log, openResources: () => process.getActiveResourcesInfo(), exit: (code: number) => process.exit(code) }
  const code = await new Promise<number>((resolve) => {
    const stop = (signal: string) => void shutDown(signal, {
      ...theProcess,
      close: () => app.close(),
      cutOff: () => app.server.closeAllConnections(),
      timeoutMs: config.shutdownTimeoutSeconds * 1000
    }).then(resolve)
    process.once("SIGTERM", () => stop("SIGTERM"))
    process.once("SIGINT", () => stop("SIGINT"))
  })
  exitIfHeld(code, theProcess)
  return code
}

const closed = (server: StartingServer) => new Promise<void>((done) => server.close(() => done()))

const describeCause = (cause: unknown): string => {
  const text = String(cause)
  return text.split("\n")[0] ?? text
}
