import { Schema } from "effect"

/** The Docker Hub secret as stored: AES-256-GCM output and the id of the key that sealed it. */
export const EncryptedSecret = Schema.Struct({
  keyId: Schema.String,
  iv: Schema.String,
  ciphertext: Schema.String,
  tag: Schema.String
})
export type EncryptedSecret = typeof EncryptedSecret.Type
