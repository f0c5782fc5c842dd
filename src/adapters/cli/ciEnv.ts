import { Effect } from "effect"
import { requireGroupAt, requireUserNamed } from "../../application/resolve.js"
import { createJobToken } from "../../application/useCases/jobTokens.js"
import { ciVariables } from "../../domain/registry/imagePrefix.js"
import { parseFlags, requireString } from "./args.js"

/**
 * `dependency-proxy ci-env --group PATH --user USER`: issues a job token for the user in the group and prints
 * the variables a CI job gets (SPEC §7), ready for `export`.
 */
export const ciEnvCommand = (externalUrl: string) => (argv: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const f = yield* parseFlags(argv, { group: "string", user: "string" })
    const group = yield* requireGroupAt(yield* requireString(f, "group"))
    const user = yield* requireUserNamed(yield* requireString(f, "user"))
    const issued = yield* createJobToken({ userId: user.userId, groupId: group.groupId })
    return { job_token_id: issued.tokenId, variables: ciVariables(externalUrl, issued.token, group) }
  })
