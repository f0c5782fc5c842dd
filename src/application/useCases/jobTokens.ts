import { Clock, Effect } from "effect"
import { mayMintJobToken } from "../../domain/auth/managementRules.js"
import { JOB_TOKEN_SCOPES } from "../../domain/token/TokenKind.js"
import { authorize, callerFor } from "../issuer.js"
import { issue, requireGroup } from "./tokenIssuance.js"

/** One hour, GitLab's default job timeout; the job's finish revokes it earlier. */
export const DEFAULT_JOB_TOKEN_LIFETIME_MS = 60 * 60 * 1000
/** A day: the longest a CI job runs. A job token is a credential of its user, so it must not outlive the job. */
export const MAX_JOB_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000

/**
 * A CI job token (SPEC §7): minted only by an administrator (the stand-in for the CI system) for an active
 * user with at least Developer in the group; it lives an hour unless told otherwise, at most a day, and
 * reaches only the tree of the group's top-level group (see `authorizePull`).
 */
export const createJobToken = (input: { readonly userId: number; readonly groupId: number; readonly expiresAt?: Date }) =>
  Effect.gen(function*() {
    const group = yield* requireGroup(input.groupId)
    const jobUser = yield* callerFor(input.userId)
    yield* authorize((caller) => mayMintJobToken(caller, jobUser, group))
    const now = yield* Clock.currentTimeMillis
    return yield* issue({
      kind: "job",
      name: `CI job token`,
      scopes: JOB_TOKEN_SCOPES,
      expiresAt: input.expiresAt ?? new Date(now + DEFAULT_JOB_TOKEN_LIFETIME_MS),
      maxLifetimeMs: MAX_JOB_TOKEN_LIFETIME_MS,
      userId: input.userId,
      groupId: input.groupId,
      username: null,
      accessLevel: null
    })
  })

