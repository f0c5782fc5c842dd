import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, FastCheck, Logger, LogLevel } from "effect"
import type { UpstreamCaller, UpstreamError, UpstreamRegistryShape } from "../../../src/application/ports/UpstreamRegistry.js"
import { fakeDocker } from "../../support/upstream/fakeDocker.js"
import { closedPort, fakeServer, json } from "../../support/upstream/fakeServer.js"
import { upstreamAt } from "../../support/upstream/undiciUpstream.js"

/** Distinctive enough never to occur by chance in a message; `:` included, as Basic auth splits on it. */
const secret = FastCheck.stringMatching(/^[A-Za-z0-9!#%&*+.:=?@^_~-]{16,40}$/)

const DIGEST = `sha256:${"c".repeat(64)}`

/** Every way an upstream call can fail with credentials in play, collected as text: errors and log lines. */
const failuresFor = (caller: UpstreamCaller) =>
  Effect.gen(function*() {
    const users = new Map([["alice", "another-secret-entirely"]])
    const refusing = yield* fakeDocker({ users, content: (_request, response) => json(response, 403, {}) })
    const port = yield* closedPort
    // A token server that echoes what it was sent, as a careless one might in an error page.
    const echo = yield* fakeServer((request, response) => json(response, 500, { sent: request.headers.authorization }))
    const garbage = yield* fakeServer((request, response) => response.writeHead(200).end(`not json ${request.headers.authorization ?? ""}`))
    const challenging = (realm: string) =>
      fakeServer((_request, response) => json(response, 401, {}, { "www-authenticate": `Bearer realm="${realm}",service="s"` }))
    const registries = [
      refusing.registry.url,
      (yield* challenging(`http://127.0.0.1:${port}/token`)).url,
      (yield* challenging(`${echo.url}/token`)).url,
      (yield* challenging(`${garbage.url}/token`)).url,
      `http://127.0.0.1:${port}`
    ]
    // Each of these must fail (flip turns a success into a test failure).
    const calls = (upstream: UpstreamRegistryShape): ReadonlyArray<Effect.Effect<UpstreamError, unknown>> => [
      Effect.flip(upstream.getManifest(caller, "library/alpine", "3.19")),
      Effect.flip(upstream.headManifest(caller, "library/alpine", DIGEST)),
      Effect.flip(upstream.getBlob(caller, "library/alpine", DIGEST)),
      Effect.flip(upstream.tags(caller, "library/alpine"))
    ]
    const texts: Array<string> = []
    const logger = Logger.make(({ message }) => texts.push(JSON.stringify(message)))
    for (const url of registries) {
      const upstream = yield* upstreamAt(url, { retries: 1, retryBaseDelayMs: 1 })
      for (const call of calls(upstream)) {
        const cause = yield* call.pipe(
          Effect.map((error) => Cause.fail(error)),
          Logger.withMinimumLogLevel(LogLevel.All),
          Effect.provide(Logger.replace(Logger.defaultLogger, logger))
        )
        texts.push(Cause.pretty(cause), JSON.stringify(Cause.squash(cause)))
      }
    }
    return texts
  })

describe("secrets", () => {
  it.scopedLive.prop("never appear in any error or log line, in clear or as Basic credentials", [secret], ([value]) =>
    Effect.gen(function*() {
      const texts = yield* failuresFor({ groupId: 7, credentials: { identity: "alice", secret: value } })
      expect(texts.length).toBeGreaterThanOrEqual(20)
      // The retries' log lines were captured too, so the check below covers logs as well as errors.
      expect(texts.some((text) => text.includes("retrying"))).toBe(true)
      const basic = Buffer.from(`alice:${value}`).toString("base64")
      for (const text of texts) {
        expect(text).not.toContain(value)
        expect(text).not.toContain(basic)
      }
    }), { fastCheck: { numRuns: 10 } })
})
