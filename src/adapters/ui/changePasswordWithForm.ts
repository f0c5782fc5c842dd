import { Effect } from "effect"
import { SignInThrottle } from "../../application/auth/SignInThrottle.js"
import { changeOwnPassword } from "../../application/useCases/users.js"

/**
 * The password form: the current password is a password guess like any sign-in, so it is counted by the same
 * throttle (client address and username) and verified within its concurrency bounds; a wrong one counts as a
 * failure, so a stolen session cannot be used to find the password either.
 */
export const changePasswordWithForm = (input: {
  readonly clientAddress: string
  readonly userId: number
  readonly username: string
  readonly currentPassword: string
  readonly newPassword: string
}) =>
  Effect.gen(function*() {
    const throttle = yield* SignInThrottle
    const attempt = { clientAddress: input.clientAddress, username: input.username }
    yield* throttle.check(attempt)
    yield* throttle.verifying(attempt, changeOwnPassword(input.userId, input.currentPassword, input.newPassword)).pipe(
      Effect.tapErrorTag("InvalidField", (e) => (e.field === "current_password" ? throttle.failed(attempt) : Effect.void))
    )
    yield* throttle.succeeded(attempt)
  })
