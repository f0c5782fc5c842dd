import { describe, expect, it } from "vitest"
import { eventDecoder } from "../../src/domain/readModelDocs.js"
import { GroupStream } from "../../src/domain/streams.js"

// An append asks the projector about each event twice with the same payload object (ADR 0026); the decoder
// remembers the decoded event by payload (ADR 0029). A remembered event must be what a fresh decode gives.
describe("eventDecoder", () => {
  const stored = (type: string, schemaVersion: number, payload: Record<string, string | number | null | ReadonlyArray<number>>) => ({
    globalPosition: 1,
    streamId: "group-1",
    type,
    schemaVersion,
    payload,
    recordedAt: new Date(0)
  })
  const v1 = { groupId: 1, path: "team", parentId: null, ancestorIds: [], fullPath: "team" }

  it("hands back the event decoded the first time for the same payload", () => {
    const decode = eventDecoder(GroupStream)
    const first = decode(stored("GroupCreated", 1, v1))
    expect(first).toMatchObject({ _tag: "GroupCreated", name: "team" })
    expect(decode(stored("GroupCreated", 1, v1))).toBe(first)
  })

  it("decodes afresh when the same payload comes with another schema version or type", () => {
    const decode = eventDecoder(GroupStream)
    decode(stored("GroupCreated", 1, v1))
    // At version 2 the payload lacks `name`, which only the version-1 upcaster supplies.
    expect(() => decode(stored("GroupCreated", 2, v1))).toThrow(/undecodable GroupCreated/)
    expect(() => decode(stored("GroupRenamed", 1, v1))).toThrow(/undecodable GroupRenamed/)
  })
})
