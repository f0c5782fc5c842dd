import { Clock, Effect, Option } from "effect"
import type { Caller, Verdict } from "../domain/auth/managementRules.js"
import { NotAllowed, UserNotFound } from "../domain/errors.js"
import { membershipEnded } from "../domain/group/memberExpiry.js"
import { CommandMetadata } from "./CommandMetadata.js"
import { allMemberships, userById } from "./queries.js"

/**
 * Who issues a command, read from its metadata (the actor every event it appends records), so that the one
 * authorized is by construction the one the audit trail names:
 * - `user:<id>`: a user, held to the management rules;
 * - `system:<purpose>`: the service itself (bootstrap, scheduled cleanup), which only composition code sets.
 * Anything else (no actor: an anonymous request) may not issue a guarded command.
 */
export type Issuer = { readonly _tag: "System" } | { readonly _tag: "User"; readonly caller: Caller }

/** A user as the management rules see them, read from the read models (authoritative, not a cached view). */
export const callerFor = (userId: number) =>
  Effect.gen(function*() {
    const user = yield* userById(userId)
    if (Option.isNone(user)) return yield* new UserNotFound({ user: String(userId) })
    const now = yield* Clock.currentTimeMillis
    // An expired membership grants nothing, here as on the live view (ADR 0022).
    const active = (yield* allMemberships).filter((m) => m.userId === userId && !membershipEnded(m.expiresAt, now))
    const memberships = new Map(active.map((m) => [m.groupId, m.accessLevel]))
    return { userId, admin: user.value.admin, blocked: user.value.blocked, memberships } satisfies Caller
  })

export const currentIssuer = Effect.gen(function*() {
  const { actor } = yield* CommandMetadata
  if (actor?.startsWith("system:") === true) return { _tag: "System" } satisfies Issuer
  const userId = /^user:(\d+)$/.exec(actor ?? "")?.[1]
  if (userId === undefined) return yield* new NotAllowed({ reason: "sign in first" })
  const caller = yield* callerFor(Number(userId)).pipe(
    Effect.catchTag("UserNotFound", () => Effect.fail(new NotAllowed({ reason: "the acting user no longer exists" })))
  )
  return { _tag: "User", caller } satisfies Issuer
})

export const requireAllowed = (verdict: Verdict): Effect.Effect<void, NotAllowed> =>
  verdict._tag === "Allowed" ? Effect.void : Effect.fail(new NotAllowed({ reason: verdict.reason }))

/** Runs the rule for the command's issuer; the service itself is trusted. */
export const authorize = (rule: (caller: Caller) => Verdict) =>
  currentIssuer.pipe(Effect.flatMap((issuer) => (issuer._tag === "System" ? Effect.void : requireAllowed(rule(issuer.caller)))))
