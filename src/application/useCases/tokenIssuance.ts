import { Clock, Effect, Either, Option } from "effect"
import { GroupNotFound } from "../../domain/errors.js"
import type { DomainError } from "../../domain/errors.js"
import { streamId, TokenStream } from "../../domain/streams.js"
import { type CreateToken, type TokenCommand, TokenDecider } from "../../domain/token/TokenDecider.js"
import { tokenPrefix } from "../../domain/token/TokenKind.js"
import { decision, handleCommand, type StreamDecision } from "../commandHandler.js"
import { IdSequence } from "../ports/IdSequence.js"
import { TokenGenerator } from "../ports/TokenGenerator.js"
import { groupById } from "../queries.js"

/** What the creator gets back: the only time the plaintext exists outside the caller's hands. */
export interface IssuedToken {
  readonly tokenId: number
  readonly token: string
  readonly userId: number | null
  readonly username: string | null
}

/** What a caller asks for: the decider's `CreateToken` without what issuing adds (id, digest, clock). */
export type TokenRequest = Omit<CreateToken, "_tag" | "tokenId" | "digest" | "now">

/** Mints the secret and records the token, with whatever else must be appended in the same step. */
export const issue = (
  request: TokenRequest,
  extra: (tokenId: number) => ReadonlyArray<StreamDecision<DomainError>> = () => [],
  usernameFor: (tokenId: number) => string | null = () => request.username
) =>
  Effect.gen(function*() {
    const generator = yield* TokenGenerator
    const tokenId = yield* IdSequence.pipe(Effect.flatMap((ids) => ids.next("token")))
    const token = yield* generator.generate(tokenPrefix[request.kind])
    const now = new Date(yield* Clock.currentTimeMillis)
    const username = usernameFor(tokenId)
    const command: CreateToken = {
      _tag: "CreateToken",
      tokenId,
      ...request,
      username,
      digest: generator.digest(token),
      now
    }
    yield* handleCommand(Effect.succeed([
      decision(TokenStream, TokenDecider, streamId("token", tokenId), () => Either.right<TokenCommand>(command)),
      ...extra(tokenId)
    ]))
    return { tokenId, token, userId: request.userId, username } satisfies IssuedToken
  })

export const requireGroup = (groupId: number) =>
  groupById(groupId).pipe(Effect.flatMap(Option.match({
    onNone: () => Effect.fail(new GroupNotFound({ group: String(groupId) })),
    onSome: Effect.succeed
  })))

