import { Effect, Option } from "effect"
import { groupStateAt, type LogMoment } from "../../application/audit/stateAt.js"
import { settingsHistory } from "../../application/audit/settingsHistory.js"
import { verify } from "../../application/audit/verify.js"
import { ReadModels } from "../../application/ports/ReadModels.js"
import { requireGroupAt } from "../../application/resolve.js"
import { GroupNotFound } from "../../domain/errors.js"
import { parseFlags, requireString, UsageError } from "./args.js"

/** `--at` is a global position (digits) or an ISO time. */
const moment = (value: string): Effect.Effect<LogMoment, UsageError> => {
  if (/^\d+$/.test(value)) return Effect.succeed({ _tag: "Position", position: Number(value) })
  const at = new Date(value)
  return Number.isNaN(at.getTime())
    ? Effect.fail(new UsageError({ message: `--at must be a log position or an ISO time (got ${value})` }))
    : Effect.succeed({ _tag: "Time", at })
}

export const auditCommands = {
  history: (argv: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      const f = yield* parseFlags(argv, { group: "string" })
      const group = yield* requireGroupAt(yield* requireString(f, "group"))
      return yield* settingsHistory(group.groupId)
    }),
  state: (argv: ReadonlyArray<string>) =>
    Effect.gen(function*() {
      const f = yield* parseFlags(argv, { group: "string", at: "string" })
      const path = yield* requireString(f, "group")
      const at = yield* moment(yield* requireString(f, "at"))
      const state = yield* groupStateAt(path, at)
      return yield* Option.match(state, {
        onNone: () => Effect.fail(new GroupNotFound({ group: path })),
        onSome: Effect.succeed
      })
    }),
  verify: (argv: ReadonlyArray<string>) =>
    parseFlags(argv, {}).pipe(Effect.zipRight(verify))
}

/** `replay [--verify]`: `--verify` re-checks every stored payload instead of trusting what append validated. */
export const replayCommand = (argv: ReadonlyArray<string>) =>
  parseFlags(argv, { verify: "boolean" }).pipe(
    Effect.flatMap((flags) => ReadModels.pipe(Effect.flatMap((models) => models.rebuild({ verify: flags["verify"] === true }))))
  )
