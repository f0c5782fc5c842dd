import { setFlagsFromString } from "node:v8"

/** V8's own default (`node --v8-options`). */
const DEFAULT_GROWTH_FACTOR = 2

/**
 * Loading the server's modules allocates tens of megabytes that nearly all survive (code, closures, classes).
 * A high survival rate is V8's cue to grow the young generation, here to its 32 MiB maximum, which stays
 * resident while the server idles: a quarter of its RSS, and V8 gives it back only after a full collection at
 * a low allocation rate (measured on Postgres: 128 MiB at 12 s and at 30 s after start; 106 MiB with this).
 * So the young generation keeps its initial size while `serve` loads, and grows as usual from then on.
 */
export const holdYoungGeneration = (): void => setFlagsFromString("--semi-space-growth-factor=1")

/** Once `serve` is up: V8 sizes the young generation for the work from now on. */
export const releaseYoungGeneration = (): void => setFlagsFromString(`--semi-space-growth-factor=${DEFAULT_GROWTH_FACTOR}`)
