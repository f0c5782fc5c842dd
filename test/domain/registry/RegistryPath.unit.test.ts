import { it } from "@effect/vitest"
import { Either, FastCheck } from "effect"
import path from "node:path"
import { describe, expect } from "vitest"
import {
  parseRegistryPath,
  type RegistryRoute,
  repositoryName,
  type RouteError,
  upstreamRepository,
  validGroupPath,
  validImageName
} from "../../../src/domain/registry/RegistryPath.js"

const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`
const OTHER_DIGEST = `sha256:${"a".repeat(64)}`

const ok = (route: RegistryRoute) => Either.right(route)
const fails = (error: RouteError["_tag"]) => (result: Either.Either<RegistryRoute, RouteError>) => {
  expect(Either.isLeft(result) ? result.left._tag : "parsed").toBe(error)
}

// ---------------------------------------------------------------------------------------------------------
// Generators of valid parts, written from the grammars the distribution spec and GitLab document, not from
// the code's regular expressions.

const lower = "abcdefghijklmnopqrstuvwxyz"
const alnumLower = `${lower}0123456789`
const alnum = `${alnumLower}ABCDEFGHIJKLMNOPQRSTUVWXYZ`
const chars = (alphabet: string, minLength: number, maxLength: number) =>
  FastCheck.string({ unit: FastCheck.constantFrom(...alphabet.split("")), minLength, maxLength })

/** A GitLab group path segment: letters (either case) and digits, with single `.`, `_` or `-` between runs. */
const groupSegment = FastCheck.tuple(chars(alnum, 1, 6), FastCheck.array(FastCheck.tuple(FastCheck.constantFrom(".", "_", "-"), chars(alnum, 1, 6)), { maxLength: 2 })).map(
  ([head, tail]) => head + tail.map(([sep, run]) => sep + run).join("")
)
/** One to four segments: a top-level group and its subgroups. */
const groupPath = FastCheck.array(groupSegment, { minLength: 1, maxLength: 4 }).map((segments) => segments.join("/"))

/** An OCI path component: lowercase alphanumerics separated by `.`, `_`, `__` or one or more `-`. */
const imageComponent = FastCheck.tuple(
  chars(alnumLower, 1, 6),
  FastCheck.array(FastCheck.tuple(FastCheck.constantFrom(".", "_", "__", "-", "--", "---"), chars(alnumLower, 1, 6)), { maxLength: 2 })
).map(([head, tail]) => head + tail.map(([sep, run]) => sep + run).join(""))
const image = FastCheck.array(imageComponent, { minLength: 1, maxLength: 3 }).map((components) => components.join("/"))

/** An OCI tag: `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`. */
const tag = FastCheck.tuple(chars(`${alnum}_`, 1, 1), chars(`${alnum}_.-`, 0, 127)).map(([first, rest]) => first + rest)
const digest = chars("0123456789abcdef", 64, 64).map((hex) => `sha256:${hex}`)

describe("parseRegistryPath examples", () => {
  it("reads the base route", () => {
    expect(parseRegistryPath("/")).toEqual(ok({ _tag: "Base" }))
    expect(parseRegistryPath("")).toEqual(ok({ _tag: "Base" }))
  })

  it("reads a manifest by tag and by digest", () => {
    expect(parseRegistryPath("/group/dependency_proxy/containers/alpine/manifests/latest")).toEqual(
      ok({ _tag: "Manifest", groupPath: "group", image: "alpine", reference: { _tag: "Tag", tag: "latest" } })
    )
    expect(parseRegistryPath(`/group/dependency_proxy/containers/alpine/manifests/${DIGEST}`)).toEqual(
      ok({ _tag: "Manifest", groupPath: "group", image: "alpine", reference: { _tag: "Digest", digest: DIGEST } })
    )
  })

  it("reads a blob", () => {
    expect(parseRegistryPath(`/group/dependency_proxy/containers/alpine/blobs/${OTHER_DIGEST}`)).toEqual(
      ok({ _tag: "Blob", groupPath: "group", image: "alpine", digest: OTHER_DIGEST })
    )
  })

  it("reads subgroups and multi-segment images", () => {
    expect(parseRegistryPath("/top/sub/subsub/dependency_proxy/containers/bitnami/nginx/manifests/1.25.3-debian-12-r0")).toEqual(
      ok({ _tag: "Manifest", groupPath: "top/sub/subsub", image: "bitnami/nginx", reference: { _tag: "Tag", tag: "1.25.3-debian-12-r0" } })
    )
    expect(parseRegistryPath(`/top/sub/dependency_proxy/containers/library/alpine/blobs/${DIGEST}`)).toEqual(
      ok({ _tag: "Blob", groupPath: "top/sub", image: "library/alpine", digest: DIGEST })
    )
    expect(parseRegistryPath("/g/dependency_proxy/containers/a/b/c/manifests/v1")).toEqual(
      ok({ _tag: "Manifest", groupPath: "g", image: "a/b/c", reference: { _tag: "Tag", tag: "v1" } })
    )
    // Images may themselves contain the words "manifests" or "dependency_proxy": the last /manifests/ counts.
    expect(parseRegistryPath("/g/dependency_proxy/containers/manifests/blobs/manifests/v1")).toEqual(
      ok({ _tag: "Manifest", groupPath: "g", image: "manifests/blobs", reference: { _tag: "Tag", tag: "v1" } })
    )
  })

  it("reads a tags list", () => {
    expect(parseRegistryPath("/top/Sub/dependency_proxy/containers/bitnami/nginx/tags/list")).toEqual(
      ok({ _tag: "Tags", groupPath: "top/Sub", image: "bitnami/nginx" })
    )
    fails("NameInvalid")(parseRegistryPath("/../dependency_proxy/containers/alpine/tags/list"))
    fails("NameInvalid")(parseRegistryPath("/group/dependency_proxy/containers/../alpine/tags/list"))
  })

  it("keeps the group path's case as sent (groups are looked up case-insensitively later)", () => {
    expect(parseRegistryPath("/MyGroup/Sub.Team/dependency_proxy/containers/alpine/manifests/Latest")).toEqual(
      ok({ _tag: "Manifest", groupPath: "MyGroup/Sub.Team", image: "alpine", reference: { _tag: "Tag", tag: "Latest" } })
    )
  })

  it.each([
    ["a traversal as the group", "/../dependency_proxy/containers/alpine/manifests/latest"],
    ["a traversal inside the group path", "/top/../other/dependency_proxy/containers/alpine/manifests/latest"],
    ["a dot-dot inside a group segment", "/a..b/dependency_proxy/containers/alpine/manifests/latest"],
    ["a percent-encoded traversal as the group", "/%2e%2e/dependency_proxy/containers/alpine/manifests/latest"],
    ["an empty group segment", "/top//sub/dependency_proxy/containers/alpine/manifests/latest"],
    ["a group segment starting with a dash", "/-top/dependency_proxy/containers/alpine/manifests/latest"],
    ["a group segment ending with a dot", "/top./dependency_proxy/containers/alpine/manifests/latest"],
    ["a backslash in the group", "/top\\sub/dependency_proxy/containers/alpine/manifests/latest"],
    ["an uppercase image", "/group/dependency_proxy/containers/Alpine/manifests/latest"],
    ["a traversal in the image", "/group/dependency_proxy/containers/../../etc/manifests/latest"],
    ["a percent-encoded image", "/group/dependency_proxy/containers/%2e%2e/manifests/latest"],
    ["an empty image component", "/group/dependency_proxy/containers/library//alpine/manifests/latest"],
    ["an image ending with a separator", "/group/dependency_proxy/containers/alpine-/manifests/latest"],
    ["a double dot in the image", "/group/dependency_proxy/containers/al..pine/manifests/latest"],
    ["an image over 255 characters", `/group/dependency_proxy/containers/${"a".repeat(256)}/manifests/latest`],
    ["a NUL in the image", "/group/dependency_proxy/containers/alp\u0000ine/manifests/latest"]
  ])("rejects %s as NameInvalid", (_, input) => {
    fails("NameInvalid")(parseRegistryPath(input))
  })

  it.each([
    ["a tag where a blob digest belongs", "/group/dependency_proxy/containers/alpine/blobs/latest"],
    ["an uppercase digest", `/group/dependency_proxy/containers/alpine/blobs/${DIGEST.toUpperCase()}`],
    ["a short digest", "/group/dependency_proxy/containers/alpine/blobs/sha256:abc"],
    ["another algorithm", `/group/dependency_proxy/containers/alpine/blobs/sha512:${"a".repeat(128)}`],
    ["a manifest digest with non-hex characters", `/group/dependency_proxy/containers/alpine/manifests/sha256:${"z".repeat(64)}`],
    ["a manifest digest one character too long", `/group/dependency_proxy/containers/alpine/manifests/${DIGEST}0`]
  ])("rejects %s as DigestInvalid", (_, input) => {
    fails("DigestInvalid")(parseRegistryPath(input))
  })

  it.each([
    ["a tag starting with a dot", "/group/dependency_proxy/containers/alpine/manifests/.latest"],
    ["a tag starting with a dash", "/group/dependency_proxy/containers/alpine/manifests/-latest"],
    ["the tag ..", "/group/dependency_proxy/containers/alpine/manifests/.."],
    ["a tag of 129 characters", `/group/dependency_proxy/containers/alpine/manifests/${"a".repeat(129)}`],
    ["a percent-encoded tag", "/group/dependency_proxy/containers/alpine/manifests/%2e%2e"],
    ["a tag with a backslash", "/group/dependency_proxy/containers/alpine/manifests/a\\b"]
  ])("rejects %s as ReferenceInvalid", (_, input) => {
    fails("ReferenceInvalid")(parseRegistryPath(input))
  })

  it("accepts a tag of exactly 128 characters", () => {
    const longest = "a".repeat(128)
    expect(parseRegistryPath(`/group/dependency_proxy/containers/alpine/manifests/${longest}`)).toEqual(
      ok({ _tag: "Manifest", groupPath: "group", image: "alpine", reference: { _tag: "Tag", tag: longest } })
    )
  })

  it("accepts a tag containing \"..\" between other characters, as the OCI tag grammar does", () => {
    // `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}` admits "1..2". Such a tag is one file name, never a step up a
    // directory; the traversal properties below check that it stays so. (RegistryPath.ts's doc comment says
    // no accepted component contains "..": for tags that is not so.)
    expect(parseRegistryPath("/group/dependency_proxy/containers/alpine/manifests/1..2")).toEqual(
      ok({ _tag: "Manifest", groupPath: "group", image: "alpine", reference: { _tag: "Tag", tag: "1..2" } })
    )
  })

  it.each([
    ["/v2/"],
    ["/group/alpine/manifests/latest"],
    ["/group/dependency_proxy/alpine/manifests/latest"],
    ["group/dependency_proxy/containers/alpine/manifests/latest"],
    ["/dependency_proxy/containers/alpine/manifests/latest"],
    ["//dependency_proxy/containers/alpine/manifests/latest"],
    ["/group/dependency_proxy/containers/alpine/tags/list/"],
    ["/group/dependency_proxy/containers/alpine/tags"],
    ["/group/dependency_proxy/containers/tags/list"],
    ["/group/dependency_proxy/containers/alpine/manifests/"],
    ["/group/dependency_proxy/containers/alpine/manifests/latest/"],
    ["/group/dependency_proxy/containers/alpine/blobs/uploads/"],
    ["/group/dependency_proxy/containers/manifests/latest"],
    ["/_catalog"]
  ])("answers RouteUnknown for %s", (input) => {
    expect(parseRegistryPath(input)).toEqual(Either.left({ _tag: "RouteUnknown" }))
  })
})

// ---------------------------------------------------------------------------------------------------------

/** The parts of a parsed route that end up as file-system path components. */
const componentsOf = (route: RegistryRoute): ReadonlyArray<string> => {
  switch (route._tag) {
    case "Base":
      return []
    case "Manifest":
      return [route.groupPath, route.image, route.reference._tag === "Tag" ? route.reference.tag : route.reference.digest]
    case "Blob":
      return [route.groupPath, route.image, route.digest]
    case "Tags":
      return [route.groupPath, route.image]
  }
}

// Fragments an attacker (or a confused client) might splice together.
const FRAGMENTS = [
  "/",
  "//",
  "\\",
  "..",
  ".",
  "%2e%2e",
  "%2E%2E",
  "%2f",
  "%5c",
  "%00",
  "\u0000",
  "\n",
  " ",
  ":",
  "dependency_proxy/containers",
  "/dependency_proxy/containers/",
  "manifests",
  "blobs",
  "/manifests/",
  "/blobs/",
  "/tags/list",
  "sha256:",
  DIGEST,
  "latest",
  "group",
  "Group",
  "alpine",
  "library",
  "a",
  "-",
  "_",
  "é",
  "\u2215", // DIVISION SLASH, a look-alike of "/"
  "\uff0e\uff0e", // FULLWIDTH FULL STOPs, a look-alike of ".."
  "\u{1F600}"
]
const soup = FastCheck.array(
  FastCheck.oneof(
    { arbitrary: FastCheck.constantFrom(...FRAGMENTS), weight: 6 },
    { arbitrary: FastCheck.string({ unit: "grapheme", maxLength: 3 }), weight: 1 },
    { arbitrary: FastCheck.string({ unit: "binary", maxLength: 3 }), weight: 1 }
  ),
  { maxLength: 12 }
).map((parts) => parts.join(""))
/** A valid part with one fragment spliced in somewhere: the near misses that probe each grammar's edges. */
const spliced = (valid: FastCheck.Arbitrary<string>) =>
  FastCheck.tuple(valid, FastCheck.constantFrom(...FRAGMENTS), FastCheck.nat()).map(
    ([v, fragment, at]) => v.slice(0, at % (v.length + 1)) + fragment + v.slice(at % (v.length + 1))
  )
/** A slot of a route filled with a valid part, a near miss, or soup, so that a good share of inputs parse. */
const slot = (valid: FastCheck.Arbitrary<string>) =>
  FastCheck.oneof(
    { arbitrary: valid, weight: 4 },
    { arbitrary: spliced(valid), weight: 3 },
    { arbitrary: soup, weight: 1 },
    { arbitrary: FastCheck.tuple(valid, soup, valid).map(([a, b, c]) => a + b + c), weight: 1 }
  )
const routeShaped = FastCheck.tuple(
  slot(groupPath),
  slot(image),
  FastCheck.oneof(
    FastCheck.tuple(FastCheck.constant("manifests"), slot(tag)),
    FastCheck.tuple(FastCheck.constant("manifests"), slot(digest)),
    FastCheck.tuple(FastCheck.constant("blobs"), slot(digest)),
    FastCheck.tuple(FastCheck.constantFrom("manifests", "blobs"), soup)
  )
).map(([g, i, [kind, ref]]) => `/${g}/dependency_proxy/containers/${i}/${kind}/${ref}`)
const tagsListShaped = FastCheck.tuple(slot(groupPath), slot(image)).map(([g, i]) => `/${g}/dependency_proxy/containers/${i}/tags/list`)
const anyPath = FastCheck.oneof(
  { arbitrary: routeShaped, weight: 4 },
  { arbitrary: tagsListShaped, weight: 1 },
  { arbitrary: soup, weight: 1 },
  { arbitrary: FastCheck.string({ unit: "binary" }), weight: 1 }
)

const DATA = "/data/blobs"

describe("parseRegistryPath properties", () => {
  it.prop(
    "never yields a group path or image component that could climb out of the data directory",
    [anyPath],
    ([input]) => {
      const result = parseRegistryPath(input)
      if (Either.isLeft(result) || result.right._tag === "Base") return
      const route = result.right
      const [group = "", img = ""] = componentsOf(route)
      for (const component of [group, img]) {
        expect(component).not.toContain("..")
        expect(component).not.toContain("%")
        expect(component).not.toContain("\\")
        expect(component).not.toContain("\u0000")
        expect(component.startsWith("/")).toBe(false)
      }
    },
    { fastCheck: { numRuns: 5000 } }
  )

  it.prop(
    "never yields a reference that is a traversal, contains a separator, an escape or a NUL",
    [anyPath],
    ([input]) => {
      const result = parseRegistryPath(input)
      if (Either.isLeft(result) || result.right._tag === "Base") return
      const reference = componentsOf(result.right)[2] ?? ""
      expect([".", ".."]).not.toContain(reference)
      expect(reference.startsWith(".")).toBe(false)
      for (const forbidden of ["/", "%", "\\", "\u0000"]) expect(reference).not.toContain(forbidden)
    },
    { fastCheck: { numRuns: 5000 } }
  )

  it.prop(
    "resolves every parsed route to a path inside the data directory",
    [anyPath],
    ([input]) => {
      const result = parseRegistryPath(input)
      if (Either.isLeft(result) || result.right._tag === "Base") return
      // POSIX resolution, as on the servers this runs on; the test should not change meaning on a laptop.
      const resolved = path.posix.resolve(DATA, ...componentsOf(result.right))
      expect(resolved.startsWith(`${DATA}/`)).toBe(true)
      // Strictly below the group's directory, too: no component may step back up past its own level.
      expect(path.posix.relative(DATA, resolved).split("/")).not.toContain("..")
    },
    { fastCheck: { numRuns: 5000 } }
  )

  it("the generator of hostile paths produces accepted routes often enough to test something", () => {
    const samples = FastCheck.sample(anyPath, { numRuns: 2000, seed: 7 })
    const parsed = samples.map(parseRegistryPath)
    const accepted = parsed.flatMap((r) => (Either.isRight(r) && r.right._tag !== "Base" ? [r.right._tag] : []))
    expect(accepted.length).toBeGreaterThan(100)
    expect([...new Set(accepted)].sort()).toEqual(["Blob", "Manifest", "Tags"])
    // …and rejections of every kind, so the splicing actually reaches each check.
    const errors = new Set(parsed.flatMap((r) => (Either.isLeft(r) ? [r.left._tag] : [])))
    expect([...errors].sort()).toEqual(["DigestInvalid", "NameInvalid", "ReferenceInvalid", "RouteUnknown"])
  })

  it.prop(
    "round-trips a manifest by tag",
    [groupPath, image, tag],
    ([g, i, t]) => {
      expect(parseRegistryPath(`/${g}/dependency_proxy/containers/${i}/manifests/${t}`)).toEqual(
        ok({ _tag: "Manifest", groupPath: g, image: i, reference: { _tag: "Tag", tag: t } })
      )
    },
    { fastCheck: { numRuns: 2000 } }
  )

  it.prop("round-trips a manifest by digest", [groupPath, image, digest], ([g, i, d]) => {
    expect(parseRegistryPath(`/${g}/dependency_proxy/containers/${i}/manifests/${d}`)).toEqual(
      ok({ _tag: "Manifest", groupPath: g, image: i, reference: { _tag: "Digest", digest: d } })
    )
  })

  it.prop("round-trips a blob", [groupPath, image, digest], ([g, i, d]) => {
    expect(parseRegistryPath(`/${g}/dependency_proxy/containers/${i}/blobs/${d}`)).toEqual(ok({ _tag: "Blob", groupPath: g, image: i, digest: d }))
  })

  it.prop("accepts the generated parts through the exported validators", [groupPath, image], ([g, i]) => {
    expect(validGroupPath(g)).toBe(true)
    expect(validImageName(i)).toBe(true)
  })
})

describe("upstreamRepository", () => {
  it("puts official images under library/ and leaves namespaced ones alone", () => {
    expect(upstreamRepository("alpine")).toBe("library/alpine")
    expect(upstreamRepository("library/alpine")).toBe("library/alpine")
    expect(upstreamRepository("bitnami/nginx")).toBe("bitnami/nginx")
    expect(upstreamRepository("a/b/c")).toBe("a/b/c")
  })

  it.prop("adds library/ exactly when the image has no /", [FastCheck.oneof(image, FastCheck.string())], ([i]) => {
    const upstream = upstreamRepository(i)
    if (i.includes("/")) expect(upstream).toBe(i)
    else expect(upstream).toBe(`library/${i}`)
  })
})

describe("repositoryName", () => {
  it("lowercases the group path and keeps the image", () => {
    expect(repositoryName("MyGroup/Sub", "bitnami/nginx")).toBe("mygroup/sub/dependency_proxy/containers/bitnami/nginx")
  })
})
