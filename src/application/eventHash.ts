import { hash } from "node:crypto"
import { canonicalJson, type Json } from "../domain/Json.js"
import type { EventMetadata } from "./ports/EventStore.js"

/** The fields of an event that its hash covers; everything a tamperer could change. */
export interface HashedFields {
  readonly prevHash: string
  readonly streamId: string
  readonly streamVersion: number
  readonly type: string
  readonly schemaVersion: number
  readonly payload: Json
  readonly metadata: EventMetadata
  readonly recordedAt: Date
}

/** SHA-256 over the predecessor's hash and this event's canonical form: a per-stream hash chain. */
export const eventHash = (fields: HashedFields): string =>
  // One-shot `hash` (no Hash object per event): the same digest as createHash().update().digest("hex").
  hash(
    "sha256",
    canonicalJson([
      fields.prevHash,
      fields.streamId,
      fields.streamVersion,
      fields.type,
      fields.schemaVersion,
      fields.payload,
      {
        actor: fields.metadata.actor,
        requestId: fields.metadata.requestId,
        clientIp: fields.metadata.clientIp,
        userAgent: fields.metadata.userAgent
      },
      fields.recordedAt.toISOString()
    ]),
    "hex"
  )
