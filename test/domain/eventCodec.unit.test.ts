import { it } from "@effect/vitest"
import { Either, FastCheck, Schema } from "effect"
import { describe, expect } from "vitest"
import { type EncodedEvent, decodeEvent, encodeEvent } from "../../src/domain/eventCodec.js"
import { GroupCreated } from "../../src/domain/group/GroupEvents.js"
import { JsonObjectSchema } from "../../src/domain/Json.js"
import {
  categoryOf,
  GroupPathClaimStream,
  GroupStream,
  SsoStream,
  type StreamType,
  streamId,
  TokenStream,
  UsernameClaimStream,
  UserStream
} from "../../src/domain/streams.js"

// What Postgres does to a payload: stores it as jsonb and hands back freshly parsed JSON.
const throughJsonb = (encoded: EncodedEvent): EncodedEvent => {
  const parsed: unknown = JSON.parse(JSON.stringify(encoded.payload))
  return { ...encoded, payload: Schema.decodeUnknownSync(JsonObjectSchema)(parsed) }
}

const roundTrips = <E extends { readonly _tag: string }, I>(name: string, stream: StreamType<E, I>): void => {
  describe(`${name} stream`, () => {
    it.prop("decodes what it encodes", [stream.schema], ([event]) => {
      const encoded = Either.getOrThrow(encodeEvent(stream, event))
      expect(encoded.type).toBe(event._tag)
      expect(encoded.schemaVersion).toBe(stream.versions[event._tag] ?? 1)
      expect(encoded.payload).not.toHaveProperty("_tag")
      expect(decodeEvent(stream, encoded)).toStrictEqual(Either.right(event))
    })

    it.prop("decodes what it encodes after a trip through JSON text", [stream.schema], ([event]) => {
      const stored = throughJsonb(Either.getOrThrow(encodeEvent(stream, event)))
      expect(decodeEvent(stream, stored)).toStrictEqual(Either.right(event))
    })
  })
}

describe("event codec", () => {
  roundTrips("group", GroupStream)
  roundTrips("user", UserStream)
  roundTrips("token", TokenStream)
  roundTrips("sso", SsoStream)
  roundTrips("username claim", UsernameClaimStream)
  roundTrips("group path claim", GroupPathClaimStream)

  describe("schema versions", () => {
    it("writes GroupCreated at version 2 and other events at version 1", () => {
      const created: typeof GroupCreated.Type = {
        _tag: "GroupCreated",
        groupId: 1,
        path: "acme",
        name: "Acme Corp",
        parentId: null,
        ancestorIds: [],
        fullPath: "acme"
      }
      expect(Either.getOrThrow(encodeEvent(GroupStream, created))).toStrictEqual({
        type: "GroupCreated",
        schemaVersion: 2,
        payload: { groupId: 1, path: "acme", name: "Acme Corp", parentId: null, ancestorIds: [], fullPath: "acme" }
      })
      expect(Either.getOrThrow(encodeEvent(GroupStream, { _tag: "MemberRemoved", userId: 3 }))).toStrictEqual({
        type: "MemberRemoved",
        schemaVersion: 1,
        payload: { userId: 3 }
      })
    })

    it("upcasts a version 1 GroupCreated, which had no name, naming the group by its path", () => {
      const stored: EncodedEvent = {
        type: "GroupCreated",
        schemaVersion: 1,
        payload: { groupId: 2, path: "team", parentId: 1, ancestorIds: [1], fullPath: "acme/team" }
      }
      expect(decodeEvent(GroupStream, stored)).toStrictEqual(
        Either.right({
          _tag: "GroupCreated",
          groupId: 2,
          path: "team",
          name: "team",
          parentId: 1,
          ancestorIds: [1],
          fullPath: "acme/team"
        })
      )
    })

    it.prop("upcasts any version 1 GroupCreated to the current shape with name = path", [GroupCreated], ([event]) => {
      const { name: _dropped, ...v1 } = Either.getOrThrow(encodeEvent(GroupStream, event)).payload
      const stored: EncodedEvent = { type: "GroupCreated", schemaVersion: 1, payload: v1 }
      expect(decodeEvent(GroupStream, stored)).toStrictEqual(Either.right({ ...event, name: event.path }))
    })

    it("does not upcast a current GroupCreated: a missing name at version 2 is a corrupt event", () => {
      const stored: EncodedEvent = {
        type: "GroupCreated",
        schemaVersion: 2,
        payload: { groupId: 2, path: "team", parentId: 1, ancestorIds: [1], fullPath: "acme/team" }
      }
      expect(Either.isLeft(decodeEvent(GroupStream, stored))).toBe(true)
    })

    it("rejects an unknown event type and a payload of the wrong shape", () => {
      expect(Either.isLeft(decodeEvent(GroupStream, { type: "GroupDeleted", schemaVersion: 1, payload: {} }))).toBe(true)
      expect(Either.isLeft(decodeEvent(UserStream, { type: "AdminChanged", schemaVersion: 1, payload: { admin: "yes" } }))).toBe(
        true
      )
      // A type from another stream is not this stream's event, even though it is a valid event elsewhere.
      expect(Either.isLeft(decodeEvent(UserStream, { type: "TokenRevoked", schemaVersion: 1, payload: { reason: "revoked" } }))).toBe(
        true
      )
    })

    it("keeps the payload's own `_tag` out of the way of the stored type", () => {
      const stored: EncodedEvent = { type: "UserBlocked", schemaVersion: 1, payload: { _tag: "UserUnblocked" } }
      expect(decodeEvent(UserStream, stored)).toStrictEqual(Either.right({ _tag: "UserBlocked" }))
    })
  })

  describe("stream ids", () => {
    it("joins category and key with '-'", () => {
      expect(streamId("user", 7)).toBe("user-7")
      expect(streamId("group_path", "acme/team")).toBe("group_path-acme/team")
    })

    it.prop(
      "reads the category back from a stream id, whatever the key",
      [FastCheck.constantFrom(GroupStream, UserStream, TokenStream, SsoStream, UsernameClaimStream, GroupPathClaimStream), FastCheck.string()],
      ([stream, key]) => {
        expect(categoryOf(streamId(stream.category, key))).toBe(stream.category)
      }
    )

    it("has no category for an id without '-'", () => {
      expect(categoryOf("orphan")).toBe("")
    })

    it("gives every stream type its own category, none containing '-'", () => {
      const categories = [GroupStream, UserStream, TokenStream, SsoStream, UsernameClaimStream, GroupPathClaimStream].map((s) => s.category)
      expect(new Set(categories).size).toBe(categories.length)
      for (const category of categories) expect(category).not.toContain("-")
    })
  })
})

