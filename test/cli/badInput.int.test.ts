import { describe, expect, it } from "vitest"
import { cli, tempDir } from "../support/processes.js"

const oneLine = (text: string) => text.trimEnd().split("\n")

/** Bad input: one line on stderr naming what is wrong, exit code 2, nothing written. */
describe("the command line refuses bad input", () => {
  it.each([
    [{ PORT: "http" }, ["serve"], "dependency-proxy: invalid configuration: PORT must be an integer from 1 to 65535 (got \"http\")"],
    [{ DATABASE_URL: "mysql://db" }, ["admin", "list-users"], "dependency-proxy: invalid configuration: DATABASE_URL must be a postgres:// or postgresql:// URL"],
    [{}, ["frobnicate"], "dependency-proxy: unknown command frobnicate"],
    [{}, ["admin", "create-user", "--username", "x"], "dependency-proxy: --email is required"],
    [{}, ["admin", "create-user", "--bogus"], "dependency-proxy: Unknown option '--bogus'"]
  ])("with %j, `%s` exits 2 with one line", async (env, args, message) => {
    const dataDir = await tempDir("dp-bad-")
    const result = await cli(args, { DATA_DIR: dataDir, ...env })
    expect(result.code).toBe(2)
    expect(oneLine(result.stderr)[0]).toBe(message)
    expect(result.stdout).toBe("")
  }, 120_000)

  it("reports a domain refusal naming the field, and appends nothing", async () => {
    const env = { DATA_DIR: await tempDir("dp-bad-") }
    const bad = await cli(["admin", "create-user", "--username=-alice", "--email", "a@example.com", "--password", "long-enough"], env)
    expect(bad.code).toBe(2)
    expect(oneLine(bad.stderr)).toEqual([
      "dependency-proxy: username can contain only letters, digits, '_', '-' and '.'. Cannot start with '-' or end in '.', '.git' or '.atom'."
    ])
    const users = await cli(["admin", "list-users"], env)
    expect(JSON.parse(users.stdout)).toEqual([])
  }, 120_000)
  it("refuses a settings change when any part of it is refused, and changes none of it", async () => {
    const env = { DATA_DIR: await tempDir("dp-bad-") }
    const ok = async (args: ReadonlyArray<string>) => expect((await cli(["admin", ...args], env)).code).toBe(0)
    await ok(["create-user", "--username", "olga", "--email", "olga@example.com", "--password", "olga-password"])
    await ok(["create-group", "--path", "team", "--owner", "olga"])
    await ok(["create-group", "--path", "sub", "--parent", "team", "--owner", "olga"])

    // The proxy would be disabled first, then the TTL refused: neither happens.
    const badTtl = await cli(["admin", "update-settings", "--group", "team", "--enabled", "false", "--ttl", "0"], env)
    expect(badTtl.code).toBe(2)
    expect(oneLine(badTtl.stderr)).toEqual(["dependency-proxy: ttl must be a whole number of days between 1 and 36500"])
    // On a subgroup, SSO enforcement is refused after three changes the decider accepts.
    const badSso = await cli(["admin", "update-settings", "--group", "team/sub", "--enabled", "false", "--ttl", "7", "--ttl-enabled", "true", "--sso-enforced", "true"], env)
    expect(badSso.code).toBe(2)
    expect(oneLine(badSso.stderr)).toEqual(["dependency-proxy: SSO enforcement can only be set on a top-level group"])

    // No setting changed on either group (the history lists every change, the proxy's switch first among them).
    for (const group of ["team", "team/sub"]) {
      const history = await cli(["audit", "history", "--group", group], env)
      expect(JSON.parse(history.stdout)).toEqual([])
    }
  }, 300_000)
})
