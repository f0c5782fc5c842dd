import { Effect, Schema } from "effect"
import { GraphQLID, GraphQLInt, GraphQLNonNull, GraphQLObjectType, GraphQLString, type GraphQLFieldConfig } from "graphql"
import type { ApiNotFound } from "../../application/api/errors.js"
import { roleIn, visibleGroup } from "../../application/api/permissions.js"
import { type GroupCache, groupCache } from "../../application/cache/groupCache.js"
import { numberToHumanSize } from "../../application/cache/numberToHumanSize.js"
import { LiveView } from "../../application/LiveView.js"
import { AccessLevels } from "../../domain/AccessLevel.js"
import { currentInstanceProxyEnabled } from "../../application/instanceSwitch.js"
import { proxyStatus } from "../../domain/group/proxyStatus.js"
import { imagePrefix } from "../../domain/registry/imagePrefix.js"
import type { GroupView } from "../../domain/views.js"
import { decodeArgs } from "./args.js"
import { BlobConnectionType, listedBlobs, listedManifests, ManifestConnectionType } from "./cacheTypes.js"
import { type Connection, paginate, PaginationArgs, paginationArgs } from "./connection.js"
import { type Args, type GraphqlContext, storeTrouble } from "./context.js"
import { BigIntScalar } from "./scalars.js"
import { DependencyProxySettingType, ImageTtlGroupPolicyType, SettingChangeConnectionType, ttlPolicyOf, type TtlPolicySource } from "./settingsTypes.js"

/** A group the caller may see, with what they may see of it decided once. */
export interface GroupSource {
  readonly group: GroupView
  readonly isOwner: boolean
  /** The cache listing, computed at most once per group and request however many fields ask for it. */
  readonly cache: () => Promise<GroupCache>
}

const once = <A>(compute: () => Promise<A>): () => Promise<A> => {
  let result: Promise<A> | undefined
  return () => (result ??= compute())
}

type GroupField = GraphQLFieldConfig<GroupSource, GraphqlContext>

const cached = (type: GroupField["type"], description: string, pick: (cache: GroupCache) => unknown): GroupField => ({
  type,
  description,
  resolve: async (source) => pick(await source.cache())
})

/** A cached listing as a GitLab connection: `first`/`last`/`after`/`before`, keyed by log position. */
const paged = <A extends { readonly position: number }>(
  type: GraphQLObjectType<Connection<A>>,
  description: string,
  list: (cache: GroupCache) => ReadonlyArray<A>
): GroupField => ({
  type,
  description,
  args: paginationArgs,
  resolve: async (source, args: Args, ctx) => {
    const items = list(await source.cache())
    return ctx.run(decodeArgs(PaginationArgs)(args).pipe(Effect.flatMap((pagination) => paginate(items, (a) => a.position, pagination))))
  }
})

export const GroupType = new GraphQLObjectType<GroupSource, GraphqlContext>({
  name: "Group",
  description: "A group and what it shows of its dependency proxy; fields an Owner alone may see are null for others.",
  fields: {
    id: { type: new GraphQLNonNull(GraphQLID), description: "ID of the namespace.", resolve: (s) => `gid://gitlab/Group/${s.group.groupId}` },
    fullPath: { type: new GraphQLNonNull(GraphQLID), description: "Full path of the namespace.", resolve: (s) => s.group.fullPath },
    dependencyProxySetting: {
      type: DependencyProxySettingType,
      description: "Dependency Proxy settings for the group.",
      resolve: (s) => ({ enabled: s.group.settings.enabled, identity: s.isOwner ? s.group.settings.identity : null })
    },
    dependencyProxyStatus: {
      type: new GraphQLNonNull(GraphQLString),
      description: "What a pull through the group gets: Enabled, Disabled, or Disabled for this instance (the instance-wide switch is off, whatever the group's setting).",
      resolve: (s, _args, ctx) =>
        ctx.run(currentInstanceProxyEnabled.pipe(Effect.map((instance) => proxyStatus(s.group.settings.enabled, instance)), Effect.catchTag("EventStoreUnavailable", storeTrouble)))
    },
    dependencyProxyImagePrefix: {
      type: new GraphQLNonNull(GraphQLString),
      description: "Prefix for pulling images when using the dependency proxy.",
      resolve: (s, _args, ctx) => imagePrefix(ctx.externalUrl, s.group.fullPath)
    },
    dependencyProxyTotalSize: cached(
      new GraphQLNonNull(GraphQLString),
      "Total size of the dependency proxy cached images.",
      (c) => numberToHumanSize(c.totalSizeBytes)
    ),
    dependencyProxyTotalSizeInBytes: {
      // GraphQL's Int is 32 bits: past 2 GiB this field errors, which is why GitLab deprecated it.
      ...cached(new GraphQLNonNull(GraphQLInt), "Total size of the dependency proxy cached images in bytes.", (c) => c.totalSizeBytes),
      deprecationReason: "Use `dependencyProxyTotalSizeBytes`. Deprecated in GitLab 16.1."
    },
    dependencyProxyTotalSizeBytes: cached(
      new GraphQLNonNull(BigIntScalar),
      "Total size of the dependency proxy cached images in bytes, encoded as a string.",
      (c) => c.totalSizeBytes
    ),
    dependencyProxyImageCount: cached(new GraphQLNonNull(GraphQLInt), "Number of dependency proxy images cached in the group.", (c) => listedManifests(c).length),
    dependencyProxyBlobCount: cached(new GraphQLNonNull(GraphQLInt), "Number of dependency proxy blobs cached in the group.", (c) => c.blobs.length),
    dependencyProxyManifests: paged(ManifestConnectionType, "Dependency Proxy manifests.", listedManifests),
    dependencyProxyBlobs: paged(BlobConnectionType, "Dependency Proxy blobs.", listedBlobs),
    dependencyProxyImageTtlPolicy: {
      type: ImageTtlGroupPolicyType,
      description: "Dependency proxy TTL policy for the group.",
      resolve: (s): TtlPolicySource => ttlPolicyOf(s.group)
    },
    dependencyProxySettingsHistory: {
      type: SettingChangeConnectionType,
      description: "Who changed which dependency proxy setting, when, from what to what. Null unless the caller is an Owner.",
      resolve: (s, _args, ctx) =>
        s.isOwner
          ? ctx.run(ctx.settingsHistory(s.group.groupId).pipe(Effect.map((nodes) => ({ nodes })), Effect.catchTag("EventStoreUnavailable", storeTrouble)))
          : null
    }
  }
})

/** A group hidden from the caller is null, as in GitLab: the answer does not say whether it exists. */
const visibleTo = (ctx: GraphqlContext, fullPath: string) =>
  Effect.gen(function*() {
    const actor = ctx.actor
    if (actor === null) return null
    const state = yield* LiveView.pipe(Effect.flatMap((view) => view.current))
    // `visibleGroup` answers with one of two effect types; one annotated type lets the pipe see both.
    const visible: Effect.Effect<GroupView, ApiNotFound> = visibleGroup(state, actor, state.groupAt(fullPath))
    const group = yield* visible.pipe(Effect.catchTag("ApiNotFound", () => Effect.succeed(null)))
    if (group === null) return null
    const source: GroupSource = {
      group,
      isOwner: roleIn(state, actor, group) >= AccessLevels.owner,
      cache: once(() => ctx.run(groupCache(group.groupId).pipe(Effect.catchTag("EventStoreUnavailable", storeTrouble))))
    }
    return source
  }).pipe(Effect.catchTag("EventStoreUnavailable", storeTrouble))

const GroupArgs = Schema.Struct({ fullPath: Schema.String })

export const groupQuery: GraphQLFieldConfig<unknown, GraphqlContext> = {
  type: GroupType,
  description: "Find a group.",
  args: { fullPath: { type: new GraphQLNonNull(GraphQLID), description: "Full path of the group. For example, `gitlab-org/gitlab-foss`." } },
  resolve: (_root, args: Args, ctx) =>
    ctx.run(decodeArgs(GroupArgs)(args).pipe(Effect.flatMap(({ fullPath }) => visibleTo(ctx, fullPath))))
}
