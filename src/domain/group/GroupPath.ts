import { Either } from "effect"
import { InvalidField } from "../errors.js"

/** GitLab allows at most 20 levels of nested groups. */
export const MAX_DEPTH = 20

// Letters, digits, `_`, `-`, `.`; must start with a letter, digit or `_`, must not end in `.`, `.git` or
// `.atom`, and no `..` (it would read as a parent directory in an image reference).
const PATH = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,253}[A-Za-z0-9_-])?$/

export const validatePath = (path: string): Either.Either<string, InvalidField> => {
  if (!PATH.test(path) || path.includes("..") || /\.(git|atom)$/i.test(path)) {
    return Either.left(
      new InvalidField({
        field: "path",
        message:
          "can contain only letters, digits, '_', '-' and '.'. Cannot start with '-', end in '.', '.git' or '.atom', or contain '..'"
      })
    )
  }
  return Either.right(path)
}

export const validateName = (name: string): Either.Either<string, InvalidField> =>
  name.trim().length === 0
    ? Either.left(new InvalidField({ field: "name", message: "can't be blank" }))
    : name.length > 255
    ? Either.left(new InvalidField({ field: "name", message: "is too long (maximum is 255 characters)" }))
    : Either.right(name)

/** Group paths are compared and looked up case-insensitively, as in GitLab. */
export const normalizePath = (fullPath: string): string => fullPath.toLowerCase()
