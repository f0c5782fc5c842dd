import { Context, Effect, Layer, Option, Ref } from "effect"
import { eventHash } from "../../application/eventHash.js"
import { ReadModelMap } from "../../application/projection.js"
import {
  checkpointOf,
  EventStore,
  type EventMetadata,
  type LogCheckpoint,
  type RecordedEvent,
  startOfLog,
  type StreamWrite,
  VersionConflict
} from "../../application/ports/EventStore.js"
import { Projector } from "../../application/ports/Projector.js"
import { ReadModels } from "../../application/ports/ReadModels.js"

interface Log {
  readonly events: ReadonlyArray<RecordedEvent>
  readonly models: ReadModelMap
}

const lastOf = (events: ReadonlyArray<RecordedEvent>, streamId: string): RecordedEvent | undefined =>
  events.findLast((e) => e.streamId === streamId)

/**
 * The event store and read models in process memory, for tests and for adapters' neighbours. Appends are
 * serialised by `Ref.modify`, so optimistic concurrency behaves as in the SQL stores.
 */
export const layer = Layer.effectContext(
  Effect.gen(function*() {
    const projector = yield* Projector
    const log = yield* Ref.make<Log>({ events: [], models: new ReadModelMap() })

    const append = (writes: ReadonlyArray<StreamWrite>, metadata: EventMetadata, recordedAt: Date) =>
      Ref.modify(log, (current): [Effect.Effect<ReadonlyArray<RecordedEvent>, VersionConflict>, Log] => {
        const recorded: Array<RecordedEvent> = []
        let position = current.events.length
        // Appends are serial here, so each is its own "transaction", numbered as the SQL store's rise.
        const transactionId = (current.events.at(-1)?.transactionId ?? 0) + 1
        for (const write of writes) {
          const last = lastOf([...current.events, ...recorded], write.streamId)
          const actualVersion = last?.streamVersion ?? 0
          if (actualVersion !== write.expectedVersion) {
            return [
              Effect.fail(new VersionConflict({ streamId: write.streamId, expectedVersion: write.expectedVersion, actualVersion })),
              current
            ]
          }
          let prevHash = last?.hash ?? ""
          let version = actualVersion
          for (const event of write.events) {
            position += 1
            version += 1
            const fields = { prevHash, streamId: write.streamId, streamVersion: version, ...event, metadata, recordedAt }
            const hash = eventHash(fields)
            recorded.push({ ...fields, globalPosition: position, transactionId, hash })
            prevHash = hash
          }
        }
        // Read models change only when the whole batch is accepted, as in a transaction.
        for (const event of recorded) current.models.apply(projector, event)
        return [Effect.succeed(recorded), { events: [...current.events, ...recorded], models: current.models }]
      }).pipe(Effect.flatten)

    const readStream = (streamId: string) =>
      Ref.get(log).pipe(Effect.map((l) => l.events.filter((e) => e.streamId === streamId)))

    // Positions are 1, 2, 3, … in transaction order, so the checkpoint's position is the index to go on from.
    const readAll = (after: LogCheckpoint, limit: number) =>
      Ref.get(log).pipe(Effect.map((l) => l.events.slice(Math.max(after.position, 0), Math.max(after.position, 0) + limit)))

    // Nothing to verify: the memory store holds the events as they were appended.
    const rebuild = () => Ref.modify(log, (current) => {
      const models = new ReadModelMap()
      for (const event of current.events) models.apply(projector, event)
      return [{ events: current.events.length, rows: models.size }, { events: current.events, models }]
    })

    const lastKnownCheckpoint = Ref.get(log).pipe(
      Effect.map((l) => Option.match(Option.fromNullable(l.events.at(-1)), { onNone: () => startOfLog, onSome: checkpointOf }))
    )

    // Appends are applied whole, so nothing is ever held back: what this process knows is all there is.
    return Context.make(EventStore, { append, readStream, readAll, lastKnownCheckpoint, committedEnd: lastKnownCheckpoint }).pipe(
      Context.add(ReadModels, {
        get: (kind, id) => Ref.get(log).pipe(Effect.map((l) => Option.fromNullable(l.models.get(kind, id)))),
        list: (kind) => Ref.get(log).pipe(Effect.map((l) => l.models.sorted().filter((r) => r.kind === kind))),
        snapshot: Ref.get(log).pipe(Effect.map((l) => l.models.sorted())),
        rebuild
      })
    )
  })
)
