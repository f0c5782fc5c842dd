import { createHash } from "node:crypto"
import { Effect } from "effect"
import { BlobStore } from "../../src/application/ports/BlobStore.js"

/** Writes `text` into the store under its digest, as a download would, and says where. */
export const storeBlob = (text: string) =>
  Effect.gen(function*() {
    const bytes = Buffer.from(text)
    const digest = `sha256:${createHash("sha256").update(bytes).digest("hex")}`
    const store = yield* BlobStore
    const write = yield* store.begin(digest)
    yield* write.append(bytes)
    yield* write.commit
    yield* write.release
    return { digest, size: bytes.length }
  })
