import { Context, type Effect } from "effect"

/** Random token plaintexts and their digests; a port so tests can make them predictable. */
export interface TokenGeneratorShape {
  /** `prefix` followed by enough randomness that guessing is hopeless. */
  readonly generate: (prefix: string) => Effect.Effect<string>
  /** SHA-256 of the plaintext, hex: what is stored and looked up. */
  readonly digest: (plaintext: string) => string
}

export class TokenGenerator extends Context.Tag("dependency-proxy/TokenGenerator")<TokenGenerator, TokenGeneratorShape>() {}
