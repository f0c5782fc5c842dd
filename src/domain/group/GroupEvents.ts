import { Schema } from "effect"
import { AccessLevel } from "../AccessLevel.js"
import { EncryptedSecret } from "../EncryptedSecret.js"

const GroupId = Schema.Int.pipe(Schema.positive())
const UserId = Schema.Int.pipe(Schema.positive())

export const GroupCreated = Schema.TaggedStruct("GroupCreated", {
  groupId: GroupId,
  path: Schema.String,
  name: Schema.String,
  parentId: Schema.NullOr(GroupId),
  /** Root first, parent last; inheritance and top-level lookups need no other stream. */
  ancestorIds: Schema.Array(GroupId),
  fullPath: Schema.String
})
export const DependencyProxySettingChanged = Schema.TaggedStruct("DependencyProxySettingChanged", {
  enabled: Schema.Boolean
})
export const DockerHubCredentialsSet = Schema.TaggedStruct("DockerHubCredentialsSet", {
  identity: Schema.String,
  secret: EncryptedSecret
})
export const DockerHubCredentialsCleared = Schema.TaggedStruct("DockerHubCredentialsCleared", {})
export const ImageTtlPolicyChanged = Schema.TaggedStruct("ImageTtlPolicyChanged", {
  enabled: Schema.Boolean,
  ttlDays: Schema.Int.pipe(Schema.positive())
})
export const SsoEnforcementChanged = Schema.TaggedStruct("SsoEnforcementChanged", { enforced: Schema.Boolean })
export const ServeStaleOnNotFoundChanged = Schema.TaggedStruct("ServeStaleOnNotFoundChanged", {
  enabled: Schema.Boolean
})
export const ManifestCheckIntervalChanged = Schema.TaggedStruct("ManifestCheckIntervalChanged", {
  seconds: Schema.Int.pipe(Schema.nonNegative())
})
/**
 * The upstream refused the group's Docker Hub credentials (issue 15). Recorded on a change of state only (and
 * again at most hourly while it lasts), not per failing pull, so a wrong secret does not flood the log.
 */
export const UpstreamCredentialsRejected = Schema.TaggedStruct("UpstreamCredentialsRejected", {
  /** The upstream's HTTP status (401 or 403). */
  status: Schema.Int,
  at: Schema.Date
})
/** A pull with the same credentials succeeded again after a rejection. */
export const UpstreamCredentialsAccepted = Schema.TaggedStruct("UpstreamCredentialsAccepted", {})
export const MemberAdded = Schema.TaggedStruct("MemberAdded", { userId: UserId, accessLevel: AccessLevel })
export const MemberAccessLevelChanged = Schema.TaggedStruct("MemberAccessLevelChanged", {
  userId: UserId,
  accessLevel: AccessLevel
})
export const MemberRemoved = Schema.TaggedStruct("MemberRemoved", { userId: UserId })
/**
 * When a membership ends by itself (GitLab's member `expires_at`): the start (00:00 UTC) of that day; null:
 * never. An event of its own, so the membership events written before expiry existed stay as they were hashed.
 */
export const MemberExpiryChanged = Schema.TaggedStruct("MemberExpiryChanged", { userId: UserId, expiresAt: Schema.NullOr(Schema.Date) })
/** The display name only: the path names the group in image references and stays as it is. */
export const GroupRenamed = Schema.TaggedStruct("GroupRenamed", { name: Schema.String })
/** Free text an Owner writes about the group (GitLab's `description`, at most 500 characters). */
export const GroupDescriptionChanged = Schema.TaggedStruct("GroupDescriptionChanged", { description: Schema.String })
/**
 * The group's full path changed: its own `path` was changed, or an ancestor's was (then `path` is the same and
 * only `fullPath` moves). Image references through the old path stop resolving; the path claims move with it.
 * The previous full path is kept so the projector drops the old path index without another read.
 */
export const GroupPathChanged = Schema.TaggedStruct("GroupPathChanged", {
  path: Schema.String,
  fullPath: Schema.String,
  previousFullPath: Schema.String
})
/**
 * A subgroup was created under this group, recorded on the parent's stream too: its creation then takes part
 * in the parent's expected-version check, so it cannot interleave with the parent's path change or deletion
 * (a subgroup created meanwhile would keep the old path, or live under a deleted parent). Changes no state.
 */
export const SubgroupCreated = Schema.TaggedStruct("SubgroupCreated", { groupId: Schema.Int.pipe(Schema.positive()), path: Schema.String })
/**
 * The group is gone (ADR 15). Its members were removed by `MemberRemoved` events just before, in the same
 * append; the full path lets the projector drop the path index without another read.
 */
export const GroupDeleted = Schema.TaggedStruct("GroupDeleted", { fullPath: Schema.String })

export const GroupEvent = Schema.Union(
  GroupCreated,
  DependencyProxySettingChanged,
  DockerHubCredentialsSet,
  DockerHubCredentialsCleared,
  ImageTtlPolicyChanged,
  SsoEnforcementChanged,
  ServeStaleOnNotFoundChanged,
  ManifestCheckIntervalChanged,
  MemberAdded,
  MemberAccessLevelChanged,
  MemberRemoved,
  MemberExpiryChanged,
  GroupRenamed,
  GroupDescriptionChanged,
  GroupPathChanged,
  SubgroupCreated,
  GroupDeleted,
  UpstreamCredentialsRejected,
  UpstreamCredentialsAccepted
)
export type GroupEvent = typeof GroupEvent.Type
