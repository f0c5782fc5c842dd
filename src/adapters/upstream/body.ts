import { Effect } from "effect"
import { UpstreamInvalid } from "../../application/ports/UpstreamRegistry.js"
import { describeUrl, type Exchanged } from "./exchange.js"
import { integerHeader } from "./headers.js"
import { Transient } from "./Transient.js"

/**
 * Reads a whole body that must stay under `maxBytes`. A larger `Content-Length` is refused before reading; a
 * body that grows past the cap (chunked, or lying about its length) is destroyed mid-stream, so at most
 * `maxBytes` plus one chunk is ever held.
 */
export const readCapped = (response: Exchanged, maxBytes: number): Effect.Effect<Buffer, UpstreamInvalid | Transient> => {
  const tooLarge = new UpstreamInvalid({ reason: `${describeUrl(response.url)}: body larger than ${maxBytes} bytes` })
  const declared = integerHeader(response.headers, "content-length")
  if (declared !== null && declared > maxBytes) {
    return Effect.sync(() => response.body.destroy()).pipe(Effect.zipRight(Effect.fail(tooLarge)))
  }
  return Effect.tryPromise({
    try: async () => {
      const chunks: Array<Buffer> = []
      let total = 0
      for await (const raw of response.body) {
        // Node streams type their chunks as `any`; without an encoding set they are Buffers.
        const chunk: unknown = raw
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk))
        total += buffer.length
        if (total > maxBytes) {
          response.body.destroy()
          return null
        }
        chunks.push(buffer)
      }
      return Buffer.concat(chunks, total)
    },
    catch: (error) =>
      new Transient({
        reason: `${describeUrl(response.url)}: body interrupted (${error instanceof Error ? error.message : String(error)})`,
        retryAfterMs: null
      })
  }).pipe(Effect.flatMap((bytes) => (bytes === null ? Effect.fail(tooLarge) : Effect.succeed(bytes))))
}
