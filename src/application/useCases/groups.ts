import { Effect, Either, Option } from "effect"
import { NameClaimDecider } from "../../domain/claim/NameClaim.js"
import { type DomainError, GroupNotFound, UserNotFound } from "../../domain/errors.js"
import type { GroupCommand } from "../../domain/group/GroupCommands.js"
import { GroupDecider } from "../../domain/group/GroupDecider.js"
import { inSequence } from "../../domain/Decider.js"
import type { Group, GroupState } from "../../domain/group/GroupState.js"
import { normalizePath } from "../../domain/group/GroupPath.js"
import { GroupPathClaimStream, GroupStream, streamId } from "../../domain/streams.js"
import { atVersion, decision, handleCommand, handleContendedCommand, stateAfter, stateOf, type StreamDecision } from "../commandHandler.js"
import { EventStore, VersionConflict } from "../ports/EventStore.js"
import { IdSequence } from "../ports/IdSequence.js"
import { SecretBox } from "../ports/SecretBox.js"
import { mayCreateTopLevelGroup, mayManageGroup } from "../../domain/auth/managementRules.js"
import { authorize } from "../issuer.js"
import { groupById, instanceSettings, userById } from "../queries.js"

export interface NewGroup {
  readonly path: string
  readonly name: string
  readonly description?: string | undefined
  readonly parentId: number | null
  readonly ownerUserId: number
}

const groupStreamId = (groupId: number) => streamId("group", groupId)

/** The group's current state, folded from its own stream (not the read model), for commands that need it. */
/** A group's state from its stream, and the stream's version it was folded from. */
const loadGroupStream = (groupId: number) =>
  EventStore.pipe(
    Effect.flatMap((store) => store.readStream(groupStreamId(groupId))),
    Effect.flatMap((history) => {
      const group = stateOf(GroupStream, GroupDecider, history)
      return group === null
        ? Effect.fail(new GroupNotFound({ group: String(groupId) }))
        : Effect.succeed({ group, version: history.at(-1)?.streamVersion ?? 0 })
    })
  )

export const loadGroup = (groupId: number) => loadGroupStream(groupId).pipe(Effect.map(({ group }) => group))

/**
 * `SubgroupCreated` on the parent's stream, expecting the version the subgroup's full path was computed from: a
 * path change or deletion of the parent committed since conflicts, and the plan is made again from the parent
 * as it then is. Without it a subgroup created meanwhile kept the old path, or lived under a deleted parent.
 */
const subgroupOf = (parent: { readonly group: Group; readonly version: number }, groupId: number, path: string) =>
  atVersion(decision(GroupStream, GroupDecider, groupStreamId(parent.group.groupId), () => Either.right<GroupCommand>({ _tag: "AddSubgroup", groupId, path })), parent.version)

/**
 * A top-level group by anyone the instance lets create them (GitLab's `can_create_group`), a subgroup by an
 * Owner of its parent; the owner named becomes the new group's Owner.
 */
export const createGroup = (group: NewGroup) =>
  Effect.gen(function*() {
    if (group.parentId === null) {
      const { usersMayCreateGroups } = yield* instanceSettings
      yield* authorize((caller) => mayCreateTopLevelGroup(caller, usersMayCreateGroups))
    } else {
      const parent = yield* groupById(group.parentId)
      if (Option.isNone(parent)) return yield* new GroupNotFound({ group: String(group.parentId) })
      yield* authorize((caller) => mayManageGroup(caller, parent.value))
    }
    const groupId = yield* IdSequence.pipe(Effect.flatMap((ids) => ids.next("group")))
    const plan = Effect.gen(function*() {
      const parentStream = group.parentId === null ? null : yield* loadGroupStream(group.parentId)
      const parent = parentStream?.group ?? null
      const fullPath = parent === null ? group.path : `${parent.fullPath}/${group.path}`
      const created: Array<StreamDecision<DomainError | VersionConflict>> = [
        decision(GroupStream, GroupDecider, groupStreamId(groupId), () =>
          Either.right<GroupCommand>({ _tag: "CreateGroup", groupId, ...group, parent })),
        decision(GroupPathClaimStream, NameClaimDecider, streamId("group_path", normalizePath(fullPath)), () =>
          Either.right({ _tag: "ClaimName" as const, field: "path", name: fullPath, ownerId: groupId }))
      ]
      return parentStream === null ? created : [subgroupOf(parentStream, groupId, group.path), ...created]
    })
    // A subgroup appends to its parent's stream: subgroups created at once under one parent take turns.
    yield* (group.parentId === null ? handleCommand(plan) : handleContendedCommand(plan))
    return groupId
  })

/**
 * Commands on an existing group's stream, decided in order as one decision and one append (all or none),
 * answered with the group as they left it: from the state the decision saw and the events it appended, so the
 * stream is read once. A group that does not exist is the decider's to refuse; `refuse` may turn the commands
 * down from the group's state first.
 */
const onGroup = <E, R>(
  groupId: number,
  commands: ReadonlyArray<GroupCommand>,
  refuse: Effect.Effect<(group: Group) => Option.Option<DomainError>, E, R>
) =>
  Effect.gen(function*() {
    const id = groupStreamId(groupId)
    // The state the (last, successful) attempt decided on: a conflict rebuilds the plan and decides again.
    let seen: GroupState = null
    const plan = refuse.pipe(Effect.map((refusal) => [
      decision(GroupStream, inSequence(GroupDecider), id, (state) => {
        seen = state
        return Option.match(state === null ? Option.none() : refusal(state), { onNone: () => Either.right(commands), onSome: Either.left })
      })
    ]))
    const appended = yield* handleCommand(plan).pipe(
      Effect.catchTag("GroupNotFound", () => Effect.fail(new GroupNotFound({ group: String(groupId) })))
    )
    const after = stateAfter(GroupStream, GroupDecider, id, seen, appended)
    return after === null ? yield* Effect.dieMessage(`group ${groupId} has no state after a command on it`) : after
  })

const noRefusal = Effect.succeed((_group: Group) => Option.none<DomainError>())

/**
 * Every change to a group (settings, members, policies) is its Owners' or an administrator's (SPEC §7, GitLab
 * 17+), checked here as well as at the edges: a surface that forgets its own check still cannot let a member
 * act as an Owner. The service itself (`system:` actors) is trusted.
 */
const ownerOf = (groupId: number) =>
  groupById(groupId).pipe(
    Effect.flatMap(Option.match({ onNone: () => Effect.fail(new GroupNotFound({ group: String(groupId) })), onSome: Effect.succeed })),
    Effect.flatMap((group) => authorize((caller) => mayManageGroup(caller, group)))
  )

/** Any command on an existing group's stream, by an Owner; answers the group as it left it. */
export const changeGroup = (groupId: number, command: Exclude<GroupCommand, { _tag: "CreateGroup" | "UpdateDependencyProxySettings" }>) =>
  ownerOf(groupId).pipe(Effect.zipRight(onGroup(
    groupId,
    [command],
    command._tag === "AddMember"
      ? userById(command.userId).pipe(Effect.map((user) => () =>
        Option.isNone(user) ? Option.some<DomainError>(new UserNotFound({ user: String(command.userId) })) : Option.none()))
      : noRefusal
  )))

export interface SettingsChange {
  readonly enabled?: boolean | undefined
  readonly identity?: string | null | undefined
  readonly secret?: string | null | undefined
}

/** A change of a group's settings other than the Dependency Proxy's own (which carry a secret to seal). */
export type GroupSettingCommand = Extract<
  GroupCommand,
  { _tag: "UpdateImageTtlPolicy" | "SetSsoEnforcement" | "SetServeStaleOnNotFound" | "SetManifestCheckInterval" }
>

/** Seals the Docker Hub secret before the decider sees the command, so only ciphertext reaches the log. */
export const updateDependencyProxySettings = (groupId: number, change: SettingsChange) => changeGroupSettings(groupId, change, [])

/**
 * Several of a group's settings at once, by an Owner: the Dependency Proxy's (`proxy`, its secret sealed first)
 * and `others`, decided in that order as one decision and one append, so a refused one leaves every one as it was.
 */
export const changeGroupSettings = (groupId: number, proxy: SettingsChange | undefined, others: ReadonlyArray<GroupSettingCommand>) =>
  Effect.gen(function*() {
    yield* ownerOf(groupId)
    const box = yield* SecretBox
    const proxyCommands: ReadonlyArray<GroupCommand> = proxy === undefined ? [] : [{
      _tag: "UpdateDependencyProxySettings",
      enabled: proxy.enabled,
      identity: proxy.identity,
      secret: proxy.secret,
      sealedSecret: typeof proxy.secret === "string" && proxy.secret !== "" ? yield* box.seal(proxy.secret) : null
    }]
    return yield* onGroup(groupId, [...proxyCommands, ...others], noRefusal)
  })
