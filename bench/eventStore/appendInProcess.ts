/**
 * The client's own work of a batched append, without a database: `appendInTransaction` with its two steps
 * answered from memory (heads, documents and positions kept here, documents handed back as fresh parsed JSON,
 * as the driver hands back `jsonb`). `npx tsx bench/eventStore/appendInProcess.ts [batches] [rounds]` prints one
 * JSON line: CPU µs per event of the append alone (the batches are built before the measured window), and a
 * digest of every argument the steps were given, so that two versions of the append path can be compared for
 * identical writes (same events, hashes, documents) as well as for cost.
 */
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { type AppendSteps, prepareArguments, type StreamHead, writeArguments } from "../../src/adapters/sql/appendSteps.js"
import { appendInTransaction } from "../../src/adapters/sql/appendWrites.js"
import { type StreamWrite, systemMetadata } from "../../src/application/ports/EventStore.js"
import type { ReadModelRow } from "../../src/application/ports/ReadModels.js"
import { project } from "../../src/domain/projector.js"
import { EventMix } from "./eventMix.js"

const batches = Number(process.argv[2] ?? "20")
const rounds = Number(process.argv[3] ?? "3")
const metadata = systemMetadata("bench")

const heads = new Map<string, StreamHead>()
const docs = new Map<string, string>()
let position = 0
let transactionId = 1_000
const digest = createHash("sha256")
const docKey = (kind: string, id: string) => `${kind}\u0000${id}`

const steps: AppendSteps = {
  prepare: (request) =>
    Effect.sync(() => {
      for (const argument of prepareArguments(request)) digest.update(String(argument))
      transactionId += 1
      const positions = Array.from({ length: request.eventCount }, () => ++position)
      const found: Array<ReadModelRow> = []
      for (const key of request.docKeys) {
        const text = docs.get(docKey(key.kind, key.id))
        if (text !== undefined) found.push({ kind: key.kind, id: key.id, doc: JSON.parse(text) })
      }
      const wanted = new Map(request.headStreams.flatMap((id) => {
        const head = heads.get(id)
        return head === undefined ? [] : [[id, head] as const]
      }))
      return { transactionId, positions, heads: wanted, docs: found }
    }),
  write: (events, upserts, deletes) =>
    Effect.sync(() => {
      for (const argument of writeArguments(events, upserts, deletes)) digest.update(argument)
      for (const event of events) heads.set(event.stream_id, { version: event.stream_version, hash: event.hash })
      for (const row of upserts) docs.set(docKey(row.kind, row.id), JSON.stringify(row.doc))
      for (const key of deletes) docs.delete(docKey(key.kind, key.id))
    })
}

const mix = new EventMix()
let at = Date.parse("2026-11-01T00:00:00Z")
const append = (writes: ReadonlyArray<StreamWrite>) => {
  at += 1_000
  return Effect.runSync(appendInTransaction(steps, project, writes, metadata, new Date(at)))
}
append(mix.setup())
append(mix.batch(1_000))
const figures: Array<number> = []
for (let round = 0; round < rounds; round++) {
  const prepared = Array.from({ length: batches }, () => mix.batch(1_000))
  const started = process.cpuUsage()
  let events = 0
  for (const writes of prepared) events += append(writes).length
  const used = process.cpuUsage(started)
  figures.push(Math.round((used.user + used.system) / events * 10) / 10)
}
console.log(JSON.stringify({ microsPerEvent: figures, digest: digest.digest("hex").slice(0, 16) }))
