import { pipeline, type Readable, Transform, type TransformCallback } from "node:stream"

/**
 * A body's socket reads (16–64 KiB each) gathered into runs of at least `bytes` (the last may be smaller),
 * as arrays of the original buffers: nothing is copied, and each run costs the cache one store write, one
 * hash pass and one notice to the clients following the transfer, instead of one per socket read.
 * `pipeline` carries errors forward and a consumer's `destroy` back to the source, which frees its connection.
 */
export const gatherRuns = (body: Readable, bytes: number): Readable => {
  let pending: Array<Uint8Array> = []
  let size = 0
  const take = (): ReadonlyArray<Uint8Array> => {
    const run = pending
    pending = []
    size = 0
    return run
  }
  const gathered = new Transform({
    writableObjectMode: false,
    readableObjectMode: true,
    // Runs in the queue, not bytes: two runs ahead of the consumer is enough to keep the socket busy.
    readableHighWaterMark: 2,
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
