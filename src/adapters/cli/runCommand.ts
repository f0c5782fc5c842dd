import { Cause, Effect, Exit, type Layer, ManagedRuntime, Option } from "effect"
import type { AppServices, CommandServices, RegistryServices } from "../../application/AppServices.js"
import { CommandMetadata } from "../../application/CommandMetadata.js"
import { systemMetadata } from "../../application/ports/EventStore.js"
import { userByUsername } from "../../application/queries.js"
import { requireUserNamed } from "../../application/resolve.js"
import { describeDomainError, isDomainError } from "../../domain/errorMessages.js"
import { adminCommands } from "./admin.js"
import { UsageError } from "./args.js"
import { auditCommands, replayCommand } from "./audit.js"
import { ciEnvCommand } from "./ciEnv.js"
import { cleanupCommand, fsckCommand } from "./fsck.js"
import { fail, USAGE } from "./usage.js"

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

/** A result that reports trouble it found (a failed audit, fsck problems left unrepaired) exits 1. */
const foundTrouble = (value: unknown): boolean => {
  if (typeof value !== "object" || value === null) return false
  const failedAudit = "ok" in value && value.ok === false
  const fsckFound = "problems" in value && Array.isArray(value.problems) && value.problems.length > 0 &&
    "repaired" in value && value.repaired === false
  return failedAudit || fsckFound
}

/**
 * Every command but `serve`: one runtime built from `layer` (the composition root's, given by the entry point),
 * the command run on it with the actor's metadata, the result printed as JSON, the runtime disposed.
 */
export const runCommand = async (
  argv: ReadonlyArray<string>,
  externalUrl: string,
  layer: Layer.Layer<AppServices | RegistryServices, { readonly message: string }>
): Promise<number> => {
  const picked = pick(argv, externalUrl)
  if (typeof picked === "string") return fail(picked, 2)
  const { actor, rest } = splitActor(picked.rest)
  const runtime = ManagedRuntime.make(layer)
  const program = actingAs(actor).pipe(
    Effect.flatMap((issuer) => picked.command(rest).pipe(Effect.provideService(CommandMetadata, systemMetadata(issuer))))
  )
  const exit = await runtime.runPromiseExit(program)
  await runtime.dispose()
  if (Exit.isSuccess(exit)) {
    process.stdout.write(`${JSON.stringify(exit.value, null, 2)}\n`)
    return foundTrouble(exit.value) ? 1 : 0
  }
  const failure = Cause.failureOption(exit.cause)
  return Option.isSome(failure) ? exitCodeFor(failure.value) : fail(Cause.pretty(exit.cause).split("\n")[0] ?? "defect", 1)
}
