import { describe, expect, it } from "vitest"
import { checkRegistryScopes, REGISTRY_SCOPES } from "../../../src/domain/auth/registryScopes.js"

// The five scopes, spelled out here rather than taken from REGISTRY_SCOPES, so a scope dropped from (or added
// to) the code's list shows up as a disagreement instead of silently changing what is tested.
const REGISTRY = ["api", "read_registry", "write_registry", "read_virtual_registry", "write_virtual_registry"] as const

/** SPEC §3, written from the rule's text. */
const specAllows = (scopes: ReadonlyArray<string>): boolean => {
  const has = (s: string) => scopes.includes(s)
  const atLeastOne = REGISTRY.some(has)
  const readVirtualOk = !has("read_virtual_registry") || has("read_registry")
  const writeVirtualOk = !has("write_virtual_registry") || has("write_registry")
  return atLeastOne && readVirtualOk && writeVirtualOk
}

/** All 32 subsets of the five registry scopes, by bitmask. */
const subsets: ReadonlyArray<ReadonlyArray<string>> = Array.from({ length: 32 }, (_, mask) => REGISTRY.filter((_, bit) => (mask & (1 << bit)) !== 0))

// Scopes that say nothing about the registry, including near misses of registry scope names: only exact
// names count.
const UNRELATED = ["read_api", "read_user", "sudo", "read_repository", "write_repository", "registry", "read_registry ", "Read_Registry", "admin_mode"]

const variants: ReadonlyArray<readonly [string, (subset: ReadonlyArray<string>) => ReadonlyArray<string>]> = [
  ["alone", (subset) => subset],
  ["reversed", (subset) => [...subset].reverse()],
  ["with every unrelated scope before", (subset) => [...UNRELATED, ...subset]],
  ["with every unrelated scope after", (subset) => [...subset, ...UNRELATED]],
  ["interleaved with unrelated scopes", (subset) => subset.flatMap((s, i) => [UNRELATED[i % UNRELATED.length] ?? "sudo", s])],
  ["repeated", (subset) => [...subset, ...subset]],
  ...UNRELATED.map((extra): readonly [string, (subset: ReadonlyArray<string>) => ReadonlyArray<string>] => [
    `with ${JSON.stringify(extra)}`,
    (subset) => [extra, ...subset]
  ])
]

describe("checkRegistryScopes", () => {
  it("lists exactly the five registry scopes of the spec", () => {
    expect([...REGISTRY_SCOPES].sort()).toEqual([...REGISTRY].sort())
  })

  it("agrees with the spec's rule for every subset of the registry scopes, with and without unrelated scopes", () => {
    const disagreements = subsets.flatMap((subset) =>
      variants.flatMap(([how, arrange]) => {
        const scopes = arrange(subset)
        const expected = specAllows(scopes) ? "Allowed" : "MissingScope"
        const actual = checkRegistryScopes(scopes)._tag
        return actual === expected ? [] : [{ subset, how, scopes, expected, actual }]
      })
    )
    expect(disagreements).toEqual([])
  })

  it("allows exactly these 17 of the 32 subsets", () => {
    // Counted by hand, as a check on specAllows itself: api, read_registry and write_registry are free
    // (2 × 2 × 2); read_virtual_registry may be added only beside read_registry and write_virtual_registry
    // only beside write_registry, giving 2 × (1 + 2 + 2 + 4) = 18 sets, minus the empty one.
    const allowed = subsets.filter((subset) => checkRegistryScopes(subset)._tag === "Allowed").map((s) => s.join(" "))
    expect(allowed.sort()).toEqual(
      [
        "api",
        "read_registry",
        "write_registry",
        "api read_registry",
        "api write_registry",
        "read_registry write_registry",
        "api read_registry write_registry",
        "read_registry read_virtual_registry",
        "api read_registry read_virtual_registry",
        "read_registry write_registry read_virtual_registry",
        "api read_registry write_registry read_virtual_registry",
        "write_registry write_virtual_registry",
        "api write_registry write_virtual_registry",
        "read_registry write_registry write_virtual_registry",
        "api read_registry write_registry write_virtual_registry",
        "read_registry write_registry read_virtual_registry write_virtual_registry",
        "api read_registry write_registry read_virtual_registry write_virtual_registry"
      ].sort()
    )
  })

  describe("refusals", () => {
    it("names all five scopes when none is present", () => {
      for (const scopes of [[], ["read_api"], ["read_user", "sudo", "read_repository"]]) {
        expect(checkRegistryScopes(scopes)).toEqual({
          _tag: "MissingScope",
          message: "the token needs one of the scopes api, read_registry, write_registry, read_virtual_registry, write_virtual_registry"
        })
      }
    })

    it("names read_registry when read_virtual_registry comes without it", () => {
      for (const scopes of [["read_virtual_registry"], ["api", "read_virtual_registry"], ["write_registry", "read_virtual_registry"]]) {
        expect(checkRegistryScopes(scopes)).toEqual({
          _tag: "MissingScope",
          message: "a token with read_virtual_registry also needs read_registry"
        })
      }
    })

    it("names write_registry when write_virtual_registry comes without it", () => {
      for (const scopes of [["write_virtual_registry"], ["api", "write_virtual_registry"], ["read_registry", "write_virtual_registry"]]) {
        expect(checkRegistryScopes(scopes)).toEqual({
          _tag: "MissingScope",
          message: "a token with write_virtual_registry also needs write_registry"
        })
      }
    })

    it("names one missing counterpart when both virtual-registry scopes lack theirs", () => {
      // The spec does not say which of the two to report first; either message is a correct refusal.
      const check = checkRegistryScopes(["api", "read_virtual_registry", "write_virtual_registry"])
      expect(check._tag).toBe("MissingScope")
      expect([
        "a token with read_virtual_registry also needs read_registry",
        "a token with write_virtual_registry also needs write_registry"
      ]).toContain(check._tag === "MissingScope" ? check.message : "")
    })
  })
})
