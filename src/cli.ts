import { Cause, Effect, Exit, ManagedRuntime, Option } from "effect"
import type { CommandServices, RegistryServices } from "./application/AppServices.js"
import { CommandMetadata } from "./application/CommandMetadata.js"
import { systemMetadata } from "./application/ports/EventStore.js"
import { userByUsername } from "./application/queries.js"
import { requireUserNamed } from "./application/resolve.js"
import { adminCommands } from "./adapters/cli/admin.js"
import { UsageError } from "./adapters/cli/args.js"
import { auditCommands, replayCommand } from "./adapters/cli/audit.js"
import { cleanupCommand, fsckCommand } from "./adapters/cli/fsck.js"
import { ciEnvCommand } from "./adapters/cli/ciEnv.js"
import { describeDomainError, isDomainError } from "./domain/errorMessages.js"
import { serve } from "./adapters/cli/serve.js"
import { parseConfig } from "./config.js"
import { appLayer } from "./main.js"

const USAGE = `usage: dependency-proxy <command>
  serve                         start the service (PORT, DATA_DIR, DATABASE_URL, … from the environment)
  migrate                       run database migrations
  admin <subcommand> [--as USER] create-user, block-user, unblock-user, set-two-factor, create-group,
                                add-member, change-member, remove-member, update-settings, create-token,
                                revoke-token, finish-job, start-sso-session, instance-settings
  replay                        rebuild the read models from the event log
  audit history --group PATH    settings changes of a group
  audit state --group PATH --at TIME|POSITION
  audit verify                  check hash chains and compare replayed read models with the live ones
  fsck [--repair]               check every cached file against its digest; --repair forgets bad entries
  cleanup                       expire cache entries past their group's TTL, delete unreferenced files
  ci-env --group PATH --user U  create a CI job token and print the CI_DEPENDENCY_PROXY_* variables`

const fail = (message: string, code: number): number => {
  process.stderr.write(`dependency-proxy: ${message}\n`)
  return code
}

/** Bad input (usage, refused by the domain) exits 2; trouble outside the program exits 1. */
const exitCodeFor = (error: unknown): number => {
  if (error instanceof UsageError) return fail(error.message, 2)
  if (isDomainError(error)) return fail(describeDomainError(error), 2)
  const message = typeof error === "object" && error !== null && "message" in error ? String(error.message) : String(error)
  return fail(message, 1)
}

type Command = (argv: ReadonlyArray<string>) => Effect.Effect<unknown, unknown, CommandServices | RegistryServices>

const pick = (argv: ReadonlyArray<string>, externalUrl: string): { command: Command; rest: ReadonlyArray<string> } | string => {
  const [name, sub, ...rest] = argv
  if (name === "admin") {
    const command = sub === undefined ? undefined : adminCommands[sub]
    return command === undefined ? `unknown admin subcommand ${sub ?? "(none)"}` : { command, rest }
  }
  if (name === "audit") {
    const command = sub === "history" ? auditCommands.history : sub === "state" ? auditCommands.state : sub === "verify" ? auditCommands.verify : undefined
    return command === undefined ? `unknown audit subcommand ${sub ?? "(none)"}` : { command, rest }
  }
  if (name === "replay") return { command: replayCommand, rest: argv.slice(1) }
  if (name === "ci-env") return { command: ciEnvCommand(externalUrl), rest: argv.slice(1) }
  if (name === "fsck") return { command: fsckCommand, rest: argv.slice(1) }
  if (name === "cleanup") return { command: cleanupCommand, rest: argv.slice(1) }
  // Building the runtime migrates the database (see `storeLayer`); by the time this runs, it is done.
  if (name === "migrate") return { command: () => Effect.succeed({ migrated: true }), rest: argv.slice(1) }
  return `unknown command ${name ?? "(none)"}\n${USAGE}`
}

/**
 * `--as USER` names the user the command acts as: recorded on its events and held to the same rules as that
 * user's requests. Without it the command acts as root; on a database root does not exist in yet (before the
 * first `serve`), as the operator who holds the database, like the bootstrap.
 */
const splitActor = (argv: ReadonlyArray<string>): { actor: string | null; rest: ReadonlyArray<string> } => {
  const i = argv.indexOf("--as")
  if (i === -1) return { actor: null, rest: argv }
  return { actor: argv[i + 1] ?? "", rest: [...argv.slice(0, i), ...argv.slice(i + 2)] }
}

const actingAs = (actor: string | null) =>
  actor === null
    ? userByUsername("root").pipe(Effect.map(Option.match({ onNone: () => "system:cli", onSome: (root) => `user:${root.userId}` })))
    : requireUserNamed(actor).pipe(Effect.map((user) => `user:${user.userId}`))

export const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  const config = parseConfig(process.env)
  if (config._tag === "Left") return fail(`invalid configuration: ${config.left.message}`, 2)
  if (argv[0] === "serve") return serve(config.right)
  if (argv[0] === undefined || argv[0] === "--help" || argv[0] === "help") {
    process.stdout.write(`${USAGE}\n`)
    return argv[0] === undefined ? 2 : 0
  }
  const picked = pick(argv, config.right.externalUrl)
  if (typeof picked === "string") return fail(picked, 2)
  const { actor, rest } = splitActor(picked.rest)
  const runtime = ManagedRuntime.make(appLayer(config.right, "stderr"))
  const program = actingAs(actor).pipe(
    Effect.flatMap((issuer) => picked.command(rest).pipe(Effect.provideService(CommandMetadata, systemMetadata(issuer))))
  )
  const exit = await runtime.runPromiseExit(program)
  await runtime.dispose()
  if (Exit.isSuccess(exit)) {
    process.stdout.write(`${JSON.stringify(exit.value, null, 2)}\n`)
    const failedAudit = typeof exit.value === "object" && exit.value !== null && "ok" in exit.value && exit.value.ok === false
    const fsckFound = typeof exit.value === "object" && exit.value !== null && "problems" in exit.value &&
      Array.isArray(exit.value.problems) && exit.value.problems.length > 0 && "repaired" in exit.value && exit.value.repaired === false
    return failedAudit || fsckFound ? 1 : 0
  }
  const failure = Cause.failureOption(exit.cause)
  return Option.isSome(failure) ? exitCodeFor(failure.value) : fail(Cause.pretty(exit.cause).split("\n")[0] ?? "defect", 1)
}

process.exitCode = await main(process.argv.slice(2))
