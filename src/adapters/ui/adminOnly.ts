import type { FastifyReply, FastifyRequest } from "fastify"
import { sendNotFound } from "./failures.js"
import { requireSignIn, viewerOf } from "./requireSignIn.js"
import { requireSignedPost } from "./signedPost.js"
import type { SignedIn } from "./signedIn.js"
import type { UiContext } from "./uiContext.js"

/**
 * The admin area's gate: signed in (a post also with its CSRF token), and an administrator; anyone else gets
 * the same 404 as a page that does not exist (GitLab's answer to non-admins under `/admin`). The use cases
 * still authorize every change themselves (ADR 0014); this only keeps the pages from being shown.
 */
export const requireAdminPage = async (ctx: UiContext, request: FastifyRequest, reply: FastifyReply): Promise<SignedIn | null> => {
  const signed = request.method === "POST" ? await requireSignedPost(ctx, request, reply) : await requireSignIn(ctx, request, reply)
  if (signed === null) return null
  if (signed.actor.user.admin) return signed
  sendNotFound(reply, viewerOf(ctx, signed))
  return null
}
