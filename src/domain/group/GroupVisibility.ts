import { Either } from "effect"
import { InvalidField } from "../errors.js"

/**
 * Every group here is private: only its members (and administrators) see it and pull through it (SPEC §4).
 * GitLab's `internal` and `public` would promise access this product does not give, so they are refused
 * rather than stored and ignored.
 */
export const GROUP_VISIBILITY = "private"

export const validateVisibility = (visibility: string): Either.Either<typeof GROUP_VISIBILITY, InvalidField> =>
  visibility === GROUP_VISIBILITY
    ? Either.right(GROUP_VISIBILITY)
    : Either.left(
      new InvalidField({
        field: "visibility",
        message: "must be private: only members of a group see it and pull through it"
      })
    )
