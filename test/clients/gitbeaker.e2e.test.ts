import { Gitlab } from "@gitbeaker/rest"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type ClientWorld, clientWorld } from "../support/worlds/clientWorld.js"

/** @gitbeaker/rest 43, the JavaScript client, against the REST API on a real socket. Each call checks what came back. */
describe("@gitbeaker/rest", () => {
  let w: ClientWorld
  let api: InstanceType<typeof Gitlab>
  beforeAll(async () => {
    w = await clientWorld()
    api = new Gitlab({ host: w.url, token: w.root.token })
  })
  afterAll(() => w.h.close())

  it("reads the current user, the version and the application settings", async () => {
    expect(await api.Users.showCurrentUser()).toMatchObject({ username: "root", is_admin: true })
    expect(await api.Metadata.show()).toMatchObject({ version: "0.1.0", enterprise: false })
    expect(await api.ApplicationSettings.show()).toMatchObject({ can_create_group: true })
  })

  it("creates, finds, pages, blocks and unblocks users", async () => {
    const carol = await api.Users.create({ username: "gb-carol", email: "gb-carol@example.test", name: "Gb Carol", password: "gb-carol-password-1" })
    expect(await api.Users.show(carol.id)).toMatchObject({ username: "gb-carol", state: "active" })
    expect((await api.Users.all({ search: "gb-" })).map((u) => u.username)).toEqual(["gb-carol"])
    await api.Users.block(carol.id)
    expect((await api.Users.all({ search: "gb-", active: true })).map((u) => u.username)).toEqual([])
    await api.Users.unblock(carol.id)
    expect((await api.Users.all({ username: "gb-carol" })).map((u) => u.state)).toEqual(["active"])
    const gone = await api.Users.create({ username: "gb-gone", email: "gb-gone@example.test", name: "Gb Gone", password: "gb-gone-password-1" })
    await api.Users.remove(gone.id)
    await expect(api.Users.show(gone.id)).rejects.toMatchObject({ cause: { response: { status: 404 } } })
    const paged = await api.Users.all({ perPage: 2, page: 2, pagination: "offset", showExpanded: true })
    expect(paged.paginationInfo).toMatchObject({ total: 6, current: 2, perPage: 2, totalPages: 3, next: 3, previous: 1 })
    expect(paged.data.map((u) => u.username)).toEqual(["maintainer", "guest"])
  })

  it("creates groups and subgroups, finds them by path and by search across pages", async () => {
    const top = await api.Groups.create("Gb Top", "gb-top")
    const sub = await api.Groups.create("Gb Sub", "gb-sub", { parentId: top.id })
    expect(await api.Groups.show("gb-top/gb-sub")).toMatchObject({ id: sub.id, full_name: "Gb Top / Gb Sub", parent_id: top.id })
    for (let i = 0; i < 3; i++) await api.Groups.create(`Gb Many ${i}`, `gb-many-${i}`)
    const all = await api.Groups.all({ search: "gb-many", perPage: 1, pagination: "offset" })
    expect(all.map((g) => g.path)).toEqual(["gb-many-0", "gb-many-1", "gb-many-2"])
    const second = await api.Groups.all({ search: "gb-many", perPage: 1, page: 2, pagination: "offset", showExpanded: true, maxPages: 1 })
    expect(second.data.map((g) => g.path)).toEqual(["gb-many-1"])
    expect(second.paginationInfo).toMatchObject({ total: 3, totalPages: 3 })
    expect((await api.Groups.all({ search: "gb-", topLevelOnly: true, pagination: "offset" })).map((g) => g.path)).toEqual(["gb-many-0", "gb-many-1", "gb-many-2", "gb-top"])
    expect(await api.Groups.edit(sub.id, { name: "Gb Sub Renamed" })).toMatchObject({ name: "Gb Sub Renamed", full_path: "gb-top/gb-sub" })
    expect((await api.Groups.allSubgroups(top.id)).map((g) => g.path)).toEqual(["gb-sub"])
    expect((await api.Groups.allDescendantGroups(top.id, {})).map((g) => g.path)).toEqual(["gb-sub"])
  })

  it("updates a group's description and path, deletes a subgroup with its tokens, reuses its path, deletes the group", async () => {
    const signIn = (groupPath: string, username: string, password: string) =>
      fetch(`${w.url}/jwt/auth?service=dependency_proxy&scope=repository:${groupPath}/dependency_proxy/containers/alpine:pull`, {
        headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` }
      })
    const top = await api.Groups.create("Gb Life", "gb-life", { description: "first" })
    expect(top).toMatchObject({ description: "first", visibility: "private" })
    const sub = await api.Groups.create("Gb Life Sub", "gb-life-sub", { parentId: top.id })
    const edited = await api.Groups.edit(top.id, { description: "Mirrors", path: "gb-life-moved" })
    expect(edited).toMatchObject({ description: "Mirrors", path: "gb-life-moved", full_path: "gb-life-moved" })
    expect(await api.Groups.show("gb-life-moved/gb-life-sub")).toMatchObject({ id: sub.id })
    await expect(api.Groups.edit(top.id, { visibility: "internal" })).rejects.toMatchObject({
      cause: { response: { status: 400 }, description: expect.stringContaining("visibility") }
    })

    const deploy = await api.DeployTokens.create("gb-life-deploy", ["read_registry"], { groupId: sub.id })
    const bot = await api.GroupAccessTokens.create(sub.id, "gb-life-bot", ["read_registry"], new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10))
    expect((await signIn("gb-life-moved/gb-life-sub", deploy.username, deploy.token ?? "")).status).toBe(200)
    expect((await signIn("gb-life-moved/gb-life-sub", "any", bot.token ?? "")).status).toBe(200)
    await api.Groups.remove(sub.id)
    await expect(api.Groups.show(sub.id)).rejects.toMatchObject({ cause: { response: { status: 404 } } })
    expect(await api.Groups.allDescendantGroups(top.id, {})).toEqual([])
    expect((await api.Groups.all({ search: "gb-life" })).map((g) => g.id)).toEqual([top.id])
    expect((await signIn("gb-life-moved/gb-life-sub", deploy.username, deploy.token ?? "")).status).toBe(403)
    expect((await signIn("gb-life-moved/gb-life-sub", "any", bot.token ?? "")).status).toBe(403)
    const botUserId = bot.user_id
    if (typeof botUserId !== "number") throw new Error(`the token's bot: ${JSON.stringify(bot)}`)
    await expect(api.Users.show(botUserId)).rejects.toMatchObject({ cause: { response: { status: 404 } } })

    const reused = await api.Groups.create("Gb Life Sub", "gb-life-sub", { parentId: top.id })
    expect(reused).toMatchObject({ full_path: "gb-life-moved/gb-life-sub" })
    expect(reused.id).not.toBe(sub.id)
    await api.Groups.remove(top.id)
    expect(await api.Groups.all({ search: "gb-life" })).toEqual([])
    await expect(api.Groups.show(reused.id)).rejects.toMatchObject({ cause: { response: { status: 404 } } })
  })

  it("adds members by id and by username, changes a role, lists inherited members, removes one", async () => {
    const group = await api.Groups.show("top")
    const added = await api.GroupMembers.add(group.id, 20, { userId: w.outsider.id })
    expect(added).toMatchObject({ id: w.outsider.id, access_level: 20 })
    expect(await api.GroupMembers.edit(group.id, w.outsider.id, 30)).toMatchObject({ access_level: 30 })
    expect(await api.GroupMembers.show(w.groups.deep, w.outsider.id, { includeInherited: true })).toMatchObject({ access_level: 30 })
    const inherited = await api.GroupMembers.all(w.groups.deep, { includeInherited: true })
    expect(inherited.map((m) => m.username).sort()).toEqual(["guest", "maintainer", "outsider", "owner"])
    await api.GroupMembers.remove(group.id, w.outsider.id)
    expect((await api.GroupMembers.all(group.id)).map((m) => m.username)).not.toContain("outsider")
    const byName = await api.GroupMembers.add(w.groups.sub, 10, { username: "outsider" })
    expect(byName).toMatchObject({ id: w.outsider.id, access_level: 10 })
  })

  it("creates, lists, shows and revokes personal access tokens", async () => {
    const pat = await api.Users.createPersonalAccessToken(w.outsider.id, "gb-pat", ["read_registry"])
    expect(pat).toMatchObject({ name: "gb-pat", scopes: ["read_registry"], active: true })
    expect(typeof pat.token).toBe("string")
    expect((await api.PersonalAccessTokens.all({ userId: w.outsider.id })).map((t) => t.name)).toEqual(["api token", "gb-pat"])
    expect(await api.PersonalAccessTokens.show({ tokenId: pat.id })).toMatchObject({ name: "gb-pat", user_id: w.outsider.id })
    await api.PersonalAccessTokens.remove({ tokenId: pat.id })
    expect(await api.PersonalAccessTokens.show({ tokenId: pat.id })).toMatchObject({ revoked: true, active: false })
  })

  it("creates, lists and revokes deploy tokens and group access tokens", async () => {
    const deploy = await api.DeployTokens.create("gb-deploy", ["read_registry"], { groupId: w.groups.top })
    expect(deploy).toMatchObject({ name: "gb-deploy", revoked: false })
    expect((await api.DeployTokens.all({ groupId: w.groups.top })).map((t) => t.name)).toEqual(["gb-deploy"])
    expect((await api.DeployTokens.all()).map((t) => t.id)).toEqual([deploy.id])
    await api.DeployTokens.remove(deploy.id, { groupId: w.groups.top })
    expect((await api.DeployTokens.all({ groupId: w.groups.top, active: true }))).toEqual([])

    const inAMonth = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10)
    const bot = await api.GroupAccessTokens.create(w.groups.top, "gb-bot", ["read_registry"], inAMonth, { accessLevel: 10 })
    expect(bot).toMatchObject({ name: "gb-bot", access_level: 10, expires_at: inAMonth })
    expect(await api.GroupAccessTokens.show(w.groups.top, bot.id)).toMatchObject({ name: "gb-bot", active: true })
    expect((await api.GroupAccessTokens.all(w.groups.top)).map((t) => t.name)).toEqual(["gb-bot"])
    await api.GroupAccessTokens.revoke(w.groups.top, bot.id)
    expect(await api.GroupAccessTokens.show(w.groups.top, bot.id)).toMatchObject({ revoked: true })
  })

  it("purges the dependency proxy cache and reads the settings history", async () => {
    // gitbeaker's DependencyProxy.remove sends POST where GitLab documents DELETE: its requester sends the DELETE.
    const purge = await api.requester.delete(`groups/${w.groups.top}/dependency_proxy/cache`)
    expect(purge.status).toBe(202)
    const history = await api.requester.get(`groups/${w.groups.other}/dependency_proxy/settings/history`)
    expect(history.status).toBe(200)
    expect(history.headers["x-total"]).toBe("3")
    expect(history.body).toEqual([
      expect.objectContaining({ setting: "enabled", from: "true", to: "false" }),
      expect.objectContaining({ setting: "identity", from: null, to: "hub-user" }),
      expect.objectContaining({ setting: "secret", from: null, to: "changed" })
    ])
  })

  it("reports a refusal as GitLab's status and message", async () => {
    const guest = new Gitlab({ host: w.url, token: w.guest.token })
    await expect(guest.Users.create({ username: "x", email: "x@example.test", name: "X", password: "x-password-1" })).rejects.toMatchObject({
      cause: { response: { status: 403 } }
    })
  })
})
