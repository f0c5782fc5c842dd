import { Either, Schema } from "effect"
import { compileDocEncoder } from "./docEncoder.js"
import { decodeEvent } from "./eventCodec.js"
import { InstanceSettings } from "./instance/InstanceSettings.js"
import { type JsonObject, JsonObjectSchema } from "./Json.js"
import type { HeldDoc, ReadModelChange } from "./ReadModelChange.js"
import type { StreamType } from "./streams.js"
import {
  CacheKinds,
  CachedBlobView,
  CachedManifestView,
  GroupView,
  IndexView,
  Kinds,
  MembershipView,
  SsoSessionView,
  TokenView,
  UserView
} from "./views.js"

/** What the projector needs of a stored event. */
export interface StoredEvent {
  readonly globalPosition: number
  readonly streamId: string
  readonly type: string
  readonly schemaVersion: number
  readonly payload: JsonObject
  readonly recordedAt: Date
}

/**
 * A stored document that does not decode, or an event that does not, means the log or the read models were
 * altered outside the application: a defect, not a domain outcome, so these throw and the store's effect dies.
 * One codec per view, made once: a document it holds keeps its decoded value, so a replay's `modify` finds it
 * without decoding JSON, and encodes it once when the document is written out.
 */
export interface DocCodec<A> {
  readonly read: (json: JsonObject) => A
  readonly write: (value: A) => JsonObject
  readonly hold: (value: A) => HeldDoc
  readonly valueOf: (doc: HeldDoc) => A
}

export const codec = <A, I>(schema: Schema.Schema<A, I>): DocCodec<A> => {
  const read = Schema.decodeUnknownSync(schema)
  const encode = Schema.encodeSync(schema)
  const asJson = Schema.decodeUnknownSync(JsonObjectSchema)
  const schemaWrite = (value: A): JsonObject => asJson(encode(value))
  const compiled = compileDocEncoder(schema)
  // The compiled encoder throws on whatever it cannot encode; Schema then encodes the value or reports why not,
  // so the error a defect raises is Schema's, as before (docEncoder.ts).
  const write = compiled === undefined ? schemaWrite : (value: A): JsonObject => {
    try {
      return compiled(value)
    } catch {
      return schemaWrite(value)
    }
  }
  /**
   * A document held as its value. A class per codec, so that `instanceof` tells a value of this view from
   * another's: one object per change, where a closure and a weak-map entry per change made replays' GC work hard.
   */
  class Held implements HeldDoc {
    constructor(readonly value: A) {}
    json(): JsonObject {
      return write(this.value)
    }
  }
  return {
    read,
    write,
    hold: (value) => new Held(value),
    valueOf: (doc) => (doc instanceof Held ? doc.value : read(doc.json()))
  }
}

export const codecs = {
  group: codec(GroupView),
  index: codec(IndexView),
  membership: codec(MembershipView),
  user: codec(UserView),
  token: codec(TokenView),
  ssoSession: codec(SsoSessionView),
  cachedManifest: codec(CachedManifestView),
  cachedBlob: codec(CachedBlobView),
  instance: codec(InstanceSettings)
}

/**
 * A document read with its view (fields added since it was written take their defaults) and written again. A
 * key the view does not have fails the read: dropped silently, a key added to a stored document would compare
 * equal.
 */
const rewritten = <A, I>(view: DocCodec<A>, schema: Schema.Schema<A, I>) => {
  const strict = Schema.decodeUnknownSync(schema, { onExcessProperty: "error" })
  return (doc: JsonObject): JsonObject => view.write(strict(doc))
}

const rewriteByKind: ReadonlyMap<string, (doc: JsonObject) => JsonObject> = new Map([
  [Kinds.user, rewritten(codecs.user, UserView)],
  [Kinds.group, rewritten(codecs.group, GroupView)],
  [Kinds.membership, rewritten(codecs.membership, MembershipView)],
  [Kinds.token, rewritten(codecs.token, TokenView)],
  [Kinds.ssoSession, rewritten(codecs.ssoSession, SsoSessionView)],
  [Kinds.instance, rewritten(codecs.instance, InstanceSettings)],
  [CacheKinds.manifest, rewritten(codecs.cachedManifest, CachedManifestView)],
  [CacheKinds.blob, rewritten(codecs.cachedBlob, CachedBlobView)]
])

/**
 * A stored document as its view writes it today, so that two documents of one state compare equal though one
 * was written before a field existed. A kind without a view (the indexes), or a document that no longer reads
 * or has a key its view does not (then the difference is real), is left as it is.
 */
export const normalizedDoc = (kind: string, doc: JsonObject): JsonObject => {
  const rewrite = rewriteByKind.get(kind)
  if (rewrite === undefined) return doc
  try {
    return rewrite(doc)
  } catch {
    return doc
  }
}

export const put = <A>(c: DocCodec<A>, kind: string, id: string, value: A): ReadModelChange => ({
  kind,
  id,
  update: () => c.write(value),
  updateHeld: () => c.hold(value)
})

export const modify = <A>(c: DocCodec<A>, kind: string, id: string, f: (value: A) => A): ReadModelChange => ({
  kind,
  id,
  update: (current) => (current === undefined ? undefined : c.write(f(c.read(current)))),
  updateHeld: (current) => (current === undefined ? undefined : c.hold(f(c.valueOf(current))))
})

export const remove = (kind: string, id: string): ReadModelChange => ({ kind, id, update: () => undefined })

export const decodeOrDie = <E extends { readonly _tag: string }, I>(stream: StreamType<E, I>, event: StoredEvent): E =>
  Either.getOrThrowWith(decodeEvent(stream, event), (error) => new Error(`undecodable ${event.type} in ${event.streamId}: ${error.message}`))

interface Decoded<E> {
  readonly type: string
  readonly schemaVersion: number
  readonly value: E
}

/**
 * `decodeOrDie` for one stream type, remembering each payload's decoded event for as long as the payload lives.
 * An append asks the projector twice about the same events (once unplaced, for the rows to lock, once placed,
 * ADR 0026), with the same payload objects: the second look finds the event decoded. Payloads are immutable
 * JSON, and the type and schema version are compared too, so a hit is the value a fresh decode would give.
 */
export const eventDecoder = <E extends { readonly _tag: string }, I>(stream: StreamType<E, I>): ((event: StoredEvent) => E) => {
  const decoded = new WeakMap<JsonObject, Decoded<E>>()
  return (event) => {
    const hit = decoded.get(event.payload)
    if (hit !== undefined && hit.type === event.type && hit.schemaVersion === event.schemaVersion) return hit.value
    const value = decodeOrDie(stream, event)
    decoded.set(event.payload, { type: event.type, schemaVersion: event.schemaVersion, value })
    return value
  }
}

export const keyOf = (streamId: string): string => streamId.slice(streamId.indexOf("-") + 1)
