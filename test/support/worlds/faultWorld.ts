import type { UpstreamOptions } from "../../../src/adapters/upstream/options.js"
import type { UpstreamResilience } from "../../../src/config/upstreamResilience.js"
import { createGroup, updateDependencyProxySettings } from "../../../src/application/useCases/groups.js"
import { createUser } from "../../../src/application/useCases/users.js"
import { proxyHarness } from "../proxyApp.js"
import { startUpstream, type Upstream } from "../upstream/fixture.js"
import { type FaultProxy, startFaultProxy } from "../faults/faultProxy.js"
import { type PullClient, pullClient } from "../faults/registryClient.js"

export const GROUP = "team"
const PASSWORD = "alice-password-F4ult"
// The group pulls with Docker Hub credentials, so a leak of the upstream secret into the logs would show.
const HUB_IDENTITY = "hubuser"
const HUB_SECRET = "hub-secret-7QzK"

export interface FaultWorld {
  readonly upstream: Upstream
  /** Between the cache and the upstream registry (the token server is reached directly, as its realm says). */
  readonly faults: FaultProxy
  readonly proxy: Awaited<ReturnType<typeof proxyHarness>>
  /** Every line the cache logged (Fastify's and the application's), at trace level. */
  readonly logs: ReadonlyArray<string>
  /** alice, a member of `team`, pulling through the cache. */
  readonly alice: PullClient
  readonly aliceId: number
  /** Passwords, the Docker Hub secret and every registry token issued: none may reach the logs. */
  readonly secrets: () => ReadonlyArray<string>
  readonly close: () => Promise<void>
}

/**
 * The in-process cache (real routes, blob files on disk, undici) pulling from a real registry through a
 * fault proxy, with `upstreamOptions` for the client's timeouts and retries, and `resilience` for its breaker,
 * revalidation budget and remembered 404s (production's defaults where absent).
 */
export const startFaultWorld = async (
  upstreamOptions: Omit<UpstreamOptions, "url">,
  resilience: Partial<UpstreamResilience> = {}
): Promise<FaultWorld> => {
  const upstream = await startUpstream({ users: { [HUB_IDENTITY]: HUB_SECRET } })
  const cleanups: Array<() => Promise<void>> = [() => upstream.stopAll()]
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup()
    cleanups.length = 0
  }
  try {
    const faults = await startFaultProxy({ host: "127.0.0.1", port: upstream.registry.port })
    cleanups.push(() => faults.close())
    const logs: Array<string> = []
    const proxy = await proxyHarness(faults.url, { upstream: upstreamOptions, logSink: logs, resilience })
    cleanups.push(() => proxy.close())
    const aliceId = await proxy.run(createUser({ username: "alice", email: "a@x.io", name: "Alice", password: PASSWORD, admin: false }))
    const team = await proxy.run(createGroup({ path: GROUP, name: "Team", parentId: null, ownerUserId: aliceId }))
    await proxy.run(updateDependencyProxySettings(team, { identity: HUB_IDENTITY, secret: HUB_SECRET }))
    const alice = pullClient(`http://${proxy.host}`, "alice", PASSWORD)
    return {
      upstream,
      faults,
      proxy,
      logs,
      alice,
      aliceId,
      secrets: () => [PASSWORD, HUB_SECRET, Buffer.from(`alice:${PASSWORD}`).toString("base64"), ...alice.issuedTokens()],
      close
    }
  } catch (error) {
    await close()
    throw error
  }
}
