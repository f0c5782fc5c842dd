import type { Effect } from "effect"
import type { FastifyReply, FastifyRequest } from "fastify"
import type { AppServices, RegistryServices } from "../../application/AppServices.js"
import type { CommandMetadata } from "../../application/CommandMetadata.js"
import { runForRequest } from "../edge/requestContext.js"
import { sendDefect, sendFailure, type UiFailure } from "./failures.js"
import type { UiContext } from "./uiContext.js"
import type { Viewer } from "./views/layout.js"

export type UiEffect<A> = Effect.Effect<A, UiFailure, AppServices | RegistryServices | CommandMetadata>

/** Runs a page's work for the request; null once an error page was sent (the failure's own, or a 500). */
export const runOnPage = async <A>(ctx: UiContext, request: FastifyRequest, reply: FastifyReply, viewer: Viewer, effect: UiEffect<A>): Promise<A | null> => {
  const result = await runForRequest(ctx.runtime, request, reply, effect)
  if (result._tag === "Success") return result.value
  if (result._tag === "Defect") sendDefect(reply, viewer)
  else sendFailure(request, reply, result.error, viewer)
  return null
}
