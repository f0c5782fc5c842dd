import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { GroupDecider } from "../../src/domain/group/GroupDecider.js"
import { CREDENTIALS_REJECTION_REFRESH_MS } from "../../src/domain/group/upstreamCredentials.js"
import type { GroupEvent } from "../../src/domain/group/GroupEvents.js"
import type { GroupState } from "../../src/domain/group/GroupState.js"

const SEALED = { keyId: "k", iv: "iv", ciphertext: "c", tag: "t" }
const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms)

const given = (...events: ReadonlyArray<GroupEvent>): GroupState => events.reduce(GroupDecider.evolve, GroupDecider.initialState)
const withCredentials = (...more: ReadonlyArray<GroupEvent>) =>
  given(
    { _tag: "GroupCreated", groupId: 1, path: "acme", name: "Acme", parentId: null, ancestorIds: [], fullPath: "acme" },
    { _tag: "DockerHubCredentialsSet", identity: "hubuser", secret: SEALED },
    ...more
  )
const rejectedAt = (ms: number, status = 401): GroupEvent => ({ _tag: "UpstreamCredentialsRejected", status, at: at(ms) })
const note = (state: GroupState, outcome: { readonly _tag: "Rejected"; readonly status: number; readonly at: Date } | { readonly _tag: "Accepted" }, identity = "hubuser") =>
  Either.getOrThrow(GroupDecider.decide({ _tag: "NoteUpstreamCredentials", identity, outcome }, state))

describe("the health of a group's Docker Hub credentials", () => {
  it("a first rejection is news; the same one again within the hour is not; after it, it is recorded again", () => {
    expect(note(withCredentials(), { _tag: "Rejected", status: 401, at: at(0) })).toEqual([rejectedAt(0)])
    expect(note(withCredentials(rejectedAt(0)), { _tag: "Rejected", status: 401, at: at(CREDENTIALS_REJECTION_REFRESH_MS - 1) })).toEqual([])
    expect(note(withCredentials(rejectedAt(0)), { _tag: "Rejected", status: 403, at: at(1) })).toEqual([rejectedAt(1, 403)])
    expect(note(withCredentials(rejectedAt(0)), { _tag: "Rejected", status: 401, at: at(CREDENTIALS_REJECTION_REFRESH_MS) })).toEqual([
      rejectedAt(CREDENTIALS_REJECTION_REFRESH_MS)
    ])
  })

  it("a success with the credentials clears a rejection, and is no news otherwise", () => {
    expect(note(withCredentials(rejectedAt(0)), { _tag: "Accepted" })).toEqual([{ _tag: "UpstreamCredentialsAccepted" }])
    expect(note(withCredentials(), { _tag: "Accepted" })).toEqual([])
    expect(withCredentials(rejectedAt(0), { _tag: "UpstreamCredentialsAccepted" })?.settings.credentialsRejected).toBeNull()
  })

  it("new credentials clear it, and news about credentials since replaced is ignored", () => {
    const replaced = withCredentials(rejectedAt(0), { _tag: "DockerHubCredentialsSet", identity: "other", secret: SEALED })
    expect(replaced?.settings.credentialsRejected).toBeNull()
    expect(note(replaced, { _tag: "Rejected", status: 401, at: at(5) }, "hubuser")).toEqual([])
    expect(withCredentials(rejectedAt(0), { _tag: "DockerHubCredentialsCleared" })?.settings.credentialsRejected).toBeNull()
  })
})
