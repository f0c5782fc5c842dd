import { chmod, writeFile } from "node:fs/promises"
import { randomBytes } from "node:crypto"
import { join } from "node:path"
import { Effect, Layer, ManagedRuntime } from "effect"
import { bootstrapRoot } from "../../application/useCases/bootstrap.js"
import { CommandMetadata } from "../../application/CommandMetadata.js"
import { systemMetadata } from "../../application/ports/EventStore.js"
import type { Config } from "../../config.js"
import { cleanupScheduleLayer } from "../../application/cache/cleanupSchedule.js"
import { appLayer, sessionKey } from "../../main.js"
import { buildServer } from "../http/server.js"
import { releaseYoungGeneration } from "./startupHeap.js"
import type { StartingServer } from "../http/startingServer.js"

/**
 * The root password when INITIAL_ROOT_PASSWORD is not set: generated, and written once (mode 0600) where
 * the administrator can read it.
 */
const generatedRootPassword = (dataDir: string) =>
  Effect.promise(async () => {
    const password = randomBytes(18).toString("base64url")
    const file = join(dataDir, "initial_root_password")
    await writeFile(file, `${password}\n`, { mode: 0o600 })
    await chmod(file, 0o600)
    return password
  })

/**
 * Starts the service on `server`, which already answers `/-/health`: database and migrations, root bootstrap,
 * then the routes take the server over. Stops on SIGTERM or SIGINT.
 */
export const serve = async (config: Config, server: StartingServer): Promise<number> => {
  // Start-up errors surface in the bootstrap below, before anything listens; requests never meet them.
  const runtime = ManagedRuntime.make(
    cleanupScheduleLayer(config.cleanupIntervalSeconds * 1000).pipe(Layer.provideMerge(appLayer(config)), Layer.orDie)
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
  const key = await runtime.runPromiseExit(sessionKey(config))
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
    server
  })
  if (bootstrap.value.created) app.log.info({ userId: bootstrap.value.userId }, "created the root user")
  await app.listen({ port: config.port, host: config.host })
  releaseYoungGeneration()
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      app.log.info({ signal }, "shutting down")
      void app.close().then(resolve)
    }
    process.once("SIGTERM", () => stop("SIGTERM"))
    process.once("SIGINT", () => stop("SIGINT"))
  })
  return 0
}

const closed = (server: StartingServer) => new Promise<void>((done) => server.close(() => done()))

const describeCause = (cause: unknown): string => {
  const text = String(cause)
  return text.split("\n")[0] ?? text
}
