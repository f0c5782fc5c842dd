import type { AccessLevel } from "../AccessLevel.js"
import type { EncryptedSecret } from "../EncryptedSecret.js"
import type { Group } from "./GroupState.js"

export interface CreateGroup {
  readonly _tag: "CreateGroup"
  readonly groupId: number
  readonly path: string
  readonly name: string
  /** GitLab's `description`; absent or empty records none. */
  readonly description?: string | undefined
  /** The parent as it is now, loaded by the handler; null for a top-level group. */
  readonly parent: Group | null
  /** The creator becomes the group's first Owner, so a top-level group never starts without one. */
  readonly ownerUserId: number
}

/**
 * `undefined` leaves a field as it is. Identity and secret go together: both set, or both cleared
 * (null or empty). `sealedSecret` is the secret already encrypted by the application; the plaintext is here
 * only so the rule on its length can be checked, and never reaches an event.
 */
export interface UpdateDependencyProxySettings {
  readonly _tag: "UpdateDependencyProxySettings"
  readonly enabled: boolean | undefined
  readonly identity: string | null | undefined
  readonly secret: string | null | undefined
  readonly sealedSecret: EncryptedSecret | null
}

export interface UpdateImageTtlPolicy {
  readonly _tag: "UpdateImageTtlPolicy"
  readonly enabled: boolean | undefined
  readonly ttlDays: number | undefined
}

export interface SetSsoEnforcement {
  readonly _tag: "SetSsoEnforcement"
  readonly enforced: boolean
}

export interface SetServeStaleOnNotFound {
  readonly _tag: "SetServeStaleOnNotFound"
  readonly enabled: boolean
}

export interface SetManifestCheckInterval {
  readonly _tag: "SetManifestCheckInterval"
  readonly seconds: number
}

/** A membership's end, and the time the command is decided at (an end in the past is refused, as GitLab does). */
export interface MemberExpiry {
  readonly expiresAt: Date | null
  readonly now: Date
}

export interface AddMember {
  readonly _tag: "AddMember"
  readonly userId: number
  readonly accessLevel: AccessLevel
  /** Absent or a null `expiresAt`: the membership does not end by itself. */
  readonly expiry?: MemberExpiry | undefined
}

export interface SetMemberExpiry {
  readonly _tag: "SetMemberExpiry"
  readonly userId: number
  readonly expiry: MemberExpiry
}

export interface ChangeMemberAccessLevel {
  readonly _tag: "ChangeMemberAccessLevel"
  readonly userId: number
  readonly accessLevel: AccessLevel
  /** When the command is decided: an Owner whose membership has ended by then no longer keeps the group owned. */
  readonly now: Date
  /**
   * Present when the request also sets the membership's end (a null `expiresAt` clears it): both changes are one
   * decision and one append, so neither happens without the other.
   */
  readonly expiry?: MemberExpiry | undefined
}

export interface RemoveMember {
  readonly _tag: "RemoveMember"
  readonly userId: number
  /** When the command is decided: an Owner whose membership has ended by then no longer keeps the group owned. */
  readonly now: Date
}

/**
 * Where a group's path is about to be: its own `path` (the same one when only an ancestor's path changes)
 * under its parent's full path as it will be (null for a top-level group), loaded by the handler.
 */
export interface PathPlacement {
  readonly path: string
  readonly parentFullPath: string | null
}

/** `PUT /groups/:id`: `undefined` leaves a detail as it is; all change together or none does. */
export interface UpdateGroupDetails {
  readonly _tag: "UpdateGroupDetails"
  readonly name: string | undefined
  readonly description: string | undefined
  readonly path: PathPlacement | undefined
}

/** A descendant's full path follows when an ancestor's path changes. */
export interface ChangePath extends PathPlacement {
  readonly _tag: "ChangePath"
}

/** Deleting the group: its members leave and the group is gone. Subgroups get their own command first. */
export interface DeleteGroup {
  readonly _tag: "DeleteGroup"
}

/**
 * What a pull learned of the group's Docker Hub credentials. `identity` is the one the pull used: news about
 * credentials an Owner has replaced since is no news.
 */
export interface NoteUpstreamCredentials {
  readonly _tag: "NoteUpstreamCredentials"
  readonly identity: string
  readonly outcome: { readonly _tag: "Rejected"; readonly status: number; readonly at: Date } | { readonly _tag: "Accepted" }
}

/** On the parent's stream, with its subgroup's creation (`SubgroupCreated`). */
export interface AddSubgroup {
  readonly _tag: "AddSubgroup"
  readonly groupId: number
  readonly path: string
}

export type GroupCommand =
  | CreateGroup
  | UpdateDependencyProxySettings
  | UpdateImageTtlPolicy
  | SetSsoEnforcement
  | SetServeStaleOnNotFound
  | SetManifestCheckInterval
  | AddMember
  | ChangeMemberAccessLevel
  | RemoveMember
  | UpdateGroupDetails
  | ChangePath
  | DeleteGroup
  | SetMemberExpiry
  | NoteUpstreamCredentials
  | AddSubgroup
