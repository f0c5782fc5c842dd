import { Effect, Either, Option } from "effect"
import { mayDeleteGroup } from "../../domain/auth/managementRules.js"
import { NameClaimDecider } from "../../domain/claim/NameClaim.js"
import { GroupNotFound } from "../../domain/errors.js"
import type { GroupCommand } from "../../domain/group/GroupCommands.js"
import { GroupDecider } from "../../domain/group/GroupDecider.js"
import { normalizePath } from "../../domain/group/GroupPath.js"
import { type SsoCommand, SsoDecider } from "../../domain/sso/SsoSession.js"
import { GroupPathClaimStream, GroupStream, SsoStream, streamId, TokenStream, UsernameClaimStream, UserStream } from "../../domain/streams.js"
import { type TokenCommand, TokenDecider } from "../../domain/token/TokenDecider.js"
import { type UserCommand, UserDecider } from "../../domain/user/UserDecider.js"
import { normalizeUsername } from "../../domain/user/UserValidation.js"
import type { GroupView, MembershipView, TokenView, UserView } from "../../domain/views.js"
import { decision, handleCommand } from "../commandHandler.js"
import { authorize } from "../issuer.js"
import { allGroups, allMemberships, allSsoSessions, allTokens, groupById, userById } from "../queries.js"

/** The group and every descendant, deepest first: a subgroup is deleted before its parent. */
export const subtreeOf = (groups: ReadonlyArray<GroupView>, groupId: number): ReadonlyArray<GroupView> =>
  groups
    .filter((g) => g.groupId === groupId || g.ancestorIds.includes(groupId))
    .sort((a, b) => b.ancestorIds.length - a.ancestorIds.length || a.groupId - b.groupId)

/**
 * The bots of the subtree's group access tokens that belong nowhere else: they go with their groups, as in
 * GitLab. A bot an Owner also added to a group outside the subtree stays (its tokens are revoked all the same).
 */
const botsToDelete = (tokens: ReadonlyArray<TokenView>, memberships: ReadonlyArray<MembershipView>, inSubtree: ReadonlySet<number>) => {
  const botIds = new Set(tokens.filter((t) => t.kind === "group_access" && t.userId !== null).map((t) => t.userId ?? 0))
  return [...botIds].filter((botId) => memberships.every((m) => m.userId !== botId || inSubtree.has(m.groupId))).sort((a, b) => a - b)
}

/** One subtree's deletion, already authorized: the atomic append described at `deleteGroup`. */
const deleteSubtree = (groupId: number) =>
  Effect.gen(function*() {
    let deleted: ReadonlyArray<number> = []
    const plan = Effect.gen(function*() {
      const subtree = subtreeOf(yield* allGroups, groupId)
      const inSubtree = new Set(subtree.map((g) => g.groupId))
      const tokens = (yield* allTokens).filter((t) => t.groupId !== null && inSubtree.has(t.groupId))
      const memberships = yield* allMemberships
      const sessions = (yield* allSsoSessions).filter((s) => inSubtree.has(s.groupId) && !s.ended)
      const bots: Array<UserView> = []
      for (const botId of botsToDelete(tokens, memberships, inSubtree)) {
        const bot = yield* userById(botId)
        if (Option.isSome(bot)) bots.push(bot.value)
      }
      deleted = subtree.map((g) => g.groupId)
      return [
        ...tokens.filter((t) => !t.revoked).map((t) =>
          decision(TokenStream, TokenDecider, streamId("token", t.tokenId), () => Either.right<TokenCommand>({ _tag: "RevokeToken", reason: "revoked" }))),
        ...sessions.map((s) =>
          decision(SsoStream, SsoDecider, streamId("sso", `${s.userId}-${s.groupId}`), () => Either.right<SsoCommand>({ _tag: "EndSsoSession" }))),
        ...subtree.flatMap((g) => [
          decision(GroupStream, GroupDecider, streamId("group", g.groupId), () => Either.right<GroupCommand>({ _tag: "DeleteGroup" })),
          decision(GroupPathClaimStream, NameClaimDecider, streamId("group_path", normalizePath(g.fullPath)), () =>
            Either.right({ _tag: "ReleaseName" as const }))
        ]),
        ...bots.flatMap((bot) => [
          decision(UserStream, UserDecider, streamId("user", bot.userId), () => Either.right<UserCommand>({ _tag: "DeleteUser" })),
          decision(UsernameClaimStream, NameClaimDecider, streamId("username", normalizeUsername(bot.username)), () =>
            Either.right({ _tag: "ReleaseName" as const }))
        ])
      ]
    })
    yield* handleCommand(plan)
    return deleted
  })

/**
 * An Owner (or administrator) deletes a group, as events in one atomic append (ADR 15): every live token of
 * the group and its subgroups is revoked (deploy, group access and CI job tokens), the SSO sessions with them
 * end, each group (deepest first) loses its members and is deleted, its path claim is released so the path may
 * be taken again, and the bots of its group access tokens are deleted with their usernames. Returns the ids
 * of the deleted groups; their cached content is purged after (`purgeDeletedGroups`), as GitLab deletes in
 * the background.
 *
 * A subgroup created while the append was being planned records `SubgroupCreated` on its parent's stream, so
 * one of the two appends conflicts and is planned again. Groups left under a deleted parent all the same (by a
 * version that did not record it yet) are deleted after, the same way.
 */
export const deleteGroup = (groupId: number) =>
  Effect.gen(function*() {
    const found = yield* groupById(groupId)
    if (Option.isNone(found)) return yield* new GroupNotFound({ group: String(groupId) })
    yield* authorize((caller) => mayDeleteGroup(caller, found.value))
    const deleted = new Set(yield* deleteSubtree(groupId))
    for (;;) {
      const orphan = (yield* allGroups).find((g) => g.parentId !== null && deleted.has(g.parentId))
      if (orphan === undefined) return [...deleted]
      for (const id of yield* deleteSubtree(orphan.groupId)) deleted.add(id)
    }
  })
