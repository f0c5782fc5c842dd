import type { FastifyReply, FastifyRequest } from "fastify"
import type { SignedIn } from "./signedIn.js"
import type { UiContext } from "./uiContext.js"

/**
 * A family of pages under `/groups/<full path>/-/…` that the group routes hand a request to (a GET, or a POST
 * whose CSRF token they have checked): true once it answered, false when the URL is not one of its pages.
 */
export type GroupSubPage = (
  ctx: UiContext,
  request: FastifyRequest,
  reply: FastifyReply,
  signed: SignedIn,
  notFound: () => FastifyReply
) => Promise<boolean>
