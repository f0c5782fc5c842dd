import { Effect } from "effect"
import type { CommandServices, RegistryServices } from "../../application/AppServices.js"
import { AccessLevels, type AccessLevel } from "../../domain/AccessLevel.js"
import { UsageError } from "./args.js"

/**
 * One `dependency-proxy admin <subcommand>`: its flags in, a JSON-printable result out. The registry's services
 * are there too, as for `cleanup`: a group's deletion purges its cache before the command ends.
 */
export type Subcommand = (argv: ReadonlyArray<string>) => Effect.Effect<unknown, unknown, CommandServices | RegistryServices>

const levelNames: Record<string, AccessLevel> = AccessLevels

/** `guest`…`owner` or 10…50. */
export const accessLevel = (value: string): Effect.Effect<AccessLevel, UsageError> => {
  const level = levelNames[value.toLowerCase()] ?? Object.values(AccessLevels).find((l) => String(l) === value)
  return level === undefined
    ? Effect.fail(new UsageError({ message: `access level must be guest, reporter, developer, maintainer, owner or 10–50 (got ${value})` }))
    : Effect.succeed(level)
}

