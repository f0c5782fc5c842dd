import { Clock, Effect, Either, Option } from "effect"
import { mayDeleteUser } from "../../domain/auth/managementRules.js"
import { NameClaimDecider } from "../../domain/claim/NameClaim.js"
import { UserNotFound } from "../../domain/errors.js"
import type { GroupCommand } from "../../domain/group/GroupCommands.js"
import { GroupDecider } from "../../domain/group/GroupDecider.js"
import { GroupStream, streamId, TokenStream, UsernameClaimStream, UserStream } from "../../domain/streams.js"
import type { TokenCommand } from "../../domain/token/TokenDecider.js"
import { TokenDecider } from "../../domain/token/TokenDecider.js"
import { type UserCommand, UserDecider } from "../../domain/user/UserDecider.js"
import { normalizeUsername } from "../../domain/user/UserValidation.js"
import { decision, handleCommand } from "../commandHandler.js"
import { authorize } from "../issuer.js"
import { allMemberships, allTokens, userById } from "../queries.js"

/**
 * An administrator deletes a user, as events in one atomic append: the user leaves every group
 * (`MemberRemoved`), every live token of theirs is revoked (`TokenRevoked`), the account is deleted
 * (`UserDeleted`) and the username let go of (`NameReleased`), so it may be taken again. The sole Owner of a
 * top-level group cannot be deleted (the group's `LastOwner` rule refuses the whole command): ownership is
 * handed over first, as GitLab asks.
 */
export const deleteUser = (userId: number) =>
  Effect.gen(function*() {
    const found = yield* userById(userId)
    if (Option.isNone(found)) return yield* new UserNotFound({ user: String(userId) })
    const user = found.value
    yield* authorize((caller) => mayDeleteUser(caller, user))
    const plan = Effect.gen(function*() {
      const now = new Date(yield* Clock.currentTimeMillis)
      const memberships = (yield* allMemberships).filter((m) => m.userId === userId)
      const tokens = (yield* allTokens).filter((t) => t.userId === userId && !t.revoked)
      return [
        ...memberships.map((m) =>
          decision(GroupStream, GroupDecider, streamId("group", m.groupId), () => Either.right<GroupCommand>({ _tag: "RemoveMember", userId, now }))),
        ...tokens.map((t) =>
          decision(TokenStream, TokenDecider, streamId("token", t.tokenId), () => Either.right<TokenCommand>({ _tag: "RevokeToken", reason: "revoked" }))),
        decision(UserStream, UserDecider, streamId("user", userId), () => Either.right<UserCommand>({ _tag: "DeleteUser" })),
        decision(UsernameClaimStream, NameClaimDecider, streamId("username", normalizeUsername(user.username)), () =>
          Either.right({ _tag: "ReleaseName" as const }))
      ]
    })
    yield* handleCommand(plan)
  })
