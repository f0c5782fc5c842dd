import { createHash, randomBytes } from "node:crypto"
import { Effect, Layer } from "effect"
import { TokenGenerator } from "../../application/ports/TokenGenerator.js"

export const sha256Hex = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex")

/** 20 random bytes in base64url: 160 bits, as much as GitLab's tokens carry. */
export const layer = Layer.succeed(TokenGenerator, {
  generate: (prefix) => Effect.sync(() => `${prefix}${randomBytes(20).toString("base64url")}`),
  digest: sha256Hex
})
