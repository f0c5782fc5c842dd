import { GraphQLEnumType, GraphQLNonNull, GraphQLObjectType, GraphQLString } from "graphql"
import type { GroupCache } from "../../application/cache/groupCache.js"
import type { CachedBlobView, CachedManifestView } from "../../domain/views.js"
import { connectionType } from "./connection.js"
import { globalId, globalIdScalar, TimeScalar } from "./scalars.js"

/** GitLab lists by id descending; the log position that cached a row plays the id's part. */
export const newestFirst = (a: { readonly position: number }, b: { readonly position: number }) => b.position - a.position

/**
 * What a person has pulled: every tagged manifest, plus manifests pulled by digest that no cached tag points
 * at (those have no tag). A digest reached through a tag is listed once, under its tag. Newest first.
 */
export const listedManifests = (cache: GroupCache): ReadonlyArray<CachedManifestView> => {
  const tagged = new Set(cache.images.map((m) => `${m.image}@${m.digest}`))
  return [...cache.images, ...cache.manifests.filter((m) => !tagged.has(`${m.image}@${m.digest}`))].sort(newestFirst)
}

export const listedBlobs = (cache: GroupCache): ReadonlyArray<CachedBlobView> => [...cache.blobs].sort(newestFirst)

/** GitLab stores a blob as `<hex digest>.gz` and shows that name; clients written for GitLab expect it. */
export const blobFileName = (digest: string): string => `${digest.replace(/^sha256:/, "")}.gz`

const MANIFEST_MODEL = "DependencyProxy::Manifest"

/**
 * GitLab's manifest statuses. GitLab marks an expired manifest `PENDING_DESTRUCTION` and deletes it later;
 * here expiry removes the row in the same event, so every manifest listed is `DEFAULT`.
 */
const ManifestStatusType = new GraphQLEnumType({
  name: "DependencyProxyManifestStatus",
  values: Object.fromEntries(
    ["default", "pending_destruction", "processing", "error"].map((status) => [
      status.toUpperCase(),
      { value: status.toUpperCase(), description: `Dependency proxy manifest has a status of ${status}.` }
    ])
  )
})

/** GitLab names a manifest file `<image>:<tag>.json` (the digest standing in for a tag) and its image by that name. */
const gitlabImageName = (m: CachedManifestView): string => `${m.image}:${m.tag ?? m.digest}`

const ManifestType = new GraphQLObjectType<CachedManifestView>({
  name: "DependencyProxyManifest",
  description: "Dependency proxy manifest",
  fields: {
    createdAt: { type: new GraphQLNonNull(TimeScalar), description: "Date of creation." },
    digest: { type: new GraphQLNonNull(GraphQLString), description: "Digest of the manifest." },
    fileName: { type: new GraphQLNonNull(GraphQLString), description: "Name of the manifest.", resolve: (m) => `${gitlabImageName(m)}.json` },
    id: {
      type: new GraphQLNonNull(globalIdScalar("DependencyProxyManifestID", MANIFEST_MODEL)),
      description: "ID of the manifest.",
      resolve: (m) => globalId(MANIFEST_MODEL, m.position)
    },
    imageName: { type: new GraphQLNonNull(GraphQLString), description: "Name of the image.", resolve: gitlabImageName },
    // GitLab's size fields are strings of bytes (the column is a bigint).
    size: { type: new GraphQLNonNull(GraphQLString), description: "Size of the manifest file.", resolve: (m) => String(m.size) },
    status: {
      type: new GraphQLNonNull(ManifestStatusType),
      description: "Status of the manifest (default, pending_destruction, processing, error)",
      resolve: () => "DEFAULT"
    },
    tag: { type: GraphQLString, description: "Tag the manifest was pulled by; null when pulled by digest only. Not in GitLab." },
    // GitLab touches a manifest's row on every read, which moves `updated_at` with `read_at`.
    updatedAt: { type: new GraphQLNonNull(TimeScalar), description: "Date of most recent update.", resolve: (m) => m.lastReadAt }
  }
})

const BlobType = new GraphQLObjectType<CachedBlobView>({
  name: "DependencyProxyBlob",
  description: "Dependency proxy blob",
  fields: {
    createdAt: { type: new GraphQLNonNull(TimeScalar), description: "Date of creation." },
    fileName: { type: new GraphQLNonNull(GraphQLString), description: "Name of the blob.", resolve: (b) => blobFileName(b.digest) },
    size: { type: new GraphQLNonNull(GraphQLString), description: "Size of the blob file.", resolve: (b) => String(b.size) },
    updatedAt: { type: new GraphQLNonNull(TimeScalar), description: "Date of most recent update.", resolve: (b) => b.lastReadAt }
  }
})

export const ManifestConnectionType = connectionType(ManifestType)

export const BlobConnectionType = connectionType(BlobType)
