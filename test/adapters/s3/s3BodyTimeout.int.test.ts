import { createHash, randomBytes } from "node:crypto"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer, Stream } from "effect"
import { renderEffectMetrics } from "../../../src/adapters/http/metrics.js"
import * as S3BlobStore from "../../../src/adapters/s3/S3BlobStore.js"
import { BlobStore } from "../../../src/application/ports/BlobStore.js"
import { startSlowTcpProxy } from "../../support/faults/slowTcpProxy.js"
import { freshS3Location } from "../../support/s3.js"
import { scaledMs, waitUntil } from "../../support/waitUntil.js"

const TIMEOUT_MS = 500

/** `dependency_proxy_s3_requests_total` for GetObject with `outcome`, now (0 when never counted). */
const getObjects = (outcome: string) =>
  Number(new RegExp(`^dependency_proxy_s3_requests_total\\{operation="GetObject",outcome="${outcome}"\\} (\\d+)$`, "m").exec(renderEffectMetrics())?.[1] ?? 0)

/**
 * An S3 read that stalls after its headers (radosgw behind a proxy that stops passing the answer after 64 KiB):
 * the read fails within the store's timeout, and the request is counted as `body_timeout`, not `ok` though its
 * headers came in time. Once S3 answers whole again, a read is counted `ok` once.
 */
describe("an S3 answer that stalls mid-body", () => {
  it.scopedLive("fails the read within the timeout and is counted as a body timeout in the S3 metrics", () =>
    Effect.gen(function*() {
      const location = freshS3Location("stall")
      const endpoint = new URL(location.endpoint)
      const proxy = yield* Effect.acquireRelease(
        Effect.promise(() => startSlowTcpProxy({ host: endpoint.hostname, port: Number(endpoint.port) })),
        (p) => Effect.promise(() => p.close())
      )
      const spoolDir = yield* Effect.acquireRelease(
        Effect.promise(() => mkdtemp(join(tmpdir(), "s3-stall-"))),
        (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
      )
      const store = Context.get(
        yield* Layer.build(S3BlobStore.layer({ ...location, endpoint: proxy.url, spoolDir, timeoutMs: TIMEOUT_MS })),
        BlobStore
      )
      // 1 MiB: over the small objects kept in memory, so every read goes to S3.
      const bytes = randomBytes(1024 * 1024)
      const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`
      const write = yield* store.begin(digest)
      yield* write.append(bytes)
      yield* write.commit
      yield* write.release

      const [timeoutsBefore, okBefore] = [getObjects("body_timeout"), getObjects("ok")]
      proxy.stallAnswersAfter(64 * 1024)
      const started = performance.now()
      const stalled = yield* Effect.exit(Stream.runCollect(yield* store.read(digest, null)))
      expect(Exit.isFailure(stalled)).toBe(true)
      expect(performance.now() - started).toBeLessThan(scaledMs(10 * TIMEOUT_MS))
      expect(getObjects("body_timeout")).toBe(timeoutsBefore + 1)
      expect(getObjects("ok")).toBe(okBefore)

      proxy.stallAnswersAfter(null)
      const whole = yield* Stream.runCollect(yield* store.read(digest, null))
      expect(Buffer.concat([...whole]).equals(bytes)).toBe(true)
      // Counted when the body has closed, just after its last byte was read.
      yield* Effect.promise(() => waitUntil(() => getObjects("ok") > okBefore, 5_000, 10, "the whole read counted"))
      expect(getObjects("ok")).toBe(okBefore + 1)
      expect(getObjects("body_timeout")).toBe(timeoutsBefore + 1)
    }), { timeout: 60_000 })
})
