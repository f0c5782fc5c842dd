import { Effect, Either, Option } from "effect"
import { PasswordHasher } from "../ports/PasswordHasher.js"
import { TokenGenerator } from "../ports/TokenGenerator.js"
import { LiveView } from "../LiveView.js"
import { type Credential, tokenCredential, userCredential, userRefusal } from "./credentials.js"
import { BadCredentials, CredentialRefused } from "./errors.js"
import { type SignInAttempt, SignInThrottle } from "./SignInThrottle.js"

/** The username CI jobs send with their job token, as in GitLab. */
export const CI_JOB_USERNAME = "gitlab-ci-token"

/**
 * Verified against when no user has the name, so an unknown username costs the same time as a wrong
 * password and timing does not reveal which usernames exist.
 */
const DECOY_HASH = `scrypt$32768$${Buffer.alloc(16).toString("base64")}$${Buffer.alloc(32).toString("base64")}`

/**
 * HTTP Basic credentials (SPEC §3): a token (personal, group access: any username; deploy: its username;
 * job: `gitlab-ci-token`), or a username and password of a user without two-factor authentication.
 */
const checkCredentials = (attempt: SignInAttempt & { readonly password: string }) =>
  Effect.gen(function*() {
    const { username, password } = attempt
    const state = yield* LiveView.pipe(Effect.flatMap((view) => view.latest))
    const generator = yield* TokenGenerator
    const token = state.tokenWithDigest(generator.digest(password))
    if (Option.isSome(token)) {
      const t = token.value
      const usernameFits = t.kind === "job" ? username === CI_JOB_USERNAME : t.kind === "deploy" ? username === t.username : true
      if (!usernameFits) return yield* new BadCredentials()
      return yield* Either.match(tokenCredential(state, t, new Date(yield* now)), {
        onLeft: (reason) => Effect.fail(new CredentialRefused({ reason })),
        onRight: (credential): Effect.Effect<Credential> => Effect.succeed(credential)
      })
    }
    const hasher = yield* PasswordHasher
    const user = state.userNamed(username)
    const hash = Option.match(user, { onNone: () => DECOY_HASH, onSome: (u) => u.passwordHash ?? DECOY_HASH })
    const throttle = yield* SignInThrottle
    const matches = yield* throttle.verifying(attempt, hasher.verify(password, hash))
    if (Option.isNone(user) || user.value.passwordHash === null || !matches) return yield* new BadCredentials()
    // A user with two-factor authentication must use a token here; GitLab answers as for a wrong password.
    if (user.value.twoFactorEnabled) return yield* new BadCredentials()
    const refusal = userRefusal(user.value)
    if (refusal !== null) return yield* new CredentialRefused({ reason: refusal })
    return userCredential(user.value)
  })

/**
 * A sign-in by `/jwt/auth`, `/oauth/token` or the sign-in form, throttled: refused while the client (or the
 * client and username) has used up its failures, every failure counted, a success clearing the username's.
 */
export const signIn = (attempt: SignInAttempt & { readonly password: string }) =>
  Effect.gen(function*() {
    const throttle = yield* SignInThrottle
    yield* throttle.check(attempt)
    const credential = yield* checkCredentials(attempt).pipe(Effect.tapErrorTag("BadCredentials", () => throttle.failed(attempt)))
    yield* throttle.succeeded(attempt)
    return credential
  })

const now = Effect.clockWith((clock) => clock.currentTimeMillis)
