import { Clock, Effect, Either, Option } from "effect"
import { mayAdministerInstance, mayRevokeToken } from "../../domain/auth/managementRules.js"
import { TokenNotFound } from "../../domain/errors.js"
import { streamId, TokenStream } from "../../domain/streams.js"
import { type TokenCommand, TokenDecider } from "../../domain/token/TokenDecider.js"
import { decision, handleCommand } from "../commandHandler.js"
import { authorize } from "../issuer.js"
import { groupById, tokenById } from "../queries.js"

const existingToken = (tokenId: number) =>
  tokenById(tokenId).pipe(
    Effect.flatMap(Option.match({ onNone: () => Effect.fail(new TokenNotFound({ tokenId })), onSome: Effect.succeed }))
  )

const appendTo = (tokenId: number, command: TokenCommand) =>
  handleCommand(Effect.succeed([decision(TokenStream, TokenDecider, streamId("token", tokenId), () => Either.right(command))]))

const onToken = (tokenId: number, command: TokenCommand) => existingToken(tokenId).pipe(Effect.zipRight(appendTo(tokenId, command)))

/**
 * Revoked by whoever may (`mayRevokeToken`), checked here and not only at the edges, so that every surface
 * (REST, UI, CLI, the next one) gets the same answer for the issuer the event records.
 */
export const revokeToken = (tokenId: number) =>
  Effect.gen(function*() {
    const token = yield* existingToken(tokenId)
    const group = token.groupId === null ? Option.none() : yield* groupById(token.groupId)
    yield* authorize((caller) => mayRevokeToken(caller, token, Option.getOrNull(group)))
    return yield* appendTo(tokenId, { _tag: "RevokeToken", reason: "revoked" })
  })

/**
 * A job ends by the CI system's word: an administrator's (which the CI system signs in as) or the service's
 * (ADR 0014). Only a job token ends this way; any other is "not found" here, on every surface.
 */
export const finishJob = (tokenId: number) =>
  Effect.gen(function*() {
    yield* authorize(mayAdministerInstance)
    const token = yield* existingToken(tokenId)
    if (token.kind !== "job") return yield* new TokenNotFound({ tokenId })
    return yield* appendTo(tokenId, { _tag: "RevokeToken", reason: "job_finished" })
  })

/** Coalesced: at most one `TokenUsed` per token per `minIntervalMs`, however many requests use it. */
export const recordTokenUse = (tokenId: number, minIntervalMs: number) =>
  Clock.currentTimeMillis.pipe(
    Effect.flatMap((now) => onToken(tokenId, { _tag: "RecordTokenUse", at: new Date(now), minIntervalMs }))
  )
