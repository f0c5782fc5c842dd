import { Schema } from "effect"
import { BlobEvent, ManifestEvent } from "./cache/CacheEvents.js"
import { NameClaimEvent } from "./claim/NameClaim.js"
import { GroupEvent } from "./group/GroupEvents.js"
import { InstanceEvent } from "./instance/InstanceSettings.js"
import type { JsonObject } from "./Json.js"
import { SsoEvent } from "./sso/SsoSession.js"
import { TokenEvent } from "./token/TokenEvents.js"
import { UserEvent } from "./user/UserEvents.js"

/** Turns a payload stored at an older schema version into the next version's shape. */
export type Upcaster = (payload: JsonObject) => JsonObject

/**
 * One kind of stream: how its ids are formed, the schema of its events (the codec for the store and the
 * source of arbitraries for property tests), the current schema version of each event type, and the
 * upcasters that bring older stored versions up to date (keyed by event type, then by the version they read).
 */
export interface StreamType<E extends { readonly _tag: string }, I> {
  readonly category: string
  readonly schema: Schema.Schema<E, I>
  readonly versions: Readonly<Record<string, number>>
  readonly upcasters: Readonly<Record<string, Readonly<Record<number, Upcaster>>>>
}

export const streamId = (category: string, key: string | number): string => `${category}-${key}`

export const GroupStream = {
  category: "group",
  schema: GroupEvent,
  versions: { GroupCreated: 2 },
  upcasters: {
    GroupCreated: {
      // Version 1 predates display names: a group was called by its path.
      1: (payload) => ({ ...payload, name: typeof payload["path"] === "string" ? payload["path"] : "" })
    }
  }
} satisfies StreamType<GroupEvent, typeof GroupEvent.Encoded>

export const UserStream = {
  category: "user",
  schema: UserEvent,
  versions: {},
  upcasters: {}
} satisfies StreamType<UserEvent, typeof UserEvent.Encoded>

export const TokenStream = {
  category: "token",
  schema: TokenEvent,
  versions: {},
  upcasters: {}
} satisfies StreamType<TokenEvent, typeof TokenEvent.Encoded>

export const SsoStream = {
  category: "sso",
  schema: SsoEvent,
  versions: {},
  upcasters: {}
} satisfies StreamType<SsoEvent, typeof SsoEvent.Encoded>

/** The instance's settings: one stream, `instance-settings`. */
export const InstanceStream = {
  category: "instance",
  schema: InstanceEvent,
  versions: {},
  upcasters: {}
} satisfies StreamType<InstanceEvent, typeof InstanceEvent.Encoded>

export const INSTANCE_SETTINGS_STREAM = streamId(InstanceStream.category, "settings")

/** Uniqueness claims: `username-<lowercased>` and `group_path-<lowercased full path>`. */
export const UsernameClaimStream = {
  category: "username",
  schema: NameClaimEvent,
  versions: {},
  upcasters: {}
} satisfies StreamType<NameClaimEvent, typeof NameClaimEvent.Encoded>

export const GroupPathClaimStream = {
  category: "group_path",
  schema: NameClaimEvent,
  versions: {},
  upcasters: {}
} satisfies StreamType<NameClaimEvent, typeof NameClaimEvent.Encoded>

/** `manifest-<groupId>/<image>` */
export const ManifestStream = {
  category: "manifest",
  schema: ManifestEvent,
  versions: {},
  upcasters: {}
} satisfies StreamType<ManifestEvent, typeof ManifestEvent.Encoded>

/** `blob-<groupId>/<digest>` */
export const BlobStream = {
  category: "blob",
  schema: BlobEvent,
  versions: {},
  upcasters: {}
} satisfies StreamType<BlobEvent, typeof BlobEvent.Encoded>

/** The category of a stream id: everything before the first `-`. */
export const categoryOf = (id: string): string => id.slice(0, Math.max(0, id.indexOf("-")))
