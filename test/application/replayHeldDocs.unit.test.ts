import { Either } from "effect"
import { describe, expect, it } from "vitest"
import type { RecordedEvent } from "../../src/application/ports/EventStore.js"
import type { ProjectorShape } from "../../src/application/ports/Projector.js"
import { ReadModelMap } from "../../src/application/projection.js"
import { encodeEvent } from "../../src/domain/eventCodec.js"
import { project } from "../../src/domain/projector.js"
import {
  BlobStream,
  GroupStream,
  INSTANCE_SETTINGS_STREAM,
  InstanceStream,
  ManifestStream,
  type StreamType,
  streamId,
  TokenStream,
  UserStream
} from "../../src/domain/streams.js"
import { CacheKinds, Kinds } from "../../src/domain/views.js"

const DIGEST = `sha256:${"ab".repeat(32)}`
const at = (minute: number): Date => new Date(Date.UTC(2026, 0, 1, 12, minute))

/** A small log through the domain's own codec: documents created, changed many times, removed. */
const log = (): ReadonlyArray<RecordedEvent> => {
  const events: Array<RecordedEvent> = []
  const versions = new Map<string, number>()
  const add = <E extends { readonly _tag: string }, I>(stream: StreamType<E, I>, id: string, event: E) => {
    const encoded = Either.getOrThrow(encodeEvent(stream, event))
    const version = (versions.get(id) ?? 0) + 1
    versions.set(id, version)
    events.push({
      ...encoded,
      globalPosition: events.length + 1,
      transactionId: events.length + 1,
      streamId: id,
      streamVersion: version,
      metadata: { actor: "test", requestId: null, clientIp: null, userAgent: null },
      recordedAt: at(events.length),
      prevHash: "",
      hash: ""
    })
  }
  const group = streamId(GroupStream.category, 1)
  add(GroupStream, group, { _tag: "GroupCreated", groupId: 1, path: "g", name: "g", parentId: null, ancestorIds: [], fullPath: "g" })
  add(GroupStream, group, { _tag: "MemberAdded", userId: 1, accessLevel: 30 })
  add(GroupStream, group, { _tag: "MemberAccessLevelChanged", userId: 1, accessLevel: 50 })
  add(GroupStream, group, { _tag: "ManifestCheckIntervalChanged", seconds: 60 })
  const user = streamId(UserStream.category, 1)
  add(UserStream, user, { _tag: "UserCreated", userId: 1, username: "olga", email: "olga@x.test", name: "Olga", passwordHash: "h", admin: false, bot: false })
  add(UserStream, user, { _tag: "AdminChanged", admin: true })
  add(UserStream, user, { _tag: "UserBlocked" })
  const token = streamId(TokenStream.category, 1)
  add(TokenStream, token, {
    _tag: "TokenCreated", tokenId: 1, kind: "personal", name: "t", digest: "ab".repeat(32), scopes: ["read_registry"],
    expiresAt: null, userId: 1, groupId: null, username: null, accessLevel: null
  })
  for (let i = 0; i < 5; i++) add(TokenStream, token, { _tag: "TokenUsed", at: at(100 + i) })
  const blob = streamId(BlobStream.category, `1/${DIGEST}`)
  add(BlobStream, blob, { _tag: "BlobCached", groupId: 1, digest: DIGEST, size: 10, image: "img", source: "upstream" })
  for (let i = 0; i < 5; i++) add(BlobStream, blob, { _tag: "BlobRead", at: at(200 + i) })
  const gone = streamId(BlobStream.category, `1/sha256:${"cd".repeat(32)}`)
  add(BlobStream, gone, { _tag: "BlobCached", groupId: 1, digest: `sha256:${"cd".repeat(32)}`, size: 1, image: "img", source: "upstream" })
  add(BlobStream, gone, { _tag: "BlobForgotten", reason: "test" })
  const manifest = streamId(ManifestStream.category, "1/img")
  add(ManifestStream, manifest, { _tag: "ManifestCached", groupId: 1, image: "img", tag: "latest", digest: DIGEST, mediaType: "application/vnd.oci.image.manifest.v1+json", size: 100 })
  add(ManifestStream, manifest, { _tag: "ManifestRead", tag: "latest", digest: DIGEST, at: at(300) })
  add(InstanceStream, INSTANCE_SETTINGS_STREAM, { _tag: "TokenLifetimeLimitChanged", maxDays: 30 })
  add(InstanceStream, INSTANCE_SETTINGS_STREAM, { _tag: "GroupCreationByUsersChanged", allowed: false })
  return events
}

/** The projector as the append path runs it: every change through JSON documents. */
const jsonOnly: ProjectorShape = (event) => project(event).map(({ kind, id, update }) => ({ kind, id, update }))

/** The test log folded by the replay's projector (held documents) and by the append path's (JSON only). */
const foldedBothWays = () => {
  const held = new ReadModelMap()
  const json = new ReadModelMap()
  for (const event of log()) {
    held.apply(project, event)
    json.apply(jsonOnly, event)
  }
  return { held, json }
}

describe("replay with held documents", () => {
  it("derives exactly the rows the append path's JSON documents give", () => {
    const { held, json } = foldedBothWays()
    expect(held.size).toBeGreaterThan(5)
    expect(JSON.parse(JSON.stringify(held.sorted()))).toEqual(JSON.parse(JSON.stringify(json.sorted())))
  })

  it("gives sorted()'s rows in chunks of the size asked for, for a replay's writer", () => {
    const { held, json } = foldedBothWays()
    const chunks = held.sortedChunks(3).map((rows) => rows())
    expect(chunks.map((chunk) => chunk.length)).toEqual([...Array(Math.ceil(held.size / 3)).keys()].map((i) => Math.min(3, held.size - 3 * i)))
    expect(JSON.parse(JSON.stringify(chunks.flat()))).toEqual(JSON.parse(JSON.stringify(json.sorted())))
  })

  it("keeps changing a document correctly after it was read in the middle of the log", () => {
    const events = log()
    const held = new ReadModelMap()
    const json = new ReadModelMap()
    for (const event of events) {
      held.apply(project, event)
      json.apply(jsonOnly, event)
      // Reading settles a document into JSON; the next change must start from that JSON.
      held.get(CacheKinds.blob, `1/${DIGEST}`)
      held.get(Kinds.token, "1")
    }
    expect(held.get(CacheKinds.blob, `1/${DIGEST}`)).toEqual(json.get(CacheKinds.blob, `1/${DIGEST}`))
    expect(JSON.parse(JSON.stringify(held.sorted()))).toEqual(JSON.parse(JSON.stringify(json.sorted())))
  })
})
