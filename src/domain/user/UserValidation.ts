import { Either } from "effect"
import { InvalidField } from "../errors.js"

// GitLab's username rule, less its reserved words: letters, digits, `_`, `-`, `.`; not starting with `-`
// or `.`, not ending with `.`, `.git` or `.atom`.
const USERNAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,253}[A-Za-z0-9_-])?$/
const EMAIL = /^[^\s@]+@[^\s@]+$/

export const MIN_PASSWORD_LENGTH = 8
export const MAX_PASSWORD_LENGTH = 128

export const validateUsername = (username: string): Either.Either<string, InvalidField> =>
  USERNAME.test(username) && !/\.(git|atom)$/i.test(username)
    ? Either.right(username)
    : Either.left(
      new InvalidField({
        field: "username",
        message: "can contain only letters, digits, '_', '-' and '.'. Cannot start with '-' or end in '.', '.git' or '.atom'."
      })
    )

export const validateEmail = (email: string): Either.Either<string, InvalidField> =>
  EMAIL.test(email) && email.length <= 255
    ? Either.right(email)
    : Either.left(new InvalidField({ field: "email", message: "is invalid" }))

/** Checked on the plaintext before it is hashed; the decider only ever sees the hash. */
export const validatePassword = (password: string): Either.Either<string, InvalidField> =>
  password.length < MIN_PASSWORD_LENGTH
    ? Either.left(new InvalidField({ field: "password", message: `is too short (minimum is ${MIN_PASSWORD_LENGTH} characters)` }))
    : password.length > MAX_PASSWORD_LENGTH
    ? Either.left(new InvalidField({ field: "password", message: `is too long (maximum is ${MAX_PASSWORD_LENGTH} characters)` }))
    : Either.right(password)

/** Usernames are unique case-insensitively. */
export const normalizeUsername = (username: string): string => username.toLowerCase()
