import { it } from "@effect/vitest"
import { FastCheck } from "effect"
import { describe, expect } from "vitest"
import { repositoryName, validGroupPath, validImageName } from "../../../src/domain/registry/RegistryPath.js"
import { parseScopes } from "../../../src/domain/registry/ScopeRequest.js"

const scope = (name: string, actions: string) => `repository:${name}:${actions}`
const alpine = "group/dependency_proxy/containers/alpine"
const nginx = "top/sub/dependency_proxy/containers/bitnami/nginx"

describe("parseScopes examples", () => {
  it("reads one repository scope", () => {
    expect(parseScopes([scope(alpine, "pull")])).toEqual([{ name: alpine, groupPath: "group", image: "alpine", actions: ["pull"] }])
  })

  it("reads subgroups and multi-segment images", () => {
    expect(parseScopes([scope(nginx, "pull")])).toEqual([{ name: nginx, groupPath: "top/sub", image: "bitnami/nginx", actions: ["pull"] }])
  })

  it.each([
    ["pull", ["pull"]],
    ["pull,push", ["pull", "push"]],
    ["push,pull", ["push", "pull"]],
    ["*", ["*"]]
  ])("reads the actions list %s", (actions, expected) => {
    expect(parseScopes([scope(alpine, actions)]).map((s) => s.actions)).toEqual([expected])
  })

  it("reads several scopes in one space-separated value, in order", () => {
    expect(parseScopes([`${scope(alpine, "pull")} ${scope(nginx, "pull,push")}`]).map((s) => [s.name, s.actions])).toEqual([
      [alpine, ["pull"]],
      [nginx, ["pull", "push"]]
    ])
  })

  it("reads repeated parameters, and both forms together, in order", () => {
    const third = "other/dependency_proxy/containers/library/redis"
    expect(parseScopes([scope(alpine, "pull"), `${scope(nginx, "pull")} ${scope(third, "*")}`]).map((s) => s.name)).toEqual([alpine, nginx, third])
  })

  it("keeps a scope asked for twice twice (granting is the token server's business, not the parser's)", () => {
    expect(parseScopes([scope(alpine, "pull"), scope(alpine, "pull")]).map((s) => s.name)).toEqual([alpine, alpine])
  })

  it.each([
    ["the catalog scope", "registry:catalog:*"],
    ["a repository without dependency_proxy", scope("group/alpine", "pull")],
    ["a repository under another segment", scope("group/dependency_proxy/packages/alpine", "pull")],
    ["a name that starts at dependency_proxy", scope("dependency_proxy/containers/alpine", "pull")],
    ["an uppercase image", scope("group/dependency_proxy/containers/Alpine", "pull")],
    ["an image with a traversal", scope("group/dependency_proxy/containers/../alpine", "pull")],
    ["a group with a traversal", scope("../dependency_proxy/containers/alpine", "pull")],
    ["a group with a dot-dot inside a segment", scope("a..b/dependency_proxy/containers/alpine", "pull")],
    ["an empty image", scope("group/dependency_proxy/containers/", "pull")],
    ["a name with a tag in it", "repository:group/dependency_proxy/containers/alpine:latest:pull"],
    ["a scope without actions", "repository:group/dependency_proxy/containers/alpine"],
    ["a scope with empty actions", "repository:group/dependency_proxy/containers/alpine:"],
    ["another resource type", "repository(plugin):group/dependency_proxy/containers/alpine:pull"],
    ["an empty value", ""]
  ])("ignores %s", (_, value) => {
    expect(parseScopes([value])).toEqual([])
    // …without disturbing a good scope beside it.
    expect(parseScopes([`${value} ${scope(alpine, "pull")}`]).map((s) => s.name)).toEqual([alpine])
  })

  it("tolerates runs of spaces between scopes", () => {
    expect(parseScopes([`  ${scope(alpine, "pull")}   ${scope(nginx, "pull")} `]).map((s) => s.name)).toEqual([alpine, nginx])
  })
})

// ---------------------------------------------------------------------------------------------------------

const lower = "abcdefghijklmnopqrstuvwxyz0123456789"
const chars = (alphabet: string, minLength: number, maxLength: number) =>
  FastCheck.string({ unit: FastCheck.constantFrom(...alphabet.split("")), minLength, maxLength })
const segmentOf = (alphabet: string) =>
  FastCheck.tuple(chars(alphabet, 1, 5), FastCheck.array(FastCheck.tuple(FastCheck.constantFrom(".", "_", "-"), chars(alphabet, 1, 5)), { maxLength: 2 })).map(
    ([head, tail]) => head + tail.map(([sep, run]) => sep + run).join("")
  )
const groupPath = FastCheck.array(segmentOf(`${lower}ABCXYZ`), { minLength: 1, maxLength: 3 }).map((s) => s.join("/"))
const image = FastCheck.array(segmentOf(lower), { minLength: 1, maxLength: 3 }).map((s) => s.join("/"))
const actions = FastCheck.oneof(
  FastCheck.constant("*"),
  FastCheck.uniqueArray(FastCheck.constantFrom("pull", "push", "delete"), { minLength: 1, maxLength: 3 }).map((a) => a.join(","))
)
const validScope = FastCheck.tuple(groupPath, image, actions).map(([g, i, a]) => scope(`${g}/dependency_proxy/containers/${i}`, a))

const FRAGMENTS = [
  "repository:",
  "registry:catalog:*",
  ":",
  ":pull",
  ":pull,push",
  ":*",
  "/",
  "..",
  ".",
  "%2e%2e",
  "\\",
  "\u0000",
  " ",
  "dependency_proxy/containers",
  "/dependency_proxy/containers/",
  "group",
  "Group",
  "alpine",
  "é",
  "\uff0e\uff0e"
]
// Pieces glued together directly or with a space, so that fragments both corrupt scopes and stand alone.
const hostileScopeValue = FastCheck.array(
  FastCheck.tuple(
    FastCheck.oneof(
      { arbitrary: validScope, weight: 2 },
      { arbitrary: FastCheck.constantFrom(...FRAGMENTS), weight: 4 },
      { arbitrary: FastCheck.string({ unit: "grapheme", maxLength: 3 }), weight: 1 }
    ),
    FastCheck.constantFrom("", " ")
  ),
  { maxLength: 10 }
).map((parts) => parts.map(([part, glue]) => part + glue).join(""))

describe("parseScopes properties", () => {
  it.prop(
    "names every parsed scope as repositoryName does (for lowercase groups) and never with a traversal",
    [FastCheck.array(hostileScopeValue, { maxLength: 3 })],
    ([values]) => {
      for (const parsed of parseScopes(values)) {
        expect(parsed.name).not.toContain("..")
        expect(validGroupPath(parsed.groupPath)).toBe(true)
        expect(validImageName(parsed.image)).toBe(true)
        if (parsed.groupPath === parsed.groupPath.toLowerCase()) {
          expect(parsed.name).toBe(repositoryName(parsed.groupPath, parsed.image))
        }
      }
    },
    { fastCheck: { numRuns: 3000 } }
  )

  it.prop("reads back every well-formed scope it is given, in order", [FastCheck.array(FastCheck.tuple(groupPath, image, actions), { minLength: 1, maxLength: 4 })], ([parts]) => {
    const values = parts.map(([g, i, a]) => scope(`${g}/dependency_proxy/containers/${i}`, a))
    expect(parseScopes([values.join(" ")])).toEqual(
      parts.map(([g, i, a]) => ({ name: `${g}/dependency_proxy/containers/${i}`, groupPath: g, image: i, actions: a.split(",") }))
    )
  })

  it("the hostile generator yields parsed scopes often enough to test something", () => {
    const parsedCount = FastCheck.sample(hostileScopeValue, { numRuns: 1000, seed: 11 }).flatMap((v) => parseScopes([v])).length
    expect(parsedCount).toBeGreaterThan(100)
  })
})
