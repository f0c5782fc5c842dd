import { Either } from "effect"
import { InvalidField } from "../errors.js"
import type { NoteUpstreamCredentials, UpdateDependencyProxySettings } from "./GroupCommands.js"
import { type Decision, none } from "./groupDecision.js"
import type { Group } from "./GroupState.js"

const MAX_CREDENTIAL_LENGTH = 255

/** While a rejection lasts it is recorded again at most this often, so "last seen" stays roughly true. */
export const CREDENTIALS_REJECTION_REFRESH_MS = 60 * 60 * 1000

const checkCredential = (field: "identity" | "secret", value: string): Either.Either<string, InvalidField> =>
  value.length > MAX_CREDENTIAL_LENGTH
    ? Either.left(new InvalidField({ field, message: `is too long (maximum is ${MAX_CREDENTIAL_LENGTH} characters)` }))
    : Either.right(value)

/** The Docker Hub credentials part of a settings update: both set, both cleared, or neither touched. */
export const credentialEvents = (command: UpdateDependencyProxySettings, group: Group): Decision => {
  const identity = command.identity
  const secret = command.secret
  if (identity === undefined && secret === undefined) return none
  const cleared = (v: string | null | undefined) => v === null || v === ""
  if (cleared(identity) && cleared(secret)) {
    return group.settings.identity === null ? none : Either.right([{ _tag: "DockerHubCredentialsCleared" }])
  }
  if (typeof identity !== "string" || identity === "" || typeof secret !== "string" || secret === "") {
    const [field, other] = typeof identity === "string" && identity !== "" ? ["secret", "identity"] : ["identity", "secret"]
    return Either.left(new InvalidField({ field, message: `must be set together with ${other} (both or neither)` }))
  }
  return Either.gen(function*() {
    yield* checkCredential("identity", identity)
    yield* checkCredential("secret", secret)
    if (command.sealedSecret === null) {
      return yield* Either.left(new InvalidField({ field: "secret", message: "could not be encrypted" }))
    }
    // The secret cannot be compared without decrypting it, so setting credentials always records a change.
    return [{ _tag: "DockerHubCredentialsSet" as const, identity, secret: command.sealedSecret }]
  })
}

export const noteCredentials = (command: NoteUpstreamCredentials, group: Group): Decision => {
  if (group.settings.identity !== command.identity) return none
  const current = group.settings.credentialsRejected
  const outcome = command.outcome
  if (outcome._tag === "Accepted") return current === null ? none : Either.right([{ _tag: "UpstreamCredentialsAccepted" }])
  const fresh = current !== null && current.status === outcome.status && outcome.at.getTime() - current.at.getTime() < CREDENTIALS_REJECTION_REFRESH_MS
  return fresh ? none : Either.right([{ _tag: "UpstreamCredentialsRejected", status: outcome.status, at: outcome.at }])
}
