import { describe, expect, it } from "@effect/vitest"
import { FastCheck } from "effect"
import { findChallenge, parseChallenges } from "../../../src/adapters/upstream/challenge.js"

const paramsOf = (header: string, scheme: string) => Object.fromEntries(findChallenge(parseChallenges(header), scheme)?.params ?? [])

/** Renders a challenge as a server would: every value quoted, `"` and `\` escaped. */
const render = (scheme: string, params: ReadonlyArray<readonly [string, string]>) =>
  `${scheme} ${params.map(([name, value]) => `${name}="${value.replace(/[\\"]/g, "\\$&")}"`).join(",")}`

const token = FastCheck.stringMatching(/^[a-z][a-z0-9_-]{0,11}$/)
const params = FastCheck.uniqueArray(FastCheck.tuple(token, FastCheck.string()), { selector: ([name]) => name, maxLength: 6 })

describe("WWW-Authenticate parsing", () => {
  it("reads Docker Hub's Bearer challenge", () => {
    const header = `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"`
    expect(paramsOf(header, "bearer")).toEqual({
      realm: "https://auth.docker.io/token",
      service: "registry.docker.io",
      scope: "repository:library/alpine:pull"
    })
  })

  it("keeps commas, equals signs and escaped quotes inside quoted values", () => {
    const header = `Bearer realm="https://a.test/t?x=1,y=2", scope="repository:a/b:pull,push", error="say \\"no\\""`
    expect(paramsOf(header, "Bearer")).toEqual({ realm: "https://a.test/t?x=1,y=2", scope: "repository:a/b:pull,push", error: "say \"no\"" })
  })

  it("reads unquoted values, mixed-case names and several challenges in one header", () => {
    const challenges = parseChallenges(`Basic realm=registry, BEARER Realm="https://t.test/token", Service=svc`)
    expect(challenges.map((c) => c.scheme)).toEqual(["Basic", "BEARER"])
    expect(Object.fromEntries(findChallenge(challenges, "basic")?.params ?? [])).toEqual({ realm: "registry" })
    expect(Object.fromEntries(findChallenge(challenges, "bearer")?.params ?? [])).toEqual({ realm: "https://t.test/token", service: "svc" })
  })

  it("survives malformed input without throwing", () => {
    for (const header of ["", ",,,", "Bearer realm=\"unterminated", "=\"x\"", "Bearer =,=", "Bearer realm"]) {
      expect(() => parseChallenges(header)).not.toThrow()
    }
    expect(paramsOf("Bearer realm=\"unterminated", "bearer")).toEqual({ realm: "unterminated" })
  })

  it.prop("round-trips any quoted parameters", [FastCheck.constantFrom("Bearer", "Basic", "Custom"), params], ([scheme, pairs]) => {
    const [challenge] = parseChallenges(render(scheme, pairs))
    expect(challenge?.scheme).toBe(scheme)
    expect(Object.fromEntries(challenge?.params ?? [])).toEqual(Object.fromEntries(pairs))
  })

  it.prop("round-trips two challenges in one header", [params, params], ([first, second]) => {
    const challenges = parseChallenges(`${render("Basic", first)}, ${render("Bearer", second)}`)
    expect(Object.fromEntries(findChallenge(challenges, "basic")?.params ?? [])).toEqual(Object.fromEntries(first))
    expect(Object.fromEntries(findChallenge(challenges, "bearer")?.params ?? [])).toEqual(Object.fromEntries(second))
  })
})
