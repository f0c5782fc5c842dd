import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto"
import { Effect, Layer } from "effect"
import { SecretBox, SecretUnreadable } from "../../application/ports/SecretBox.js"

/** The key id is a short fingerprint of the key, so a rotated key can be told from the old one. */
export const keyIdOf = (key: Buffer): string => createHash("sha256").update(key).digest("hex").slice(0, 16)

/**
 * AES-256-GCM. `keys` holds the current key first and older ones after it, so secrets sealed before a
 * rotation still open.
 */
export const layer = (keys: ReadonlyArray<Buffer>) => {
  const [current] = keys
  if (current === undefined || keys.some((k) => k.length !== 32)) {
    return Layer.die(new Error("SecretBox needs at least one 32-byte key"))
  }
  const byId = new Map(keys.map((k) => [keyIdOf(k), k]))
  return Layer.succeed(SecretBox, {
    seal: (plaintext) =>
      Effect.sync(() => {
        const iv = randomBytes(12)
        const cipher = createCipheriv("aes-256-gcm", current, iv)
        const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()])
        return {
          keyId: keyIdOf(current),
          iv: iv.toString("base64"),
          ciphertext: ciphertext.toString("base64"),
          tag: cipher.getAuthTag().toString("base64")
        }
      }),
    open: (sealed) => {
      const key = byId.get(sealed.keyId)
      if (key === undefined) return Effect.fail(new SecretUnreadable({ keyId: sealed.keyId }))
      return Effect.try({
        try: () => {
          const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(sealed.iv, "base64"))
          decipher.setAuthTag(Buffer.from(sealed.tag, "base64"))
          return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, "base64")), decipher.final()]).toString("utf8")
        },
        catch: () => new SecretUnreadable({ keyId: sealed.keyId })
      })
    }
  })
}
