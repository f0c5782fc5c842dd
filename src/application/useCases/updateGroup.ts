import { Effect, Option } from "effect"
import { mayManageGroup } from "../../domain/auth/managementRules.js"
import { GroupNotFound } from "../../domain/errors.js"
import { authorize } from "../issuer.js"
import { groupById } from "../queries.js"
import { changeGroup } from "./groups.js"

export interface GroupChange {
  /** The display name; the path stays (it is part of every image reference pulled through the group). */
  readonly name?: string | undefined
}

/** An Owner of the group (or an administrator) changes its details; nothing changes when nothing differs. */
export const updateGroup = (groupId: number, change: GroupChange) =>
  Effect.gen(function*() {
    const group = yield* groupById(groupId)
    if (Option.isNone(group)) return yield* new GroupNotFound({ group: String(groupId) })
    yield* authorize((caller) => mayManageGroup(caller, group.value))
    if (change.name !== undefined) yield* changeGroup(groupId, { _tag: "RenameGroup", name: change.name })
  })
