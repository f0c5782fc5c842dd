import { request as httpRequest, Agent } from "node:http"
import Fastify from "fastify"
import { afterEach, describe, expect, it } from "vitest"
import { StartingServer } from "../../src/adapters/http/startingServer.js"
import { freePort } from "../support/upstream/tools.js"

interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string | Array<string> | undefined>>
  readonly body: unknown
  /** Whether the request went over a connection opened by an earlier one. */
  readonly reusedConnection: boolean
}

const get = (port: number, path: string, agent: Agent): Promise<Answer> =>
  new Promise((done, fail) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, agent }, (res) => {
      let text = ""
      res.on("data", (chunk: Buffer) => (text += chunk.toString()))
      res.on("end", () => done({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text), reusedConnection: req.reusedSocket }))
    })
    req.on("error", fail)
    req.end()
  })

describe("the server serve listens on while it starts", () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const toClose: Array<() => Promise<unknown>> = []
  afterEach(async () => {
    agent.destroy()
    for (const close of toClose.splice(0)) await close()
  })

  it("answers health, says it is starting, and refuses everything else with a 503 to retry", async () => {
    const port = await freePort()
    const server = await StartingServer.listenOn(port, "127.0.0.1")
    toClose.push(() => new Promise((done) => server.close(done)))

    expect(await get(port, "/-/health", agent)).toMatchObject({ status: 200, body: { status: "ok" } })
    expect(await get(port, "/-/readiness", agent)).toMatchObject({ status: 503, body: { status: "starting" } })
    const registry = await get(port, "/v2/group/dependency_proxy/containers/alpine/manifests/3.19", agent)
    expect(registry).toMatchObject({ status: 503, body: { errors: [{ code: "UNAVAILABLE", message: "the service is starting; try again", detail: null }] } })
    expect(registry.headers).toMatchObject({ "retry-after": "1", "docker-distribution-api-version": "registry/2.0" })
    const api = await get(port, "/api/v4/groups", agent)
    expect(api).toMatchObject({ status: 503, body: { message: "503 Service Unavailable" } })
    expect(api.headers["retry-after"]).toBe("1")
  })

  it("is taken over by Fastify on the same socket and connections, and closed by it", async () => {
    const port = await freePort()
    const server = await StartingServer.listenOn(port, "127.0.0.1")
    const before = await get(port, "/-/readiness", agent)
    expect(before.status).toBe(503)

    const app = Fastify({ serverFactory: server.takeOver })
    toClose.push(() => app.close())
    app.get("/-/readiness", async () => ({ status: "ok" }))
    await app.listen({ port, host: "127.0.0.1" })

    const after = await get(port, "/-/readiness", agent)
    expect(after).toMatchObject({ status: 200, body: { status: "ok" }, reusedConnection: true })
    // Fastify's own settings reach the server it took over (its keep-alive default, not Node's 5 s).
    expect(server.keepAliveTimeout).toBe(72_000)
    agent.destroy()
    await app.close()
    expect(server.listening).toBe(false)
  })
})
