import { createHash } from "node:crypto"

/** The algorithms OCI registers for content digests, with their hex length. */
const ALGORITHMS: ReadonlyMap<string, number> = new Map([["sha256", 64], ["sha512", 128]])

export interface ParsedDigest {
  readonly algorithm: string
  readonly hex: string
}

/** `sha256:<hex>` (or sha512), or null when the text is not a digest this adapter can compute. */
export const parseDigest = (text: string): ParsedDigest | null => {
  const match = /^([a-z0-9]+):([a-f0-9]+)$/.exec(text)
  if (match === null) return null
  const [, algorithm = "", hex = ""] = match
  return ALGORITHMS.get(algorithm) === hex.length ? { algorithm, hex } : null
}

/** A manifest reference is a digest when it has the `algorithm:` shape; tags cannot contain ":". */
export const isDigestReference = (reference: string): boolean => reference.includes(":")

export const digestOf = (bytes: Uint8Array, algorithm = "sha256"): string =>
  `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}`

/** Whether `bytes` hash to `expected`, computed with `expected`'s own algorithm. */
export const hasDigest = (bytes: Uint8Array, expected: string): boolean => {
  const parsed = parseDigest(expected)
  return parsed !== null && digestOf(bytes, parsed.algorithm) === expected
}
