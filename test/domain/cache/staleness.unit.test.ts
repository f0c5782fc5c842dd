import { it } from "@effect/vitest"
import { FastCheck } from "effect"
import { describe, expect } from "vitest"
import {
  afterFetchFailure,
  afterHead,
  type CachedManifestEntry,
  type FetchFailure,
  type HeadOutcome,
  NOTHING_KNOWN,
  planManifest,
  type UpstreamKnowledge
} from "../../../src/domain/cache/staleness.js"
import type { Reference } from "../../../src/domain/registry/RegistryPath.js"

const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`
const OTHER_DIGEST = `sha256:${"a".repeat(64)}`
const INDEX = "application/vnd.oci.image.index.v1+json"
const DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"

const latest: Reference = { _tag: "Tag", tag: "latest" }
const byDigest: Reference = { _tag: "Digest", digest: DIGEST }

const checkedAt = new Date("2024-05-06T07:08:09.000Z")
const later = (seconds: number) => new Date(checkedAt.getTime() + seconds * 1000)
const entry = (overrides: Partial<CachedManifestEntry> = {}): CachedManifestEntry => ({
  digest: DIGEST,
  mediaType: INDEX,
  checkedAt,
  ...overrides
})

// ---------------------------------------------------------------------------------------------------------
// Generators. Digests, media types and tags are drawn from small pools as well as freely, so that "equal"
// and "different" both come up often.

const hex = FastCheck.string({ unit: FastCheck.constantFrom(..."0123456789abcdef".split("")), minLength: 64, maxLength: 64 })
const digest = FastCheck.oneof(FastCheck.constantFrom(DIGEST, OTHER_DIGEST), hex.map((h) => `sha256:${h}`))
const mediaType = FastCheck.oneof(
  FastCheck.constantFrom(INDEX, DOCKER_LIST, "application/vnd.oci.image.manifest.v1+json"),
  FastCheck.string({ minLength: 1, maxLength: 40 })
)
const tagChar = FastCheck.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-".split(""))
const tag = FastCheck.string({ unit: tagChar, minLength: 1, maxLength: 20 })
const tagReference = tag.map((t): Reference => ({ _tag: "Tag", tag: t }))
const digestReference = digest.map((d): Reference => ({ _tag: "Digest", digest: d }))
const reference = FastCheck.oneof(tagReference, digestReference)

// Dates within a few centuries either side of the epoch, never invalid: the rule only subtracts them.
const date = FastCheck.date({ min: new Date("1970-01-01T00:00:00.000Z"), max: new Date("2200-01-01T00:00:00.000Z"), noInvalidDate: true })
/** Any interval a group could configure, including 0 (always check) and absurdly long ones. */
const interval = FastCheck.oneof(FastCheck.constant(0), FastCheck.integer({ min: 0, max: 10 * 365 * 24 * 3600 }))
const positiveInterval = FastCheck.integer({ min: 1, max: 10 * 365 * 24 * 3600 })

const knowledge: FastCheck.Arbitrary<UpstreamKnowledge> = FastCheck.record({ refusing: FastCheck.boolean(), knownMissing: FastCheck.boolean() })

const cachedEntry = FastCheck.record({ digest, mediaType, checkedAt: FastCheck.option(date, { nil: null }) })

const headOutcome: FastCheck.Arbitrary<HeadOutcome> = FastCheck.oneof(
  FastCheck.record({ _tag: FastCheck.constant("Found" as const), digest, mediaType }),
  FastCheck.constant({ _tag: "NotFound" as const }),
  FastCheck.constant({ _tag: "Unavailable" as const })
)
const fetchFailure: FastCheck.Arbitrary<FetchFailure> = FastCheck.constantFrom<FetchFailure>(
  { _tag: "NotFound" },
  { _tag: "Unavailable" },
  { _tag: "Invalid" }
)

// ---------------------------------------------------------------------------------------------------------

describe("planManifest examples", () => {
  it("fetches what is not cached, by tag or by digest", () => {
    expect(planManifest(latest, null, checkedAt, 300, NOTHING_KNOWN)).toEqual({ _tag: "Fetch" })
    expect(planManifest(byDigest, null, checkedAt, 300, NOTHING_KNOWN)).toEqual({ _tag: "Fetch" })
    expect(planManifest(latest, null, checkedAt, 0, NOTHING_KNOWN)).toEqual({ _tag: "Fetch" })
  })

  it("serves a cached digest without asking upstream, even if it was never checked and the interval is 0", () => {
    expect(planManifest(byDigest, entry({ checkedAt: null }), later(1_000_000), 0, NOTHING_KNOWN)).toEqual({ _tag: "ServeCached" })
    expect(planManifest(byDigest, entry(), later(1_000_000), 300, NOTHING_KNOWN)).toEqual({ _tag: "ServeCached" })
  })

  it("serves a cached tag confirmed within the interval", () => {
    expect(planManifest(latest, entry(), checkedAt, 300, NOTHING_KNOWN)).toEqual({ _tag: "ServeCached" })
    expect(planManifest(latest, entry(), later(299.999), 300, NOTHING_KNOWN)).toEqual({ _tag: "ServeCached" })
  })

  it("checks a cached tag once the interval has elapsed, exactly at its end included", () => {
    expect(planManifest(latest, entry(), later(300), 300, NOTHING_KNOWN)).toEqual({ _tag: "CheckUpstream" })
    expect(planManifest(latest, entry(), later(86_400), 300, NOTHING_KNOWN)).toEqual({ _tag: "CheckUpstream" })
  })

  it("checks a cached tag never confirmed in this process, however long the interval", () => {
    expect(planManifest(latest, entry({ checkedAt: null }), checkedAt, 86_400, NOTHING_KNOWN)).toEqual({ _tag: "CheckUpstream" })
  })

  it("checks a cached tag on every request when the interval is 0 (or negative)", () => {
    expect(planManifest(latest, entry(), checkedAt, 0, NOTHING_KNOWN)).toEqual({ _tag: "CheckUpstream" })
    expect(planManifest(latest, entry(), checkedAt, -5, NOTHING_KNOWN)).toEqual({ _tag: "CheckUpstream" })
  })
})

describe("planManifest examples with the breaker and remembered 404s", () => {
  const refusing: UpstreamKnowledge = { refusing: true, knownMissing: false }
  const missing: UpstreamKnowledge = { refusing: false, knownMissing: true }

  it("serves a cached tag stale at once while the breaker is open", () => {
    expect(planManifest(latest, entry(), later(86_400), 0, refusing)).toEqual({ _tag: "ServeStale" })
  })

  it("a cached tag still within its interval is a plain hit, breaker or not", () => {
    expect(planManifest(latest, entry(), later(1), 300, refusing)).toEqual({ _tag: "ServeCached" })
  })

  it("answers an uncached reference with 503 at once while the breaker is open", () => {
    expect(planManifest(latest, null, checkedAt, 0, refusing)).toEqual({ _tag: "UpstreamUnavailable" })
    expect(planManifest(byDigest, null, checkedAt, 0, refusing)).toEqual({ _tag: "UpstreamUnavailable" })
  })

  it("answers a tag upstream just said is missing without asking again", () => {
    expect(planManifest(latest, null, checkedAt, 0, missing)).toEqual({ _tag: "ManifestUnknown" })
    expect(planManifest(latest, null, checkedAt, 0, { refusing: true, knownMissing: true })).toEqual({ _tag: "ManifestUnknown" })
  })

  it("a remembered 404 never hides a copy cached since, nor applies to digests", () => {
    expect(planManifest(latest, entry(), later(86_400), 0, missing)).toEqual({ _tag: "CheckUpstream" })
    expect(planManifest(byDigest, null, checkedAt, 0, missing)).toEqual({ _tag: "Fetch" })
  })
})

describe("afterHead examples", () => {
  it("serves the cached copy when upstream names the same digest and media type", () => {
    expect(afterHead(entry(), { _tag: "Found", digest: DIGEST, mediaType: INDEX }, false)).toEqual({ _tag: "ServeCached" })
  })

  it("fetches when the tag moved to another digest", () => {
    expect(afterHead(entry(), { _tag: "Found", digest: OTHER_DIGEST, mediaType: INDEX }, false)).toEqual({ _tag: "Fetch" })
  })

  it("fetches when only the media type differs (another representation of the tag)", () => {
    expect(afterHead(entry(), { _tag: "Found", digest: DIGEST, mediaType: DOCKER_LIST }, false)).toEqual({ _tag: "Fetch" })
  })

  it("serves stale when upstream is unavailable, whatever the NotFound option", () => {
    expect(afterHead(entry(), { _tag: "Unavailable" }, false)).toEqual({ _tag: "ServeStale" })
    expect(afterHead(entry(), { _tag: "Unavailable" }, true)).toEqual({ _tag: "ServeStale" })
  })

  it("answers MANIFEST_UNKNOWN for a tag deleted upstream, unless the group serves stale copies of those", () => {
    expect(afterHead(entry(), { _tag: "NotFound" }, false)).toEqual({ _tag: "ManifestUnknown" })
    expect(afterHead(entry(), { _tag: "NotFound" }, true)).toEqual({ _tag: "ServeStale" })
  })
})

describe("afterFetchFailure examples", () => {
  it("with nothing cached, maps each failure to its error whatever the option", () => {
    for (const option of [false, true]) {
      expect(afterFetchFailure(null, { _tag: "NotFound" }, option)).toEqual({ _tag: "ManifestUnknown" })
      expect(afterFetchFailure(null, { _tag: "Unavailable" }, option)).toEqual({ _tag: "UpstreamUnavailable" })
      expect(afterFetchFailure(null, { _tag: "Invalid" }, option)).toEqual({ _tag: "UpstreamInvalid" })
    }
  })

  it("with a cached copy, serves it stale when upstream is unavailable or answers garbage", () => {
    for (const option of [false, true]) {
      expect(afterFetchFailure(entry(), { _tag: "Unavailable" }, option)).toEqual({ _tag: "ServeStale" })
      expect(afterFetchFailure(entry(), { _tag: "Invalid" }, option)).toEqual({ _tag: "ServeStale" })
    }
  })

  it("with a cached copy and a 404, answers MANIFEST_UNKNOWN unless the group serves stale copies", () => {
    expect(afterFetchFailure(entry(), { _tag: "NotFound" }, false)).toEqual({ _tag: "ManifestUnknown" })
    expect(afterFetchFailure(entry(), { _tag: "NotFound" }, true)).toEqual({ _tag: "ServeStale" })
  })
})

// ---------------------------------------------------------------------------------------------------------

describe("staleness properties", () => {
  it.prop(
    "(a) a cached digest reference is always served from the cache, never sent upstream, whatever is known of upstream",
    [digestReference, cachedEntry, date, interval, knowledge],
    ([ref, cached, now, seconds, known]) => {
      expect(planManifest(ref, cached, now, seconds, known)).toEqual({ _tag: "ServeCached" })
    }
  )

  it.prop(
    "(b) a reference that is not cached is always fetched when nothing is known against upstream",
    [reference, date, interval],
    ([ref, now, seconds]) => {
      expect(planManifest(ref, null, now, seconds, NOTHING_KNOWN)).toEqual({ _tag: "Fetch" })
    }
  )

  it.prop(
    "(c) a HEAD naming the cached digest and media type never leads to a GET",
    [cachedEntry, FastCheck.boolean()],
    ([cached, option]) => {
      const outcome: HeadOutcome = { _tag: "Found", digest: cached.digest, mediaType: cached.mediaType }
      expect(afterHead(cached, outcome, option)).toEqual({ _tag: "ServeCached" })
    }
  )

  it.prop(
    "(c') a HEAD naming anything else than the cached digest and media type fetches",
    [cachedEntry, digest, mediaType, FastCheck.boolean()],
    ([cached, otherDigest, otherType, option]) => {
      FastCheck.pre(otherDigest !== cached.digest || otherType !== cached.mediaType)
      expect(afterHead(cached, { _tag: "Found", digest: otherDigest, mediaType: otherType }, option)).toEqual({ _tag: "Fetch" })
    }
  )

  it.prop(
    "(d) an unavailable upstream never makes a cached manifest unpullable",
    [cachedEntry, FastCheck.boolean(), FastCheck.constantFrom<FetchFailure>({ _tag: "Unavailable" }, { _tag: "Invalid" })],
    ([cached, option, failure]) => {
      expect(afterHead(cached, { _tag: "Unavailable" }, option)).toEqual({ _tag: "ServeStale" })
      expect(afterFetchFailure(cached, failure, option)).toEqual({ _tag: "ServeStale" })
    }
  )

  it.prop(
    "(e) a 404 with a cached copy is MANIFEST_UNKNOWN unless the group serves stale copies",
    [cachedEntry, FastCheck.boolean()],
    ([cached, option]) => {
      const expected = option ? { _tag: "ServeStale" } : { _tag: "ManifestUnknown" }
      expect(afterHead(cached, { _tag: "NotFound" }, option)).toEqual(expected)
      expect(afterFetchFailure(cached, { _tag: "NotFound" }, option)).toEqual(expected)
    }
  )

  it.prop(
    "(f) a cached tag is served within a positive interval since it was checked, and checked at or past it",
    [tagReference, cachedEntry, date, positiveInterval, FastCheck.double({ min: 0, max: 3, noNaN: true })],
    ([ref, cached, confirmedAt, seconds, fraction]) => {
      // Elapsed time as a fraction of the interval, so that both sides of the boundary come up evenly.
      const elapsedMs = Math.floor(seconds * 1000 * fraction)
      const now = new Date(confirmedAt.getTime() + elapsedMs)
      const expected = elapsedMs < seconds * 1000 ? "ServeCached" : "CheckUpstream"
      expect(planManifest(ref, { ...cached, checkedAt: confirmedAt }, now, seconds, NOTHING_KNOWN)._tag).toBe(expected)
    }
  )

  it.prop(
    "(f) the boundary: one millisecond before the interval ends serves, the end itself checks",
    [tagReference, cachedEntry, date, positiveInterval],
    ([ref, cached, confirmedAt, seconds]) => {
      const at = (ms: number) => planManifest(ref, { ...cached, checkedAt: confirmedAt }, new Date(confirmedAt.getTime() + ms), seconds, NOTHING_KNOWN)._tag
      expect(at(seconds * 1000 - 1)).toBe("ServeCached")
      expect(at(seconds * 1000)).toBe("CheckUpstream")
    }
  )

  it.prop(
    "(f) with interval 0, or never confirmed, a cached tag is always checked upstream",
    [tagReference, cachedEntry, date, positiveInterval],
    ([ref, cached, now, seconds]) => {
      expect(planManifest(ref, cached, now, 0, NOTHING_KNOWN)).toEqual({ _tag: "CheckUpstream" })
      expect(planManifest(ref, { ...cached, checkedAt: null }, now, seconds, NOTHING_KNOWN)).toEqual({ _tag: "CheckUpstream" })
    }
  )

  it.prop(
    "(g) with nothing cached, a failed fetch maps to its OCI error whatever the option",
    [fetchFailure, FastCheck.boolean()],
    ([failure, option]) => {
      const expected = { NotFound: "ManifestUnknown", Unavailable: "UpstreamUnavailable", Invalid: "UpstreamInvalid" }[failure._tag]
      expect(afterFetchFailure(null, failure, option)).toEqual({ _tag: expected })
    }
  )

  it.prop(
    "(h) while the breaker refuses, a cached reference is served without any upstream call",
    [reference, cachedEntry, date, interval, FastCheck.boolean()],
    ([ref, cached, now, seconds, knownMissing]) => {
      expect(["ServeCached", "ServeStale"]).toContain(planManifest(ref, cached, now, seconds, { refusing: true, knownMissing })._tag)
    }
  )

  it.prop(
    "(i) a remembered 404 never changes what happens to a cached reference",
    [reference, cachedEntry, date, interval, FastCheck.boolean()],
    ([ref, cached, now, seconds, refusing]) => {
      expect(planManifest(ref, cached, now, seconds, { refusing, knownMissing: true }))
        .toEqual(planManifest(ref, cached, now, seconds, { refusing, knownMissing: false }))
    }
  )

  it.prop(
    "(j) nothing cached: a remembered 404 of a tag answers MANIFEST_UNKNOWN, an open breaker 503, else a GET",
    [reference, date, interval, knowledge],
    ([ref, now, seconds, known]) => {
      const expected = ref._tag === "Tag" && known.knownMissing ? "ManifestUnknown" : known.refusing ? "UpstreamUnavailable" : "Fetch"
      expect(planManifest(ref, null, now, seconds, known)._tag).toBe(expected)
    }
  )

  it.prop(
    "afterHead only ever serves the cache or fetches when upstream answered with a manifest",
    [cachedEntry, headOutcome, FastCheck.boolean()],
    ([cached, outcome, option]) => {
      const decision = afterHead(cached, outcome, option)._tag
      // Found must never fall back to stale or unknown: upstream had an answer, so it is either current or new.
      if (outcome._tag === "Found") expect(["ServeCached", "Fetch"]).toContain(decision)
      else expect(["ServeStale", "ManifestUnknown"]).toContain(decision)
    }
  )
})
