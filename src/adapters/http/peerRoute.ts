import { Effect, type ManagedRuntime, Option } from "effect"
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify"
import { BlobStore } from "../../application/ports/BlobStore.js"
import { peerAuthorized } from "../peers/peerAuth.js"
import { type PeerRouteOutcome, recordPeerAnswer } from "../peers/peerMetrics.js"
import { WRITTEN_HEADER } from "../peers/peerReader.js"

const DIGEST = /^sha256:[a-f0-9]{64}$/
const WRITE_ID = /^[0-9a-f-]{36}$/
/** The most one answer carries: followers read 1 MiB blocks; a larger range is cut, not buffered whole. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024
/** How each status the route gives is counted; anything else (a 500) is `failed`. */
const OUTCOMES: Readonly<Record<number, PeerRouteOutcome>> = { 200: "served", 206: "served", 401: "unauthorized", 404: "not_found", 416: "unsatisfiable" }

/**
 * `GET /-/peer/blobs/<digest>/<write id>` (ADR 0025): the bytes this replica has written so far of its write in
 * progress, for a peer whose clients follow it. Only with a valid peer MAC (401 otherwise, before anything is
 * looked up), only writes in progress (404 for anything else, the cache included: that is the registry's, with
 * its per-group authorization), only bytes already on disk. `x-written` says how many; a range from there on is
 * 416. The bytes are not verified yet: the peer verifies the whole blob's digest, as for any transfer. Answers
 * and the bytes sent are counted (`dependency_proxy_peer_route_requests_total`, `…_peer_bytes_served_total`).
 * Needs only the blob store of the edge's runtime.
 */
export const registerPeerRoute = (app: FastifyInstance, runtime: ManagedRuntime.ManagedRuntime<BlobStore, never>, key: Buffer) => {
  const onResponse = async (_request: FastifyRequest, reply: FastifyReply) => {
    const status = reply.statusCode
    const sent = status === 206 ? Number(reply.getHeader("content-length")) : 0
    recordPeerAnswer(OUTCOMES[status] ?? "failed", Number.isSafeInteger(sent) ? sent : 0)
  }
  app.get<{ Params: { digest: string; writeId: string } }>("/-/peer/blobs/:digest/:writeId", { onResponse }, async (request, reply) => {
    if (!peerAuthorized(key, request.method, request.url, request.headers.authorization, new Date())) {
      return reply.code(401).send({ message: "a peer MAC is required" })
    }
    const { digest, writeId } = request.params
    if (!DIGEST.test(digest) || !WRITE_ID.test(writeId)) return reply.code(404).send({ message: "no such write in progress" })
    const range = request.headers.range
    const asked = range === undefined ? null : /^bytes=(\d{1,15})-(\d{0,15})$/.exec(range)
    if (range !== undefined && asked === null) return reply.code(416).send({ message: "range must be bytes=<start>-[<end>]" })
    const answer = await runtime.runPromiseExit(Effect.gen(function*() {
      const store = yield* BlobStore
      const opened = yield* store.openWriting(digest, writeId)
      if (Option.isNone(opened)) return null
      const reader = opened.value
      return yield* Effect.gen(function*() {
        const written = yield* reader.size
        if (request.method === "HEAD") return { written, start: 0, bytes: null }
        const start = asked === null ? 0 : Number(asked[1])
        const last = asked === null || asked[2] === "" ? written - 1 : Number(asked[2])
        if (start >= written || last < start) return { written, start, bytes: null }
        const end = Math.min(last + 1, written, start + MAX_ANSWER_BYTES)
        return { written, start, bytes: yield* reader.read(start, end) }
      }).pipe(Effect.ensuring(reader.close))
    }))
    if (answer._tag === "Failure") {
      request.log.warn({ digest }, "cannot read a write in progress for a peer")
      return reply.code(500).send({ message: "cannot read the write in progress" })
    }
    const found = answer.value
    if (found === null) return reply.code(404).send({ message: "no such write in progress" })
    reply.header(WRITTEN_HEADER, String(found.written)).header("cache-control", "no-store")
    if (request.method === "HEAD") return reply.code(200).send()
    if (found.bytes === null) return reply.code(416).header("content-range", `bytes */${found.written}`).send()
    return reply
      .code(206)
      .header("content-type", "application/octet-stream")
      .header("content-range", `bytes ${found.start}-${found.start + found.bytes.length - 1}/*`)
      .send(Buffer.from(found.bytes.buffer, found.bytes.byteOffset, found.bytes.length))
  })
}
