import { fail, USAGE } from "./adapters/cli/usage.js"

/**
 * The entry point. Each command imports what it needs when it runs (ADR 0010): `--help` loads nothing,
 * `serve` loads the HTTP edge, the other commands the database and the use cases but no HTTP framework.
 */
export const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  if (argv[0] === undefined || argv[0] === "--help" || argv[0] === "help") {
    process.stdout.write(`${USAGE}\n`)
    return argv[0] === undefined ? 2 : 0
  }
  const { parseConfig } = await import("./config.js")
  const config = parseConfig(process.env)
  if (config._tag === "Left") return fail(`invalid configuration: ${config.left.message}`, 2)
  if (argv[0] === "serve") {
    // Listening before the rest loads: `/-/health` answers while the database starts (SPEC §9).
    const [{ StartingServer }, { holdYoungGeneration }] = await Promise.all([
      import("./adapters/http/startingServer.js"),
      import("./adapters/cli/startupHeap.js")
    ])
    holdYoungGeneration()
    const { port, host } = config.right
    const server = await StartingServer.listenOn(port, host).catch((error: unknown) => error instanceof Error ? error : new Error(String(error)))
    if (server instanceof Error) return fail(`cannot listen on ${host}:${port}: ${server.message}`, 1)
    const [{ serve }, { appLayer }, { sessionKey }, { peerKeyOf }] = await Promise.all([
      import("./serve.js"),
      import("./main.js"),
      import("./composition/secrets.js"),
      import("./composition/blobStoreLayer.js")
    ])
    return serve(config.right, server, { services: appLayer(config.right, "server"), sessionKey: sessionKey(config.right), peerKey: peerKeyOf(config.right) })
  }
  const [{ runCommand }, { appLayer }] = await Promise.all([import("./adapters/cli/runCommand.js"), import("./main.js")])
  return runCommand(argv, config.right.externalUrl, appLayer(config.right, "command"))
}

process.exitCode = await main(process.argv.slice(2))
