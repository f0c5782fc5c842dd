import { Either } from "effect"
import { InvalidField, NotTopLevelGroup } from "../errors.js"
import type {
  SetManifestCheckInterval,
  SetServeStaleOnNotFound,
  SetSsoEnforcement,
  UpdateDependencyProxySettings,
  UpdateImageTtlPolicy
} from "./GroupCommands.js"
import { type Decision, none } from "./groupDecision.js"
import type { GroupEvent } from "./GroupEvents.js"
import { DEFAULT_TTL_DAYS, type Group } from "./GroupState.js"
import { credentialEvents } from "./upstreamCredentials.js"

/** A week; a longer interval would hide retagged images for too long to be useful. */
export const MAX_MANIFEST_CHECK_INTERVAL_SECONDS = 7 * 24 * 3600

export const updateSettings = (command: UpdateDependencyProxySettings, group: Group): Decision =>
  Either.map(credentialEvents(command, group), (credentials): ReadonlyArray<GroupEvent> => {
    const enabled: ReadonlyArray<GroupEvent> =
      command.enabled === undefined || command.enabled === group.settings.enabled
        ? []
        : [{ _tag: "DependencyProxySettingChanged", enabled: command.enabled }]
    return [...enabled, ...credentials]
  })

export const updateTtlPolicy = (command: UpdateImageTtlPolicy, group: Group): Decision => {
  const current = group.settings.ttlPolicy
  const ttlDays = command.ttlDays ?? (current.ttlDays > 0 ? current.ttlDays : DEFAULT_TTL_DAYS)
  if (!Number.isInteger(ttlDays) || ttlDays <= 0 || ttlDays > 36500) {
    return Either.left(new InvalidField({ field: "ttl", message: "must be a whole number of days between 1 and 36500" }))
  }
  const enabled = command.enabled ?? current.enabled
  if (enabled === current.enabled && ttlDays === current.ttlDays) return none
  return Either.right([{ _tag: "ImageTtlPolicyChanged", enabled, ttlDays }])
}

export const setSsoEnforcement = (command: SetSsoEnforcement, group: Group): Decision => {
  if (group.parentId !== null) return Either.left(new NotTopLevelGroup({ groupId: group.groupId }))
  return command.enforced === group.settings.ssoEnforced
    ? none
    : Either.right([{ _tag: "SsoEnforcementChanged", enforced: command.enforced }])
}

export const setServeStaleOnNotFound = (command: SetServeStaleOnNotFound, group: Group): Decision =>
  command.enabled === group.settings.serveStaleOnNotFound
    ? none
    : Either.right([{ _tag: "ServeStaleOnNotFoundChanged", enabled: command.enabled }])

export const setManifestCheckInterval = (command: SetManifestCheckInterval, group: Group): Decision => {
  if (!Number.isInteger(command.seconds) || command.seconds < 0 || command.seconds > MAX_MANIFEST_CHECK_INTERVAL_SECONDS) {
    return Either.left(
      new InvalidField({
        field: "manifest_check_interval",
        message: `must be a whole number of seconds between 0 and ${MAX_MANIFEST_CHECK_INTERVAL_SECONDS}`
      })
    )
  }
  return command.seconds === group.settings.manifestCheckIntervalSeconds
    ? none
    : Either.right([{ _tag: "ManifestCheckIntervalChanged", seconds: command.seconds }])
}
