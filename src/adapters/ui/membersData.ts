import { Clock, Effect, Option } from "effect"
import { roleIn } from "../../application/api/permissions.js"
import { allMemberships } from "../../application/queries.js"
import { AccessLevels, type AccessLevel } from "../../domain/AccessLevel.js"
import { membershipEnded } from "../../domain/group/memberExpiry.js"
import type { GroupView, UserView } from "../../domain/views.js"
import { visibleGroupAt } from "./groupPageData.js"
import type { SignedIn } from "./signedIn.js"

export interface MemberRow {
  readonly user: UserView
  readonly accessLevel: AccessLevel
  /** Null for a direct member; otherwise the ancestor the membership is held on. */
  readonly inheritedFrom: GroupView | null
  /** The start of the day the membership ends (UTC), or null: never. */
  readonly expiresAt: Date | null
  /** It has ended: shown as such, granting nothing. */
  readonly expired: boolean
}

export interface MembersData {
  readonly group: GroupView
  readonly isOwner: boolean
  readonly members: ReadonlyArray<MemberRow>
}

/** The group's direct members, then those it inherits from its ancestors (nearest first), by username. */
export const loadMembers = (signed: SignedIn, fullPath: string) =>
  Effect.gen(function*() {
    const group = yield* visibleGroupAt(signed, fullPath)
    const isOwner = roleIn(signed.state, signed.actor, group) >= AccessLevels.owner
    const all = yield* allMemberships
    const now = yield* Clock.currentTimeMillis
    const rowsOn = (holder: GroupView, inherited: boolean): ReadonlyArray<MemberRow> =>
      all.filter((m) => m.groupId === holder.groupId).flatMap((m) =>
        Option.match(signed.state.user(m.userId), {
          onNone: () => [],
          onSome: (user) => [{
            user,
            accessLevel: m.accessLevel,
            inheritedFrom: inherited ? holder : null,
            expiresAt: m.expiresAt ?? null,
            expired: membershipEnded(m.expiresAt, now)
          }]
        })
      ).sort((a, b) => a.user.username.localeCompare(b.user.username))
    const ancestors = [...group.ancestorIds].reverse().flatMap((id) => Option.toArray(signed.state.group(id)))
    const members = [...rowsOn(group, false), ...ancestors.flatMap((a) => rowsOn(a, true))]
    return { group, isOwner, members } satisfies MembersData
  })
