import { Either, Schema } from "effect"
import type { Decider } from "../Decider.js"
import { type DomainError, InvalidField } from "../errors.js"

/**
 * Instance-wide settings an administrator changes at run time (GitLab's application settings), as one stream
 * `instance-settings`. Absent events mean GitLab's defaults.
 */
export const GroupCreationByUsersChanged = Schema.TaggedStruct("GroupCreationByUsersChanged", {
  /** GitLab's `can_create_group`: whether users who are not administrators may create top-level groups. */
  allowed: Schema.Boolean
})
export const TokenLifetimeLimitChanged = Schema.TaggedStruct("TokenLifetimeLimitChanged", {
  /** GitLab's `max_personal_access_token_lifetime`: the longest a personal or group access token may live. */
  maxDays: Schema.Int
})
export const DependencyProxySwitchChanged = Schema.TaggedStruct("DependencyProxySwitchChanged", {
  /**
   * The instance-wide Dependency Proxy switch an administrator flips at run time. Pulls are served only while
   * both this and the operator's `DEPENDENCY_PROXY_ENABLED` are on.
   */
  enabled: Schema.Boolean
})
export const InstanceEvent = Schema.Union(GroupCreationByUsersChanged, TokenLifetimeLimitChanged, DependencyProxySwitchChanged)
export type InstanceEvent = typeof InstanceEvent.Type

export const InstanceSettings = Schema.Struct({
  usersMayCreateGroups: Schema.Boolean,
  maxTokenLifetimeDays: Schema.Int,
  /** Documents written before the switch existed lack it: on, as it was then. */
  dependencyProxyEnabled: Schema.optionalWith(Schema.Boolean, { default: () => true })
})
export type InstanceSettings = typeof InstanceSettings.Type

/** GitLab's own limit, and its default: a token lives at most a year. */
export const MAX_TOKEN_LIFETIME_DAYS = 365

export const defaultInstanceSettings: InstanceSettings = {
  usersMayCreateGroups: true,
  maxTokenLifetimeDays: MAX_TOKEN_LIFETIME_DAYS,
  dependencyProxyEnabled: true
}

export interface UpdateInstanceSettings {
  readonly _tag: "UpdateInstanceSettings"
  readonly usersMayCreateGroups?: boolean | undefined
  readonly maxTokenLifetimeDays?: number | undefined
  readonly dependencyProxyEnabled?: boolean | undefined
}

export const evolveInstance = (state: InstanceSettings, event: InstanceEvent): InstanceSettings => {
  switch (event._tag) {
    case "GroupCreationByUsersChanged":
      return { ...state, usersMayCreateGroups: event.allowed }
    case "TokenLifetimeLimitChanged":
      return { ...state, maxTokenLifetimeDays: event.maxDays }
    case "DependencyProxySwitchChanged":
      return { ...state, dependencyProxyEnabled: event.enabled }
  }
}

const validDays = (days: number): Either.Either<number, InvalidField> =>
  Number.isInteger(days) && days >= 1 && days <= MAX_TOKEN_LIFETIME_DAYS
    ? Either.right(days)
    : Either.left(new InvalidField({ field: "max_personal_access_token_lifetime", message: `must be between 1 and ${MAX_TOKEN_LIFETIME_DAYS} days` }))

export const InstanceDecider: Decider<UpdateInstanceSettings, InstanceEvent, InstanceSettings, DomainError> = {
  initialState: defaultInstanceSettings,
  evolve: evolveInstance,
  decide: (command, state) =>
    Either.gen(function*() {
      const events: Array<InstanceEvent> = []
      const allowed = command.usersMayCreateGroups
      if (allowed !== undefined && allowed !== state.usersMayCreateGroups) events.push({ _tag: "GroupCreationByUsersChanged", allowed })
      if (command.maxTokenLifetimeDays !== undefined) {
        const maxDays = yield* validDays(command.maxTokenLifetimeDays)
        if (maxDays !== state.maxTokenLifetimeDays) events.push({ _tag: "TokenLifetimeLimitChanged", maxDays })
      }
      const proxy = command.dependencyProxyEnabled
      if (proxy !== undefined && proxy !== state.dependencyProxyEnabled) events.push({ _tag: "DependencyProxySwitchChanged", enabled: proxy })
      return events
    })
}
