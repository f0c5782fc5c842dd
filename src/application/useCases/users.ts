import { Clock, Effect, Either, Option } from "effect"
import { NameClaimDecider } from "../../domain/claim/NameClaim.js"
import { UserNotFound } from "../../domain/errors.js"
import { streamId, UsernameClaimStream, UserStream } from "../../domain/streams.js"
import { type UserCommand, UserDecider } from "../../domain/user/UserDecider.js"
import { normalizeUsername, validatePassword } from "../../domain/user/UserValidation.js"
import { decision, handleCommand } from "../commandHandler.js"
import { IdSequence } from "../ports/IdSequence.js"
import { PasswordHasher } from "../ports/PasswordHasher.js"
import { mayAdministerInstance, mayChangePassword, mayChangeUserAccess, mayEndSession } from "../../domain/auth/managementRules.js"
import { InvalidField } from "../../domain/errors.js"
import { authorize } from "../issuer.js"
import { userById } from "../queries.js"

export interface NewUser {
  readonly username: string
  readonly email: string
  readonly name: string
  /** null for bot users, which only authenticate with their tokens. */
  readonly password: string | null
  readonly admin: boolean
  readonly bot?: boolean
}

/** The user stream and the username claim, in one atomic append: a taken username fails the whole command. */
export const userCreation = (userId: number, user: NewUser, passwordHash: string | null) => [
  decision(UserStream, UserDecider, streamId("user", userId), () =>
    Either.right<UserCommand>({
      _tag: "CreateUser",
      userId,
      username: user.username,
      email: user.email,
      name: user.name,
      passwordHash,
      admin: user.admin,
      bot: user.bot ?? false
    })),
  decision(UsernameClaimStream, NameClaimDecider, streamId("username", normalizeUsername(user.username)), () =>
    Either.right({ _tag: "ClaimName" as const, field: "username", name: user.username, ownerId: userId }))
]

const hashPassword = (password: string) =>
  validatePassword(password).pipe(Effect.flatMap((valid) => PasswordHasher.pipe(Effect.flatMap((hasher) => hasher.hash(valid)))))

/** Administrators create users (the bootstrap creates root as the service itself). */
export const createUser = (user: NewUser) =>
  Effect.gen(function*() {
    yield* authorize(mayAdministerInstance)
    const passwordHash = user.password === null
      ? null
      : yield* hashPassword(user.password)
    const userId = yield* IdSequence.pipe(Effect.flatMap((ids) => ids.next("user")))
    yield* handleCommand(Effect.succeed(userCreation(userId, user, passwordHash)))
    return userId
  })

const onUser = (userId: number, command: Exclude<UserCommand, { _tag: "CreateUser" }>) =>
  userById(userId).pipe(
    Effect.flatMap(Option.match({
      onNone: () => Effect.fail(new UserNotFound({ user: String(userId) })),
      onSome: () => handleCommand(Effect.succeed([decision(UserStream, UserDecider, streamId("user", userId), () => Either.right(command))]))
    }))
  )

type UserChange = Exclude<UserCommand, { _tag: "CreateUser" | "ChangePassword" | "EndSession" }>

const accessChange = (command: UserChange) => {
  switch (command._tag) {
    case "BlockUser":
      return "block"
    case "UnblockUser":
      return "unblock"
    case "SetAdmin":
      return command.admin ? "grantAdmin" : "revokeAdmin"
    default:
      return "other"
  }
}

/** An administrator's change to a user (block, 2FA, admin flag); never blocking or demoting themselves. */
export const changeUser = (userId: number, command: UserChange) =>
  authorize((caller) => mayChangeUserAccess(caller, userId, accessChange(command))).pipe(Effect.zipRight(onUser(userId, command)))

/**
 * A new password, set by the user or an administrator. Every registry token and browser session signed in
 * with the old one stops working on its next request (the password version moves on).
 */
export const changePassword = (userId: number, password: string) =>
  Effect.gen(function*() {
    yield* authorize((caller) => mayChangePassword(caller, userId))
    const passwordHash = yield* hashPassword(password)
    return yield* onUser(userId, { _tag: "ChangePassword", passwordHash })
  })

/**
 * A user changing their own password must give the current one (as GitLab's password form asks): a session
 * left open, or a stolen cookie, is not enough to take the account over. A wrong one is refused on its field.
 */
export const changeOwnPassword = (userId: number, currentPassword: string, newPassword: string) =>
  Effect.gen(function*() {
    yield* authorize((caller) => mayChangePassword(caller, userId))
    const user = yield* userById(userId)
    if (Option.isNone(user)) return yield* new UserNotFound({ user: String(userId) })
    const stored = user.value.passwordHash
    const hasher = yield* PasswordHasher
    const matches = stored !== null && currentPassword !== "" && (yield* hasher.verify(currentPassword, stored))
    if (!matches) return yield* new InvalidField({ field: "current_password", message: "is incorrect" })
    return yield* changePassword(userId, newPassword)
  })

/**
 * Sign-out: the browser session `session` (its id, `sessionId` in the UI) of `userId` may no longer be used,
 * on any replica, though its cookie stays signed until `expiresAt`.
 */
export const endBrowserSession = (userId: number, session: string, expiresAt: Date) =>
  Effect.gen(function*() {
    yield* authorize((caller) => mayEndSession(caller, userId))
    const now = new Date(yield* Clock.currentTimeMillis)
    return yield* onUser(userId, { _tag: "EndSession", session, expiresAt, now })
  })
