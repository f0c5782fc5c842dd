import { randomBytes } from "node:crypto"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import Fastify, { type FastifyInstance } from "fastify"
import { request } from "undici"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { FileBody } from "../../src/adapters/http/registry/FileBody.js"

const MiB = 1024 * 1024
// Not a whole number of the body's 1 MiB buffers, so the last write is a short one.
const BYTES = randomBytes(5 * MiB + 12_345)

/** A server that sends `[start, end]` of a file through FileBody, as the registry routes do, over a real socket. */
describe("a stored blob sent from its file", () => {
  let dir = ""
  let app: FastifyInstance
  let base = ""
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "file-body-"))
    await writeFile(join(dir, "blob"), BYTES)
    // Closing must not wait for the test client's keep-alive connections.
    app = Fastify({ forceCloseConnections: true })
    app.get<{ Querystring: { name: string; start: string; end: string } }>("/", async (req, reply) => {
      const start = Number(req.query.start)
      const end = Number(req.query.end)
      reply.header("content-length", String(end - start + 1))
      return reply.send(new FileBody(join(dir, req.query.name), start, end))
    })
    base = await app.listen({ port: 0, host: "127.0.0.1" })
  })
  afterAll(async () => {
    await app.close()
    await rm(dir, { recursive: true, force: true })
  })

  const get = async (name: string, start: number, end: number) => {
    const response = await request(`${base}/?name=${name}&start=${start}&end=${end}`)
    return { status: response.statusCode, body: Buffer.from(await response.body.arrayBuffer()) }
  }

  it("sends every byte, and any span of them, also many times over with the buffers reused", async () => {
    const all = await Promise.all(Array.from({ length: 6 }, () => get("blob", 0, BYTES.length - 1)))
    for (const response of all) {
      expect(response.status).toBe(200)
      expect(response.body.equals(BYTES)).toBe(true)
    }
    const span = await get("blob", MiB - 10, 3 * MiB + 7)
    expect(span.body.equals(BYTES.subarray(MiB - 10, 3 * MiB + 8))).toBe(true)
    expect((await get("blob", 5, 5)).body.equals(BYTES.subarray(5, 6))).toBe(true)
  })

  it("a missing file fails before any header is sent: the error handler answers", async () => {
    expect((await get("missing", 0, 9)).status).toBe(500)
  })

  it("a file shorter than announced cuts the connection rather than completing the response", async () => {
    await expect(get("blob", 0, BYTES.length + MiB)).rejects.toThrow()
  })

  it("a client going away mid-body stops the sending; the server keeps serving", async () => {
    const controller = new AbortController()
    const response = await request(`${base}/?name=blob&start=0&end=${BYTES.length - 1}`, { signal: controller.signal })
    await new Promise<void>((taken) => response.body.once("data", () => taken()))
    controller.abort()
    await expect(response.body.arrayBuffer()).rejects.toThrow()
    expect((await get("blob", 0, BYTES.length - 1)).body.equals(BYTES)).toBe(true)
  })
})
