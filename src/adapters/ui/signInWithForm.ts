import { Effect, Option } from "effect"
import { BadCredentials } from "../../application/auth/errors.js"
import { signIn } from "../../application/auth/signIn.js"
import { SignInThrottle, throttleKey } from "../../application/auth/SignInThrottle.js"
import { LiveView } from "../../application/LiveView.js"
import { browserIdentity } from "./browserIdentity.js"

/**
 * The sign-in form: the same credential check as `/jwt/auth`, throttled under the same key (client address and
 * username), so guesses through the form and through `docker login` share one allowance. A token must belong
 * to the user named in the form, so the page never signs someone in as a different user than they typed.
 */
export const signInWithForm = (input: { readonly clientAddress: string; readonly username: string; readonly password: string }) =>
  Effect.gen(function*() {
    const throttle = yield* SignInThrottle
    const key = throttleKey(input.clientAddress, input.username)
    yield* throttle.check(key)
    const identity = yield* signIn(input.username, input.password).pipe(
      Effect.flatMap((credential) =>
        LiveView.pipe(Effect.flatMap((view) => view.current), Effect.map((state) => browserIdentity(state, credential)))),
      Effect.flatMap(Option.match({
        onNone: () => Effect.fail(new BadCredentials()),
        onSome: (found) =>
          found.user.username.toLowerCase() === input.username.toLowerCase() ? Effect.succeed(found) : Effect.fail(new BadCredentials())
      })),
      Effect.tapErrorTag("BadCredentials", () => throttle.failed(key))
    )
    yield* throttle.succeeded(key)
    return identity
  })
