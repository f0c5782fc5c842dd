import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { blobStoreState, leftovers, storedSoon } from "../support/faults/blobStoreState.js"
import { type FaultWorld, GROUP, startFaultWorld } from "../support/worlds/faultWorld.js"
import { MiB, onlyLayer } from "../support/faults/images.js"
import { leakedSecrets, warningsMentioning } from "../support/faults/logLines.js"
import { bodyDigest, explain, ociErrorCodes } from "../support/faults/registryClient.js"

/**
 * The upstream connection dies in the middle of a blob body. The client must see a broken transfer, never a
 * shorter 200 that looks whole; the cache keeps nothing and the next pull fetches the blob again.
 */
describe("an upstream connection dropped mid-blob", () => {
  let world: FaultWorld
  beforeAll(async () => {
    // Retries on: they cover a request up to its response headers only, so a body cut short is not re-fetched.
    world = await startFaultWorld({ retries: 2, retryBaseDelayMs: 50 })
  }, 120_000)
  afterAll(async () => {
    await world?.close()
  })

  // What the warning must name. A reset surfaces in more than one way, depending on what the socket was doing
  // when the RST came: undici's error, or a body that just ended short (which the cache counts itself).
  const resetCause = /other side closed|ECONNRESET|upstream sent \d+ of \d+ bytes/
  it.each([
    ["closed in order (FIN) after 1 MiB", "close", MiB, /other side closed/],
    ["reset (RST) after 1 MiB", "reset", MiB, resetCause],
    ["reset (RST) right after the headers", "reset", 0, resetCause]
  ] as const)("%s: the client's transfer fails visibly, nothing is cached, the log names the cause, the next pull is whole", async (_name, how, afterBytes, cause) => {
    const repository = `dropped-${how}-${afterBytes}`
    const layer = onlyLayer(await world.upstream.images.largeLayer(`library/${repository}`, "1", 3 * MiB))
    const blobGets = { method: "GET", pathIncludes: layer.digest }
    const drop = world.faults.inject(blobGets, { _tag: "Drop", afterBytes, how })

    const pulled = await world.alice.pull(GROUP, repository, "blobs", layer.digest)
    expect(drop.timesApplied()).toBe(1)
    if (pulled.status === 200) {
      expect(pulled.body._tag, explain(pulled)).toBe("Aborted")
      if (pulled.body._tag === "Aborted") expect(pulled.body.received).toBeLessThanOrEqual(afterBytes)
    } else {
      // A reset can discard what the cache had not yet read, so the transfer may fail before its first byte:
      // then, with no headers sent yet, the client is owed an OCI error saying upstream failed.
      expect([502, 503], explain(pulled)).toContain(pulled.status)
      expect(ociErrorCodes(pulled)).toHaveLength(1)
    }

    expect(leftovers(await blobStoreState(world.proxy.blobsDir), layer.digest)).toEqual([])
    const named = warningsMentioning(world.logs, "blob download failed", layer.digest).filter((line) => cause.test(line))
    expect.soft(named.length, `a warning names the blob and ${cause}`).toBeGreaterThanOrEqual(1)

    const again = await world.alice.pull(GROUP, repository, "blobs", layer.digest)
    expect(bodyDigest(again)).toBe(layer.digest)
    // One transfer cut short, one whole: the cut one was not silently retried behind the client's back.
    expect(world.faults.requests(blobGets).filter((r) => r.status === 200)).toHaveLength(2)
    await storedSoon(world.proxy.blobsDir, layer.digest)
    expect((await blobStoreState(world.proxy.blobsDir)).stored).toContainEqual({ digest: layer.digest, verified: true })
    expect(leakedSecrets(world.logs, world.secrets())).toEqual([])
  }, 60_000)
})
