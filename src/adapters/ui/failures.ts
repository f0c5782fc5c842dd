import type { FastifyReply, FastifyRequest } from "fastify"
import type { ApiForbidden, ApiNotFound } from "../../application/api/errors.js"
import type { BlobStoreError } from "../../application/ports/BlobStore.js"
import type { EventStoreUnavailable, VersionConflict } from "../../application/ports/EventStore.js"
import type { SecretUnreadable } from "../../application/ports/SecretBox.js"
import type { DomainError } from "../../domain/errors.js"
import { describeDomainError } from "../../domain/errorMessages.js"
import { sendPage } from "./respond.js"
import { errorPage } from "./views/errorView.js"
import type { Viewer } from "./views/layout.js"

/** Every way a signed-in page or action can fail, once the user is known. */
export type UiFailure = ApiNotFound | ApiForbidden | DomainError | EventStoreUnavailable | VersionConflict | SecretUnreadable | BlobStoreError

/** As in GitLab, a group one may not see is "not found", never "forbidden": its existence is not revealed. */
export const sendNotFound = (reply: FastifyReply, viewer: Viewer | null): FastifyReply =>
  sendPage(reply, 404, errorPage("Page not found", "The page does not exist, or you do not have access to it.", viewer))

export const sendCsrfRejected = (reply: FastifyReply): FastifyReply =>
  sendPage(reply, 403, errorPage("Request refused", "The form was missing its security token or it did not match your session. Reload the page and try again.", null))

export const sendDefect = (reply: FastifyReply, viewer: Viewer | null): FastifyReply =>
  sendPage(reply, 500, errorPage("Something went wrong", "The error was logged with this request's id. Try again later.", viewer))

const unavailable = (reply: FastifyReply, viewer: Viewer | null): FastifyReply =>
  sendPage(reply.header("retry-after", "5"), 503, errorPage("Service unavailable", "The database could not be reached. Try again in a moment.", viewer))

export const sendFailure = (request: FastifyRequest, reply: FastifyReply, failure: UiFailure, viewer: Viewer | null): FastifyReply => {
  switch (failure._tag) {
    case "ApiNotFound":
      return sendNotFound(reply, viewer)
    case "ApiForbidden":
      return sendPage(reply, 403, errorPage("Access denied", "Only the group's Owners can change its dependency proxy.", viewer))
    case "NotAllowed":
      return sendPage(reply, 403, errorPage("Access denied", describeDomainError(failure), viewer))
    case "EventStoreUnavailable":
    case "VersionConflict":
      return unavailable(reply, viewer)
    case "SecretUnreadable":
    case "BlobStoreError":
      request.log.error({ failure: failure._tag }, "UI request failed")
      return sendDefect(reply, viewer)
    default:
      return sendPage(reply, 422, errorPage("Not saved", describeDomainError(failure), viewer))
  }
}
