import { createHash, randomBytes } from "node:crypto"
import { mkdtemp, readdir, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { Sha256Worker } from "../../../src/adapters/crypto/Sha256Worker.js"
import { beginWrite } from "../../../src/adapters/filesystem/fileBlobWrite.js"

const sha256 = (bytes: Uint8Array) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`

/** `bytes` cut into runs of chunks of uneven sizes (socket reads are), some empty. */
const runsOf = (bytes: Uint8Array, chunkSizes: ReadonlyArray<number>, chunksPerRun: number): Array<Array<Uint8Array>> => {
  const runs: Array<Array<Uint8Array>> = []
  let run: Array<Uint8Array> = []
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = chunkSizes[i % chunkSizes.length] ?? 1
    run.push(bytes.subarray(at, at + size))
    at += size
    if (run.length === chunksPerRun) runs.push(run), (run = [])
  }
  if (run.length > 0) runs.push(run)
  return runs
}

// A ring of two small slots: runs span slots, the ring wraps many times and updates wait for free slots.
const small = () => new Sha256Worker({ slots: 2, slotBytes: 1000, idleMs: 50 })
const workers: Array<Sha256Worker> = []
const worker = () => {
  const w = small()
  workers.push(w)
  return w
}
afterAll(() => Promise.all(workers.map((w) => w.close())))

describe("Sha256Worker", () => {
  it("hashes interleaved runs of two blobs as one sha256 each, in order, across a ring that wraps", async () => {
    const hasher = worker()
    const a = randomBytes(50_001)
    const b = randomBytes(33_333)
    const hashA = hasher.begin()
    const hashB = hasher.begin()
    const runsA = runsOf(a, [0, 1, 999, 1000, 1001, 4096, 7], 3)
    const runsB = runsOf(b, [65_536, 513, 0, 2], 2)
    for (let i = 0; i < Math.max(runsA.length, runsB.length); i++) {
      const runA = runsA[i]
      const runB = runsB[i]
      await Promise.all([runA === undefined ? null : hashA.update(runA), runB === undefined ? null : hashB.update(runB)])
    }
    expect(await hashA.digest()).toBe(sha256(a))
    expect(await hashB.digest()).toBe(sha256(b))
    // Nothing updated hashes to the empty blob's digest.
    expect(await hasher.begin().digest()).toBe(sha256(new Uint8Array(0)))
  })

  it("fails the hashes it held when the worker goes away, and starts a new worker for the next", async () => {
    const hasher = worker()
    const held = hasher.begin()
    await held.update([randomBytes(1500)])
    await hasher.close()
    await expect(held.digest()).rejects.toThrow(/sha256 worker/)
    const next = hasher.begin()
    const bytes = randomBytes(2500)
    await next.update([bytes])
    expect(await next.digest()).toBe(sha256(bytes))
  })

  it("leaves the caller's buffers as they were", async () => {
    const hasher = worker()
    const bytes = randomBytes(4321)
    const copy = Buffer.from(bytes)
    const hash = hasher.begin()
    await hash.update([bytes])
    expect(await hash.digest()).toBe(sha256(copy))
    expect(Buffer.compare(bytes, copy)).toBe(0)
  })
})

describe("a file write hashed in the worker", () => {
  const base = mkdtemp(join(tmpdir(), "sha256-worker-write-"))
  afterAll(async () => rm(await base, { recursive: true, force: true }))

  const writeAll = (bytes: Uint8Array, digest: string) =>
    Effect.gen(function*() {
      const dir = yield* Effect.promise(() => base.then((b) => mkdtemp(join(b, "case-"))))
      const write = yield* beginWrite(dir, join(dir, "blob"), digest, worker())
      for (const run of runsOf(bytes, [700, 1300, 64], 5)) yield* Effect.flatten(write.appendRun(run))
      const verified = yield* Effect.exit(write.verify)
      const committed = yield* Effect.exit(write.commit)
      yield* write.release
      const files = yield* Effect.promise(() => readdir(dir))
      return { verified, committed, files }
    })

  it("accepts the bytes of the digest", async () => {
    const bytes = randomBytes(20_000)
    const { verified, committed, files } = await Effect.runPromise(writeAll(bytes, sha256(bytes)))
    expect(Exit.isSuccess(verified)).toBe(true)
    expect(Exit.isSuccess(committed)).toBe(true)
    expect(files).toEqual(["blob"])
  })

  it("refuses bytes that differ from the digest's in one bit, and keeps nothing", async () => {
    const bytes = randomBytes(20_000)
    const digest = sha256(bytes)
    bytes[12_345] = (bytes[12_345] ?? 0) ^ 1
    const { verified, committed, files } = await Effect.runPromise(writeAll(bytes, digest))
    expect(Exit.isFailure(verified) && JSON.stringify(verified.cause)).toContain("DigestMismatch")
    expect(Exit.isFailure(committed) && JSON.stringify(committed.cause)).toContain("DigestMismatch")
    expect(files).toEqual([])
  })
})
