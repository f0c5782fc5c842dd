import { Data } from "effect"

/** No valid API credential (`PRIVATE-TOKEN` or `Authorization: Bearer`): 401 `{"message":"401 Unauthorized"}`. */
export class ApiUnauthorized extends Data.TaggedError("ApiUnauthorized")<{ readonly reason: string }> {}

/** Authenticated, but not allowed: 403 `{"message":"403 Forbidden"}`. */
export class ApiForbidden extends Data.TaggedError("ApiForbidden")<{ readonly reason: string }> {}

/**
 * Not found, or not visible to this caller: GitLab answers 404 for a group one cannot see, so as not to
 * reveal that it exists. `what` is GitLab's noun: "Group", "User", "Token", "Member".
 */
export class ApiNotFound extends Data.TaggedError("ApiNotFound")<{ readonly what: string }> {}
