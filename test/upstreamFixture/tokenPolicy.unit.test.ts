import { describe, expect, it } from "vitest"
import { type AccessPolicy, authenticate, grant, parseScope } from "../support/upstream/tokenPolicy.js"

const policy: AccessPolicy = {
  users: { alice: "a", bob: "b", pusher: "p" },
  privateRepos: ["private/", { match: "team/secret", readers: ["alice"] }],
  pusher: "pusher"
}
const scope = (text: string) => {
  const parsed = parseScope(text)
  if (parsed === undefined) throw new Error(`unparsable scope ${text}`)
  return parsed
}

describe("token policy", () => {
  it("parses scopes, including a registry host with a port in the name", () => {
    expect(parseScope("repository:library/alpine:pull,push")).toEqual({ type: "repository", name: "library/alpine", actions: ["pull", "push"] })
    expect(parseScope("repository:localhost:5000/x:pull")).toEqual({ type: "repository", name: "localhost:5000/x", actions: ["pull"] })
    expect(parseScope("garbage")).toBeUndefined()
  })

  it("authenticates only configured users with the right password", () => {
    expect(authenticate(policy, undefined)).toEqual({ _tag: "Anonymous" })
    expect(authenticate(policy, { username: "alice", password: "a" })).toEqual({ _tag: "User", username: "alice" })
    expect(authenticate(policy, { username: "alice", password: "b" })).toEqual({ _tag: "Rejected" })
    expect(authenticate(policy, { username: "mallory", password: "" })).toEqual({ _tag: "Rejected" })
  })

  it.each([
    [null, "library/alpine:pull", ["pull"]],
    [null, "private/app:pull", []],
    ["bob", "private/app:pull", ["pull"]],
    ["bob", "private:pull", ["pull"]],
    ["bob", "team/secret:pull", []],
    ["alice", "team/secret:pull", ["pull"]],
    ["alice", "library/alpine:pull,push", ["pull"]],
    ["pusher", "team/secret:pull,push", ["pull", "push"]]
  ])("grants %s on %s: %j", (user, requested, actions) => {
    expect(grant(policy, user, scope(`repository:${requested}`))).toEqual({ type: "repository", name: requested.split(":")[0], actions })
  })

  it("grants nothing for non-repository scopes", () => {
    expect(grant(policy, "pusher", scope("registry:catalog:*"))).toBeUndefined()
  })
})
