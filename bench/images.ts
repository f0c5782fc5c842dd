import type { Upstream } from "../test/support/upstream/fixture.js"
import type { PushedImage } from "../test/support/upstream/images.js"
import type { BenchConfig } from "./config.js"

/** A blob the scenarios pull: which image it belongs to, its digest and exact size. */
export interface BenchBlob {
  readonly image: string
  readonly digest: string
  readonly size: number
}

export interface BenchImages {
  /** A small image whose manifest is pulled by tag. */
  readonly manifest: { readonly image: string; readonly tag: string }
  /** Pushed only when their scenario runs. */
  readonly hit: BenchBlob | null
  readonly rss: BenchBlob | null
  /** Per round: one blob for the single cold pull, one for the 32 concurrent ones; never pulled before. */
  readonly cold: ReadonlyArray<{ readonly single: BenchBlob; readonly many: BenchBlob }>
}

/** Upstream names them `library/<image>`, as Docker Hub's official images, so ours maps `<image>` there. */
const layerOf = (image: string, pushed: PushedImage): BenchBlob => {
  const layer = pushed.layers[0]
  if (layer === undefined) throw new Error(`${image} has no layer`)
  return { image, digest: layer.digest, size: layer.size }
}

/**
 * Pushes every image of the run to the upstream: layers of random (incompressible) bytes, stored
 * uncompressed, so a cache cannot win by compressing them.
 */
export const pushBenchImages = async (upstream: Upstream, config: BenchConfig, log: (line: string) => void): Promise<BenchImages> => {
  const large = async (image: string, size: number): Promise<BenchBlob> => {
    const started = performance.now()
    const blob = layerOf(image, await upstream.images.largeLayer(`library/${image}`, "1", size))
    log(`  pushed ${image} (${(size / 2 ** 20).toFixed(0)} MiB) in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    return blob
  }
  await upstream.images.singleArch("library/bench-manifest", "1")
  const hit = config.scenarios.has(1) ? await large("hit", config.hitBlobBytes) : null
  const rss = config.scenarios.has(4) ? await large("rss", config.rssBlobBytes) : null
  const cold: Array<{ single: BenchBlob; many: BenchBlob }> = []
  for (let round = 1; round <= (config.scenarios.has(3) ? config.rounds : 0); round++) {
    cold.push({ single: await large(`cold-${round}-single`, config.coldBlobBytes), many: await large(`cold-${round}-many`, config.coldBlobBytes) })
  }
  return { manifest: { image: "bench-manifest", tag: "1" }, hit, rss, cold }
}
