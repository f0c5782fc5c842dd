import { tmpdir } from "node:os"
import type { FastifyInstance } from "fastify"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { buildServer } from "../../src/httpServer.js"
import { type ApiWorld, apiWorld, call, expectObject, passwordOf, text } from "../support/worlds/apiWorld.js"

/**
 * The same application behind a second server whose request logs are captured at the most verbose level:
 * what the API is given (passwords) and what it hands out (tokens) never reaches a log line.
 */
describe("secrets and the request log", () => {
  let w: ApiWorld
  let app: FastifyInstance
  const lines: Array<string> = []

  beforeAll(async () => {
    w = await apiWorld()
    app = buildServer(w.h.runtime, {
      dataDir: tmpdir(),
      logLevel: "trace",
      externalUrl: "http://registry.test:5000",
      logStream: { write: (line) => { lines.push(line) } }
    })
    await app.ready()
  })
  afterAll(async () => {
    // Closing either server disposes the shared runtime; the harness's server goes last.
    await app.close()
    await w.h.close()
  })

  it("logs requests but no password, token or hash", async () => {
    const secrets: Array<string> = [passwordOf("owner"), "new-user-password", "broken-body-password", w.root.token]
    const oauth = await app.inject({
      method: "POST",
      url: "/oauth/token",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: `grant_type=password&username=owner&password=${passwordOf("owner")}`
    })
    secrets.push(text(expectObject(oauth, 200), "access_token"))
    expectObject(await call(app, "POST", "/api/v4/users", {
      headers: { "private-token": w.root.token },
      json: { username: "newbie", email: "n@example.com", name: "N", password: "new-user-password" }
    }), 201)
    const deploy = await call(app, "POST", `/api/v4/groups/${w.groups.top}/deploy_tokens`, { token: w.owner.token, json: { name: "d", scopes: ["read_registry"] } })
    secrets.push(text(expectObject(deploy, 201), "token"), w.owner.token)
    const broken = await call(app, "POST", "/api/v4/users", { token: w.root.token, headers: { "content-type": "application/json" }, form: "{\"password\":\"broken-body-password\"" })
    expect(broken.statusCode).toBe(400)

    expect(lines.length).toBeGreaterThan(4)
    expect(lines.some((line) => line.includes("/oauth/token"))).toBe(true)
    for (const secret of secrets) {
      expect(lines.filter((line) => line.includes(secret))).toEqual([])
    }
    expect(lines.filter((line) => line.includes("scrypt$"))).toEqual([])
  })
})
