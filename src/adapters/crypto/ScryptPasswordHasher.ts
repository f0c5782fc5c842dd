import { randomBytes, scrypt, timingSafeEqual } from "node:crypto"
import { Effect, Layer } from "effect"
import { PasswordHasher } from "../../application/ports/PasswordHasher.js"

// N=2^15 costs about 50 ms and 32 MiB per hash: slow for a guesser, fine for sign-ins and token exchange.
const N = 1 << 15
const r = 8
const p = 1
const KEY_LENGTH = 32
const maxmem = 64 * 1024 * 1024

const derive = (password: string, salt: Buffer, n: number) =>
  Effect.async<Buffer>((resume) => {
    scrypt(password, salt, KEY_LENGTH, { N: n, r, p, maxmem }, (error, key) => {
      // scrypt fails only for invalid parameters, which are constants here: a defect.
      resume(error === null ? Effect.succeed(key) : Effect.die(error))
    })
  })

/** Format: `scrypt$N$salt$key` (base64), so the cost can be raised later without breaking old hashes. */
export const layer = (options: { readonly cost?: number } = {}) =>
  Layer.succeed(PasswordHasher, {
    hash: (password) =>
      Effect.gen(function*() {
        const n = options.cost ?? N
        const salt = randomBytes(16)
        const key = yield* derive(password, salt, n)
        return `scrypt$${n}$${salt.toString("base64")}$${key.toString("base64")}`
      }),
    verify: (password, hash) =>
      Effect.gen(function*() {
        const [scheme, cost, salt, key] = hash.split("$")
        if (scheme !== "scrypt" || cost === undefined || salt === undefined || key === undefined) return false
        const n = Number(cost)
        if (!Number.isInteger(n) || n < 2 || (n & (n - 1)) !== 0) return false
        const expected = Buffer.from(key, "base64")
        const actual = yield* derive(password, Buffer.from(salt, "base64"), n)
        return expected.length === actual.length && timingSafeEqual(expected, actual)
      })
  })
