import { Context, Data, type Effect } from "effect"
import type { EncryptedSecret } from "../../domain/EncryptedSecret.js"

/** The sealed secret could not be opened: wrong key, unknown key id, or altered ciphertext. */
export class SecretUnreadable extends Data.TaggedError("SecretUnreadable")<{ readonly keyId: string }> {}

/** Authenticated encryption of stored secrets (the Docker Hub secret) under a key with an id. */
export interface SecretBoxShape {
  readonly seal: (plaintext: string) => Effect.Effect<EncryptedSecret>
  readonly open: (sealed: EncryptedSecret) => Effect.Effect<string, SecretUnreadable>
}

export class SecretBox extends Context.Tag("dependency-proxy/SecretBox")<SecretBox, SecretBoxShape>() {}
