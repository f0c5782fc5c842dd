import { pipeline, type Readable, Transform, type TransformCallback } from "node:stream"

/**
 * Each chunk of a blob body costs the cache a positional write, a hash update and a progress notice that
 * wakes every client following the download; socket reads are 16–64 KiB. Handing the body on in pieces of
 * at least `bytes` (the last may be smaller) keeps that cost per byte low. `pipeline` carries errors forward
 * and a consumer's `destroy` back to the source, which frees its connection.
 */
export const coalesce = (body: Readable, bytes: number): Readable => {
  let pending: Array<Buffer> = []
  let size = 0
  const take = (): Buffer => {
    const joined = pending.length === 1 && pending[0] !== undefined ? pending[0] : Buffer.concat(pending, size)
    pending = []
    size = 0
    return joined
  }
  const gathered = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      pending.push(chunk)
      size += chunk.length
      if (size >= bytes) done(null, take())
      else done()
    },
    flush(done: TransformCallback) {
      if (size > 0) done(null, take())
      else done()
    }
  })
  // The error reaches the consumer through `gathered`, which pipeline destroys with it.
  pipeline(body, gathered, () => undefined)
  return gathered
}
