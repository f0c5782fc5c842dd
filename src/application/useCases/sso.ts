import { Clock, Effect, Either, Option } from "effect"
import { SsoDecider } from "../../domain/sso/SsoSession.js"
import { NotTopLevelGroup, UserNotFound } from "../../domain/errors.js"
import { mayAdministerInstance } from "../../domain/auth/managementRules.js"
import { authorize } from "../issuer.js"
import { userById } from "../queries.js"
import { SsoStream, streamId } from "../../domain/streams.js"
import { decision, handleCommand } from "../commandHandler.js"
import { loadGroup } from "./groups.js"

/** A SAML session lasts a day unless the identity provider says otherwise, as GitLab's default. */
export const DEFAULT_SSO_SESSION_MS = 24 * 60 * 60 * 1000

const ssoStreamId = (userId: number, groupId: number) => streamId("sso", `${userId}-${groupId}`)

/**
 * SAML sessions stand in for the identity provider (our addition): an administrator's, or the service's (the
 * admin CLI), checked here as well as at the REST route (ADR 0014).
 */
export const startSsoSession = (input: { readonly userId: number; readonly groupId: number; readonly expiresAt: Date | null }) =>
  Effect.gen(function*() {
    yield* authorize(mayAdministerInstance)
    if (Option.isNone(yield* userById(input.userId))) return yield* Effect.fail(new UserNotFound({ user: String(input.userId) }))
    const group = yield* loadGroup(input.groupId)
    if (group.parentId !== null) return yield* Effect.fail(new NotTopLevelGroup({ groupId: group.groupId }))
    const now = new Date(yield* Clock.currentTimeMillis)
    const expiresAt = input.expiresAt ?? new Date(now.getTime() + DEFAULT_SSO_SESSION_MS)
    return yield* handleCommand(Effect.succeed([
      decision(SsoStream, SsoDecider, ssoStreamId(input.userId, input.groupId), () =>
        Either.right({ _tag: "StartSsoSession" as const, userId: input.userId, groupId: input.groupId, expiresAt, now }))
    ]))
  })

export const endSsoSession = (userId: number, groupId: number) =>
  authorize(mayAdministerInstance).pipe(Effect.zipRight(handleCommand(Effect.succeed([
    decision(SsoStream, SsoDecider, ssoStreamId(userId, groupId), () => Either.right({ _tag: "EndSsoSession" as const }))
  ]))))
