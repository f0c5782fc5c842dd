import { createHash, randomUUID } from "node:crypto"
import { it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { afterAll, beforeAll, describe, expect } from "vitest"
import {
  type UpstreamCaller,
  type UpstreamError,
  type UpstreamRegistryShape
} from "../../src/application/ports/UpstreamRegistry.js"

export interface Descriptor {
  readonly digest: string
  readonly mediaType: string
  readonly size: number
}

/** An image the subject pushed: its manifest and the blobs the manifest names. */
export interface PublishedImage {
  readonly manifest: Descriptor
  readonly blobs: ReadonlyArray<Descriptor>
}

/**
 * What the suite needs of an upstream: the adapter to test, a way to put a new image under a tag (a never-seen
 * one each time, so a tag published twice moves) and to take the registry away and back.
 */
export interface UpstreamSubject {
  readonly upstream: UpstreamRegistryShape
  readonly publish: (repository: string, tag: string) => Promise<PublishedImage>
  readonly setReachable: (reachable: boolean) => Promise<void>
  /** Only `reader` may read repositories under this prefix. */
  readonly privatePrefix: string
  readonly reader: { readonly identity: string; readonly secret: string }
  readonly stop: () => Promise<void>
}

const ANONYMOUS: UpstreamCaller = { groupId: 1, credentials: null }
const sha256 = (bytes: Uint8Array) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`
const bytesOf = <E>(body: Stream.Stream<Uint8Array, E>) =>
  Stream.runCollect(body).pipe(Effect.map((runs) => Buffer.concat([...runs])))
const failureOf = <A>(effect: Effect.Effect<A, UpstreamError>) => Effect.flip(effect).pipe(Effect.map((e) => e._tag))
/** Repositories of their own per test: the suite shares one registry. */
const fresh = (prefix = "contract/") => `${prefix}${randomUUID().slice(0, 8)}`

/**
 * The `UpstreamRegistry` port as the pull-through cache relies on it. Runs on the undici adapter against a real
 * docker-registry and on the in-memory fake, so a unit test written against the fake means the same as one
 * against the real thing.
 */
export const upstreamRegistryContract = (name: string, start: () => Promise<UpstreamSubject>) =>
  describe(`UpstreamRegistry contract: ${name}`, () => {
    let subject: UpstreamSubject
    beforeAll(async () => {
      subject = await start()
    })
    afterAll(async () => {
      await subject?.stop()
    })
    const publish = (repository: string, tag: string) => Effect.promise(() => subject.publish(repository, tag))

    it.live("HEAD and GET of a tag agree on digest, media type and size, and the body hashes to the digest", () =>
      Effect.gen(function*() {
        const repository = fresh()
        const image = yield* publish(repository, "1.0")
        const head = yield* subject.upstream.headManifest(ANONYMOUS, repository, "1.0")
        const got = yield* subject.upstream.getManifest(ANONYMOUS, repository, "1.0")
        expect(head).toEqual(image.manifest)
        expect({ digest: got.digest, mediaType: got.mediaType, size: got.size }).toEqual(image.manifest)
        expect(sha256(got.body)).toBe(image.manifest.digest)
        expect(got.body.length).toBe(image.manifest.size)
      }))

    it.live("a manifest is found by its digest as well as by its tag", () =>
      Effect.gen(function*() {
        const repository = fresh()
        const image = yield* publish(repository, "1.0")
        expect(yield* subject.upstream.headManifest(ANONYMOUS, repository, image.manifest.digest)).toEqual(image.manifest)
        expect(sha256((yield* subject.upstream.getManifest(ANONYMOUS, repository, image.manifest.digest)).body)).toBe(image.manifest.digest)
      }))

    it.live("an unknown tag, digest or repository is UpstreamNotFound, for HEAD and GET", () =>
      Effect.gen(function*() {
        const repository = fresh()
        yield* publish(repository, "1.0")
        const missingDigest = sha256(Buffer.from(randomUUID()))
        for (const [repo, reference] of [[repository, "nope"], [repository, missingDigest], [fresh(), "1.0"]] as const) {
          expect(yield* failureOf(subject.upstream.headManifest(ANONYMOUS, repo, reference, { retry: false }))).toBe("UpstreamNotFound")
          expect(yield* failureOf(subject.upstream.getManifest(ANONYMOUS, repo, reference))).toBe("UpstreamNotFound")
        }
      }))

    it.live("a tag moved upstream answers with its new digest; the old manifest stays readable by digest", () =>
      Effect.gen(function*() {
        const repository = fresh()
        const first = yield* publish(repository, "latest")
        const second = yield* publish(repository, "latest")
        expect(second.manifest.digest).not.toBe(first.manifest.digest)
        expect((yield* subject.upstream.headManifest(ANONYMOUS, repository, "latest")).digest).toBe(second.manifest.digest)
        expect((yield* subject.upstream.getManifest(ANONYMOUS, repository, "latest")).digest).toBe(second.manifest.digest)
        expect((yield* subject.upstream.getManifest(ANONYMOUS, repository, first.manifest.digest)).digest).toBe(first.manifest.digest)
      }))

    it.live("a blob's HEAD gives its size and its GET its bytes; an unknown blob is UpstreamNotFound", () =>
      Effect.gen(function*() {
        const repository = fresh()
        const image = yield* publish(repository, "1.0")
        for (const blob of image.blobs) {
          expect(yield* subject.upstream.headBlob(ANONYMOUS, repository, blob.digest)).toEqual({ size: blob.size })
          const got = yield* subject.upstream.getBlob(ANONYMOUS, repository, blob.digest)
          expect(got.size).toBe(blob.size)
          expect(sha256(yield* bytesOf(got.body))).toBe(blob.digest)
        }
        const missing = sha256(Buffer.from(randomUUID()))
        expect(yield* failureOf(subject.upstream.headBlob(ANONYMOUS, repository, missing))).toBe("UpstreamNotFound")
        expect(yield* failureOf(subject.upstream.getBlob(ANONYMOUS, repository, missing))).toBe("UpstreamNotFound")
      }))

    it.live("tags lists a repository's tags; an unknown repository is UpstreamNotFound", () =>
      Effect.gen(function*() {
        const repository = fresh()
        yield* publish(repository, "b")
        yield* publish(repository, "a")
        expect([...(yield* subject.upstream.tags(ANONYMOUS, repository))].sort()).toEqual(["a", "b"])
        expect(yield* failureOf(subject.upstream.tags(ANONYMOUS, fresh()))).toBe("UpstreamNotFound")
      }))

    it.live("a private repository is UpstreamNotFound anonymously and readable with a reader's credentials", () =>
      Effect.gen(function*() {
        const repository = fresh(subject.privatePrefix)
        const image = yield* publish(repository, "1.0")
        const reader: UpstreamCaller = { groupId: 2, credentials: subject.reader }
        expect(yield* failureOf(subject.upstream.headManifest(ANONYMOUS, repository, "1.0", { retry: false }))).toBe("UpstreamNotFound")
        expect(yield* failureOf(subject.upstream.getManifest(ANONYMOUS, repository, "1.0"))).toBe("UpstreamNotFound")
        expect((yield* subject.upstream.headManifest(reader, repository, "1.0")).digest).toBe(image.manifest.digest)
        expect((yield* subject.upstream.getManifest(reader, repository, "1.0")).digest).toBe(image.manifest.digest)
      }))

    it.live("credentials the upstream does not accept are UpstreamCredentialsRejected", () =>
      Effect.gen(function*() {
        const repository = fresh()
        yield* publish(repository, "1.0")
        const wrong: UpstreamCaller = { groupId: 3, credentials: { identity: subject.reader.identity, secret: "not-the-password" } }
        expect(yield* failureOf(subject.upstream.headManifest(wrong, repository, "1.0", { retry: false }))).toBe("UpstreamCredentialsRejected")
        expect(yield* failureOf(subject.upstream.getManifest(wrong, repository, "1.0"))).toBe("UpstreamCredentialsRejected")
      }))

    it.live("an unreachable upstream is UpstreamUnavailable for every call, and answers again once back", () =>
      Effect.gen(function*() {
        const repository = fresh()
        const image = yield* publish(repository, "1.0")
        const blob = image.blobs[0]
        if (blob === undefined) throw new Error("the published image has no blobs")
        yield* Effect.promise(() => subject.setReachable(false))
        yield* Effect.gen(function*() {
          expect(yield* failureOf(subject.upstream.headManifest(ANONYMOUS, repository, "1.0", { retry: false }))).toBe("UpstreamUnavailable")
          expect(yield* failureOf(subject.upstream.getManifest(ANONYMOUS, repository, "1.0"))).toBe("UpstreamUnavailable")
          expect(yield* failureOf(subject.upstream.headBlob(ANONYMOUS, repository, blob.digest))).toBe("UpstreamUnavailable")
          expect(yield* failureOf(subject.upstream.getBlob(ANONYMOUS, repository, blob.digest))).toBe("UpstreamUnavailable")
          expect(yield* failureOf(subject.upstream.tags(ANONYMOUS, repository))).toBe("UpstreamUnavailable")
        }).pipe(Effect.ensuring(Effect.promise(() => subject.setReachable(true))))
        expect((yield* subject.upstream.headManifest(ANONYMOUS, repository, "1.0")).digest).toBe(image.manifest.digest)
      }))

    it.live("reports no rate limit and no refusal when the upstream sends none and nothing failed", () =>
      Effect.gen(function*() {
        const repository = fresh()
        yield* publish(repository, "1.0")
        yield* subject.upstream.headManifest(ANONYMOUS, repository, "1.0")
        expect(yield* subject.upstream.rateLimit).toEqual({ limit: null, remaining: null })
        expect(yield* subject.upstream.refusal).toBeNull()
      }))
  })
