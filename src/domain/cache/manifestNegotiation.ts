import { Option, Schema } from "effect"

export const INDEX_MEDIA_TYPES: ReadonlyArray<string> = [
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.index.v1+json"
]

export const isIndex = (mediaType: string): boolean => INDEX_MEDIA_TYPES.includes(mediaType)

/** No Accept header (or a wildcard) admits anything, as in HTTP; otherwise an index type must be listed. */
export const acceptsIndex = (accept: ReadonlyArray<string>): boolean =>
  accept.length === 0 || accept.some((type) => type === "*/*" || INDEX_MEDIA_TYPES.includes(type))

const Index = Schema.Struct({
  manifests: Schema.Array(Schema.Struct({
    digest: Schema.String,
    mediaType: Schema.optional(Schema.String),
    platform: Schema.optional(Schema.Struct({ os: Schema.String, architecture: Schema.String }))
  }))
})

/**
 * The child manifest a client that cannot read indexes gets: `linux/amd64`, as distribution does. None when
 * the body is not an index or has no such child.
 */
export const defaultPlatformChild = (body: Uint8Array): Option.Option<string> => {
  const parsed = Schema.decodeUnknownOption(Schema.parseJson(Index))(new TextDecoder().decode(body))
  return parsed.pipe(
    Option.flatMap((index) =>
      Option.fromNullable(index.manifests.find((m) => m.platform?.os === "linux" && m.platform.architecture === "amd64"))
    ),
    Option.map((m) => m.digest)
  )
}
