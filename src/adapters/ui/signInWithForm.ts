import { Effect, Option } from "effect"
import { BadCredentials } from "../../application/auth/errors.js"
import { signIn } from "../../application/auth/signIn.js"
import { SignInThrottle } from "../../application/auth/SignInThrottle.js"
import { LiveView } from "../../application/LiveView.js"
import { browserIdentity } from "./browserIdentity.js"

/**
 * The sign-in form: the same credential check as `/jwt/auth`, throttled by the same counts (client address, and
 * client address and username), so guesses through the form and through `docker login` share one allowance. A token must belong
 * to the user named in the form, so the page never signs someone in as a different user than they typed.
 */
export const signInWithForm = (input: { readonly clientAddress: string; readonly username: string; readonly password: string }) =>
  Effect.gen(function*() {
    const credential = yield* signIn(input)
    const state = yield* LiveView.pipe(Effect.flatMap((view) => view.current))
    const found = Option.filter(browserIdentity(state, credential), (f) => f.user.username.toLowerCase() === input.username.toLowerCase())
    if (Option.isSome(found)) return found.value
    // A genuine credential that may not open a browser session for this username counts as a failure too.
    yield* SignInThrottle.pipe(Effect.flatMap((throttle) => throttle.failed(input)))
    return yield* new BadCredentials()
  })
