import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { MANIFEST_MEDIA_TYPES } from "../../src/application/ports/UpstreamRegistry.js"
import { freshDatabase } from "../support/postgres/postgresTestDatabase.js"
import { breakerBecomes } from "../support/faults/breakerWatch.js"
import { startFaultProxy } from "../support/faults/faultProxy.js"
import type { RunningServer } from "../support/processes.js"
import { PULLER, type ReplicaCluster, replicaCluster } from "../support/replicaCluster.js"
import { startUpstream } from "../support/upstream/fixture.js"

const upstreamFixture = Effect.acquireRelease(Effect.promise(() => startUpstream()), (upstream) => Effect.promise(() => upstream.stopAll()))

/** A manifest pull by a replica: the status and the digest it served. */
const pullManifest = (cluster: ReplicaCluster, replica: RunningServer, image: string, reference: string) =>
  Effect.gen(function*() {
    const { authorization } = yield* cluster.bearer(replica, image)
    const url = `${replica.url}/v2/${PULLER.group}/dependency_proxy/containers/${image}/manifests/${reference}`
    return yield* Effect.promise(async () => {
      const response = await fetch(url, { headers: { authorization, accept: MANIFEST_MEDIA_TYPES.join(", ") } })
      await response.arrayBuffer()
      return { status: response.status, digest: response.headers.get("docker-content-digest") }
    })
  })

const hostOf = (replica: RunningServer) => new URL(replica.url).host
const metricsOf = (replica: RunningServer) => Effect.promise(() => fetch(`${replica.url}/metrics`).then((r) => r.text()))

/**
 * What replicas learn about the upstream (ADR 0012): a breaker opened by one is open on the others without
 * their rediscovering the outage, and closes on all when one finds upstream back; a 404 one replica remembers
 * never hides a tag another replica has cached since.
 */
describe("replicas and the upstream", () => {
  it.scopedLive("a breaker opened on one replica opens on the others, which then do not ask upstream; closed on one, closed on all", () =>
    Effect.gen(function*() {
      const upstream = yield* upstreamFixture
      const faults = yield* Effect.acquireRelease(
        Effect.promise(() => startFaultProxy({ host: "127.0.0.1", port: upstream.registry.port })),
        (proxy) => Effect.promise(() => proxy.close())
      )
      const cluster = yield* replicaCluster(yield* freshDatabase, { url: faults.url }, {
        UPSTREAM_BREAKER_FAILURES: "2",
        UPSTREAM_BREAKER_COOLDOWN: "4s",
        UPSTREAM_REVALIDATION_BUDGET: "1s",
        UPSTREAM_BREAKER_SLOW_CALL: "1s"
      })
      const [a, b] = [cluster.first, yield* cluster.startReplica]
      const upstreamHost = new URL(faults.url).host
      const image = yield* Effect.promise(() => upstream.images.singleArch("library/app", "1"))
      expect(yield* pullManifest(cluster, a, "app", "1")).toEqual({ status: 200, digest: image.manifest.digest })

      yield* Effect.promise(() => faults.goDown())
      for (let i = 0; i < 2; i++) expect(yield* pullManifest(cluster, a, "app", "1")).toEqual({ status: 200, digest: image.manifest.digest })
      yield* Effect.promise(() => breakerBecomes(hostOf(a), upstreamHost, (d) => d.breaker === "open", 10_000))
      // b has not asked upstream once, and knows.
      yield* Effect.promise(() => breakerBecomes(hostOf(b), upstreamHost, (d) => d.breaker === "open", 10_000))
      expect(b.output()).toContain(`upstream breaker for ${upstreamHost}: closed → open (heard from another replica)`)
      expect(yield* pullManifest(cluster, b, "app", "1")).toEqual({ status: 200, digest: image.manifest.digest })
      expect(yield* metricsOf(b)).not.toMatch(/dependency_proxy_upstream_requests_total\{[^}]*outcome="unavailable"/)

      yield* Effect.promise(() => faults.comeBack())
      yield* Effect.promise(() => breakerBecomes(hostOf(a), upstreamHost, (d) => d.retry_in_seconds === 0, 15_000))
      // a's next pull is the probe: upstream answers, a closes, and so does b.
      expect(yield* pullManifest(cluster, a, "app", "1")).toEqual({ status: 200, digest: image.manifest.digest })
      yield* Effect.promise(() => breakerBecomes(hostOf(a), upstreamHost, (d) => d.breaker === "closed", 10_000))
      yield* Effect.promise(() => breakerBecomes(hostOf(b), upstreamHost, (d) => d.breaker === "closed", 10_000))
    }), { timeout: 300_000 })

  it.scopedLive("a 404 remembered by one replica never hides a tag another replica has cached since", () =>
    Effect.gen(function*() {
      const upstream = yield* upstreamFixture
      const cluster = yield* replicaCluster(yield* freshDatabase, upstream, { UPSTREAM_NOT_FOUND_TTL: "10m" })
      const [a, b] = [cluster.first, yield* cluster.startReplica]
      expect((yield* pullManifest(cluster, a, "app", "late")).status).toBe(404)

      const image = yield* Effect.promise(() => upstream.images.singleArch("library/app", "late"))
      // a remembers the 404 and does not ask again…
      expect((yield* pullManifest(cluster, a, "app", "late")).status).toBe(404)
      // …b never saw it and pulls the tag into the shared cache…
      expect(yield* pullManifest(cluster, b, "app", "late")).toEqual({ status: 200, digest: image.manifest.digest })
      // …and then a serves it: what is cached wins over a remembered 404.
      expect(yield* pullManifest(cluster, a, "app", "late")).toEqual({ status: 200, digest: image.manifest.digest })
    }), { timeout: 300_000 })
})
