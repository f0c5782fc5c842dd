import { Effect, Metric } from "effect"

/**
 * Reads of another replica's write in progress (ADR 0025), by outcome: `served` (the peer answered with its
 * count or its bytes), `refused` (it answered 401, 404 or 416: a key not the cluster's, a write ended, a range
 * past its bytes), `failed` (no answer in time, a 5xx, a body cut), `fallback` (a follower looked for a peer's
 * write and found none announced: it waits for the stored object or the lease instead, the bound without peers).
 */
const reads = Metric.counter("dependency_proxy_peer_reads_total", {
  description: "Reads of another replica's blob transfer in progress by outcome (served, refused, failed, fallback)"
})

export type PeerReadOutcome = "served" | "refused" | "failed" | "fallback"

export const countPeerRead = (outcome: PeerReadOutcome) => Metric.update(reads.pipe(Metric.tagged("outcome", outcome)), 1)

/**
 * What the peer route answered (the serving side): `served` (200 to a HEAD, 206 with bytes), `unauthorized`
 * (401, no valid MAC), `not_found` (404: no such write in progress here), `unsatisfiable` (416: a range past
 * the bytes written, or malformed), `failed` (500: the spool could not be read).
 */
const answers = Metric.counter("dependency_proxy_peer_route_requests_total", {
  description: "Requests to this replica's peer route by outcome (served, unauthorized, not_found, unsatisfiable, failed)"
})

/** Bytes of writes in progress sent to peers: the upstream bytes this replica's transfers spared the others. */
const bytesServed = Metric.counter("dependency_proxy_peer_bytes_served_total", {
  description: "Bytes of blob transfers in progress sent to other replicas over the peer route"
})

export type PeerRouteOutcome = "served" | "unauthorized" | "not_found" | "unsatisfiable" | "failed"

/** Counts one answer of the route (called from Fastify's handler, so run right here). */
export const recordPeerAnswer = (outcome: PeerRouteOutcome, bytes: number): void =>
  Effect.runSync(Effect.all([
    Metric.update(answers.pipe(Metric.tagged("outcome", outcome)), 1),
    bytes > 0 ? Metric.update(bytesServed, bytes) : Effect.void
  ], { discard: true }))
