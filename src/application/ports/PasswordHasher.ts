import { Context, type Effect } from "effect"

/** Slow, salted password hashing (scrypt in production). */
export interface PasswordHasherShape {
  readonly hash: (password: string) => Effect.Effect<string>
  readonly verify: (password: string, hash: string) => Effect.Effect<boolean>
}

export class PasswordHasher extends Context.Tag("dependency-proxy/PasswordHasher")<PasswordHasher, PasswordHasherShape>() {}
