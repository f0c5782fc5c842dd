import { createHash } from "node:crypto"
import { Either } from "effect"
import type { NewEvent, StreamWrite } from "../../src/application/ports/EventStore.js"
import type { NameClaimEvent } from "../../src/domain/claim/NameClaim.js"
import { encodeEvent, type EncodedEvent } from "../../src/domain/eventCodec.js"
import { BlobStream, GroupPathClaimStream, GroupStream, ManifestStream, streamId, TokenStream, UserStream, UsernameClaimStream } from "../../src/domain/streams.js"

const GROUPS = 20
const USERS = 200
const TOKENS = 400

const encoded = (result: Either.Either<EncodedEvent, unknown>): NewEvent =>
  Either.getOrThrowWith(result, (error) => new Error(`bench event does not encode: ${String(error)}`))

/** Explicit type arguments: inference widens the one-member union's tag to string. */
const claim = (stream: typeof UsernameClaimStream | typeof GroupPathClaimStream, ownerId: number): NewEvent =>
  encoded(encodeEvent<NameClaimEvent, typeof NameClaimEvent.Encoded>(stream, { _tag: "NameClaimed", ownerId }))

const digestOf = (seed: string): string => `sha256:${createHash("sha256").update(seed).digest("hex")}`

/**
 * A synthetic but realistic log: a few groups, users and tokens, then mostly what a busy cache appends —
 * blobs and manifests cached and read, tokens used, now and then a group setting changed. Every event goes
 * through the domain's own codec, so the projector and replay see exactly what the service writes.
 */
export class EventMix {
  private readonly versions = new Map<string, number>()
  private readonly blobs: Array<string> = []
  private readonly manifests: Array<string> = []
  /** The blob stream each append-rate worker last created. */
  private readonly workerBlobs = new Map<number, string>()
  private counter = 0
  private readonly at = new Date("2026-11-01T00:00:00Z")

  private write(id: string, events: ReadonlyArray<NewEvent>): StreamWrite {
    const expectedVersion = this.versions.get(id) ?? 0
    this.versions.set(id, expectedVersion + events.length)
    return { streamId: id, expectedVersion, events }
  }

  private next(): number {
    this.counter += 1
    return this.counter
  }

  /** Groups, users (with their name claims) and personal tokens: the world the cache events refer to. */
  setup(): ReadonlyArray<StreamWrite> {
    const writes: Array<StreamWrite> = []
    for (let g = 1; g <= GROUPS; g++) {
      const path = `group-${g}`
      writes.push(this.write(streamId(GroupStream.category, g), [
        encoded(encodeEvent(GroupStream, { _tag: "GroupCreated", groupId: g, path, name: path, parentId: null, ancestorIds: [], fullPath: path })),
        encoded(encodeEvent(GroupStream, { _tag: "MemberAdded", userId: ((g - 1) % USERS) + 1, accessLevel: 50 }))
      ]))
      writes.push(this.write(streamId(GroupPathClaimStream.category, path), [claim(GroupPathClaimStream, g)]))
    }
    for (let u = 1; u <= USERS; u++) {
      const username = `user-${u}`
      writes.push(this.write(streamId(UserStream.category, u), [encoded(encodeEvent(UserStream, {
        _tag: "UserCreated", userId: u, username, email: `${username}@bench.test`, name: username, passwordHash: `scrypt$32768$salt$${u}`, admin: false, bot: false
      }))]))
      writes.push(this.write(streamId(UsernameClaimStream.category, username), [claim(UsernameClaimStream, u)]))
    }
    for (let t = 1; t <= TOKENS; t++) {
      writes.push(this.write(streamId(TokenStream.category, t), [encoded(encodeEvent(TokenStream, {
        _tag: "TokenCreated", tokenId: t, kind: "personal", name: `token ${t}`, digest: digestOf(`token-${t}`).slice(7), scopes: ["read_registry"],
        expiresAt: null, userId: ((t - 1) % USERS) + 1, groupId: null, username: null, accessLevel: null
      }))]))
    }
    return writes
  }

  private newBlob(): StreamWrite {
    const n = this.next()
    const groupId = (n % GROUPS) + 1
    const digest = digestOf(`blob-${n}`)
    const id = streamId(BlobStream.category, `${groupId}/${digest}`)
    this.blobs.push(id)
    return this.write(id, [encoded(encodeEvent(BlobStream, { _tag: "BlobCached", groupId, digest, size: 1024 * n, image: `image-${n % 300}`, source: "upstream" }))])
  }

  private newManifest(): StreamWrite {
    const n = this.next()
    const groupId = (n % GROUPS) + 1
    const image = `image-${n}`
    const id = streamId(ManifestStream.category, `${groupId}/${image}`)
    this.manifests.push(id)
    const cached = (tag: string | null, seed: string) =>
      encoded(encodeEvent(ManifestStream, {
        _tag: "ManifestCached", groupId, image, tag, digest: digestOf(seed), mediaType: "application/vnd.oci.image.manifest.v1+json", size: 1_000 + (n % 500)
      }))
    return this.write(id, [cached("latest", `manifest-${n}`), cached(null, `manifest-${n}-amd64`)])
  }

  private read(ids: ReadonlyArray<string>, offset: number, kind: "blob" | "manifest"): StreamWrite | undefined {
    const id = ids[(offset * 7919) % Math.max(1, ids.length)]
    if (id === undefined) return undefined
    const at = new Date(this.at.getTime() + this.next() * 1000)
    if (kind === "blob") return this.write(id, [encoded(encodeEvent(BlobStream, { _tag: "BlobRead", at }))])
    const digest = digestOf(`manifest-${id.slice(id.lastIndexOf("-") + 1)}`)
    return this.write(id, [encoded(encodeEvent(ManifestStream, { _tag: "ManifestRead", tag: "latest", digest, at }))])
  }

  /**
   * About `size` events over distinct streams (a stream appears once per batch, as in one command's
   * append): 15% blobs cached, 25% blobs read, 20% manifests cached (tag and child), 15% manifests read,
   * 20% tokens used, a few settings changes.
   */
  batch(size: number): ReadonlyArray<StreamWrite> {
    const writes = new Map<string, StreamWrite>()
    const add = (write: StreamWrite | undefined) => {
      if (write !== undefined && !writes.has(write.streamId)) writes.set(write.streamId, write)
      else if (write !== undefined) this.versions.set(write.streamId, write.expectedVersion)
    }
    const part = (share: number) => Math.max(1, Math.round(size * share))
    const start = this.counter
    for (let i = 0; i < part(0.25); i++) add(this.read(this.blobs, start + i, "blob"))
    for (let i = 0; i < part(0.15); i++) add(this.read(this.manifests, start + i, "manifest"))
    for (let i = 0; i < part(0.15); i++) add(this.newBlob())
    for (let i = 0; i < part(0.1); i++) add(this.newManifest())
    for (let i = 0; i < Math.min(TOKENS, part(0.2)); i++) {
      const tokenId = ((start + i) % TOKENS) + 1
      add(this.write(streamId(TokenStream.category, tokenId), [encoded(encodeEvent(TokenStream, { _tag: "TokenUsed", at: new Date(this.at.getTime() + i) }))]))
    }
    for (let i = 0; i < Math.min(GROUPS, part(0.005)); i++) {
      const groupId = ((start + i) % GROUPS) + 1
      add(this.write(streamId(GroupStream.category, groupId), [encoded(encodeEvent(GroupStream, { _tag: "ManifestCheckIntervalChanged", seconds: (start + i) % 3600 }))]))
    }
    return [...writes.values()]
  }

  /**
   * One command's worth: a single event, as most requests append (a blob cached, then read; a token used).
   * Each worker appends only to streams of its own, so concurrent workers never conflict.
   */
  single(worker: number): StreamWrite {
    const kind = this.next() % 3
    const own = this.workerBlobs.get(worker)
    if (kind === 0 || own === undefined) {
      const created = this.newBlob()
      this.workerBlobs.set(worker, created.streamId)
      return created
    }
    if (kind === 1) return this.write(own, [encoded(encodeEvent(BlobStream, { _tag: "BlobRead", at: new Date(this.at.getTime() + this.counter) }))])
    const tokenId = (worker % TOKENS) + 1
    return this.write(streamId(TokenStream.category, tokenId), [encoded(encodeEvent(TokenStream, { _tag: "TokenUsed", at: new Date(this.at.getTime() + this.counter) }))])
  }
}

export const eventCount = (writes: ReadonlyArray<StreamWrite>): number => writes.reduce((sum, write) => sum + write.events.length, 0)
