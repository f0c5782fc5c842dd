import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Layer } from "effect"
import { BlobDownloadsLayer } from "../../src/application/cache/BlobDownloads.js"
import { PullThroughCacheLayer } from "../../src/application/cache/PullThroughCache.js"
import * as FileBlobStore from "../../src/adapters/filesystem/FileBlobStore.js"
import * as SoleProcessLeases from "../../src/adapters/memory/SoleProcessLeases.js"
import { instrumented } from "../../src/adapters/upstream/instrumented.js"
import * as UndiciUpstreamRegistry from "../../src/adapters/upstream/UndiciUpstreamRegistry.js"
import type { UpstreamOptions } from "../../src/adapters/upstream/options.js"
import type { UpstreamResilience } from "../../src/config/upstreamResilience.js"
import { freePort } from "./processes.js"
import { registryHarness } from "./registryApp.js"

export interface ProxyHarnessOptions {
  /** Timeouts and retries of the upstream client; by default no retries and short connect/header timeouts. */
  readonly upstream?: Omit<UpstreamOptions, "url">
  /** Collects every log line (see `registryHarness`). */
  readonly logSink?: Array<string>
  /** The upstream breaker, revalidation budget and remembered 404s; production's defaults when absent. */
  readonly resilience?: Partial<UpstreamResilience>
}

/**
 * The proxy as it runs in production, in process: real registry routes, JWTs, pull-through cache, blob files
 * in a temp dir and undici to `upstreamUrl`; the event store in memory. Listens on a free port so real
 * clients (skopeo) can use it.
 */
export const proxyHarness = async (upstreamUrl: string, options: ProxyHarnessOptions = {}) => {
  const port = await freePort()
  const blobsDir = join(await mkdtemp(join(tmpdir(), "dp-cache-")), "blobs")
  const content = PullThroughCacheLayer.pipe(
    Layer.provide(BlobDownloadsLayer),
    Layer.provideMerge(SoleProcessLeases.layer),
    Layer.provideMerge(instrumented(UndiciUpstreamRegistry.layer({ retries: 0, connectTimeoutMs: 1_000, headersTimeoutMs: 5_000, ...options.upstream, url: upstreamUrl })))
  )
  const harness = await registryHarness({
    content,
    blobStore: FileBlobStore.layer(blobsDir).pipe(Layer.orDie),
    externalUrl: `http://127.0.0.1:${port}`,
    ...(options.logSink === undefined ? {} : { logSink: options.logSink }),
    ...(options.resilience === undefined ? {} : { resilience: options.resilience })
  })
  await harness.app.listen({ port, host: "127.0.0.1" })
  return { ...harness, port, host: `127.0.0.1:${port}`, blobsDir }
}
