import { Data, Match } from "effect"
import { ApiForbidden, ApiNotFound, ApiUnauthorized } from "../../../application/api/errors.js"
import type { EventStoreUnavailable, VersionConflict } from "../../../application/ports/EventStore.js"
import type { DomainError } from "../../../domain/errors.js"
import { describeDomainError } from "../../../domain/errorMessages.js"
import type { ApiResponse } from "./apiResponse.js"
import type { InvalidParams } from "./params.js"

/** A request that is well-formed but makes no sense in the current state (GitLab's "400 Bad request - …"). */
export class ApiBadRequest extends Data.TaggedError("ApiBadRequest")<{ readonly message: string }> {}

export { ApiForbidden, ApiNotFound, ApiUnauthorized }

/** Everything an API handler may fail with; each has exactly one answer below. */
export type ApiFailure =
  | DomainError
  | ApiUnauthorized
  | ApiForbidden
  | ApiNotFound
  | ApiBadRequest
  | InvalidParams
  | EventStoreUnavailable
  | VersionConflict

const message = (status: number, text: unknown): ApiResponse => ({ status, body: { message: text } })
const notFound = (what: string) => message(404, `404 ${what} Not Found`)
/** GitLab's validation shape: the field, and what is wrong with it. */
const invalidField = (field: string, problem: string) => message(400, { [field]: [problem] })

/** The one table from a failure to its status and GitLab-shaped body. */
export const apiErrorResponse = (error: ApiFailure): ApiResponse =>
  Match.value(error).pipe(
    Match.tagsExhaustive({
      ApiUnauthorized: () => message(401, "401 Unauthorized"),
      ApiForbidden: () => message(403, "403 Forbidden"),
      ApiNotFound: (e) => notFound(e.what),
      ApiBadRequest: (e) => message(400, `400 Bad request - ${e.message}`),
      InvalidParams: (e) => ({ status: 400, body: { error: e.problems.join(", ") } }),
      InvalidField: (e) => invalidField(e.field, e.message),
      NameTaken: (e) => invalidField(e.field, "has already been taken"),
      GroupNotFound: () => notFound("Group"),
      UserNotFound: () => notFound("User"),
      TokenNotFound: () => notFound("Token"),
      MemberNotFound: () => notFound("Member"),
      MemberAlreadyExists: () => message(409, "Member already exists"),
      AlreadyExists: (e) => message(409, describeDomainError(e)),
      LastOwner: (e) => message(400, `400 Bad request - ${describeDomainError(e)}`),
      TokenAlreadyRevoked: (e) => message(400, `400 Bad request - ${describeDomainError(e)}`),
      NotTopLevelGroup: () => message(400, "400 Bad request - only a top-level group has SAML SSO"),
      NotAllowed: (e) => message(403, `403 Forbidden - ${e.reason}`),
      // The command handler already retried; the client may try again.
      VersionConflict: () => message(409, "409 Conflict - changed concurrently, try again"),
      EventStoreUnavailable: () => message(503, "503 Service Unavailable")
    })
  )
