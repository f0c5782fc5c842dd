import { Effect, Either, Option } from "effect"
import { mayManageGroup } from "../../domain/auth/managementRules.js"
import { NameClaimDecider } from "../../domain/claim/NameClaim.js"
import { GroupNotFound } from "../../domain/errors.js"
import type { GroupCommand } from "../../domain/group/GroupCommands.js"
import { GroupDecider } from "../../domain/group/GroupDecider.js"
import { normalizePath } from "../../domain/group/GroupPath.js"
import { validateVisibility } from "../../domain/group/GroupVisibility.js"
import { GroupPathClaimStream, GroupStream, streamId } from "../../domain/streams.js"
import type { GroupView } from "../../domain/views.js"
import { atVersion, decision, handleCommand, handleContendedCommand } from "../commandHandler.js"
import { EventStore, VersionConflict } from "../ports/EventStore.js"
import { authorize } from "../issuer.js"
import { allGroups, groupById } from "../queries.js"

export interface GroupChange {
  readonly name?: string | undefined
  readonly description?: string | undefined
  /** The group's own path; its subgroups' full paths follow, and pulls through the old prefix stop. */
  readonly path?: string | undefined
  /** Only `private` is accepted (`GroupVisibility`); nothing is recorded for it. */
  readonly visibility?: string | undefined
}

/** The parent's full path of a group: its own full path without its last segment. */
const parentFullPathOf = (group: GroupView): string | null =>
  group.parentId === null ? null : group.fullPath.slice(0, group.fullPath.length - group.path.length - 1)

const groupDecision = (id: number, command: GroupCommand) => decision(GroupStream, GroupDecider, streamId("group", id), () => Either.right(command))

/** Moving a path claim: released under the old full path, taken under the new one (unless only the case differs). */
const moveClaim = (groupId: number, from: string, to: string) =>
  normalizePath(from) === normalizePath(to)
    ? []
    : [
      decision(GroupPathClaimStream, NameClaimDecider, streamId("group_path", normalizePath(from)), () => Either.right({ _tag: "ReleaseName" as const })),
      decision(GroupPathClaimStream, NameClaimDecider, streamId("group_path", normalizePath(to)), () =>
        Either.right({ _tag: "ClaimName" as const, field: "path", name: to, ownerId: groupId }))
    ]

/**
 * An Owner of the group (or an administrator) changes its details in one atomic append; nothing changes when
 * nothing differs. A new path moves the group's path claim, and every subgroup's full path and claim with it
 * (GitLab moves a group's descendants the same way); a path already taken is refused, naming `path`.
 */
export const updateGroup = (groupId: number, change: GroupChange) =>
  Effect.gen(function*() {
    const found = yield* groupById(groupId)
    if (Option.isNone(found)) return yield* new GroupNotFound({ group: String(groupId) })
    yield* authorize((caller) => mayManageGroup(caller, found.value))
    if (change.visibility !== undefined) yield* validateVisibility(change.visibility)
    const plan = Effect.gen(function*() {
      const store = yield* EventStore
      const versionOf = (id: number) => store.readStream(streamId("group", id)).pipe(Effect.map((history) => history.at(-1)?.streamVersion ?? 0))
      const subtreeOf = (groups: ReadonlyArray<GroupView>) => groups.filter((g) => g.groupId === groupId || g.ancestorIds.includes(groupId)).map((g) => g.groupId)
      // The subtree, then each of its streams' versions, then the subtree again: a subgroup created anywhere in it
      // after its parent's version was read records `SubgroupCreated` there, so the change conflicts and is
      // planned again with it listed; one created before that shows in the second listing. Without a new path
      // only the group itself is written, and only its version is read.
      const moving = change.path !== undefined
      const listed = moving ? subtreeOf(yield* allGroups) : [groupId]
      const versions = new Map(yield* Effect.forEach(listed, (id) => versionOf(id).pipe(Effect.map((v) => [id, v] as const))))
      const groups = yield* allGroups
      const group = groups.find((g) => g.groupId === groupId)
      if (group === undefined) return yield* new GroupNotFound({ group: String(groupId) })
      const subtree = moving ? subtreeOf(groups) : [groupId]
      const versionIn = (id: number) => versions.get(id)
      if (subtree.length !== listed.length || subtree.some((id) => versionIn(id) === undefined)) {
        return yield* new VersionConflict({ streamId: streamId("group", groupId), expectedVersion: versionIn(groupId) ?? 0, actualVersion: -1 })
      }
      const held = (id: number, d: ReturnType<typeof groupDecision>) => atVersion(d, versionIn(id) ?? 0)
      const parentFullPath = parentFullPathOf(group)
      const details = held(groupId, groupDecision(groupId, {
        _tag: "UpdateGroupDetails",
        name: change.name,
        description: change.description,
        path: change.path === undefined ? undefined : { path: change.path, parentFullPath }
      }))
      if (change.path === undefined || change.path === group.path) return [details]
      const newFullPath = parentFullPath === null ? change.path : `${parentFullPath}/${change.path}`
      const moved = (fullPath: string) => `${newFullPath}${fullPath.slice(group.fullPath.length)}`
      const descendants = groups.filter((g) => g.ancestorIds.includes(groupId))
      return [
        details,
        ...moveClaim(groupId, group.fullPath, newFullPath),
        ...descendants.flatMap((d) => [
          held(d.groupId, groupDecision(d.groupId, { _tag: "ChangePath", path: d.path, parentFullPath: moved(parentFullPathOf(d) ?? "") })),
          ...moveClaim(d.groupId, d.fullPath, moved(d.fullPath))
        ])
      ]
    })
    // A path change waits its turn behind subgroups being created under the group (each a write to its stream).
    yield* (change.path === undefined ? handleCommand(plan) : handleContendedCommand(plan))
  })
