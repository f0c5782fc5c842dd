import { Either, type ParseResult, Schema } from "effect"
import { type JsonObject, JsonObjectSchema } from "./Json.js"
import type { StreamType } from "./streams.js"

export interface EncodedEvent {
  readonly type: string
  readonly schemaVersion: number
  readonly payload: JsonObject
}

/** The stored form of an event: its tag as the type, its fields as the payload, at the current version. */
export const encodeEvent = <E extends { readonly _tag: string }, I>(
  stream: StreamType<E, I>,
  event: E
): Either.Either<EncodedEvent, ParseResult.ParseError> =>
  Schema.encodeEither(stream.schema)(event).pipe(
    Either.flatMap((encoded) => Schema.decodeUnknownEither(JsonObjectSchema)(encoded)),
    Either.map(({ _tag, ...payload }) => ({
      type: event._tag,
      schemaVersion: stream.versions[event._tag] ?? 1,
      payload
    }))
  )

/** Reads a stored event, upcasting it from whatever version it was written at. */
export const decodeEvent = <E extends { readonly _tag: string }, I>(
  stream: StreamType<E, I>,
  stored: EncodedEvent
): Either.Either<E, ParseResult.ParseError> => {
  const current = stream.versions[stored.type] ?? 1
  let payload = stored.payload
  for (let version = stored.schemaVersion; version < current; version++) {
    const upcast = stream.upcasters[stored.type]?.[version]
    if (upcast !== undefined) payload = upcast(payload)
  }
  return Schema.decodeUnknownEither(stream.schema)({ ...payload, _tag: stored.type })
}
