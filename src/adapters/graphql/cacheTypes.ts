import { GraphQLNonNull, GraphQLObjectType, GraphQLString } from "graphql"
import type { GroupCache } from "../../application/cache/groupCache.js"
import type { CachedBlobView, CachedManifestView } from "../../domain/views.js"
import { connectionType } from "./connection.js"
import { TimeScalar } from "./scalars.js"

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

const ManifestType = new GraphQLObjectType<CachedManifestView>({
  name: "DependencyProxyManifest",
  description: "Dependency proxy manifest",
  fields: {
    imageName: { type: new GraphQLNonNull(GraphQLString), description: "Name of the image.", resolve: (m) => m.image },
    tag: { type: GraphQLString, description: "Tag the manifest was pulled by; null when pulled by digest only." },
    digest: { type: new GraphQLNonNull(GraphQLString), description: "Digest of the manifest." },
    // GitLab's size fields are strings of bytes (the column is a bigint).
    size: { type: new GraphQLNonNull(GraphQLString), description: "Size of the manifest file, in bytes.", resolve: (m) => String(m.size) },
    createdAt: { type: new GraphQLNonNull(TimeScalar), description: "Date of creation." }
  }
})

const BlobType = new GraphQLObjectType<CachedBlobView>({
  name: "DependencyProxyBlob",
  description: "Dependency proxy blob",
  fields: {
    fileName: { type: new GraphQLNonNull(GraphQLString), description: "Name of the blob.", resolve: (b) => blobFileName(b.digest) },
    size: { type: new GraphQLNonNull(GraphQLString), description: "Size of the blob file, in bytes.", resolve: (b) => String(b.size) },
    createdAt: { type: new GraphQLNonNull(TimeScalar), description: "Date of creation." }
  }
})

export const ManifestConnectionType = connectionType(ManifestType)

export const BlobConnectionType = connectionType(BlobType)
