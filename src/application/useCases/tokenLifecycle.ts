import { Clock, Effect, Either, Option } from "effect"
import { TokenNotFound } from "../../domain/errors.js"
import { streamId, TokenStream } from "../../domain/streams.js"
import { type TokenCommand, TokenDecider } from "../../domain/token/TokenDecider.js"
import { decision, handleCommand } from "../commandHandler.js"
import { tokenById } from "../queries.js"

const onToken = (tokenId: number, command: TokenCommand) =>
  tokenById(tokenId).pipe(
    Effect.flatMap(Option.match({
      onNone: () => Effect.fail(new TokenNotFound({ tokenId })),
      onSome: () =>
        handleCommand(Effect.succeed([decision(TokenStream, TokenDecider, streamId("token", tokenId), () => Either.right(command))]))
    }))
  )

export const revokeToken = (tokenId: number) => onToken(tokenId, { _tag: "RevokeToken", reason: "revoked" })
export const finishJob = (tokenId: number) => onToken(tokenId, { _tag: "RevokeToken", reason: "job_finished" })

/** Coalesced: at most one `TokenUsed` per token per `minIntervalMs`, however many requests use it. */
export const recordTokenUse = (tokenId: number, minIntervalMs: number) =>
  Clock.currentTimeMillis.pipe(
    Effect.flatMap((now) => onToken(tokenId, { _tag: "RecordTokenUse", at: new Date(now), minIntervalMs }))
  )
