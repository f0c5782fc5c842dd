import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type ClientWorld, clientWorld, PYTHON, run } from "../support/worlds/clientWorld.js"

const WALK = join(import.meta.dirname, "python_gitlab_walk.py")

const STEPS = [
  "auth-and-version",
  "users",
  "groups",
  "members",
  "personal-access-tokens",
  "deploy-tokens",
  "group-access-tokens",
  "job-tokens-and-sso",
  "dependency-proxy",
  "group-update-and-delete",
  "settings"
]

/** python-gitlab 3.12 (Debian's python3-gitlab), the library and its CLI, against the REST API on a real socket. */
describe("python-gitlab", () => {
  let w: ClientWorld
  beforeAll(async () => {
    w = await clientWorld()
  })
  afterAll(() => w.h.close())

  it("is installed (python3-gitlab, from .ci/run)", async () => {
    const probe = await run(PYTHON, ["-c", "import gitlab; print(gitlab.__version__)"])
    expect(probe, probe.stderr).toMatchObject({ code: 0 })
    expect(probe.stdout.trim()).toMatch(/^3\./)
  })

  it("walks every REST route as a script does: create, get, list with filters and pages, update, revoke, purge", async () => {
    const walk = await run(PYTHON, [WALK, w.url, w.root.token, String(w.groups.other)])
    expect(walk.code, walk.stderr).toBe(0)
    expect(walk.stdout.trim().split("\n")).toEqual(STEPS.map((s) => `step ${s}`))
  })

  describe("its CLI (python3 -m gitlab)", () => {
    const cli = (args: ReadonlyArray<string>, token = w.root.token) =>
      run(PYTHON, ["-m", "gitlab", "--server-url", w.url, "--private-token", token, "-o", "json", ...args])

    const json = async (args: ReadonlyArray<string>, token?: string): Promise<unknown> => {
      const result = await cli(args, token)
      expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(0)
      return JSON.parse(result.stdout)
    }

    it("reads the current user, creates and finds groups, manages members and tokens", async () => {
      expect(await json(["current-user", "get"])).toMatchObject({ username: "root", is_admin: true })
      const created = await json(["group", "create", "--name", "Cli Group", "--path", "cli-group"])
      expect(created).toMatchObject({ path: "cli-group", full_path: "cli-group" })
      const found = await json(["group", "list", "--search", "cli-"])
      expect(found).toEqual([expect.objectContaining({ path: "cli-group", full_name: "Cli Group" })])
      const groupId = String((found as ReadonlyArray<{ readonly id: number }>)[0]?.id)
      await json(["group-member", "create", "--group-id", groupId, "--user-id", String(w.guest.id), "--access-level", "20"])
      expect(await json(["group-member", "list", "--group-id", groupId])).toEqual([
        expect.objectContaining({ username: "root", access_level: 50 }),
        expect.objectContaining({ username: "guest", access_level: 20 })
      ])
      const removed = await cli(["group-member", "delete", "--group-id", groupId, "--id", String(w.guest.id)])
      expect(removed.code, removed.stderr).toBe(0)
      expect(await json(["group-member", "list", "--group-id", groupId])).toEqual([expect.objectContaining({ username: "root" })])
      const token = await json(["group-deploy-token", "create", "--group-id", groupId, "--name", "cli", "--scopes", "read_registry"])
      const tokenId = String((token as { readonly id: number }).id)
      const revoked = await cli(["group-deploy-token", "delete", "--group-id", groupId, "--id", tokenId])
      expect(revoked.code, revoked.stderr).toBe(0)
      // The instance's list: the walk above may have left its own deploy token there too.
      expect(await json(["deploy-token", "list"])).toContainEqual(expect.objectContaining({ id: Number(tokenId), name: "cli", revoked: true }))
    })

    it("updates a group's description and path, deletes a subgroup and then the group", async () => {
      const top = await json(["group", "create", "--name", "Cli Life", "--path", "cli-life", "--description", "first"])
      const topId = String((top as { readonly id: number }).id)
      const sub = await json(["group", "create", "--name", "Cli Life Sub", "--path", "cli-life-sub", "--parent-id", topId])
      const subId = String((sub as { readonly id: number }).id)
      const updated = await cli(["group", "update", "--id", topId, "--description", "Mirrors", "--path", "cli-life-moved"])
      expect(updated.code, updated.stderr).toBe(0)
      expect(await json(["group", "get", "--id", topId])).toMatchObject({ description: "Mirrors", path: "cli-life-moved", visibility: "private" })
      expect(await json(["group", "get", "--id", subId])).toMatchObject({ full_path: "cli-life-moved/cli-life-sub" })
      const refused = await cli(["group", "update", "--id", topId, "--visibility", "public"])
      expect(refused.code).not.toBe(0)
      expect(refused.stderr).toContain("visibility")

      const deleted = await cli(["group", "delete", "--id", subId])
      expect(deleted.code, deleted.stderr).toBe(0)
      const gone = await cli(["group", "get", "--id", subId])
      expect(gone.code).not.toBe(0)
      expect(gone.stderr).toContain("404")
      expect(await json(["group", "list", "--search", "cli-life"])).toEqual([expect.objectContaining({ id: Number(topId) })])
      const reused = await json(["group", "create", "--name", "Cli Life Sub", "--path", "cli-life-sub", "--parent-id", topId])
      expect(reused).toMatchObject({ full_path: "cli-life-moved/cli-life-sub" })
      expect((reused as { readonly id: number }).id).not.toBe(Number(subId))
      expect((await cli(["group", "delete", "--id", topId])).code).toBe(0)
      expect(await json(["group", "list", "--search", "cli-life"])).toEqual([])
    }, 180_000) // 14 CLI runs, each a Python start and a sign-in: about 50 s on a loaded 2-core machine

    it("walks pages with --per-page and --page, and reports a refusal", async () => {
      const second = await json(["group", "list", "--per-page", "1", "--page", "2"])
      expect(second).toEqual([expect.objectContaining({ name: "Deep" })])
      const refused = await cli(["user", "create", "--username", "x", "--email", "x@example.test", "--name", "X", "--password", "x-password-1"], w.guest.token)
      expect(refused.code).not.toBe(0)
      expect(refused.stderr).toContain("403")
    })
  })
})
