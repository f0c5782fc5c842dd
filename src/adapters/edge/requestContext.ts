import { Cause, Effect, Exit, Option } from "effect"
import type { FastifyReply, FastifyRequest } from "fastify"
import { CommandMetadata } from "../../application/CommandMetadata.js"
import type { EventMetadata } from "../../application/ports/EventStore.js"
import type { EdgeRuntime } from "./runtime.js"
import type { AppServices, RegistryServices } from "../../application/AppServices.js"

/** Who and where a request came from; every event it causes records this. Never a credential. */
export const requestMetadata = (request: FastifyRequest): EventMetadata => ({
  actor: null,
  requestId: request.id,
  clientIp: request.ip,
  userAgent: request.headers["user-agent"] ?? null
})

/**
 * Runs a use case for one request on the edge runtime, interrupted if the client goes away. Returns the
 * typed failure, or the value; a defect is logged with the request id and becomes `Defect`.
 */
export const runForRequest = async <A, E>(
  runtime: EdgeRuntime,
  request: FastifyRequest,
  reply: FastifyReply,
  effect: Effect.Effect<A, E, AppServices | RegistryServices | CommandMetadata>
): Promise<{ readonly _tag: "Success"; readonly value: A } | { readonly _tag: "Failure"; readonly error: E } | { readonly _tag: "Defect" }> => {
  const controller = new AbortController()
  const onClose = () => {
    if (!reply.raw.writableEnded) controller.abort()
  }
  reply.raw.once("close", onClose)
  const exit = await runtime.runPromiseExit(
    effect.pipe(
      Effect.provideService(CommandMetadata, requestMetadata(request)),
      // Every log line the request's effects write carries its id, like Fastify's own lines.
      Effect.annotateLogs({ requestId: request.id })
    ),
    { signal: controller.signal }
  )
  reply.raw.off("close", onClose)
  if (Exit.isSuccess(exit)) return { _tag: "Success", value: exit.value }
  const failure = Cause.failureOption(exit.cause)
  if (Option.isSome(failure)) return { _tag: "Failure", error: failure.value }
  if (!Cause.isInterruptedOnly(exit.cause)) request.log.error({ cause: Cause.pretty(exit.cause) }, "request failed with a defect")
  return { _tag: "Defect" }
}
