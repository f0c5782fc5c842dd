import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Agent } from "undici"
import { parseChallenges } from "../../../src/adapters/upstream/challenge.js"
import { fetchToken } from "../../../src/adapters/upstream/tokenEndpoint.js"
import { UpstreamInvalid } from "../../../src/application/ports/UpstreamRegistry.js"

const agent = Effect.acquireRelease(Effect.sync(() => new Agent()), (a) => Effect.promise(() => a.close()))

describe("the token endpoint request", () => {
  it.scoped("refuses to send credentials to a plain-http realm when the registry uses TLS", () =>
    Effect.gen(function*() {
      const [challenge] = parseChallenges(`Bearer realm="http://auth.example.test/token",service="hub"`)
      if (challenge === undefined) return yield* Effect.die("no challenge parsed")
      const error = yield* Effect.flip(fetchToken(yield* agent, {
        challenge,
        repository: "library/alpine",
        credentials: { identity: "alice", secret: "hub-secret" },
        registry: new URL("https://registry.example.test")
      }))
      expect(error).toEqual(new UpstreamInvalid({ reason: "token endpoint: refusing to send credentials to a plain-http realm" }))
    }))
})
