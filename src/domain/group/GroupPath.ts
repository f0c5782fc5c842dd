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

/**
 * Top-level paths that name this service's own routes (and GitLab's, for scripts that move between the two):
 * a group there would be shadowed by the route, or would make a URL mean two things. Compared lowercased.
 */
export const RESERVED_TOP_LEVEL_PATHS: ReadonlySet<string> = new Set([
  "-", ".well-known", "404.html", "422.html", "500.html", "502.html", "503.html", "admin", "api", "assets",
  "dashboard", "dependency_proxy", "explore", "favicon.ico", "favicon.png", "files", "graphql", "groups", "health_check",
  "help", "import", "jwt", "login", "metrics", "oauth", "profile", "projects", "public", "robots.txt", "s", "search",
  "sitemap", "snippets", "uploads", "users", "v2"
])

export const validateTopLevelPath = (path: string): Either.Either<string, InvalidField> =>
  RESERVED_TOP_LEVEL_PATHS.has(path.toLowerCase())
    ? Either.left(new InvalidField({ field: "path", message: `${path} is a reserved name` }))
    : Either.right(path)

export const validateName = (name: string): Either.Either<string, InvalidField> =>
  name.trim().length === 0
    ? Either.left(new InvalidField({ field: "name", message: "can't be blank" }))
    : name.length > 255
    ? Either.left(new InvalidField({ field: "name", message: "is too long (maximum is 255 characters)" }))
    : Either.right(name)

/** Group paths are compared and looked up case-insensitively, as in GitLab. */
export const normalizePath = (fullPath: string): string => fullPath.toLowerCase()
