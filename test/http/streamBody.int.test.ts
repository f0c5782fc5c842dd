import { randomBytes } from "node:crypto"
import { Chunk, Effect, Stream } from "effect"
import Fastify, { type FastifyInstance } from "fastify"
import { request } from "undici"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { StreamBody } from "../../src/adapters/http/registry/StreamBody.js"

const KiB = 1024
// Runs of 64 KiB buffers, as a transfer's runs of socket reads arrive; the last run short.
const BYTES = randomBytes(5 * 1024 * KiB + 12_345)
const runs = (bytes: Uint8Array, runBytes: number, bufferBytes: number): Array<Chunk.Chunk<Uint8Array>> => {
  const out: Array<Chunk.Chunk<Uint8Array>> = []
  for (let run = 0; run < bytes.length; run += runBytes) {
    const buffers: Array<Uint8Array> = []
    for (let at = run; at < Math.min(run + runBytes, bytes.length); at += bufferBytes) buffers.push(bytes.subarray(at, Math.min(at + bufferBytes, run + runBytes, bytes.length)))
    out.push(Chunk.unsafeFromArray(buffers))
  }
  return out
}
const asStream = (chunks: ReadonlyArray<Chunk.Chunk<Uint8Array>>) => Stream.fromChunks(...chunks)

/** A server that sends a stream of runs through StreamBody, as the registry routes send a transfer in progress. */
describe("a blob sent from a stream of runs", () => {
  let app: FastifyInstance
  let base = ""
  // Streams the routes below hand out, by name, and whether each one's finalizer ran (the follower left).
  let released = 0
  const bodies: Record<string, () => Stream.Stream<Uint8Array, Error>> = {
    whole: () => asStream(runs(BYTES, 1024 * KiB, 64 * KiB)),
    failsFirst: () => Stream.fail(new Error("the upstream transfer failed")),
    failsMidway: () => Stream.concat(asStream(runs(BYTES.subarray(0, 2 * 1024 * KiB), 1024 * KiB, 64 * KiB)), Stream.fail(new Error("cut"))),
    // Sends a run, then never ends: only the client going away stops it.
    hangs: () =>
      Stream.concat(asStream(runs(BYTES.subarray(0, 1024 * KiB), 1024 * KiB, 64 * KiB)), Stream.never).pipe(
        Stream.ensuring(Effect.sync(() => {
          released += 1
        }))
      )
  }
  beforeAll(async () => {
    app = Fastify({ forceCloseConnections: true })
    app.get<{ Querystring: { name: string } }>("/", async (req, reply) => {
      const body = bodies[req.query.name]
      if (body === undefined) return reply.code(404).send()
      reply.header("content-length", String(BYTES.length))
      return reply.send(new StreamBody(body()))
    })
    base = await app.listen({ port: 0, host: "127.0.0.1" })
  })
  afterAll(() => app.close())

  const get = async (name: string) => {
    const response = await request(`${base}/?name=${name}`)
    return { status: response.statusCode, body: Buffer.from(await response.body.arrayBuffer()) }
  }

  it("sends every byte in order, also to many clients at once", async () => {
    const all = await Promise.all(Array.from({ length: 8 }, () => get("whole")))
    for (const response of all) {
      expect(response.status).toBe(200)
      expect(response.body.equals(BYTES)).toBe(true)
    }
  })

  it("a stream failing before its first byte reaches the error handler (no header sent yet)", async () => {
    expect((await get("failsFirst")).status).toBe(500)
  })

  it("a stream failing midway cuts the connection: the response never completes", async () => {
    await expect(get("failsMidway")).rejects.toThrow()
  })

  it("a client going away interrupts the stream, whose finalizer runs; the server keeps serving", async () => {
    const controller = new AbortController()
    const response = await request(`${base}/?name=hangs`, { signal: controller.signal })
    await new Promise<void>((taken) => response.body.once("data", () => taken()))
    controller.abort()
    await expect(response.body.arrayBuffer()).rejects.toThrow()
    const deadline = Date.now() + 10_000
    while (released === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect(released).toBe(1)
    expect((await get("whole")).body.equals(BYTES)).toBe(true)
  })
})
