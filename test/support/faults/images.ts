import type { Layer } from "../upstream/ociLayout.js"
import type { PushedImage } from "../upstream/images.js"

/** The single layer the fixture's `largeLayer` and `singleArch` builders push. */
export const onlyLayer = (image: PushedImage): Layer => {
  const [layer] = image.layers
  if (layer === undefined || image.layers.length !== 1) throw new Error(`${image.repository}:${image.tag} should have exactly one layer`)
  return layer
}

export const MiB = 1024 * 1024
