import { Either } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { trustedProxies } from "../../src/config/trustedProxies.js"
import { basic, scopeFor } from "../support/registryApp.js"
import { type World, worldHarness } from "../support/worlds/httpWorld.js"

/**
 * Behind a load balancer every client has the balancer's address, and sign-in throttling counts failures per
 * client address: one client's failures refused everyone's sign-ins. With the balancer named in TRUSTED_PROXIES,
 * its `X-Forwarded-For` names the client; from anyone else the header changes nothing.
 */
describe("clients behind a trusted load balancer", () => {
  const BALANCER = "10.0.0.5"
  let w: World
  beforeAll(async () => {
    w = await worldHarness({ throttle: { maxFailures: 3, maxFailuresPerClient: 3, windowMs: 60_000 }, trustedProxies: [BALANCER, "10.9.0.0/16"] })
  })
  afterAll(() => w.h.close())

  const signIn = (password: string, remoteAddress: string, forwardedFor: string) =>
    w.app.inject({
      method: "GET",
      url: `/jwt/auth?service=dependency_proxy&scope=${scopeFor("top", "alpine")}`,
      headers: { authorization: basic("olga", password), "x-forwarded-for": forwardedFor },
      remoteAddress
    })

  it("are throttled one by one: a guesser through the balancer does not lock out the clients behind it", async () => {
    for (let i = 0; i < 3; i += 1) expect((await signIn("wrong-password", BALANCER, "203.0.113.7")).statusCode).toBe(401)
    expect((await signIn("wrong-password", BALANCER, "203.0.113.7")).statusCode).toBe(429)
    // Another client behind the same balancer (and behind one of a trusted range) is counted on its own.
    expect((await signIn("wrong-password", BALANCER, "198.51.100.8")).statusCode).toBe(401)
    expect((await signIn("wrong-password", "10.9.3.4", "198.51.100.9")).statusCode).toBe(401)
  })

  it("from an address not trusted, X-Forwarded-For is ignored: a client cannot choose who it is counted as", async () => {
    const direct = "192.0.2.44"
    for (let i = 0; i < 3; i += 1) expect((await signIn("wrong-password", direct, `198.51.100.${100 + i}`)).statusCode).toBe(401)
    expect((await signIn("wrong-password", direct, "198.51.100.200")).statusCode).toBe(429)
  })
})

describe("TRUSTED_PROXIES", () => {
  it("takes addresses and CIDR ranges, IPv4 and IPv6, and none when unset", () => {
    expect(trustedProxies({ TRUSTED_PROXIES: " 10.0.0.5, 10.1.0.0/16,fd00::/8 ,::1" })).toEqual(Either.right(["10.0.0.5", "10.1.0.0/16", "fd00::/8", "::1"]))
    expect(trustedProxies({})).toEqual(Either.right([]))
  })

  it("refuses anything else, naming the variable", () => {
    for (const bad of ["balancer.internal", "10.0.0.0/33", "10.0.0.5/8/1", "fd00::/129", "10.0.0/8", "0.0.0.0/0", "::/0"]) {
      const parsed = trustedProxies({ TRUSTED_PROXIES: bad })
      expect(Either.isLeft(parsed) && parsed.left.message.startsWith("TRUSTED_PROXIES must list IP addresses or CIDR ranges")).toBe(true)
    }
  })
})
