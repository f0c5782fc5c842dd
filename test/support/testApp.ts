import { Effect, Layer } from "effect"
import { CommandMetadata } from "../../src/application/CommandMetadata.js"
import { systemMetadata } from "../../src/application/ports/EventStore.js"
import { ProjectorLive } from "../../src/application/projectorLive.js"
import * as AesGcmSecretBox from "../../src/adapters/crypto/AesGcmSecretBox.js"
import * as RandomTokenGenerator from "../../src/adapters/crypto/RandomTokenGenerator.js"
import * as ScryptPasswordHasher from "../../src/adapters/crypto/ScryptPasswordHasher.js"
import * as MemoryEventStore from "../../src/adapters/memory/MemoryEventStore.js"
import * as MemoryIdSequence from "../../src/adapters/memory/MemoryIdSequence.js"

export const TEST_KEY = Buffer.alloc(32, 7)

/** Cheap hashing: the cost parameter is the adapter's own, so tests exercise the same code faster. */
export const cryptoLayer = Layer.mergeAll(
  AesGcmSecretBox.layer([TEST_KEY]),
  ScryptPasswordHasher.layer({ cost: 1024 }),
  RandomTokenGenerator.layer
)

/**
 * The actor of a test's set-up: the service itself, which the management rules do not hold back (as the
 * bootstrap). Tests of who may do what run their commands as a user (`asUser`).
 */
export const SETUP_ACTOR = "system:test"

/** Runs a command as the given user, held to the management rules like a request of theirs. */
export const asUser = (userId: number) => Effect.provideService(CommandMetadata, systemMetadata(`user:${userId}`))

/** The whole application on in-memory stores, with `actor` recorded on every event. */
export const memoryApp = (actor = SETUP_ACTOR) =>
  Layer.mergeAll(
    MemoryEventStore.layer.pipe(Layer.provideMerge(ProjectorLive)),
    MemoryIdSequence.layer,
    cryptoLayer,
    Layer.succeed(CommandMetadata, systemMetadata(actor))
  )
