import { MANIFEST_MEDIA_TYPES } from "../../src/application/ports/UpstreamRegistry.js"

/**
 * A pull-through cache the scenarios drive: ours or distribution in proxy mode, both in front of the same
 * upstream. Images are named as upstream names them without `library/` (`hit`, `cold-1-a`).
 */
export interface CacheUnderTest {
  readonly name: "ours" | "distribution"
  /** The process whose memory is measured. */
  readonly pid: number
  readonly manifestUrl: (image: string, reference: string) => string
  readonly blobUrl: (image: string, digest: string) => string
  /** A fresh `Authorization: Bearer …` value for pulling `image`, from the cache's own token endpoint. */
  readonly authorization: (image: string) => Promise<string>
  /** Wraps one measurement; ours profiles its CPU there when BENCH_PROFILE_DIR is set, otherwise just runs it. */
  readonly measuring: <T>(label: string, measure: () => Promise<T>) => Promise<T>
}

/** The Accept list a Docker client sends for manifests. */
export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(", ")
