/**
 * The two S3 listings the blob store reads, taken from their XML by element name. S3's listing documents are
 * flat and their values never contain `<`, so this is all the parsing they need (no XML library to load).
 */

const decode = (text: string): string =>
  text.replace(/&(lt|gt|quot|apos|amp);/g, (_, name: string) => ({ lt: "<", gt: ">", quot: "\"", apos: "'", amp: "&" })[name] ?? "")

const elements = (xml: string, name: string): ReadonlyArray<string> =>
  [...xml.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, "g"))].map((m) => m[1] ?? "")

const field = (xml: string, name: string): string | null => {
  const found = elements(xml, name)[0]
  return found === undefined ? null : decode(found)
}

export interface ListedObject {
  readonly key: string
  readonly size: number
  readonly lastModified: Date
}

/** A ListObjectsV2 page: its objects and the token of the next page, if it is truncated. */
export const listedObjects = (xml: string): { readonly objects: ReadonlyArray<ListedObject>; readonly nextContinuationToken: string | null } => ({
  objects: elements(xml, "Contents").map((entry) => ({
    key: field(entry, "Key") ?? "",
    size: Number(field(entry, "Size") ?? "0"),
    lastModified: new Date(field(entry, "LastModified") ?? 0)
  })),
  nextContinuationToken: field(xml, "IsTruncated") === "true" ? field(xml, "NextContinuationToken") : null
})

/** A ListMultipartUploads document's uploads. */
export const abandonedUploads = (xml: string): ReadonlyArray<{ readonly key: string; readonly uploadId: string; readonly initiated: Date }> =>
  elements(xml, "Upload").map((entry) => ({
    key: field(entry, "Key") ?? "",
    uploadId: field(entry, "UploadId") ?? "",
    initiated: new Date(field(entry, "Initiated") ?? 0)
  }))
