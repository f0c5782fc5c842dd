/** A single byte range resolved against a size; `null` means the whole blob. */
export type ByteRange = { readonly start: number; readonly end: number } | null

export type RangeRequest = { readonly _tag: "Whole" } | { readonly _tag: "Range"; readonly range: { readonly start: number; readonly end: number } } | { readonly _tag: "Unsatisfiable" }

/**
 * `Range: bytes=a-b`, `bytes=a-` or `bytes=-n` (one range; several ranges are answered with the whole blob,
 * which RFC 9110 allows). A range past the end is unsatisfiable (416).
 */
export const parseRange = (header: string | undefined, size: number): RangeRequest => {
  if (header === undefined) return { _tag: "Whole" }
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (match === null) return { _tag: "Whole" }
  const [, from = "", to = ""] = match
  if (from === "" && to === "") return { _tag: "Whole" }
  if (from === "") {
    const suffix = Number(to)
    if (suffix === 0 || size === 0) return { _tag: "Unsatisfiable" }
    return { _tag: "Range", range: { start: Math.max(0, size - suffix), end: size - 1 } }
  }
  const start = Number(from)
  const end = to === "" ? size - 1 : Math.min(Number(to), size - 1)
  if (start >= size || end < start) return { _tag: "Unsatisfiable" }
  return { _tag: "Range", range: { start, end } }
}
