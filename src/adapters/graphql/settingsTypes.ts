import { Effect } from "effect"
import { GraphQLBoolean, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLString } from "graphql"
import type { SettingChange } from "../../application/audit/settingsHistory.js"
import type { GroupView } from "../../domain/views.js"
import { type GraphqlContext, storeTrouble } from "./context.js"
import { TimeScalar } from "./scalars.js"

/** What a caller may see of the settings: the Docker Hub secret is never a field, and identity only for Owners. */
export interface SettingSource {
  readonly enabled: boolean
  readonly identity: string | null
}

export interface TtlPolicySource {
  readonly groupId: number
  /** GitLab creates the policy with the group; so does this model, as part of the group's settings. */
  readonly createdAt: Date
  readonly enabled: boolean
  readonly ttl: number
}

export const ttlPolicyOf = (group: GroupView, policy: GroupView["settings"]["ttlPolicy"] = group.settings.ttlPolicy): TtlPolicySource => ({
  groupId: group.groupId,
  createdAt: group.createdAt,
  enabled: policy.enabled,
  ttl: policy.ttlDays
})

/** When the policy last changed: the newest TTL change in the group's log, or its creation. */
const ttlPolicyUpdatedAt = (policy: TtlPolicySource, ctx: GraphqlContext) =>
  ctx.settingsHistory(policy.groupId).pipe(
    Effect.map((changes) => changes.filter((c) => c.setting.startsWith("ttl_policy.")).at(-1)?.at ?? policy.createdAt),
    Effect.catchTag("EventStoreUnavailable", storeTrouble)
  )

export const DependencyProxySettingType = new GraphQLObjectType<SettingSource>({
  name: "DependencyProxySetting",
  description: "Group-level Dependency Proxy settings",
  fields: {
    enabled: { type: new GraphQLNonNull(GraphQLBoolean), description: "Indicates whether the dependency proxy is enabled for the group." },
    identity: {
      type: GraphQLString,
      description: "Identity used to authenticate with Docker Hub when pulling images. Null unless the caller is an Owner of the group."
    }
  }
})

export const ImageTtlGroupPolicyType = new GraphQLObjectType<TtlPolicySource, GraphqlContext>({
  name: "DependencyProxyImageTtlGroupPolicy",
  description: "Group-level Dependency Proxy TTL policy settings",
  fields: {
    createdAt: { type: TimeScalar, description: "Timestamp of creation." },
    enabled: { type: new GraphQLNonNull(GraphQLBoolean), description: "Indicates whether the policy is enabled or disabled." },
    ttl: { type: GraphQLInt, description: "Number of days to retain a cached image file." },
    updatedAt: { type: TimeScalar, description: "Timestamp of the most recent update.", resolve: (policy, _args, ctx) => ctx.run(ttlPolicyUpdatedAt(policy, ctx)) }
  }
})

const SettingChangeType = new GraphQLObjectType<SettingChange>({
  name: "DependencyProxySettingChange",
  description: "One change to a dependency proxy setting, from the group's event log",
  fields: {
    at: { type: new GraphQLNonNull(TimeScalar), description: "When the change was recorded." },
    actor: { type: GraphQLString, description: "Who made the change, as recorded on the event (`user:<id>`)." },
    setting: { type: new GraphQLNonNull(GraphQLString), description: "The setting's name." },
    from: { type: GraphQLString, description: "The value before the change." },
    to: { type: GraphQLString, description: "The value after the change; for the Docker Hub secret only `changed`." }
  }
})

export const SettingChangeConnectionType = new GraphQLObjectType<{ readonly nodes: ReadonlyArray<SettingChange> }>({
  name: "DependencyProxySettingChangeConnection",
  description: "The settings changes of a group, oldest first",
  fields: { nodes: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(SettingChangeType))) } }
})
