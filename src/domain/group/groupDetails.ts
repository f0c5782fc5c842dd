import { Either } from "effect"
import { InvalidField } from "../errors.js"
import type { PathPlacement, UpdateGroupDetails } from "./GroupCommands.js"
import { type Decision, none } from "./groupDecision.js"
import type { GroupEvent } from "./GroupEvents.js"
import { validateName, validatePath, validateTopLevelPath } from "./GroupPath.js"
import type { Group } from "./GroupState.js"

/** GitLab's limit on a namespace's description. */
export const MAX_DESCRIPTION_LENGTH = 500

const rename = (name: string, group: Group): Decision =>
  Either.map(validateName(name), (valid): ReadonlyArray<GroupEvent> => valid === group.name ? [] : [{ _tag: "GroupRenamed", name: valid }])

export const changeDescription = (description: string, current: string): Decision => {
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    return Either.left(new InvalidField({ field: "description", message: `is too long (maximum is ${MAX_DESCRIPTION_LENGTH} characters)` }))
  }
  return description === current ? none : Either.right([{ _tag: "GroupDescriptionChanged", description }])
}

/** The same rules as at creation: a valid path, and no reserved name at the top level. */
export const changePath = (placement: PathPlacement, group: Group): Decision =>
  Either.gen(function*() {
    const path = yield* validatePath(placement.path)
    if (placement.parentFullPath === null) yield* validateTopLevelPath(path)
    const fullPath = placement.parentFullPath === null ? path : `${placement.parentFullPath}/${path}`
    if (path === group.path && fullPath === group.fullPath) return []
    return [{ _tag: "GroupPathChanged" as const, path, fullPath, previousFullPath: group.fullPath }]
  })

/** Every detail is checked before any is changed: one bad value refuses the whole update. */
export const updateDetails = (command: UpdateGroupDetails, group: Group): Decision =>
  Either.gen(function*() {
    const renamed = command.name === undefined ? [] : yield* rename(command.name, group)
    const described = command.description === undefined ? [] : yield* changeDescription(command.description, group.description)
    const moved = command.path === undefined ? [] : yield* changePath(command.path, group)
    return [...renamed, ...described, ...moved]
  })
