import { Effect } from "effect"
import type { Dispatcher } from "undici"
import { request } from "undici"
import type { BlobReader } from "../../application/ports/BlobStore.js"
import type { BlobTransfer } from "./blobTransfers.js"
import { peerAuthorization } from "./peerAuth.js"
import { countPeerRead, type PeerReadOutcome } from "./peerMetrics.js"

/** The internal route a replica serves its writes in progress on (ADR 0025). */
export const peerPath = (digest: string, writeId: string) => `/-/peer/blobs/${digest}/${writeId}`

/** Bytes a peer's write holds so far, the header the route answers with. */
export const WRITTEN_HEADER = "x-written"

/**
 * Another replica's write in progress, read by ranged GETs to its peer route. Never a failure: a holder gone
 * (killed, or done and its spool removed) answers nothing more, so `size` stays at the last count and `read`
 * gives no bytes; the follower's loop then finds the stored object, a newer write, or a free lease to take over.
 * Bytes are the holder's as written, not yet verified: the follower verifies the whole blob's digest itself.
 * Each request is counted in `dependency_proxy_peer_reads_total` (served, refused, failed).
 */
export const peerReader = (
  agent: Dispatcher,
  key: Buffer,
  digest: string,
  transfer: BlobTransfer,
  timeoutMs: number
): BlobReader => {
  const path = peerPath(digest, transfer.writeId)
  const url = `${transfer.peerUrl}${path}`
  let known = 0
  const ask = (method: "GET" | "HEAD", range: string | null) =>
    request(url, {
      method,
      dispatcher: agent,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      headers: { authorization: peerAuthorization(key, method, path, new Date()), ...(range === null ? {} : { range }) }
    })
  /** A peer's refusal: not the cluster's key, the write gone, or a range past its bytes (not a failure of the peer). */
  const refusal = (status: number) => status === 401 || status === 404 || status === 416
  const outcomeOf = (served: boolean, status: number): PeerReadOutcome => (served ? "served" : refusal(status) ? "refused" : "failed")
  const quiet = <A>(what: string, fallback: () => A) => (cause: unknown) =>
    Effect.logDebug(`peer ${what} gave nothing`, { peer: transfer.peerUrl, digest, reason: cause instanceof Error ? cause.message : String(cause) }).pipe(
      Effect.zipRight(countPeerRead("failed")),
      Effect.as(fallback())
    )
  return {
    id: transfer.writeId,
    size: Effect.tryPromise(async () => {
      const response = await ask("HEAD", null)
      await response.body.dump()
      const written = Number(response.headers[WRITTEN_HEADER])
      const served = response.statusCode === 200 && Number.isSafeInteger(written)
      if (served) known = Math.max(known, written)
      return { size: known, outcome: outcomeOf(served, response.statusCode) }
    }).pipe(
      Effect.tap(({ outcome }) => countPeerRead(outcome)),
      Effect.map(({ size }) => size),
      Effect.catchAll(quiet("size", () => known))
    ),
    read: (start, end) =>
      end <= start
        ? Effect.succeed(new Uint8Array(0))
        : Effect.tryPromise(async () => {
          const response = await ask("GET", `bytes=${start}-${end - 1}`)
          if (response.statusCode !== 206) {
            await response.body.dump()
            return { bytes: new Uint8Array(0), outcome: outcomeOf(false, response.statusCode) }
          }
          return { bytes: new Uint8Array(await response.body.arrayBuffer()), outcome: outcomeOf(true, 206) }
        }).pipe(
          Effect.tap(({ outcome }) => countPeerRead(outcome)),
          Effect.map(({ bytes }) => bytes),
          Effect.catchAll(quiet("read", () => new Uint8Array(0)))
        ),
    close: Effect.void
  }
}
