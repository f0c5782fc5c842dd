import { it } from "@effect/vitest"
import { Arbitrary, Either, FastCheck } from "effect"
import { describe, expect } from "vitest"
import { BlobEvent, ManifestEvent } from "../../../src/domain/cache/CacheEvents.js"
import { CachedBlob, type CachedBlobCommand } from "../../../src/domain/cache/CachedBlob.js"
import { CachedManifests, type CachedManifestsCommand } from "../../../src/domain/cache/CachedManifests.js"
import { type Decider, fold } from "../../../src/domain/Decider.js"
import { given } from "../../support/givenWhenThen.js"

const A = `sha256:${"a".repeat(64)}`
const B = `sha256:${"b".repeat(64)}`
const DOCKER = "application/vnd.docker.distribution.manifest.v2+json"
const OCI = "application/vnd.oci.image.manifest.v1+json"
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s))

const PULLED = at(100)
const cache = (tag: string | null, digest: string, mediaType = DOCKER): CachedManifestsCommand =>
  ({ _tag: "CacheManifest", groupId: 1, image: "alpine", tag, digest, mediaType, size: 10, at: PULLED })
const cached = (tag: string | null, digest: string, mediaType = DOCKER) =>
  ({ _tag: "ManifestCached" as const, groupId: 1, image: "alpine", tag, digest, mediaType, size: 10 })

describe("CachedManifests (manifest-<group>/<image>)", () => {
  it("records a tag the first time, and again only when it moves to another digest or media type", () => {
    given(CachedManifests).when(cache("3.19", A)).then([cached("3.19", A)])
    given(CachedManifests, [cached("3.19", A)]).when(cache("3.19", A)).then([])
    given(CachedManifests, [cached("3.19", A)]).when(cache("3.19", B)).then([cached("3.19", B)])
    // A digest cached before and pulled again (another media type, another tag) is news, and a read of it.
    const readNow = (tag: string) => ({ _tag: "ManifestRead" as const, digest: A, tag, at: PULLED })
    given(CachedManifests, [cached("3.19", A)]).when(cache("3.19", A, OCI)).then([cached("3.19", A, OCI), readNow("3.19")])
    given(CachedManifests, [cached("3.19", A)]).when(cache("latest", A)).then([cached("latest", A), readNow("latest")])
    // Not a second read at the same moment.
    given(CachedManifests, [cached("3.19", A), readNow("3.19")]).when(cache("latest", A)).then([cached("latest", A)])
  })

  it("a new tag on a digest the TTL job judged unread keeps it: caching it was a read", () => {
    const expire = { _tag: "ExpireManifest" as const, digest: A, reason: "ttl" as const, unreadSince: at(30) }
    const recached = [cached("3.19", A), cached("latest", A), { _tag: "ManifestRead" as const, digest: A, tag: "latest", at: PULLED }]
    given(CachedManifests, [cached("3.19", A)]).when(cache("latest", A)).then(recached.slice(1))
    given(CachedManifests, recached).when(expire).then([])
  })

  it("records a digest pulled by digest once; the tag that brought it counts", () => {
    given(CachedManifests).when(cache(null, A)).then([cached(null, A)])
    given(CachedManifests, [cached("3.19", A)]).when(cache(null, A)).then([])
    given(CachedManifests, [cached(null, A)]).when(cache(null, A)).then([])
  })

  it("expires a digest with every tag pointing at it now, and nothing that is not cached", () => {
    const history = [cached("3.19", A), cached("latest", A), cached("edge", B), cached("old", B), cached("old", A)]
    given(CachedManifests, history).when({ _tag: "ExpireManifest", digest: A, reason: "ttl" }).then([
      { _tag: "ManifestExpired", digest: A, tags: ["3.19", "latest", "old"], reason: "ttl" }
    ])
    given(CachedManifests, history).when({ _tag: "ExpireManifest", digest: `sha256:${"c".repeat(64)}`, reason: "purge" }).then([])
    given(CachedManifests, [...history, { _tag: "ManifestExpired", digest: B, tags: ["edge"], reason: "purge" }])
      .when({ _tag: "ExpireManifest", digest: B, reason: "purge" })
      .then([])
  })

  it("expires by TTL only a digest not read since the cutoff: a pull after the job looked keeps it", () => {
    const read = (s: number) => ({ _tag: "ManifestRead" as const, digest: A, tag: "3.19", at: at(s) })
    const expire = { _tag: "ExpireManifest" as const, digest: A, reason: "ttl" as const, unreadSince: at(30) }
    given(CachedManifests, [cached("3.19", A), read(30)]).when(expire).then([])
    given(CachedManifests, [cached("3.19", A), read(40)]).when(expire).then([])
    given(CachedManifests, [cached("3.19", A), read(29)]).when(expire).then([{ _tag: "ManifestExpired", digest: A, tags: ["3.19"], reason: "ttl" }])
    given(CachedManifests, [cached("3.19", A)]).when(expire).then([{ _tag: "ManifestExpired", digest: A, tags: ["3.19"], reason: "ttl" }])
  })

  it("records a read at most once per interval per digest", () => {
    const read = (s: number): CachedManifestsCommand => ({ _tag: "RecordManifestRead", digest: A, tag: "3.19", at: at(s), minIntervalMs: 60_000 })
    const recorded = { _tag: "ManifestRead" as const, digest: A, tag: "3.19", at: at(0) }
    given(CachedManifests, [cached("3.19", A)]).when(read(0)).then([recorded])
    given(CachedManifests, [cached("3.19", A), recorded]).when(read(59)).then([])
    given(CachedManifests, [cached("3.19", A), recorded]).when(read(60)).then([{ ...recorded, at: at(60) }])
  })
})

describe("CachedBlob (blob-<group>/<digest>)", () => {
  const entry: CachedBlobCommand = { _tag: "CacheBlob", groupId: 1, digest: A, size: 5, image: "alpine", source: "upstream" }
  const blobCached = { _tag: "BlobCached" as const, groupId: 1, digest: A, size: 5, image: "alpine", source: "upstream" as const }

  it("caches once, forgets what it has, and caches again after forgetting (self-healing)", () => {
    given(CachedBlob).when(entry).then([blobCached])
    given(CachedBlob, [blobCached]).when(entry).then([])
    given(CachedBlob, [blobCached]).when({ _tag: "ForgetBlob", reason: "file missing" }).then([{ _tag: "BlobForgotten", reason: "file missing" }])
    given(CachedBlob).when({ _tag: "ForgetBlob", reason: "ttl" }).then([])
    given(CachedBlob, [blobCached, { _tag: "BlobForgotten", reason: "file missing" }]).when(entry).then([blobCached])
  })

  it("forgets by TTL only a blob not read since the cutoff", () => {
    const forget: CachedBlobCommand = { _tag: "ForgetBlob", reason: "ttl", unreadSince: at(30) }
    given(CachedBlob, [blobCached, { _tag: "BlobRead", at: at(30) }]).when(forget).then([])
    given(CachedBlob, [blobCached, { _tag: "BlobRead", at: at(29) }]).when(forget).then([{ _tag: "BlobForgotten", reason: "ttl" }])
    given(CachedBlob, [blobCached]).when(forget).then([{ _tag: "BlobForgotten", reason: "ttl" }])
  })

  it("records reads of a cached entry at most once per interval", () => {
    const read = (s: number): CachedBlobCommand => ({ _tag: "RecordBlobRead", at: at(s), minIntervalMs: 60_000 })
    given(CachedBlob, [blobCached]).when(read(0)).then([{ _tag: "BlobRead", at: at(0) }])
    given(CachedBlob, [blobCached, { _tag: "BlobRead", at: at(0) }]).when(read(30)).then([])
    given(CachedBlob).when(read(0)).then([])
  })
})

// ---------------------------------------------------------------------------------------------------------
// Over arbitrary histories (from the very schemas the store decodes with): evolve never throws, and a command
// decided, applied and decided again records nothing the second time (pulls that race agree on one event).

const digest = FastCheck.constantFrom(A, B, `sha256:${"c".repeat(64)}`)
const tag = FastCheck.constantFrom(null, "3.19", "latest")
const interval = FastCheck.integer({ min: 1, max: 3_600_000 })
const manifestCommand: FastCheck.Arbitrary<CachedManifestsCommand> = FastCheck.oneof(
  FastCheck.record({ tag, digest, mediaType: FastCheck.constantFrom(DOCKER, OCI) }).map((c) => cache(c.tag, c.digest, c.mediaType)),
  FastCheck.record({ digest, tag, at: FastCheck.date({ noInvalidDate: true }), minIntervalMs: interval })
    .map((c): CachedManifestsCommand => ({ _tag: "RecordManifestRead", ...c })),
  FastCheck.record({ digest, reason: FastCheck.constantFrom("ttl" as const, "purge" as const) })
    .map((c): CachedManifestsCommand => ({ _tag: "ExpireManifest", ...c }))
)
const blobCommand: FastCheck.Arbitrary<CachedBlobCommand> = FastCheck.oneof(
  FastCheck.constant<CachedBlobCommand>({ _tag: "CacheBlob", groupId: 1, digest: A, size: 5, image: "alpine", source: "shared" }),
  FastCheck.record({ at: FastCheck.date({ noInvalidDate: true }), minIntervalMs: interval }).map((c): CachedBlobCommand => ({ _tag: "RecordBlobRead", ...c })),
  FastCheck.constant<CachedBlobCommand>({ _tag: "ForgetBlob", reason: "fsck" })
)

const decideTwice = <C, E, S>(decider: Decider<C, E, S, never>, history: ReadonlyArray<E>, command: C) => {
  const state = fold(decider, history)
  const first = Either.getOrThrow(decider.decide(command, state))
  return decider.decide(command, first.reduce(decider.evolve, state))
}

describe("the cache deciders over arbitrary histories", () => {
  it.prop("manifests: evolve is total and decisions are idempotent", [FastCheck.array(Arbitrary.make(ManifestEvent), { maxLength: 20 }), manifestCommand], ([history, command]) => {
    expect(decideTwice(CachedManifests, history, command)).toStrictEqual(Either.right([]))
  })
  it.prop("blobs: evolve is total and decisions are idempotent", [FastCheck.array(Arbitrary.make(BlobEvent), { maxLength: 20 }), blobCommand], ([history, command]) => {
    expect(decideTwice(CachedBlob, history, command)).toStrictEqual(Either.right([]))
  })
})
