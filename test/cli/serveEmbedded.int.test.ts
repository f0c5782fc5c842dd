import { readFile, stat } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { cli, json, startServer, tempDir } from "../support/processes.js"

/** The `msg` of every JSON log line. */
const logMessages = (output: string): ReadonlyArray<string> =>
  output.split("\n").flatMap((line) => {
    if (!line.startsWith("{")) return []
    const parsed: unknown = JSON.parse(line)
    const msg: unknown = typeof parsed === "object" && parsed !== null ? Reflect.get(parsed, "msg") : undefined
    return typeof msg === "string" ? [msg] : []
  })

/** EXTERNAL_URL's default: localhost on the port it listens on. */
const signInUrl = (server: { readonly url: string }) => `http://localhost:${new URL(server.url).port}/users/sign_in`

/**
 * The README's first command on a fresh machine: no Postgres, no configuration, state under DATA_DIR in the
 * embedded database, kept across restarts.
 */
describe("serve on the embedded database", () => {
  it("serves health and readiness, bootstraps root once, and keeps users and groups across restarts", async () => {
    const dataDir = await tempDir("dp-embedded-")
    const env = { DATA_DIR: dataDir }

    const first = await startServer(env)
    expect(await (await fetch(`${first.url}/-/health`)).json()).toEqual({ status: "ok" })
    const readiness = await fetch(`${first.url}/-/readiness`)
    expect(readiness.status).toBe(200)
    // No upstream asked yet: no breaker to show.
    expect(await readiness.json()).toEqual({ status: "ok", checks: { database: "ok", data_dir: "ok" }, upstream: {} })
    const passwordFile = join(dataDir, "initial_root_password")
    expect((await stat(passwordFile)).mode & 0o777).toBe(0o600)
    expect((await stat(join(dataDir, "encryption_key"))).mode & 0o777).toBe(0o600)
    const rootPassword = await readFile(passwordFile, "utf8")
    expect(rootPassword.trim().length).toBeGreaterThanOrEqual(20)
    // One line tells the person who just started it where to sign in and where the password is, not what it is.
    const notices = logMessages(first.output()).filter((m) => m.includes("sign in at"))
    expect(notices).toEqual([`created the root user: sign in at ${signInUrl(first)} as root with the generated password written to ${passwordFile} (readable by this user only)`])
    expect(first.output()).not.toContain(rootPassword.trim())

    // The embedded database belongs to the server while it runs.
    const refused = await cli(["admin", "list-users"], env)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/in use by process \d+; stop it, or set DATABASE_URL/)
    expect(await first.stop()).toBe(0)

    json(await cli(["admin", "create-user", "--username", "alice", "--email", "alice@example.com", "--password", "alice-password"], env))
    json(await cli(["admin", "create-group", "--path", "platform"], env))
    json(await cli(["admin", "create-group", "--path", "ci", "--parent", "platform"], env))

    const second = await startServer(env)
    expect((await fetch(`${second.url}/-/readiness`)).status).toBe(200)
    expect(await second.stop()).toBe(0)
    expect(await readFile(passwordFile, "utf8")).toBe(rootPassword)
    // Root already exists: nothing to announce on later starts.
    expect(logMessages(second.output()).filter((m) => m.includes("sign in at"))).toEqual([])

    expect(json(await cli(["admin", "list-users"], env))).toEqual([
      expect.objectContaining({ id: 1, username: "root", admin: true }),
      expect.objectContaining({ id: 2, username: "alice", admin: false })
    ])
    expect(json(await cli(["admin", "list-groups"], env))).toEqual([
      { id: 1, full_path: "platform", parent_id: null, dependency_proxy_enabled: true },
      { id: 2, full_path: "platform/ci", parent_id: 1, dependency_proxy_enabled: true }
    ])
    expect(json(await cli(["audit", "verify"], env))).toMatchObject({ ok: true })
    // Eight process starts, each opening the embedded database: slow on a loaded 2-core machine.
  }, 300_000)

  it("uses INITIAL_ROOT_PASSWORD when given and writes no password file", async () => {
    const dataDir = await tempDir("dp-embedded-")
    const server = await startServer({ DATA_DIR: dataDir, INITIAL_ROOT_PASSWORD: "given-root-password" })
    expect(await server.stop()).toBe(0)
    expect(logMessages(server.output()).filter((m) => m.includes("sign in at"))).toEqual([
      `created the root user: sign in at ${signInUrl(server)} as root with the password given in INITIAL_ROOT_PASSWORD`
    ])
    expect(server.output()).not.toContain("given-root-password")
    await expect(stat(join(dataDir, "initial_root_password"))).rejects.toThrow(/ENOENT/)
  }, 120_000)
})
